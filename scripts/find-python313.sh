#!/usr/bin/env bash
# Prints the path of a Python 3.13 for the Glue 6.0 environment (.venv-spark4): the newest 3.13
# that pyenv has (its own path: pyenv's shim runs only the version pyenv has selected), else a
# python3.13 on PATH that runs. Exits 1 with what to install when there is none.
set -euo pipefail
# pyenv's versions are looked for where pyenv keeps them even when pyenv is not on PATH (a shell
# that did not read the profile that sets it up).
roots=("${PYENV_ROOT:-$HOME/.pyenv}")
if command -v pyenv >/dev/null 2>&1; then
  roots=("$(pyenv root)" "${roots[@]}")
fi
for root in "${roots[@]}"; do
  newest=$(ls -d "$root"/versions/3.13.*/bin/python3.13 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -n "$newest" ]]; then
    echo "$newest"
    exit 0
  fi
done
if python3.13 --version >/dev/null 2>&1; then
  command -v python3.13
  exit 0
fi
echo "no Python 3.13 for Glue 6.0's PySpark 4.1.1: install it (pyenv install 3.13, or apt-get install python3.13) or set PYTHON_SPARK4=PATH" >&2
exit 1
