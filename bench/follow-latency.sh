#!/usr/bin/env bash
# Follow latency: the time from a line's arrival at the backend to the follower printing it.
#   file backend: a line appended to the log   -> cat 'app.log?follow=1&tail=0', GNU tail -f -n 0 app.log
#   Loki:         a line pushed on Loki's tail websocket (a local fake Loki, in this script)
#                                              -> cat 'app-loki.log?follow=1&tail=0', GNU tail -f -n 0 app-loki.log
# Targets (issue 11): p99 under 0.5 s for cat ?follow=1, under 1.5 s for GNU tail -f (which polls
# a FUSE file once a second).
#
#   bench/follow-latency.sh [SAMPLES]
# SAMPLES lines per follower (default 40), 0.3 to 1.3 s apart. Needs FUSE, python3 and bin/afs;
# prints a markdown table. Everything it starts is stopped and unmounted on exit.
set -euo pipefail

repo="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
samples="${1:-40}"
[[ -e /dev/fuse ]] || { echo "follow-latency.sh: /dev/fuse is missing; run where FUSE is available" >&2; exit 2; }

work="$(mktemp -d /tmp/afs-bench-follow.XXXXXX)"
mnt="$work/mnt"
mkdir -p "$mnt" "$work/data"
mkdir -m 700 "$work/evidence"
python3 - "$work/data/app.log" <<'PY'
import sys, time
with open(sys.argv[1], "w") as f:
    for i in range(10000):
        f.write("%s INFO warm-up line %d\n" % (time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()), i))
PY
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > "$work/namespaces.yaml" <<YAML
evidence: {dir: $work/evidence, retention: 1h}
skills: $work
backends:
  bench: {type: file, root: $work/data, cache_ttl: 0s}
  loki: {type: loki, url: 'http://127.0.0.1:$port', cache_ttl: 0s, retries: 0}
teams:
  bench:
    prod:
      logs:
        app: {backend: bench, path: app.log}
        app-loki: {backend: loki, selector: '{app="bench"}'}
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
[[ -e "$dir/app.log" ]] || { echo "follow-latency.sh: the mount did not come up" >&2; cat "$work/daemon.log" >&2; exit 1; }

python3 - "$dir" "$work/data/app.log" "$port" "$samples" <<'PY'
import base64, hashlib, json, random, socket, subprocess, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

logs, log, port, samples = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

# A Loki that answers query_range with nothing and speaks the tail websocket (RFC 6455, text frames).
tails, tails_lock = [], threading.Lock()
class Loki(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def do_GET(self):
        if self.path.startswith("/loki/api/v1/tail"):
            key = self.headers["Sec-WebSocket-Key"]
            accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.send_header("Connection", "Upgrade")
            self.send_header("Sec-WebSocket-Accept", accept.decode())
            self.end_headers()
            self.wfile.flush()
            conn = (self.connection, threading.Lock())
            with tails_lock:
                tails.append(conn)
            try:
                while self.connection.recv(4096):
                    pass  # pings and the close frame: the follower's end closes the socket
            except OSError:
                pass
            with tails_lock:
                tails.remove(conn)
            self.close_connection = True
            return
        body = json.dumps({"status": "success", "data": {"resultType": "streams", "result": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

def push(line):
    payload = json.dumps({"streams": [{"stream": {"app": "bench"},
                                       "values": [[str(time.time_ns()), line]]}], "dropped_entries": None}).encode()
    n = len(payload)
    header = bytes([0x81, n]) if n < 126 else bytes([0x81, 126]) + n.to_bytes(2, "big")
    with tails_lock:
        for conn, lock in tails:
            with lock:
                conn.sendall(header + payload)

server = ThreadingHTTPServer(("127.0.0.1", port), Loki)
server.daemon_threads = True
threading.Thread(target=server.serve_forever, daemon=True).start()

def append(line):
    with open(log, "a") as f:
        f.write("%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()), line))

def follow(cmd, send):
    p = subprocess.Popen(cmd, cwd=logs, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    sent, got = {}, {}
    def reader():
        for raw in p.stdout:
            t = time.time()
            s = raw.decode(errors="replace").rstrip("\n")
            if "afs-bench-follow " in s:
                got[s.rsplit(" ", 1)[1]] = t
    threading.Thread(target=reader, daemon=True).start()
    time.sleep(3)
    random.seed(7)
    for i in range(samples):
        sent[str(i)] = time.time()
        send("INFO afs-bench-follow %d" % i)
        time.sleep(random.uniform(0.3, 1.3))
    time.sleep(3)
    p.send_signal(2)  # Ctrl-C
    try:
        p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
    lat = sorted((got[k] - sent[k]) * 1000 for k in sent if k in got)
    q = lambda f: lat[min(len(lat) - 1, int(f * len(lat)))] if lat else float("nan")
    return q(0.5), q(0.99), (lat[-1] if lat else float("nan")), samples - len(lat)

rows = [
    ("file: `cat 'app.log?follow=1&tail=0'`", ["cat", "app.log?follow=1&tail=0"], append, "p99 < 0.5 s"),
    ("file: `tail -f -n 0 app.log` (GNU)", ["tail", "-f", "-n", "0", "app.log"], append, "p99 < 1.5 s"),
    ("Loki tail: `cat 'app-loki.log?follow=1&tail=0'`", ["cat", "app-loki.log?follow=1&tail=0"], push, "p99 < 0.5 s"),
    ("Loki tail: `tail -f -n 0 app-loki.log` (GNU)", ["tail", "-f", "-n", "0", "app-loki.log"], push, "p99 < 1.5 s"),
]
print("follow latency: %d lines per follower, 0.3-1.3 s apart; load average %s"
      % (samples, open("/proc/loadavg").read().split()[0]))
print()
print("| follower | p50 | p99 | max | lines missed | target |")
print("|---|---|---|---|---|---|")
for name, cmd, send, target in rows:
    p50, p99, mx, missed = follow(cmd, send)
    print("| %s | %.0f ms | %.0f ms | %.0f ms | %d of %d | %s |" % (name, p50, p99, mx, missed, samples, target),
          flush=True)
server.shutdown()
PY
