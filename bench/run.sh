#!/usr/bin/env bash
# Reproduces BENCHMARKS.md in one command:
#
#   bash bench/run.sh            # every benchmark at full scale (timings: BENCHMARKS.md)
#   bash bench/run.sh -only realtime,marks
#
# It builds the touchbase binary (from the root module) and the benchmark
# tools (from the bench module, bench/go.mod), generates the data set (20 points,
# 100,000 clients, 300 occasions, 1,000,000 touches with their comments,
# 2,000 tickets; seed 1) into $TB_BENCH/data unless a data set laid out
# around today is there already, and runs bench/load against the binary on
# loopback. Results: $TB_BENCH/results.md and results.json. $TB_BENCH
# defaults to /tmp/tb-bench (the data set and a working copy of it).
#
# TB_GEN_FLAGS sets the data set's scale (the generator's flags; a data
# set made with other flags is generated again), e.g. the ten-times-larger
# run of BENCHMARKS.md (about 35 minutes to generate, 9 GB):
#
#   TB_BENCH=/tmp/tb-1m TB_GEN_FLAGS="-points 180 -clients 1000000 -touches 10000000 -tickets 20000 -holds 10000 -comments 500000" \
#     bash bench/run.sh -only cold,reads
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=auto

dir=${TB_BENCH:-/tmp/tb-bench}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd) # absolute: the bench tools are built from bench/
echo "== building into $dir"
go build -tags no_ui -o "$dir/touchbase" .
(cd bench && go build -tags no_ui -o "$dir/gen" ./gen && go build -tags no_ui -o "$dir/load" ./load)

today=$(date -u +%F)
gen_flags=${TB_GEN_FLAGS:-}
if ! grep -qs "today=$today " "$dir/data/dataset.txt" || [ "$(cat "$dir/data/genflags" 2>/dev/null)" != "$gen_flags" ]; then
  echo "== generating the data set (laid out around $today${gen_flags:+, $gen_flags})"
  rm -rf "$dir/data"
  # shellcheck disable=SC2086 # the flags are words
  "$dir/gen" -dir "$dir/data" -seed 1 $gen_flags | tee "$dir/gen.log"
  echo "$gen_flags" > "$dir/data/genflags"
else
  echo "== reusing $dir/data ($(cat "$dir/data/dataset.txt"))"
fi

echo "== benchmarks"
"$dir/load" -bin "$dir/touchbase" -data "$dir/data" -work "$dir/work" \
  -json "$dir/results.json" -md "$dir/results.md" "$@"
