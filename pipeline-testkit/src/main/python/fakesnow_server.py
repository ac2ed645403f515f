"""fakesnow's server mode with its databases in files, so that a stopped and restarted server keeps them.

Two differences from `fakesnow -s`, both about the stand-in, not about the SQL under test:
- `fakesnow -s -d DIR` ignores DIR in server mode (sessions share one in-memory instance), which
  would make a sink-outage test lose the warehouse; here that shared instance is backed by DIR.
- fakesnow 0.12.1 crashes (HTTP 500) on a NULL inside an array-bound NUMBER column, which
  Snowflake accepts (a tombstone's row has NULLs there); NULL bindings are passed through as NULL.
- fakesnow 0.12.1 reads every FIXED binding with int(), so a BigDecimal bound to a NUMBER(38,18)
  column (FIXED is any NUMBER for Snowflake) crashes it; a FIXED value with a fraction or exponent
  is passed through as an exact Decimal.
- fakesnow never ends a session, so a client killed inside a transaction would hold its write
  conflicts forever. Snowflake ends an idle session (at the latest when a session policy's idle
  timeout passes) and rolls its transaction back; here a session idle for IDLE_SECONDS is ended
  the same way, scaled down so that crash tests finish.

usage: fakesnow_server.py HOST PORT DIR [IDLE_SECONDS]
"""

import re
import signal
from decimal import Decimal
import sys
import threading
import time

import fakesnow
from fakesnow.instance import FakeSnow

# Take the server function before importing the module of the same name shadows it.
run_server = fakesnow.server
import fakesnow.server as server_module  # noqa: E402

_from_binding = server_module.from_binding


def _from_binding_keeping_nulls(binding):
    value = binding.get("value")
    if value is None:
        return None
    if binding.get("type") == "FIXED" and any(c in value for c in ".eE"):
        return Decimal(value)
    return _from_binding(binding)


server_module.from_binding = _from_binding_keeping_nulls

_last_used: dict[str, float] = {}
_active: dict[str, int] = {}
_TOKEN = re.compile(rb'Token="([^"]+)"')


class _TrackSessionUse:
    """ASGI middleware: a session is in use while one of its requests runs, and idle from its end."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        token = None
        for name, value in scope.get("headers", []) if scope["type"] == "http" else []:
            if name == b"authorization" and (match := _TOKEN.search(value)):
                token = match.group(1).decode()
        if token:
            _active[token] = _active.get(token, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            if token:
                _active[token] -= 1
                _last_used[token] = time.monotonic()


server_module.app.add_middleware(_TrackSessionUse)


def _end_idle_sessions(idle_seconds: float, stop: threading.Event) -> None:
    while not stop.wait(1.0):
        now = time.monotonic()
        for token, conn in list(server_module.sessions.items()):
            last = _last_used.setdefault(token, now)
            if _active.get(token, 0) > 0 or now - last < idle_seconds:
                continue
            server_module.sessions.pop(token, None)
            _last_used.pop(token, None)
            try:
                conn._duck_conn.execute("ROLLBACK")  # noqa: SLF001
            except Exception:  # noqa: BLE001 - no transaction open
                pass
            try:
                conn.close()
            except Exception:  # noqa: BLE001
                pass


def main() -> int:
    host, port, db_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    idle_seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 15.0
    server_module.shared_fs = FakeSnow(db_path=db_path)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda _signum, _frame: stop.set())
    threading.Thread(target=_end_idle_sessions, args=(idle_seconds, stop), daemon=True).start()
    with run_server(port=port, host=host):
        print(f"fakesnow listening on {host}:{port} with databases in {db_path}", flush=True)
        stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
