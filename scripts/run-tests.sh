#!/usr/bin/env bash
# `make test`: every check in order; keeps going after a failure so one run
# shows everything, exits non-zero if anything failed, and ends with one
# line that counts the tests.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
results_dir="$top/.cache/test-results"
rm -rf "$results_dir"
mkdir -p "$results_dir"

stages=()
failed_stages=()
run_stage() {
    local name=$1
    shift
    local started=$SECONDS
    echo
    echo "=== $name: $*"
    if "$@"; then
        stages+=("$(printf '%-14s ok     %4ds' "$name" $((SECONDS - started)))")
    else
        stages+=("$(printf '%-14s FAILED %4ds' "$name" $((SECONDS - started)))")
        failed_stages+=("$name")
    fi
}

run_stage yamllint     make --no-print-directory yamllint
run_stage unit         make --no-print-directory unit PYTEST_ARGS="-q --junitxml=$results_dir/unit.xml"
run_stage functional   make --no-print-directory functional PYTEST_ARGS="-q --junitxml=$results_dir/functional.xml"
if grep -q '^e2e:' Makefile; then
    run_stage e2e      make --no-print-directory e2e PYTEST_ARGS="-q --junitxml=$results_dir/e2e.xml"
fi
run_stage packaging    make --no-print-directory packaging PYTEST_ARGS="-q --junitxml=$results_dir/packaging.xml"
run_stage sanity       make --no-print-directory sanity
run_stage ansible-lint make --no-print-directory ansible-lint
if grep -q '^molecule:' Makefile; then
    run_stage molecule make --no-print-directory molecule PYTEST_ARGS="-q --junitxml=$results_dir/molecule.xml"
fi

echo
echo "=== summary"
printf '%s\n' "${stages[@]}"
# Count every pytest case from the JUnit files the stages wrote.
"$top/.venv/bin/python" - "$results_dir" <<'PY'
import glob, sys
import xml.etree.ElementTree as ET
total = failed = skipped = 0
for path in sorted(glob.glob(sys.argv[1] + "/*.xml")):
    for suite in ET.parse(path).getroot().iter("testsuite"):
        total += int(suite.get("tests", 0))
        failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped += int(suite.get("skipped", 0))
passed = total - failed - skipped
print("tests: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
PY
if [ ${#failed_stages[@]} -gt 0 ]; then
    echo "make test: FAILED stages: ${failed_stages[*]}"
    exit 1
fi
