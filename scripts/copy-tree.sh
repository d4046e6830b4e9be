#!/usr/bin/env bash
# Copy the tracked and new (not ignored) files of the checkout to DEST: what a
# fresh clone plus your uncommitted work holds; no venv, no caches, no build dirs.
# Used by sanity.sh, integration.sh and tests/packaging (tarball build).
set -euo pipefail
dest=$1
top=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$dest"
mkdir -p "$dest"
(cd "$top" && git ls-files -z -co --exclude-standard | xargs -0 -I{} sh -c 'test -e "{}" && printf "%s\0" "{}"' | tar --null -T - -cf -) \
    | tar -xf - -C "$dest"
