#!/usr/bin/env bash
# Peak resident memory of the whole local pipeline (the JVM running broker, processor, sink and
# load generator, plus every PostgreSQL process), sampled every 0.5 s during ./hourglass local.
# Usage: bench/local-memory.sh [events]   (default 100000; needs the jar: ./hourglass --version)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
events="${1:-100000}"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
if pgrep -x postgres >/dev/null; then
  echo "another PostgreSQL is running; its memory would be counted too" >&2
  exit 1
fi
java -Xms256m -Xmx1g -jar "$root/cli/target/hourglass.jar" local --events "$events" \
  --data-dir "$data" > "$data.log" 2>&1 &
pid=$!
peak=0; jpeak=0; ppeak=0
while kill -0 "$pid" 2>/dev/null; do
  j=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' '); j=${j:-0}
  p=$(ps -eo rss,comm | awk '$2=="postgres" {s+=$1} END {print s+0}')
  t=$((j + p))
  [ "$t" -gt "$peak" ] && peak=$t
  [ "$j" -gt "$jpeak" ] && jpeak=$j
  [ "$p" -gt "$ppeak" ] && ppeak=$p
  sleep 0.5
done
wait "$pid" || { echo "local mode failed; see $data.log" >&2; exit 1; }
grep -E "BOOKS|End to end" "$data.log"
echo "peak total RSS $((peak / 1024)) MiB (JVM $((jpeak / 1024)) MiB, PostgreSQL $((ppeak / 1024)) MiB), $events events"
