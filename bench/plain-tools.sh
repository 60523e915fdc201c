#!/usr/bin/env bash
# Plain tools on the mount (pushed down from the caller's command line) vs the native tools on
# the same file, and follow latency:
#   grep -c X app.log      (through the mount, pushed down)   vs  grep -c X on the file
#   tail -n 50 app.log     (through the mount, pushed down)   vs  tail -n 50 on the file
#   append -> output latency for cat 'app.log?follow=1&tail=0' and GNU tail -f -n 0 app.log
#
#   bench/plain-tools.sh [LOG] [NEEDLE] [RUNS] [FOLLOW_SAMPLES]
# LOG defaults to /tmp/afs-bench/app.log, generated (1 GiB) with bench/gen-log.sh when missing.
# The stream keeps its default window (10000 lines), so only pushdown gives the whole-file answer.
# Appends FOLLOW_SAMPLES lines to LOG. Needs FUSE and bin/afs; prints a markdown table.
set -euo pipefail

repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
log="$(readlink -m "${1:-/tmp/afs-bench/app.log}")"
needle="${2:-OOMKilled}"
runs="${3:-5}"
samples="${4:-40}"

if [[ ! -f "$log" ]]; then
  "$repo/bench/gen-log.sh" "$log" "${AFS_BENCH_GIB:-1}"
fi
[[ -e /dev/fuse ]] || { echo "plain-tools.sh: /dev/fuse is missing; run where FUSE is available" >&2; exit 2; }

work="$(mktemp -d /tmp/afs-bench-tools.XXXXXX)"
mnt="$work/mnt"
mkdir -p "$mnt"
mkdir -m 700 "$work/evidence"  # the mount refuses an evidence directory others can read
cat > "$work/namespaces.yaml" <<YAML
evidence:
  dir: $work/evidence
  retention: 1h
skills: $work
backends:
  bench: {type: file, root: $(dirname "$log"), cache_ttl: 0s}
teams:
  bench:
    prod:
      logs:
        app: {backend: bench, path: $(basename "$log"), max_pushdown: {lines: 10000000, bytes: 2147483648}}
YAML

daemon=""
cleanup() {
  "$repo/bin/afs" unmount "$mnt" >/dev/null 2>&1 || fusermount -u "$mnt" >/dev/null 2>&1 || true
  if [[ -n "$daemon" ]] && kill -0 "$daemon" 2>/dev/null; then
    kill "$daemon" 2>/dev/null || true
    wait "$daemon" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$repo/bin/afs" mount -f --config "$work/namespaces.yaml" "$mnt" >"$work/daemon.log" 2>&1 &
daemon=$!
dir="$mnt/teams/bench/prod/logs"
for _ in $(seq 1 600); do
  [[ -e "$dir/app.log" ]] && break
  kill -0 "$daemon" 2>/dev/null || { cat "$work/daemon.log" >&2; exit 1; }
  sleep 0.5
done
[[ -e "$dir/app.log" ]] || { echo "plain-tools.sh: the mount did not come up" >&2; cat "$work/daemon.log" >&2; exit 1; }

# Median wall time in ms of a command run in a directory, after two warm-up runs. Output goes to
# a file, not /dev/null: GNU grep (3.x) notices its output is /dev/null and stops at the first
# match, even with -c, so a native `grep -c X f >/dev/null` reads only up to the first X.
median_ms() {
  local in="$1" cmd="$2" i start end
  local -a times=()
  (cd "$in" && bash -c "$cmd" >"$work/out"; bash -c "$cmd" >"$work/out")
  for ((i = 0; i < runs; i++)); do
    start=$(date +%s%N)
    (cd "$in" && bash -c "$cmd" >"$work/out")
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { printf "%.2f", $1 / 1000 }'
}

name="$(basename "$log")"
data="$(dirname "$log")"
q_needle=$(printf '%q' "$needle")
# Same answers first: the comparison means nothing otherwise.
[[ "$(cd "$dir" && grep -c -e "$needle" app.log)" == "$(grep -c -e "$needle" "$log")" ]] \
  || echo "WARNING: grep -c differs" >&2
diff <(cd "$dir" && tail -n 50 app.log) <(tail -n 50 "$log") >/dev/null || echo "WARNING: tail -n 50 differs" >&2

g_mount=$(median_ms "$dir" "grep -c -e $q_needle app.log")
g_native=$(median_ms "$data" "grep -c -e $q_needle $name")
t_mount=$(median_ms "$dir" "tail -n 50 app.log")
t_native=$(median_ms "$data" "tail -n 50 $name")

follow() {
  python3 - "$log" "$samples" "$@" <<'PY'
import subprocess, sys, time, random, threading
log, samples, cmd, cwd = sys.argv[1], int(sys.argv[2]), sys.argv[3:-1], sys.argv[-1]
p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
sent, got = {}, {}
def reader():
    for line in p.stdout:
        t = time.time()
        s = line.decode(errors="replace").rstrip("\n")
        if "afs-bench-follow " in s:
            got[s.rsplit(" ", 1)[1]] = t
threading.Thread(target=reader, daemon=True).start()
time.sleep(2)
random.seed(7)
for i in range(samples):
    with open(log, "a") as f:
        sent[str(i)] = time.time()
        f.write("%s INFO afs-bench-follow %d\n" % (time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()), i))
    time.sleep(random.uniform(0.3, 1.3))
time.sleep(3)
p.terminate()
lat = sorted((got[k] - sent[k]) * 1000 for k in sent if k in got)
missing = samples - len(lat)
q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))] if lat else float("nan")
print("%.0f %.0f %.0f %d" % (q(0.5), q(0.99), lat[-1] if lat else float("nan"), missing))
PY
}
read -r f_p50 f_p99 f_max f_missing < <(follow cat "app.log?follow=1&tail=0" "$dir")
read -r t_p50 t_p99 t_max t_missing < <(follow tail -f -n 0 app.log "$dir")

echo "file $log ($(stat -c %s "$log") bytes), needle '$needle', median of $runs runs after 2 warm-ups;"
echo "follow: $samples appends 0.3-1.3 s apart"
echo
echo "| operation | through the mount | native | ratio |"
echo "|---|---|---|---|"
awk -v a="$g_mount" -v b="$g_native" -v n="$needle" \
  'BEGIN { printf "| grep -c %s app.log (pushed down) | %s ms | %s ms | %.2fx |\n", n, a, b, a / b }'
awk -v a="$t_mount" -v b="$t_native" 'BEGIN { printf "| tail -n 50 app.log (pushed down) | %s ms | %s ms | %.2fx |\n", a, b, a / b }'
echo
echo "| follow | p50 | p99 | max | lines missed |"
echo "|---|---|---|---|---|"
echo "| cat 'app.log?follow=1&tail=0' | $f_p50 ms | $f_p99 ms | $f_max ms | $f_missing |"
echo "| tail -f -n 0 app.log (GNU, polls 1 s) | $t_p50 ms | $t_p99 ms | $t_max ms | $t_missing |"
