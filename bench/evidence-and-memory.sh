#!/usr/bin/env bash
# Two figures through a real mount, on the same data:
#  1. `cat` of a 200 MB evidence file through the mount vs `cat` of the same bytes from tmpfs
#     (target: at least 50% of tmpfs throughput);
#  2. the daemon's peak RSS while 8 readers stream a 2 GiB log at once (target: under 512 MB).
#
#   bench/evidence-and-memory.sh [LOG_2GIB] [RUNS]
# LOG defaults to /tmp/afs-bench/app2g.log, generated with bench/gen-log.sh when missing.
set -euo pipefail

repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
log="$(readlink -m "${1:-/tmp/afs-bench/app2g.log}")"
runs="${2:-5}"
[[ -f "$log" ]] || "$repo/bench/gen-log.sh" "$log" 2
[[ -e /dev/fuse ]] || { echo "evidence-and-memory.sh: /dev/fuse is missing" >&2; exit 2; }

work="$(mktemp -d /tmp/afs-bench-ev.XXXXXX)"
mnt="$work/mnt"
mkdir -p "$mnt" /dev/shm/afs-bench
mkdir -m 700 "$work/evidence"  # the mount refuses an evidence directory others can read
cat > "$work/namespaces.yaml" <<YAML
evidence: {dir: $work/evidence, retention: 1h, max_snapshot_bytes: 4294967296}
skills: $work
backends:
  bench: {type: file, root: $(dirname "$log"), cache_ttl: 0s}
teams:
  bench:
    prod:
      redact: {builtin: false}
      logs:
        app: {backend: bench, path: $(basename "$log"), window: none}
YAML

daemon=""
cleanup() {
  "$repo/bin/afs" unmount "$mnt" >/dev/null 2>&1 || umount -l "$mnt" >/dev/null 2>&1 || true
  [[ -n "$daemon" ]] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
  rm -rf "$work" /dev/shm/afs-bench
}
trap cleanup EXIT

"$repo/bin/afs" mount -f --config "$work/namespaces.yaml" "$mnt" >"$work/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 1 600); do
  [[ -e "$mnt/teams/bench/prod/logs/app.log" ]] && break
  kill -0 "$daemon" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.5
done
live="$mnt/teams/bench/prod/logs/app.log"
jvm=$(pgrep -P "$daemon" java || echo "$daemon")
[[ -r /proc/$jvm/status ]] || jvm=$daemon

# 1. a ~200 MB snapshot: the oldest 200 MB worth of lines
lines=$(head -c 200000000 "$log" | wc -l)
cat "$live?head=$lines" > /dev/null
evidence="$mnt$(getfattr --only-values -n user.afs.evidence "$live?head=$lines")"
size=$(stat -c %s "$evidence")
cp "$evidence" /dev/shm/afs-bench/copy
cmp -s "$evidence" /dev/shm/afs-bench/copy || { echo "evidence differs from its copy" >&2; exit 1; }

median_ms() {
  local i start end; local -a t=()
  cat "$1" >/dev/null
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N); cat "$1" >/dev/null; end=$(date +%s%N)
    t+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${t[@]}" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { printf "%.1f", $1 / 1000 }'
}
through=$(median_ms "$evidence")
tmpfs=$(median_ms /dev/shm/afs-bench/copy)
echo "| cat of a $((size / 1000000)) MB evidence file | ${through} ms through the mount | ${tmpfs} ms from tmpfs | $(awk -v a="$tmpfs" -v b="$through" 'BEGIN { printf "%.0f%%", 100 * a / b }') of tmpfs throughput |"

# 2. peak RSS while 8 readers stream the whole 2 GiB log (each read is a full snapshot)
rm -f "$work"/evidence/*/* 2>/dev/null || true
peak=0
( for r in $(seq 1 8); do cat "$live?grep-v=^NEVER-MATCHES-$r" > /dev/null & done; wait ) &
readers=$!
while kill -0 "$readers" 2>/dev/null; do
  rss=$(awk '/VmRSS/ { print $2 }' "/proc/$jvm/status")
  (( rss > peak )) && peak=$rss
  sleep 0.2
done
echo "| 8 readers streaming $(( $(stat -c %s "$log") / 1000000 )) MB each | daemon peak RSS $((peak / 1024)) MB |"
