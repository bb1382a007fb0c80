#!/usr/bin/env bash
# The main job: install what is missing, build the optimised binary, explain the bundled example
# event, then run the engine (`asr serve`) with the built-in safe defaults until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
echo
echo "== build/release/src/app/asr explain examples/event-s3.2.json"
build/release/src/app/asr explain examples/event-s3.2.json
echo
echo "== build/release/src/app/asr serve   (Ctrl-C stops it)"
export AWS_REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}"
exec build/release/src/app/asr serve
