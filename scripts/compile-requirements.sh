#!/usr/bin/env bash
# Re-pins requirements.txt and requirements-dev.txt from their .in files with
# hashes for every published file of each pinned version, so the same lock
# installs on CPython 3.11 and 3.12. Resolves on 3.11, the oldest supported
# interpreter, so no dependency that only older Pythons need is left out.
set -euo pipefail
cd "$(dirname "$0")/.."

tools="$(mktemp -d)"
trap 'rm -rf "$tools"' EXIT
python3.11 -m venv "$tools/venv"
"$tools/venv/bin/pip" install --quiet pip-tools

compile() {
  "$tools/venv/bin/pip-compile" --quiet --generate-hashes --allow-unsafe \
    --strip-extras --no-emit-index-url --no-emit-find-links \
    --output-file "$2" "$1"
}
compile requirements.in requirements.txt
compile requirements-dev.in requirements-dev.txt
echo "compiled requirements.txt and requirements-dev.txt"
