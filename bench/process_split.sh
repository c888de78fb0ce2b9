#!/bin/bash
# Where the CPU of a saturated `/touchpoint` goes, process by process: `perf stat` on
# sambot's web process, its work processes, the Slack stand-in and the load generator (the
# benchmark's own process) for 8 s in the middle of
# a 30 s capacity phase of ack_bench.py. Divide each task-clock by the requests served in
# those 8 s (served/s of the phase x 8) for its CPU per request.
#
#   bash bench/process_split.sh [ack_bench.py options]      # about 80 s; needs perf
set -u
cd "$(dirname "$0")/.."
out=$(mktemp -d)
.venv/bin/python bench/ack_bench.py --capacity-only --runs 1 --capacity-seconds 30 "$@" \
  >"$out/bench.txt" 2>&1 &
bench=$!
until web=$(pgrep -f "sambot run" | head -1) && [ -n "$web" ]; do sleep 0.5; done
sleep 40 # the bare app's phase (30 s) and the pause after it: sambot's /touchpoint is on
work=$(pgrep -P "$web" -f spawn_main | paste -sd, -)
standin=$(for p in $(pgrep -P "$bench"); do grep -qa "spawn_main" "/proc/$p/cmdline" && echo "$p"; done | head -1)
perf stat -e task-clock,context-switches -p "$web" -- sleep 8 2>"$out/web.txt" &
perf stat -e task-clock,context-switches -p "$work" -- sleep 8 2>"$out/work.txt" &
perf stat -e task-clock,context-switches -p "$standin" -- sleep 8 2>"$out/standin.txt" &
perf stat -e task-clock,context-switches -p "$bench" -- sleep 8 2>"$out/generator.txt" &
wait "$bench"
grep -E "capacity +sambot /touchpoint" "$out/bench.txt"
for part in web work standin generator; do
  echo "$part: $(grep -E 'task-clock|context-switches' "$out/$part.txt" | awk '{print $1, $2}' | paste -sd' ')"
done
rm -r "$out"
