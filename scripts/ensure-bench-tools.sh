#!/usr/bin/env bash
# Tools `make bench` needs beyond `make test`: GNU time (peak memory of postmap).
# As root with apt-get: installs what is missing; otherwise fails with the command to run.
set -euo pipefail

if [ -x /usr/bin/time ] && /usr/bin/time -f %M true >/dev/null 2>&1; then
    echo "bench: GNU time at /usr/bin/time"
    exit 0
fi
install_cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y time"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ERROR: GNU time (/usr/bin/time) is missing. Run as root: ${install_cmd}" >&2
    exit 1
fi
echo "bench: GNU time missing; installing the Debian package time"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
echo "bench: installed GNU time at /usr/bin/time"
