#!/usr/bin/env bash
# Build the collection tarball the way a release is built (make dist):
# a copy of the tree (scripts/copy-tree.sh), the docs site sources generated
# in it from docs/*.md (scripts/docsite.py: docs/docsite/rst/, extra-docs.yml),
# then `ansible-galaxy collection build` (galaxy.yml's build_ignore applies).
#   scripts/build-collection.sh OUTDIR PYTHON
# leaves OUTDIR/tree/ansible_collections/mailops/postfix and OUTDIR/mailops-postfix-VERSION.tar.gz.
set -euo pipefail
out=$1
python=$2
top=$(cd "$(dirname "$0")/.." && pwd)
tree="$out/tree/ansible_collections/mailops/postfix"
rm -rf "$out"
"$top/scripts/copy-tree.sh" "$tree"
"$python" "$top/scripts/docsite.py" write --top "$tree"
"$(dirname "$python")/ansible-galaxy" collection build --force --output-path "$out" "$tree"
