#!/usr/bin/env bash
# File backend through a FUSE mount vs the native tools, on the same file:
#   cat 'app.log?tail=50'            vs  tail -n 50 app.log
#   tail -n 50 app.log (plain, on the mount, pushed down)   vs  tail -n 50 app.log
#   grep -c X app.log  (plain, on the mount, pushed down)   vs  grep -c X app.log
#   cat 'app.log?grep-F=X' | wc -l   vs  grep -F X app.log | wc -l
# plus what the daemon read for the tail (rchar and read_bytes from /proc/<pid>/io).
#
#   bench/file-backend.sh [LOG] [NEEDLE] [RUNS]
# LOG defaults to /tmp/afs-bench/app.log, generated (1 GiB) with bench/gen-log.sh when missing.
# Needs FUSE (/dev/fuse, fusermount3) and bin/afs; prints a markdown table of medians.
set -euo pipefail

repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
log="$(readlink -m "${1:-/tmp/afs-bench/app.log}")"
needle="${2:-OOMKilled}"
runs="${3:-7}"

if [[ ! -f "$log" ]]; then
  "$repo/bench/gen-log.sh" "$log" "${AFS_BENCH_GIB:-1}"
fi
[[ -e /dev/fuse ]] || { echo "file-backend.sh: /dev/fuse is missing; run where FUSE is available" >&2; exit 2; }

work="$(mktemp -d /tmp/afs-bench-mount.XXXXXX)"
mnt="$work/mnt"
mkdir -p "$mnt"   # the daemon creates the evidence directory 0700 itself
cat > "$work/namespaces.yaml" <<YAML
evidence:
  dir: $work/evidence
  retention: 1h
skills: $work
backends:
  bench:
    type: file
    root: $(dirname "$log")
    cache_ttl: 0s
teams:
  bench:
    prod:
      logs:
        app:
          backend: bench
          path: $(basename "$log")
          window: none
          max_pushdown: {lines: 10000000, bytes: 2147483648}
YAML

daemon=""
cleanup() {
  "$repo/bin/afs" unmount "$mnt" >/dev/null 2>&1 || fusermount3 -u "$mnt" >/dev/null 2>&1 || true
  if [[ -n "$daemon" ]] && kill -0 "$daemon" 2>/dev/null; then
    kill "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$repo/bin/afs" mount -f --config "$work/namespaces.yaml" "$mnt" >"$work/daemon.log" 2>&1 &
daemon=$!
for _ in $(seq 1 600); do  # bin/afs may build its jar first
  [[ -e "$mnt/teams/bench/prod/logs/app.log" ]] && break
  kill -0 "$daemon" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.5
done
file="$mnt/teams/bench/prod/logs/app.log"
[[ -e "$file" ]] || { echo "file-backend.sh: the mount did not come up; see $work/daemon.log" >&2; cat "$work/daemon.log" >&2; exit 1; }

# Median wall time in ms of a shell command, after two warm-up runs. Output goes to a file, not
# /dev/null: GNU grep (3.x) notices its output is /dev/null and stops at the first match, even
# with -c, so a native `grep -c X f >/dev/null` reads only up to the first X.
median_ms() {
  local cmd="$1" i start end
  local -a times=()
  bash -c "$cmd" >"$work/out"; bash -c "$cmd" >"$work/out"
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    bash -c "$cmd" >"$work/out"
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { printf "%.2f", $1 / 1000 }'
}

io() { awk -v k="$1" '$1 == k":" { print $2 }' "/proc/$daemon/io"; }

# Same answers first: the comparison means nothing otherwise.
diff <(cat "$file?tail=50") <(tail -n 50 "$log") >/dev/null || echo "WARNING: tail output differs" >&2
[[ "$(cat "$file?grep-F=$needle" | wc -l)" == "$(grep -F -e "$needle" "$log" | wc -l)" ]] \
  || echo "WARNING: grep -F count differs" >&2

rchar0=$(io rchar); rb0=$(io read_bytes)
cat "$file?tail=50" >/dev/null
rchar1=$(io rchar); rb1=$(io read_bytes)

q_log=$(printf '%q' "$log"); q_file=$(printf '%q' "$file"); q_needle=$(printf '%q' "$needle")
q_dir=$(printf '%q' "$(dirname "$file")"); q_data=$(printf '%q' "$(dirname "$log")"); q_name=$(printf '%q' "$(basename "$log")")
# plain tools run as a script would: in the directory, with a relative name (the daemon reads the command line)
[[ "$(cd "$(dirname "$file")" && grep -c -e "$needle" app.log)" == "$(grep -c -e "$needle" "$log")" ]] \
  || echo "WARNING: plain grep -c on the mount differs" >&2
diff <(cd "$(dirname "$file")" && tail -n 50 app.log) <(tail -n 50 "$log") >/dev/null || echo "WARNING: plain tail differs" >&2
p_tail=$(median_ms "cd $q_dir && tail -n 50 app.log")
n_tail=$(median_ms "cd $q_data && tail -n 50 $q_name")
p_grep=$(median_ms "cd $q_dir && grep -c -e $q_needle app.log")
n_grep=$(median_ms "cd $q_data && grep -c -e $q_needle $q_name")
t_mount=$(median_ms "cat $q_file'?tail=50'")
t_tail=$(median_ms "tail -n 50 $q_log")
g_mount=$(median_ms "cat $q_file'?grep-F='$q_needle | wc -l")
g_grep=$(median_ms "grep -F -e $q_needle $q_log | wc -l")

echo "file $log ($(stat -c %s "$log") bytes), needle '$needle', median of $runs runs after 2 warm-ups, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| operation | through the mount | native | ratio |"
echo "|---|---|---|---|"
awk -v a="$t_mount" -v b="$t_tail" 'BEGIN { printf "| tail=50 vs tail -n 50 | %s ms | %s ms | %.2fx |\n", a, b, a / b }'
awk -v a="$p_tail" -v b="$n_tail" 'BEGIN { printf "| plain tail -n 50 (pushed down) | %s ms | %s ms | %.2fx |\n", a, b, a / b }'
awk -v a="$p_grep" -v b="$n_grep" -v n="$needle" \
  'BEGIN { printf "| plain grep -c %s (pushed down) | %s ms | %s ms | %.2fx |\n", n, a, b, a / b }'
awk -v a="$g_mount" -v b="$g_grep" -v n="$needle" \
  'BEGIN { printf "| grep-F=%s \\| wc -l vs grep -F \\| wc -l | %s ms | %s ms | %.2fx |\n", n, a, b, a / b }'
echo
echo "daemon I/O for one tail=50: rchar $((rchar1 - rchar0)) bytes, read_bytes $((rb1 - rb0)) bytes (file size $(stat -c %s "$log"))"
