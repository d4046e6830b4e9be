#!/usr/bin/env bash
# ansible-test integration --local over every target of tests/integration/targets,
# on a copy of the tree placed where ansible-test wants it (as sanity.sh does).
# One ansible-test run per target, so each is counted: INTEGRATION_JUNIT=FILE
# writes one JUnit test case per target. INTEGRATION_TARGETS narrows the run.
set -euo pipefail
root=$1
venv_bin=$2
top=$(cd "$(dirname "$0")/.." && pwd)

"$top/scripts/copy-tree.sh" "$root"
cd "$root"
git init -q . && git add -A >/dev/null
python_version=$("$venv_bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
read -r -a targets <<<"${INTEGRATION_TARGETS:-$("$venv_bin/ansible-test" integration --list-targets 2>/dev/null | tr '\n' ' ')}"
if [ ${#targets[@]} -eq 0 ]; then
    echo "integration: ansible-test found no targets" >&2
    exit 1
fi

results=()
failed=0
for target in "${targets[@]}"; do
    started=$SECONDS
    echo "=== integration target $target"
    if "$venv_bin/ansible-test" integration --local --python "$python_version" --color no "$target"; then
        results+=("$target=ok=$((SECONDS - started))")
    else
        results+=("$target=failed=$((SECONDS - started))")
        failed=$((failed + 1))
    fi
done
printf 'integration: %s\n' "${results[@]}"
if [ -n "${INTEGRATION_JUNIT:-}" ]; then
    "$venv_bin/python" "$top/scripts/junit.py" "$INTEGRATION_JUNIT" ansible-test-integration "${results[@]}"
fi
[ "$failed" -eq 0 ]
