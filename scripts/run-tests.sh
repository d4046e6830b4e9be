#!/usr/bin/env bash
# `make test`: every check; keeps going after a failure so one run shows
# everything, exits non-zero if anything failed, and ends with one line that
# counts the tests (pytest cases, ansible-test sanity tests and integration
# targets, molecule scenarios) from the JUnit files the stages write.
#
# Stages that share nothing with the sandboxes (sanity, ansible-lint, the
# release checks on copies of the tree) run in the background while the
# Postfix/SSH suites run one after another in the foreground, the functional
# suite on two pytest-xdist workers. A background stage's output is printed
# when it ends.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
results_dir="$top/.cache/test-results"
logs_dir="$top/.cache/test-logs"
rm -rf "$results_dir" "$logs_dir"
mkdir -p "$results_dir" "$logs_dir"
python=${VENV:-$top/.venv}/bin/python

stages=()
failed_stages=()
record() {
    local name=$1 rc=$2 seconds=$3
    if [ "$rc" -eq 0 ]; then
        stages+=("$(printf '%-14s ok     %4ds' "$name" "$seconds")")
    else
        stages+=("$(printf '%-14s FAILED %4ds' "$name" "$seconds")")
        failed_stages+=("$name")
    fi
}
run_stage() {
    local name=$1
    shift
    local started=$SECONDS rc=0
    echo
    echo "=== $name: $*"
    "$@" || rc=$?
    record "$name" "$rc" $((SECONDS - started))
}

# Background lane: one stage after another, each into its own log.
background_lane() {
    local entry name
    for entry in "$@"; do
        name=${entry%%=*}
        local started=$SECONDS rc=0
        bash -c "${entry#*=}" >"$logs_dir/$name.log" 2>&1 || rc=$?
        echo "$name $rc $((SECONDS - started))" >>"$logs_dir/background.status"
    done
}

run_stage yamllint     make --no-print-directory yamllint
run_stage unit         make --no-print-directory unit PYTEST_ARGS="-q --junitxml=$results_dir/unit.xml"

background_lane \
    "sanity=make --no-print-directory sanity SANITY_JUNIT=$results_dir/sanity" \
    "ansible-lint=make --no-print-directory ansible-lint" &
background_pid=$!

# Two pytest-xdist workers: every functional test has its own sandboxes, temp dir
# (TMPDIR) and port block (tests/harness; docs/testing.md, "Running in parallel").
run_stage functional   make --no-print-directory functional PYTEST_ARGS="-q -n 2 --dist load --junitxml=$results_dir/functional.xml"
run_stage e2e          make --no-print-directory e2e PYTEST_ARGS="-q --junitxml=$results_dir/e2e.xml"
run_stage integration  make --no-print-directory integration INTEGRATION_JUNIT="$results_dir/integration.xml"
run_stage packaging    make --no-print-directory packaging PYTEST_ARGS="-q --junitxml=$results_dir/packaging.xml"
run_stage molecule     make --no-print-directory molecule MOLECULE_JUNIT="$results_dir/molecule.xml"

wait "$background_pid"
touch "$logs_dir/background.status"
for name in sanity ansible-lint; do
    # A stage the lane never reported (killed, crashed) counts as failed.
    read -r _ rc seconds < <(grep "^$name " "$logs_dir/background.status" || echo "$name 1 0")
    echo
    echo "=== $name (background lane)"
    cat "$logs_dir/$name.log" 2>/dev/null
    record "$name" "$rc" "$seconds"
done

echo
echo "=== summary"
printf '%s\n' "${stages[@]}"
# Count every test case from the JUnit files the stages wrote.
"$python" - "$results_dir" <<'PY'
import glob, sys
import xml.etree.ElementTree as ET
total = failed = skipped = 0
for path in sorted(glob.glob(sys.argv[1] + "/**/*.xml", recursive=True)):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    for suite in suites:
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
