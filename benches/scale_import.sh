#!/usr/bin/env bash
# Scale benchmark (issue "Scale with real data"): TPC-H data from tpchgen-cli (PyPI),
# converted to the OrderDesk columns (customers; orders with one row per lineitem, see
# tpch_to_orderdesk.py), imported by the release binary with wall time and peak RSS from
# /usr/bin/time; then the month figures of `report --format json` checked against DuckDB on
# the raw tables (tpch_check.py), and the app opened on the desk through a pseudo-terminal
# (benches/scale.rs: first frame, j/PgDn/search p50/p99/max, one month's report).
#
#   benches/scale_import.sh [SCALE ...]      # default: 0.1 1
#   BENCH_DIR=dir   keeps the generated files there (reused when present)
#   BENCH_KEEP=1    keeps the desks (deleted by default: about 1.7 GB at scale 1)
#   BENCH_NO_APP=1  only the import and the check
#
# Goal: scale 1 (6,001,215 lines) in under 3 minutes with a peak under 256 MiB, and time
# linear in the lines (10x the lines in at most 11x the time).
set -euo pipefail
cd "$(dirname "$0")/.."
scales=("$@")
[ ${#scales[@]} -gt 0 ] || scales=(0.1 1)
command -v tpchgen-cli >/dev/null || pip install --quiet tpchgen-cli
python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/orderdesk"
work="${BENCH_DIR:-$(mktemp -d)}"
results=()
for scale in "${scales[@]}"; do
  dir="$work/tpch-$scale"
  mkdir -p "$dir"
  if [ ! -f "$dir/orders.csv" ]; then
    tpchgen-cli csv -s "$scale" --tables customer,orders,lineitem --output-dir "$dir/raw" >/dev/null
    python3 benches/tpch_to_orderdesk.py "$dir/raw" "$dir"
  fi
  db="$dir/desk.db"
  rm -f "$db" "$db-wal" "$db-shm"
  for kind in customers orders; do
    file="$dir/$kind.csv"
    n=$(($(wc -l < "$file") - 1))
    /usr/bin/time -f "%e %M" -o "$dir/time.txt" "$bin" --db "$db" --quiet import "$kind" "$file" >/dev/null
    read -r secs kib < "$dir/time.txt"
    results+=("$scale,$kind,$n,$secs,$((kib / 1024))")
    echo "import scale $scale $kind: $n lines in $secs s, peak $((kib / 1024)) MiB"
  done
  python3 benches/tpch_check.py "$dir/raw" "$db" "$bin"
  if [ -z "${BENCH_NO_APP:-}" ]; then
    ORDERDESK_BENCH_DB="$db" ORDERDESK_BENCH_TPCH=1 cargo bench --quiet --bench scale
  fi
  [ -n "${BENCH_KEEP:-}" ] || rm -f "$db" "$db-wal" "$db-shm"
done
echo "scale,kind,lines,seconds,peak_mib"
printf '%s\n' "${results[@]}"
