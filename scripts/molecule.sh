#!/usr/bin/env bash
# `molecule test` for each scenario under extensions/molecule, one after the
# other; MOLECULE_JUNIT=FILE writes one JUnit test case per scenario.
# MOLECULE_SCENARIOS narrows the run.
set -euo pipefail
venv_bin=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
read -r -a scenarios <<<"${MOLECULE_SCENARIOS:-$(cd extensions/molecule && for d in */molecule.yml; do printf '%s ' "${d%/molecule.yml}"; done)}"
run_case() {
    "$venv_bin/molecule" test -s "$1"
}
# shellcheck source=scripts/run-cases.sh
source "$top/scripts/run-cases.sh"
run_cases "molecule scenario" molecule "${MOLECULE_JUNIT:-}" "$venv_bin/python" "${scenarios[@]}"
