"""Checks the month figures of `orderdesk report --format json` on an imported TPC-H desk
against DuckDB on the raw TPC-H tables (tpchgen-cli CSV): per month of o_orderdate, the
confirmed orders (every TPC-H status is a won one), their amount in USD (the sum of
l_extendedprice, which benches/tpch_to_orderdesk.py writes as quantity x unit price), their
types (rush: priority 1-URGENT) and the won orders of the conversion.

    pip install duckdb
    python3 benches/tpch_check.py RAW_DIR DESK.db BIN [YYYY-MM ...]

Exit 0 when every month checked agrees; each month is printed with both sides.
"""
import glob
import json
import os
import subprocess
import sys
import time
from decimal import Decimal

import duckdb

raw, db, binary = sys.argv[1:4]
months = sys.argv[4:] or ["1992-01", "1993-06", "1995-03", "1996-12", "1998-07"]


def table(name):
    files = sorted(glob.glob(os.path.join(raw, f"{name}*.csv"))) + sorted(
        glob.glob(os.path.join(raw, name, "*.csv"))
    )
    return "read_csv([{}], header = true)".format(", ".join(f"'{f}'" for f in files))


con = duckdb.connect()
truth = {}
rows = con.execute(
    f"""
    WITH o AS (SELECT * FROM {table('orders')}),
         l AS (SELECT * FROM {table('lineitem')})
    SELECT strftime(o.o_orderdate::DATE, '%Y-%m') AS month,
           count(DISTINCT o.o_orderkey) AS orders,
           sum(round(l.l_extendedprice::DECIMAL(18, 2) / l.l_quantity, 2) * l.l_quantity::DECIMAL(18, 2)) AS amount,
           count(DISTINCT o.o_orderkey) FILTER (WHERE o.o_orderpriority LIKE '1%') AS rush
    FROM o JOIN l ON l.l_orderkey = o.o_orderkey
    WHERE strftime(o.o_orderdate::DATE, '%Y-%m') IN ({", ".join(f"'{m}'" for m in months)})
    GROUP BY month
    """
).fetchall()
for month, orders, amount, rush in rows:
    truth[month] = (orders, Decimal(amount).quantize(Decimal("0.01")), rush, orders - rush)

ok = True
for month in months:
    start = time.monotonic()
    out = subprocess.run(
        [binary, "--db", db, "report", "--month", month, "--format", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    took = time.monotonic() - start
    report = json.loads(out)
    confirmed = report["orders"]["confirmed"]
    got = (
        confirmed["count"],
        Decimal(confirmed["amount"].get("USD", "0")),
        confirmed["by_type"].get("rush", 0),
        confirmed["by_type"].get("regular", 0),
    )
    won = report["conversion"]["won"]
    want = truth.get(month, (0, Decimal("0.00"), 0, 0))
    same = got == want and won == want[0]
    ok &= same
    print(
        f"{month}: report {got[0]} orders USD {got[1]} rush {got[2]} regular {got[3]} won {won}"
        f" | duckdb {want[0]} orders USD {want[1]} rush {want[2]} regular {want[3]}"
        f" | {'equal' if same else 'DIFFERENT'} | report {took * 1000:.0f} ms"
    )
sys.exit(0 if ok else 1)
