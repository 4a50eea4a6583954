#!/usr/bin/env bash
# Fleet benchmark, one command from a fresh clone (see benchmarks/README.md):
#   bash benchmarks/run.sh            100 servers x 10 rooms, 3 runs, writes benchmarks/RESULTS.md
#   bash benchmarks/run.sh --quick    10 servers x 3 rooms, 1 run, to .work/benchmark/QUICK.md (checks the machinery)
#   bash benchmarks/run.sh --ssh      over SSH: 40 real test hosts x 10 rooms, 3 runs, as root; its section of
#                                     benchmarks/RESULTS.md (--ssh --quick: 3 hosts x 3 rooms, counts asserted;
#                                     --ssh --profile: then where the time goes)
# Other arguments go to benchmarks/fleet.py (--servers, --rooms, --runs, --forks, --ways, --output) or, after --ssh, to
# benchmarks/fleet_ssh.py (--hosts, --rooms, --runs, --forks, --ways, --profile, --quick, --output, --server-waits:
# 0 measures what the collection costs without the server's push start and muxer waits).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
bash scripts/setup.sh
if [ "${1:-}" = "--ssh" ]; then
  shift
  exec .venv/bin/python benchmarks/fleet_ssh.py "$@"
fi
if [ "${1:-}" = "--quick" ]; then
  shift
  exec .venv/bin/python benchmarks/fleet.py --servers 10 --rooms 3 --runs 1 --output .work/benchmark/QUICK.md "$@"
fi
exec .venv/bin/python benchmarks/fleet.py "$@"
