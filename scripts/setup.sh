#!/usr/bin/env bash
# The main job: install what is missing, build the optimised binary, and run asr on the bundled
# example event with the built-in safe defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
echo
echo "== build/release/src/app/asr explain examples/event-s3.2.json"
build/release/src/app/asr explain examples/event-s3.2.json
