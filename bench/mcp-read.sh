#!/usr/bin/env bash
# MCP read of a 50-line query vs the same read through the mount (target: median overhead under
# 5 ms): afs mcp over stdio and over streamable HTTP, each a bin/afs process of its own, against
# cat of app.log?tail=50 on a bin/afs mount of the same config. Needs FUSE and the bench jar
# (mvn -q -B -pl bench -am package -DskipTests).
#
#   bench/mcp-read.sh [LOG] [RUNS]
# LOG defaults to /tmp/afs-bench/app.log, generated (1 GiB) with bench/gen-log.sh when missing.
set -euo pipefail

repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
log="$(readlink -m "${1:-/tmp/afs-bench/app.log}")"
runs="${2:-200}"
[[ -f "$log" ]] || "$repo/bench/gen-log.sh" "$log" "${AFS_BENCH_GIB:-1}"
[[ -e /dev/fuse ]] || { echo "mcp-read.sh: /dev/fuse is missing; run where FUSE is available" >&2; exit 2; }

work="$(mktemp -d /tmp/afs-bench-mcp.XXXXXX)"
mnt="$work/mnt"
mkdir -p "$mnt" "$work/skills"
mkdir -m 700 "$work/evidence"  # the mount refuses an evidence directory others can read
token="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
cat > "$work/namespaces.yaml" <<YAML
evidence: {dir: $work/evidence, retention: 1h}
skills: $work/skills
tokens:
  bench: {sha256: $(printf %s "$token" | sha256sum | cut -d' ' -f1)}
backends:
  bench: {type: file, root: $(dirname "$log"), cache_ttl: 0s}
teams:
  bench:
    prod:
      access: {read: [uid:0, token:bench]}
      logs:
        app: {backend: bench, path: $(basename "$log")}
YAML

daemon=""
cleanup() {
  "$repo/bin/afs" unmount "$mnt" >/dev/null 2>&1 || umount -l "$mnt" >/dev/null 2>&1 || true
  [[ -n "$daemon" ]] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$repo/bin/afs" mount -f --config "$work/namespaces.yaml" "$mnt" >"$work/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 1 600); do
  [[ -e "$mnt/teams/bench/prod/logs/app.log" ]] && break
  kill -0 "$daemon" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.5
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
java -cp "$repo/bench/target/benchmarks.jar" dev.aegis.afs.bench.McpReadBench \
  "$repo/bin/afs" "$work/namespaces.yaml" "$mnt" "$port" "$token" "$runs"
