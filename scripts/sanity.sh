#!/usr/bin/env bash
# ansible-test sanity, offline, on a copy of the tree placed where ansible-test wants it.
set -euo pipefail
sanity_root=$1
venv_bin=$2
top=$(cd "$(dirname "$0")/.." && pwd)

# ansible-test bootstraps pip from the internet; hand it a stand-in that uses ensurepip.
# The file is named after the pip version this ansible-test pins (24.2 for 2.19, 23.1.2 for 2.16).
requirements_py=$("$venv_bin/python" -c 'import ansible_test, os; print(os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py"))')
pip_version=$(grep -o "pip='[0-9.]*'" "$requirements_py" | head -1 | tr -dc '0-9.')
bootstrap="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
if [ ! -s "$bootstrap" ]; then
    mkdir -p "$(dirname "$bootstrap")"
    printf '%s\n' '# stand-in for get-pip: the stdlib ensurepip installs pip offline' \
        'import ensurepip, sys' 'sys.exit(ensurepip._main(["--upgrade"]) or 0)' > "$bootstrap"
fi

# Tracked and new (not ignored) files only: no venv, no caches.
"$top/scripts/copy-tree.sh" "$sanity_root"
cd "$sanity_root"
git init -q . && git add -A >/dev/null

# SANITY_ARGS, e.g. "--test pylint", narrows the run while working.
read -r -a extra_args <<<"${SANITY_ARGS:-}"
python_version=$("$venv_bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# ansible-test installs each test's requirements into its own venvs; drop pip's noise about local indexes.
# SANITY_JUNIT=DIR: one JUnit file per sanity test (ansible-test --junit), so `make test` counts them.
junit_args=()
[ -n "${SANITY_JUNIT:-}" ] && junit_args=(--junit)
status=0
"$venv_bin/ansible-test" sanity --local --python "$python_version" --color no "${junit_args[@]}" "${extra_args[@]}" 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || status=$?

# Modules run on the managed host with Python >= the floor in tests/config.yml:
# compile them with that floor's interpreter too.
python_floor=$(sed -n "s/^ *python_requires: *'>=\([0-9.]*\)'.*/\1/p" tests/config.yml)
if [ -z "${SANITY_ARGS:-}" ] || [ -n "${SANITY_FLOOR:-}" ]; then
    floor_bin=$("$top/scripts/find-python.sh" "$python_floor")
    echo "sanity: compile on the managed-host floor, Python $python_floor ($floor_bin)"
    PATH="$(dirname "$floor_bin"):$PATH" "$venv_bin/ansible-test" sanity --local --python "$python_floor" --test compile \
        --color no "${junit_args[@]}" || status=$?
fi
if [ -n "${SANITY_JUNIT:-}" ]; then
    mkdir -p "$SANITY_JUNIT"
    cp tests/output/junit/*.xml "$SANITY_JUNIT/"
fi
exit "$status"
