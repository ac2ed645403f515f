#!/usr/bin/env python3
"""Summarize a dbt target/run_results.json (or sources.json) as one small JSON object.

    summarize_run_results.py [RUN_RESULTS] [--output FILE] [--max-bytes N]

RUN_RESULTS defaults to target/run_results.json; `dbt source freshness` writes
target/sources.json instead, which is read the same way. The summary is printed on stdout and, with
--output, also written to FILE (e.g. /dev/termination-log). It is kept under --max-bytes
(default 4096, the Kubernetes termination-message limit) by shortening the name lists.

Summary keys:
  invocation_id, command, dbt_version, generated_at, elapsed_seconds,
  status             "ok" when no model/seed/snapshot errored and no test failed or errored
                     (warnings allowed), else "error"
  models             {"ok", "error", "skipped"}          (models, seeds, snapshots)
  tests              {"pass", "fail", "warn", "error", "skipped"}   (data and unit tests)
  failing_tests      names of tests with status fail or error
  warning_tests      names of tests with status warn
  error_models       names of models/seeds/snapshots with status error
  sources            {"pass", "warn", "error"}           (source freshness results)
  stale_sources      names of sources whose freshness is warn or error
  max_loaded_at_age_seconds   oldest max(loaded_at) age among the sources checked, or null
  error              null, or why the file could not be summarized
  truncated          true when name lists were shortened to fit --max-bytes

Exit status: 0 when the file was summarized (whatever dbt's outcome), 2 when it was missing
or malformed (an error summary is still printed). Standard library only.
"""
import argparse
import json
import sys

NODE_KINDS = ("model", "seed", "snapshot")
TEST_KINDS = ("test", "unit_test")


def empty_summary(error=None):
    return {
        "invocation_id": None,
        "command": None,
        "dbt_version": None,
        "generated_at": None,
        "status": "error" if error else "ok",
        "elapsed_seconds": None,
        "models": {"ok": 0, "error": 0, "skipped": 0},
        "tests": {"pass": 0, "fail": 0, "warn": 0, "error": 0, "skipped": 0},
        "failing_tests": [],
        "warning_tests": [],
        "error_models": [],
        "sources": {"pass": 0, "warn": 0, "error": 0},
        "stale_sources": [],
        "max_loaded_at_age_seconds": None,
        "error": error,
        "truncated": False,
    }


def node_name(unique_id):
    # model.<project>.<name>[.v<version>]   test.<project>.<name>.<hash>
    # source.<project>.<source>.<table>
    parts = str(unique_id).split(".")
    if parts[0] == "source" and len(parts) >= 4:
        return parts[2] + "." + parts[3]
    return parts[2] if len(parts) >= 3 else str(unique_id)


def summarize(doc):
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        return empty_summary("not a dbt run_results.json: no 'results' list")
    s = empty_summary()
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    args = doc.get("args") if isinstance(doc.get("args"), dict) else {}
    s["invocation_id"] = meta.get("invocation_id")
    s["dbt_version"] = meta.get("dbt_version")
    s["generated_at"] = meta.get("generated_at")
    s["command"] = args.get("which")
    if s["command"] is None and "/sources/" in str(meta.get("dbt_schema_version", "")):
        s["command"] = "source freshness"
    elapsed = doc.get("elapsed_time")
    s["elapsed_seconds"] = round(float(elapsed), 3) if isinstance(elapsed, (int, float)) else None

    for result in doc["results"]:
        if not isinstance(result, dict):
            continue
        uid = str(result.get("unique_id", ""))
        kind = uid.split(".", 1)[0]
        status = str(result.get("status", "")).lower()
        name = node_name(uid)
        if kind in NODE_KINDS:
            if status in ("success", "ok", "pass"):
                s["models"]["ok"] += 1
            elif status == "skipped":
                s["models"]["skipped"] += 1
            elif status in ("error", "runtime error", "fail"):
                s["models"]["error"] += 1
                s["error_models"].append(name)
        elif kind in TEST_KINDS:
            if status in s["tests"]:
                s["tests"][status] += 1
            elif status == "runtime error":
                s["tests"]["error"] += 1
                status = "error"
            if status in ("fail", "error"):
                s["failing_tests"].append(name)
            elif status == "warn":
                s["warning_tests"].append(name)
        elif kind == "source":
            if status in ("pass", "warn"):
                s["sources"][status] += 1
            else:  # error, runtime error
                status = "error"
                s["sources"]["error"] += 1
            if status != "pass":
                s["stale_sources"].append(name)
            age = result.get("max_loaded_at_time_ago_in_s")
            if isinstance(age, (int, float)):
                prev = s["max_loaded_at_age_seconds"]
                s["max_loaded_at_age_seconds"] = round(max(age, prev if prev is not None else age), 3)

    ok = (s["models"]["error"] == 0 and s["tests"]["fail"] == 0 and s["tests"]["error"] == 0
          and s["sources"]["error"] == 0)
    s["status"] = "ok" if ok else "error"
    return s


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return None, f"run results not found: {path}"
    except OSError as e:
        return None, f"run results unreadable: {path}: {e.strerror or e}"
    try:
        return json.loads(text), None
    except ValueError as e:
        return None, f"run results malformed: {path}: {e}"


def render(summary, max_bytes):
    text = json.dumps(summary, separators=(",", ":"))
    lists = ("warning_tests", "stale_sources", "error_models", "failing_tests")
    while max_bytes and len(text.encode("utf-8")) > max_bytes:
        longest = max(lists, key=lambda k: len(summary[k]))
        if not summary[longest]:
            if summary["error"]:
                summary["error"] = summary["error"][:200]
            text = json.dumps(summary, separators=(",", ":"))
            break
        summary[longest] = summary[longest][:-1]
        summary["truncated"] = True
        text = json.dumps(summary, separators=(",", ":"))
    return text


def main(argv=None):
    p = argparse.ArgumentParser(description="Summarize dbt's run_results.json as JSON.")
    p.add_argument("run_results", nargs="?", default="target/run_results.json")
    p.add_argument("--output", help="also write the summary to this file")
    p.add_argument("--max-bytes", type=int, default=4096,
                   help="keep the summary under this many bytes (0: no limit); default 4096")
    a = p.parse_args(argv)

    doc, error = load(a.run_results)
    summary = empty_summary(error) if error else summarize(doc)
    text = render(summary, a.max_bytes)
    print(text)
    if a.output:
        try:
            with open(a.output, "w", encoding="utf-8") as f:
                f.write(text)
        except OSError as e:
            print(f"summarize_run_results: cannot write {a.output}: {e.strerror or e}", file=sys.stderr)
    return 2 if error or summary["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
