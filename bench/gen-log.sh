#!/usr/bin/env bash
# Generates a realistic N-GiB log with RFC 3339 timestamps (see GenLog.java for its shape).
#   bench/gen-log.sh OUT.log SIZE_GIB [START_RFC3339] [SEED]
# Runs GenLog in java's single-file source mode, so nothing needs building first.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
if [[ $# -lt 2 ]]; then
  echo "usage: $0 OUT.log SIZE_GIB [START_RFC3339] [SEED]   e.g. $0 /tmp/bench/app.log 2" >&2
  exit 2
fi
exec "${AFS_JAVA:-java}" "$here/src/main/java/dev/aegis/afs/bench/GenLog.java" "$@"
