#!/usr/bin/env bash
# Peak resident memory of the whole local pipeline (the JVM running broker, processor, sink and
# load generator, plus its PostgreSQL's processes), sampled every 0.5 s during ./hourglass local,
# run through the launcher with its JVM options (HOURGLASS_JAVA_OPTS overrides them).
# Usage: bench/local-memory.sh [events]   (default 100000)
# Only this run's PostgreSQL is counted (the postmaster serving its data directory and its
# children), so other PostgreSQL servers on a shared machine do not distort the figure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
events="${1:-100000}"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
"$root/hourglass" local --events "$events" --data-dir "$data" > "$data.log" 2>&1 &
pid=$!
peak=0; jpeak=0; ppeak=0
while kill -0 "$pid" 2>/dev/null; do
  j=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' '); j=${j:-0}
  pm=$(pgrep -f -- "-D $data" 2>/dev/null | head -1 || true)
  p=0
  if [ -n "$pm" ]; then
    p=$(ps -eo pid=,ppid=,rss= | awk -v pm="$pm" '$1==pm || $2==pm {s+=$3} END {print s+0}')
  fi
  t=$((j + p))
  [ "$t" -gt "$peak" ] && peak=$t
  [ "$j" -gt "$jpeak" ] && jpeak=$j
  [ "$p" -gt "$ppeak" ] && ppeak=$p
  sleep 0.5
done
wait "$pid" || { echo "local mode failed; see $data.log" >&2; cp "$data.log" /tmp/ 2>/dev/null; exit 1; }
# The JVM's own high-water mark is gone with the process; the samples above stand for it.
grep -E "BOOKS|End to end" "$data.log"
echo "peak total RSS $((peak / 1024)) MiB (JVM $((jpeak / 1024)) MiB, PostgreSQL $((ppeak / 1024)) MiB), $events events, JVM options: ${HOURGLASS_JAVA_OPTS:-the launcher's defaults}"
