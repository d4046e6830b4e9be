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

run_case() {
    "$venv_bin/ansible-test" integration --local --python "$python_version" --color no "$1"
}
# shellcheck source=scripts/run-cases.sh
source "$top/scripts/run-cases.sh"
run_cases "integration target" ansible-test-integration "${INTEGRATION_JUNIT:-}" "$venv_bin/python" "${targets[@]}"
