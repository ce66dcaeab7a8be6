#!/bin/bash
# What a new user waits for: `make run` on a fresh clone of this repository until /health first
# answers 200 (venv, torch, the project, then the first start: demo load, embedding, index fits).
# Usage: benchmarks/first_run.sh [PORT]; writes benchmarks/results/first_run.txt.
set -euo pipefail
port=${1:-8765}
repo=$(cd "$(dirname "$0")/.." && pwd)
clone=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$clone"' EXIT
git clone -q "$repo" "$clone"
cd "$clone"
load_before=$(cut -d' ' -f1 /proc/loadavg)
start=$(date +%s.%N)
LCMATCH_PORT=$port make run > run.log 2>&1 &
until curl -sf "http://127.0.0.1:$port/health" > /dev/null; do
  sleep 1
  jobs %1 > /dev/null 2>&1 || { tail -20 run.log; exit 1; }
done
end=$(date +%s.%N)
{
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD); $(nproc) cores"
  echo "load average before / after: $load_before / $(cut -d' ' -f1 /proc/loadavg)"
  echo "seconds from 'make run' to the first /health 200: $(echo "$end - $start" | bc)"
  grep -E "Successfully installed|demo data|embedding|fitting|ready" run.log | cut -c1-160
} | tee "$repo/benchmarks/results/first_run.txt"
