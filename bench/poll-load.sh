#!/usr/bin/env bash
# Issue 12's poll load: 10,000 agents polling GET /v1/tasks every 5 s (2,000 polls/s) against one
# control plane with 50,000 intents buffered (see PollLoadBenchmark). Two processes on loopback.
#   bench/poll-load.sh [sqlite|postgresql] [warmup_s] [measure_s] [agents]
# Build first: mvn -q -B -o -pl bench -am package -DskipTests
set -euo pipefail
store=${1:-sqlite}; warmup=${2:-15}; measure=${3:-45}; agents=${4:-10000}
here=$(cd "$(dirname "$0")" && pwd)
jar="$here/target/benchmarks.jar"
ulimit -n "$(ulimit -Hn)" # one connection per agent on each side (10,000 agents need more than 10,000)
dir=$(mktemp -d /tmp/afs-poll-load.XXXXXX)
java -Xmx512m -XX:+UseSerialGC -cp "$jar" dev.aegis.afs.bench.PollLoadBenchmark server "$dir" "$store" > "$dir/server.log" 2>&1 &
server=$!
trap 'touch "$dir/stop"; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 600); do
  [ -s "$dir/server.url" ] && break
  kill -0 $server 2>/dev/null || { cat "$dir/server.log"; exit 1; }
  sleep 0.5
done
[ -s "$dir/server.url" ] || { echo "the control plane did not start"; cat "$dir/server.log"; exit 1; }
java -Xmx1g -XX:+UseSerialGC -cp "$jar" dev.aegis.afs.bench.PollLoadBenchmark drive "$dir" "$warmup" "$measure" "$agents"
