#!/usr/bin/env bash
# Stress: N concurrent readers doing M mixed reads each through a real mount of the demo logs
# (plain, tail, head, grep, since, path queries, evidence reads, xattrs), counting failed reads
# and sampling the daemon's RSS (VmRSS) every 200 ms. Always unmounts.
#
#   bench/stress.sh [READERS] [READS_PER_READER]      (defaults 8 and 1000)
#
# Prints one summary line:
#   stress: readers=8 reads=8000 errors=0 seconds=... reads_per_s=... peak_rss_kb=... start_rss_kb=...
# Exit status 1 when any read failed.
set -euo pipefail

readers="${1:-8}"
per_reader="${2:-1000}"
repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
work="$(mktemp -d /tmp/afs-stress.XXXXXX)"
mnt="$work/mnt"
mkdir -p "$mnt"
# the demo logs, re-dated as bin/demo does, when they are not there yet
[[ -d "$repo/demo/live" ]] || java "$repo/demo/Redate.java" "$repo/demo/data" "$repo/demo/live" >/dev/null

cat > "$work/namespaces.yaml" <<YAML
evidence: {dir: $work/evidence, retention: 1h}
skills: $repo/skills
backends:
  demo: {type: file, root: $repo/demo/live, cache_ttl: 2s}
teams:
  payments:
    prod:
      logs:
        api: {backend: demo, path: payments/api.log, window: {lines: 10000}}
        web: {backend: demo, path: checkout/web.log, window: {lines: 10000}}
      runbooks: $repo/demo/runbooks/payments
YAML

daemon_pid=""
cleanup() {
  if grep -q " $mnt fuse.afs " /proc/mounts; then
    "$repo/bin/afs" unmount "$mnt" >/dev/null 2>&1 || umount -l "$mnt" || true
  fi
  if [[ -n "$daemon_pid" ]]; then
    for _ in $(seq 1 100); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.1; done
    kill "$daemon_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$repo/bin/afs" mount -f --config "$work/namespaces.yaml" "$mnt" >"$work/daemon.log" 2>&1 &
daemon_pid=$!
for i in $(seq 1 600); do
  grep -q " $mnt fuse.afs " /proc/mounts && break
  kill -0 "$daemon_pid" 2>/dev/null || { cat "$work/daemon.log" >&2; echo "stress: the daemon exited" >&2; exit 2; }
  sleep 0.1
done
grep -q " $mnt fuse.afs " /proc/mounts || { echo "stress: not mounted after 60s" >&2; exit 2; }
# bin/afs execs java, so the daemon's pid is the java process.
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$daemon_pid/status" 2>/dev/null || echo 0; }
start_rss="$(rss)"

( peak=0; while kill -0 "$daemon_pid" 2>/dev/null && [[ ! -e "$work/stop" ]]; do
    r="$(rss)"; (( r > peak )) && peak=$r; echo "$peak" > "$work/peak"; sleep 0.2
  done ) &
sampler=$!

logs="$mnt/teams/payments/prod/logs"
reader() {
  local id=$1 errors=0 op
  for n in $(seq 1 "$per_reader"); do
    op=$(( (n + id) % 9 ))
    case $op in
      0) cat "$logs/api.log" >/dev/null ;;
      1) tail -n 20 "$logs/api.log" >/dev/null ;;
      2) head -n 5 "$logs/web.log" >/dev/null ;;
      3) grep -c ERROR "$logs/api.log" >/dev/null || [[ $? -eq 1 ]] ;;
      4) cat "$logs/api.log?since=15m&grep-i=error&tail=50" >/dev/null ;;
      5) cat "$logs/web.log?head=$(( n % 100 + 1 ))" >/dev/null ;;
      6) f="$logs/api.log?tail=$(( n % 50 + 1 ))"
         cat "$f" >/dev/null && ev="$(getfattr --absolute-names --only-values -n user.afs.evidence "$f" 2>/dev/null)" \
           && cat "$mnt$ev" >/dev/null ;;
      7) getfattr --absolute-names -d -m - "$logs/web.log" >/dev/null ;;
      8) ls "$mnt/evidence" >/dev/null && cat "$mnt/.afs/status" >/dev/null ;;
    esac || errors=$((errors + 1))
  done
  echo "$errors" > "$work/errors.$id"
}

start=$(date +%s.%N)
pids=()
for id in $(seq 1 "$readers"); do reader "$id" & pids+=($!); done
wait "${pids[@]}"
end=$(date +%s.%N)
touch "$work/stop"; wait "$sampler" 2>/dev/null || true

errors=0
for id in $(seq 1 "$readers"); do errors=$(( errors + $(cat "$work/errors.$id") )); done
total=$(( readers * per_reader ))
seconds=$(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}')
rate=$(awk -v t="$total" -v s="$seconds" 'BEGIN {printf "%.0f", t / s}')
echo "stress: readers=$readers reads=$total errors=$errors seconds=$seconds reads_per_s=$rate peak_rss_kb=$(cat "$work/peak" 2>/dev/null || echo 0) start_rss_kb=$start_rss"
[[ $errors -eq 0 ]]
