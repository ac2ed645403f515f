#!/usr/bin/env python3
"""Run this dbt project's `snowflake` target against fakesnow, in-process (no Snowflake account).

    python dbt_on_fakesnow.py [--db-path DIR] [--seed-orders N] [DBT ARGS...]   (default: build)

fakesnow.patch() replaces snowflake.connector.connect with fakesnow's DuckDB-backed fake, then
dbt runs through its programmatic API (dbtRunner) with --target snowflake. --seed-orders creates
a loader-shaped ORDERS table (RECORD_METADATA as VARIANT) in the fake first.

Needs fakesnow and dbt-snowflake in the same venv; dbt-snowflake is NOT in the project's pinned
requirements (see README.md, "Snowflake compatibility"): this is a compatibility probe.
Snowflake connection settings default to fake values; a throwaway RSA key is generated when
SNOWFLAKE_PRIVATE_KEY_PATH is unset (fakesnow ignores authentication).
"""
import argparse
import datetime as dt
import json
import os
import random
import sys
import tempfile


def throwaway_key(directory):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = os.path.join(directory, "fake_rsa_key.p8")
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return path


def seed_orders(count):
    import snowflake.connector  # patched by fakesnow at this point

    conn = snowflake.connector.connect(
        account=os.environ["SNOWFLAKE_ACCOUNT"], user=os.environ["SNOWFLAKE_USER"],
        database=os.environ["SNOWFLAKE_DATABASE"], schema=os.environ["SNOWFLAKE_SCHEMA"])
    cur = conn.cursor()
    cur.execute("""create or replace table ORDERS (
        ORDERTIME NUMBER(38,0), ORDERID NUMBER(38,0), ITEMID VARCHAR, ORDERUNITS FLOAT,
        ADDRESS_CITY VARCHAR, ADDRESS_STATE VARCHAR, ADDRESS_ZIPCODE NUMBER(38,0),
        RECORD_METADATA VARIANT, _DELETED BOOLEAN, _LOADED_AT TIMESTAMP_NTZ)""")
    rnd = random.Random(42)
    base_ms = int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp() * 1000)
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    for oid in range(1, count + 1):
        meta = json.dumps({"topic": "orders", "partition": oid % 3, "offset": oid, "timestamp": base_ms,
                           "key": str(oid), "headers": {}})
        cur.execute(
            "insert into ORDERS select %s, %s, %s, %s, %s, %s, %s, parse_json(%s), %s, to_timestamp_ntz(%s)",
            (base_ms + oid * 300_000, oid, f"Item_{oid % 50}", round(rnd.uniform(0.1, 10), 3),
             f"City_{oid % 7}", f"State_{oid % 8 + 1}", 10000 + oid, meta, oid % 10 == 0, now))
    cur.execute("select count(*), count_if(_DELETED) from ORDERS")
    print("[fakesnow] seeded ORDERS rows, deleted:", cur.fetchone(), file=sys.stderr)
    conn.close()


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db-path", help="keep fakesnow's databases in this directory (default: in memory)")
    p.add_argument("--seed-orders", type=int, default=0, help="create ORDERS with N sample rows first")
    a, dbt_args = p.parse_known_args(argv)
    if dbt_args and dbt_args[0] == "--":
        dbt_args = dbt_args[1:]
    dbt_args = dbt_args or ["build"]

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tmp = tempfile.mkdtemp(prefix="dbt-fakesnow-")
    defaults = {"SNOWFLAKE_ACCOUNT": "fakesnow", "SNOWFLAKE_USER": "dbt", "SNOWFLAKE_ROLE": "DBT",
                "SNOWFLAKE_WAREHOUSE": "DBT_WH", "SNOWFLAKE_DATABASE": "ORDERS_DB",
                "SNOWFLAKE_SCHEMA": "PUBLIC"}
    for k, v in defaults.items():
        os.environ.setdefault(k, v)
    if not os.environ.get("SNOWFLAKE_PRIVATE_KEY_PATH"):
        os.environ["SNOWFLAKE_PRIVATE_KEY_PATH"] = throwaway_key(tmp)

    import fakesnow
    from dbt.cli.main import dbtRunner

    with fakesnow.patch(db_path=a.db_path):
        if a.seed_orders:
            seed_orders(a.seed_orders)
        args = list(dbt_args)
        for flag, value in (("--project-dir", here), ("--profiles-dir", here), ("--target", "snowflake")):
            if flag not in args:
                args += [flag, value]
        res = dbtRunner().invoke(args)
    if res.exception is not None:
        print(f"[fakesnow] dbt raised: {res.exception!r}", file=sys.stderr)
        return 2
    return 0 if res.success else 1


if __name__ == "__main__":
    sys.exit(main())
