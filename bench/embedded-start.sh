#!/usr/bin/env bash
# Times `npm start` on the embedded default: spawn -> /readyz 200, then idle RSS of the server and its PGlite child.
set -u
dir=$(mktemp -d); cd "$(dirname "$0")/.."
for run in fresh existing; do
  start=$(date +%s%N)
  DATA_DIR=$dir PORT=7190 LOG_LEVEL=warn setsid npm start >/dev/null 2>&1 &
  until curl -sf localhost:7190/readyz >/dev/null; do sleep 0.05; done
  end=$(date +%s%N)
  sleep 3
  pid=$(pgrep -f "^node src/main.ts"); child=$(pgrep -f "pglite-child")
  srv=$(awk '/VmRSS/{print $2}' /proc/$pid/status); db=$(awk '/VmRSS/{print $2}' /proc/$child/status)
  echo "$run data dir: spawn->ready $(( (end-start)/1000000 )) ms; idle RSS server $((srv/1024)) MiB + embedded db $((db/1024)) MiB"
  kill $pid; while kill -0 $pid 2>/dev/null || pgrep -f pglite-child >/dev/null; do sleep 0.1; done
done
rm -rf "$dir"
