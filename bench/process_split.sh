#!/bin/bash
# Where the CPU of a saturated command goes, process by process: `perf stat` on sambot's
# web process, its work processes, the Slack stand-in and the load generator (the
# benchmark's own process) for 8 s in the middle of sambot's 30 s capacity phase of
# ack_bench.py for that command. Divide each task-clock by the requests served in those
# 8 s (served/s of the phase x 8) for its CPU per request.
#
#   bash bench/process_split.sh [/touchpoint | "/action list"] [ack_bench.py options]
#   (about 80 s for /touchpoint, 150 s for /action list; needs perf)
set -u
cd "$(dirname "$0")/.."
command=/touchpoint
if [ $# -gt 0 ] && [ "${1:0:1}" = / ]; then command=$1 && shift; fi
out=$(mktemp -d)
.venv/bin/python bench/ack_bench.py --capacity-only --runs 1 --capacity-seconds 30 "$@" \
  >"$out/bench.txt" 2>&1 &
bench=$!
# The bare app's phase for the command comes first; sambot's starts once it has ended.
until grep -qE "capacity +bare +$command " "$out/bench.txt"; do sleep 0.5; done
sleep 10 # the pause between phases and the warm-up: sambot's phase is on
web=$(pgrep -f "sambot run" | head -1)
work=$(pgrep -P "$web" -f spawn_main | paste -sd, -)
standin=$(for p in $(pgrep -P "$bench"); do grep -qa "spawn_main" "/proc/$p/cmdline" && echo "$p"; done | head -1)
perf stat -e task-clock,context-switches -p "$web" -- sleep 8 2>"$out/web.txt" &
perf stat -e task-clock,context-switches -p "$work" -- sleep 8 2>"$out/work.txt" &
perf stat -e task-clock,context-switches -p "$standin" -- sleep 8 2>"$out/standin.txt" &
perf stat -e task-clock,context-switches -p "$bench" -- sleep 8 2>"$out/generator.txt" &
wait "$bench"
grep -E "capacity +sambot $command " "$out/bench.txt"
for part in web work standin generator; do
  echo "$part: $(grep -E 'task-clock|context-switches' "$out/$part.txt" | awk '{print $1, $2}' | paste -sd' ')"
done
rm -r "$out"
