#!/usr/bin/env bash
# make matrix: every ansible-core minor version from meta/runtime.yml's
# requires_ansible floor to 2.19, each in its own venv (.cache/matrix/),
# with ansible-test sanity and every integration target. Prints one line per
# version and writes .cache/matrix/results.txt. MATRIX_VERSIONS="2.17 2.19" narrows it.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
python=${PYTHON:-python3}
floor=$(sed -n 's/^requires_ansible: *">=\([0-9]*\.[0-9]*\).*/\1/p' meta/runtime.yml)
last=2.19
if [ -z "${MATRIX_VERSIONS:-}" ]; then
    MATRIX_VERSIONS=""
    for minor in $(seq "${floor#2.}" "${last#2.}"); do MATRIX_VERSIONS+="2.$minor "; done
fi
work="$top/.cache/matrix"
mkdir -p "$work"
results="$work/results.txt"
: >"$results"
failed=0
for version in $MATRIX_VERSIONS; do
    venv="$work/ansible-core-$version"
    log="$work/ansible-core-$version.log"
    started=$SECONDS
    {
        if [ ! -x "$venv/bin/ansible-test" ]; then
            "$python" -m venv "$venv" && "$venv/bin/pip" install --disable-pip-version-check -q "ansible-core==$version.*" pyyaml
        fi
    } >"$log" 2>&1
    installed=$("$venv/bin/python" -c 'import ansible.release as r; print(r.__version__)' 2>>"$log" || echo none)
    sanity=failed
    integration=failed
    if [ "$installed" != none ]; then
        scripts/sanity.sh "$top/.build/matrix-$version/sanity/ansible_collections/mailops/postfix" "$venv/bin" >>"$log" 2>&1 && sanity=ok
        scripts/integration.sh "$top/.build/matrix-$version/integration/ansible_collections/mailops/postfix" "$venv/bin" \
            >>"$log" 2>&1 && integration=ok
    fi
    line="ansible-core $installed: sanity $sanity, integration $integration ($(grep -o '^integration: .*' "$log" | tr '\n' ' ')) $((SECONDS - started))s"
    echo "$line" | tee -a "$results"
    [ "$sanity" = ok ] && [ "$integration" = ok ] || failed=$((failed + 1))
done
echo "matrix: $(wc -l <"$results") versions, $failed failed (logs in $work)"
[ "$failed" -eq 0 ]
