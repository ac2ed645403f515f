#!/usr/bin/env bash
# Runs one dbt command for the order pipeline, then leaves a JSON run summary where Kubernetes
# picks it up as the container's termination message, and exits with dbt's exit code.
#
#   entrypoint.sh                       -> dbt build
#   entrypoint.sh run --select marts    -> dbt run --select marts
#   entrypoint.sh dbt test              -> dbt test (a leading "dbt" is accepted)
#
# Environment:
#   DBT_PROJECT_DIR           project directory (default: this script's directory)
#   DBT_PROFILES_DIR          profiles directory (default: the project directory)
#   DBT_TARGET_PATH           dbt's target path (default target, relative to the project)
#   DBT_TARGET                profile target (read by profiles.yml; default local)
#   DBT_BIN                   dbt executable (default: dbt on PATH)
#   PYTHON_BIN                python for the summary script (default: python3)
#   TERMINATION_MESSAGE_PATH  where the summary goes (default /dev/termination-log)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
project_dir="${DBT_PROJECT_DIR:-$here}"
project_dir="$(cd "$project_dir" && pwd)" || exit 1
export DBT_PROFILES_DIR="$(cd "${DBT_PROFILES_DIR:-$project_dir}" && pwd)" || exit 1
dbt_bin="${DBT_BIN:-dbt}"
python_bin="${PYTHON_BIN:-python3}"
termination_path="${TERMINATION_MESSAGE_PATH:-/dev/termination-log}"

if [[ $# -gt 0 && "$1" == "dbt" ]]; then
  shift
fi
if [[ $# -eq 0 ]]; then
  set -- build
fi

cd "$project_dir" || exit 1
# dbt writes run_results.json (sources.json for `source freshness`) into the target path.
target_path="${DBT_TARGET_PATH:-target}"
# Files from an earlier run must not be reported as this run's result.
rm -f "$target_path/run_results.json" "$target_path/sources.json"

echo "[entrypoint] dbt $* (project $project_dir)" >&2
"$dbt_bin" "$@"
dbt_rc=$?

results="$target_path/run_results.json"
if [[ ! -f "$results" && -f "$target_path/sources.json" ]]; then
  results="$target_path/sources.json"
fi
summary="$("$python_bin" "$here/scripts/summarize_run_results.py" "$results")"
summary_rc=$?
if [[ $summary_rc -ne 0 ]]; then
  # No usable results file: dbt failed before running any node (profile, parse or connection
  # error), or the command writes none (debug, deps, parse). Still leave a summary.
  summary="$("$python_bin" - "$summary" "$dbt_rc" "$*" <<'PY'
import json, sys
s = json.loads(sys.argv[1])
rc, command = int(sys.argv[2]), sys.argv[3]
s["command"] = s.get("command") or command
if rc == 0:
    s["status"], s["error"] = "ok", None
else:
    s["status"] = "error"
    s["error"] = "dbt exited with code %d without run results (%s)" % (rc, s.get("error"))
print(json.dumps(s, separators=(",", ":"))[:4096])
PY
)"
fi
echo "$summary"
if ! printf '%s' "$summary" > "$termination_path" 2>/dev/null; then
  echo "[entrypoint] cannot write the summary to $termination_path" >&2
fi
exit "$dbt_rc"
