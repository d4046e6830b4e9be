#!/usr/bin/env bash
# Print the path of a Python X.Y interpreter: pyenv's (${PYENV_ROOT:-~/.pyenv}/versions/X.Y.*),
# else pythonX.Y on PATH (not a pyenv shim, which only answers for the selected version).
# Fails, naming what to install, when there is none.
set -euo pipefail
want=$1
for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$want".*/bin/python"$want"; do
    if [ -x "$candidate" ]; then
        echo "$candidate"
        exit 0
    fi
done
if found=$(command -v "python$want" 2>/dev/null) && [[ $found != */shims/* ]]; then
    echo "$found"
    exit 0
fi
echo "ERROR: no Python $want found (python$want on PATH or pyenv's versions/$want.*): install it, e.g. 'pyenv install $want'" >&2
exit 1
