# shellcheck shell=bash
# Sourced by integration.sh and molecule.sh: one run per case, so that each is counted.
#
#   run_cases HEADING SUITE JUNIT_FILE PYTHON CASE...
#
# calls the caller's `run_case CASE` for each case, one after the other, and
# keeps going after a failure; prints one "=== HEADING CASE" line before each
# and "WORD: CASE=ok|failed=SECONDS" lines at the end (WORD: HEADING's first
# word); with a JUNIT_FILE, writes one JUnit test case per case in test suite
# SUITE (scripts/junit.py). Fails when any case failed.
run_cases() {
    local heading=$1 suite=$2 junit=$3 python=$4
    shift 4
    local case_name started failed=0 results=()
    for case_name in "$@"; do
        started=$SECONDS
        echo "=== $heading $case_name"
        if run_case "$case_name"; then
            results+=("$case_name=ok=$((SECONDS - started))")
        else
            results+=("$case_name=failed=$((SECONDS - started))")
            failed=$((failed + 1))
        fi
    done
    local word=${heading%% *}
    printf '%s\n' "${results[@]/#/$word: }"
    if [ -n "$junit" ]; then
        "$python" "$(dirname "${BASH_SOURCE[0]}")/junit.py" "$junit" "$suite" "${results[@]}"
    fi
    [ "$failed" -eq 0 ]
}
