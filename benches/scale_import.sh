#!/usr/bin/env bash
# Scale benchmark of the import (issue "Scale with real data"): TPC-H data from tpchgen-cli
# (PyPI), converted to the OrderDesk columns (customers; orders with one row per lineitem),
# imported by the release binary, with wall time and peak RSS from /usr/bin/time.
#
#   benches/scale_import.sh [SCALE ...]      # default: 0.1 1
#
# Goal: scale 1 (6,001,215 lines) in under 3 minutes with a peak under 256 MiB, and time
# linear in the lines (10x the lines in at most 11x the time).
set -euo pipefail
cd "$(dirname "$0")/.."
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(0.1 1)
command -v tpchgen-cli >/dev/null || pip install --quiet tpchgen-cli
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/orderdesk"
work="${BENCH_DIR:-$(mktemp -d)}"
echo "scale,kind,lines,seconds,peak_mib"
for scale in "${scales[@]}"; do
  dir="$work/tpch-$scale"
  mkdir -p "$dir"
  if [ ! -f "$dir/orders.csv" ]; then
    tpchgen-cli csv -s "$scale" --tables customer,orders,lineitem --output-dir "$dir/raw" >/dev/null
    python3 - "$dir/raw" "$dir" <<'PY'
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
PY
  fi
  db="$dir/desk.db"
  rm -f "$db" "$db-wal" "$db-shm"
  for kind in customers orders; do
    file="$dir/$kind.csv"
    n=$(($(wc -l < "$file") - 1))
    /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$bin" --db "$db" import "$kind" "$file" 2>/dev/null
    read -r secs kib < "$dir/time.txt"
    echo "$scale,$kind,$n,$secs,$((kib / 1024))"
  done
done
