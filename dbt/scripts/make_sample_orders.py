#!/usr/bin/env python3
"""Create (or extend) a DuckDB ORDERS table shaped like the loader's, for local dbt runs.

Columns as the loader writes them (upper-case): ORDERTIME, ORDERID, ITEMID, ORDERUNITS,
ADDRESS_CITY, ADDRESS_STATE, ADDRESS_ZIPCODE, RECORD_METADATA (JSON text), _DELETED, _LOADED_AT.

  make_sample_orders.py orders.duckdb                      # 1000 orders, ids 1..1000, every 10th deleted
  make_sample_orders.py orders.duckdb --start-id 1001 --count 50 --delete-ids 5,6
                                                           # upsert 50 more, tombstone orders 5 and 6

Deterministic (seeded). Needs the `duckdb` Python package (in the project venv).
"""
import argparse
import datetime as dt
import json
import random
import sys

import duckdb

STATES = ["State_1", "State_2", "State_3", "State_4", "State_5", "State_6", "State_7", "State_8"]
DDL = """
create table if not exists {table} (
    ORDERTIME BIGINT,
    ORDERID BIGINT PRIMARY KEY,
    ITEMID VARCHAR,
    ORDERUNITS DOUBLE,
    ADDRESS_CITY VARCHAR,
    ADDRESS_STATE VARCHAR,
    ADDRESS_ZIPCODE BIGINT,
    RECORD_METADATA VARCHAR,
    _DELETED BOOLEAN,
    _LOADED_AT TIMESTAMP
)"""


def order(order_id, rnd, base_ms):
    state_no = order_id % len(STATES)
    return {
        "ORDERTIME": base_ms + order_id * 300_000,  # one order every 5 minutes: 1000 span ~3.5 days
        "ORDERID": order_id,
        "ITEMID": f"Item_{order_id % 50}",
        "ORDERUNITS": round(rnd.uniform(0.1, 10.0), 3),
        "ADDRESS_CITY": f"City_{state_no}{order_id % 7}",
        "ADDRESS_STATE": STATES[state_no],
        "ADDRESS_ZIPCODE": 10000 + order_id % 90000,
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("database")
    p.add_argument("--table", default="ORDERS")
    p.add_argument("--start-id", type=int, default=1)
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--delete-every", type=int, default=10,
                   help="tombstone every Nth new order (0: none); default 10")
    p.add_argument("--delete-ids", default="", help="comma-separated order ids to tombstone now")
    p.add_argument("--loaded-at", help="_LOADED_AT (UTC, ISO); default now")
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args(argv)

    if not a.table.replace("_", "").isalnum():
        p.error("table must be a plain identifier")
    loaded_at = (dt.datetime.fromisoformat(a.loaded_at) if a.loaded_at
                 else dt.datetime.now(dt.timezone.utc).replace(tzinfo=None))
    rnd = random.Random(a.seed + a.start_id)
    base_ms = int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp() * 1000)

    # A new file stays readable by org.duckdb:duckdb_jdbc 1.5.x (the project's Java side).
    con = duckdb.connect(a.database, config={"storage_compatibility_version": "v1.4.0"})
    table = f'main."{a.table}"'
    con.execute(DDL.format(table=table))
    offset = con.execute(f"select count(*) from {table}").fetchone()[0] + 10_000
    rows = []

    def meta(order_id):
        nonlocal offset
        offset += 1
        return json.dumps({"topic": "orders", "partition": order_id % 3, "offset": offset,
                           "timestamp": int(loaded_at.replace(tzinfo=dt.timezone.utc).timestamp() * 1000),
                           "key": str(order_id), "headers": {}})

    for oid in range(a.start_id, a.start_id + a.count):
        o = order(oid, rnd, base_ms)
        deleted = a.delete_every > 0 and oid % a.delete_every == 0
        rows.append((o["ORDERTIME"], oid, o["ITEMID"], o["ORDERUNITS"], o["ADDRESS_CITY"],
                     o["ADDRESS_STATE"], o["ADDRESS_ZIPCODE"], meta(oid), deleted, loaded_at))
    cols = "ORDERTIME, ORDERID, ITEMID, ORDERUNITS, ADDRESS_CITY, ADDRESS_STATE, ADDRESS_ZIPCODE, RECORD_METADATA, _DELETED, _LOADED_AT"
    if rows:
        con.executemany(f"insert or replace into {table} ({cols}) values (?,?,?,?,?,?,?,?,?,?)", rows)
    for oid in [int(x) for x in a.delete_ids.split(",") if x.strip()]:
        # a tombstone in upsert mode: the row stays, flagged, with new metadata and load time
        con.execute(f"update {table} set _DELETED = true, RECORD_METADATA = ?, _LOADED_AT = ? where ORDERID = ?",
                    [meta(oid), loaded_at, oid])
    n, d = con.execute(f"select count(*), count(*) filter (where _DELETED) from {table}").fetchone()
    con.close()
    print(json.dumps({"database": a.database, "table": a.table, "rows": n, "deleted": d}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
