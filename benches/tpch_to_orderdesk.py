"""TPC-H tables (tpchgen-cli CSV) to the OrderDesk import columns: customers.csv, and
orders.csv with one row per lineitem.

    python3 benches/tpch_to_orderdesk.py RAW_DIR OUT_DIR
"""
import csv, sys, os, glob
raw, out = sys.argv[1], sys.argv[2]
def rows(table):
    for path in sorted(glob.glob(os.path.join(raw, f"{table}*.csv"))) + sorted(glob.glob(os.path.join(raw, table, "*.csv"))):
        with open(path, newline="") as f:
            yield from csv.DictReader(f)
with open(os.path.join(out, "customers.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["code", "name", "phone", "address", "notes"])
    for c in rows("customer"):
        w.writerow([c["c_custkey"], c["c_name"], c["c_phone"], c["c_address"], c["c_comment"]])
status = {"F": "delivered", "O": "confirmed", "P": "in_production"}
lines = rows("lineitem")
line = next(lines, None)
with open(os.path.join(out, "orders.csv"), "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["order_no", "customer", "order_type", "status", "ordered_at", "due_date",
                "delivery_address", "currency", "product_code", "spec", "quantity", "unit",
                "unit_price", "notes"])
    for o in rows("orders"):
        key = o["o_orderkey"]
        group = []
        while line is not None and line["l_orderkey"] == key:
            group.append(line)
            line = next(lines, None)
        due = max((l["l_commitdate"] for l in group), default="")
        head = [f"O{int(key):09d}", o["o_custkey"],
                "rush" if o["o_orderpriority"].startswith("1") else "regular",
                status[o["o_orderstatus"]], o["o_orderdate"] + " 00:00", due,
                "TPC-H", "USD"]
        for l in group:
            qty = float(l["l_quantity"])
            price = round(float(l["l_extendedprice"]) / qty, 2)
            w.writerow(head + [f"P{l['l_partkey']}", l["l_shipinstruct"], l["l_quantity"], "pcs",
                               f"{price:.2f}", o["o_comment"]])
