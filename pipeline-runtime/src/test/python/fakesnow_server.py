"""fakesnow's server mode with its databases in files, so that a stopped and restarted server keeps them.

Two differences from `fakesnow -s`, both about the stand-in, not about the SQL under test:
- `fakesnow -s -d DIR` ignores DIR in server mode (sessions share one in-memory instance), which
  would make a sink-outage test lose the warehouse; here that shared instance is backed by DIR.
- fakesnow 0.12.1 crashes (HTTP 500) on a NULL inside an array-bound NUMBER column, which
  Snowflake accepts (a tombstone's row has NULLs there); NULL bindings are passed through as NULL.

usage: fakesnow_server.py HOST PORT DIR
"""

import signal
import sys
import threading

import fakesnow
from fakesnow.instance import FakeSnow

# Take the server function before importing the module of the same name shadows it.
run_server = fakesnow.server
import fakesnow.server as server_module  # noqa: E402

_from_binding = server_module.from_binding


def _from_binding_keeping_nulls(binding):
    return None if binding.get("value") is None else _from_binding(binding)


server_module.from_binding = _from_binding_keeping_nulls


def main() -> int:
    host, port, db_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    server_module.shared_fs = FakeSnow(db_path=db_path)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda _signum, _frame: stop.set())
    with run_server(port=port, host=host):
        print(f"fakesnow listening on {host}:{port} with databases in {db_path}", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
