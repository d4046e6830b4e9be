#!/usr/bin/env bash
# `molecule test` for each scenario under extensions/molecule, one after the
# other; MOLECULE_JUNIT=FILE writes one JUnit test case per scenario.
# MOLECULE_SCENARIOS narrows the run.
set -euo pipefail
venv_bin=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
read -r -a scenarios <<<"${MOLECULE_SCENARIOS:-$(cd extensions/molecule && for d in */molecule.yml; do printf '%s ' "${d%/molecule.yml}"; done)}"
results=()
failed=0
for scenario in "${scenarios[@]}"; do
    started=$SECONDS
    echo "=== molecule scenario $scenario"
    if "$venv_bin/molecule" test -s "$scenario"; then
        results+=("$scenario=ok=$((SECONDS - started))")
    else
        results+=("$scenario=failed=$((SECONDS - started))")
        failed=$((failed + 1))
    fi
done
printf 'molecule: %s\n' "${results[@]}"
if [ -n "${MOLECULE_JUNIT:-}" ]; then
    "$venv_bin/python" "$top/scripts/junit.py" "$MOLECULE_JUNIT" molecule "${results[@]}"
fi
[ "$failed" -eq 0 ]
