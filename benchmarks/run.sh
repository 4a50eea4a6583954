#!/usr/bin/env bash
# Fleet benchmark, one command from a fresh clone (see benchmarks/README.md):
#   bash benchmarks/run.sh            100 servers x 10 rooms, 3 runs, writes benchmarks/RESULTS.md
#   bash benchmarks/run.sh --quick    10 servers x 3 rooms, 1 run, to .work/benchmark/QUICK.md (checks the machinery)
# Other arguments go to benchmarks/fleet.py (--servers, --rooms, --runs, --forks, --output).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/setup.sh
if [ "${1:-}" = "--quick" ]; then
  shift
  exec .venv/bin/python benchmarks/fleet.py --servers 10 --rooms 3 --runs 1 --output .work/benchmark/QUICK.md "$@"
fi
exec .venv/bin/python benchmarks/fleet.py "$@"
