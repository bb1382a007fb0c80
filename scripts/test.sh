#!/usr/bin/env bash
# Runs every check CI runs: formatting, the sanitizer build with all unit and integration tests,
# and the libFuzzer target for a bounded time over the seed corpus. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

# The integration tests use moto, boto3 and botocore from the machine's python3 (the project's
# machine image ships them; Debian has no moto package and PyPI is not reachable).
if ! python3 -c "import moto, boto3, botocore" 2>/dev/null; then
  echo "test.sh: python3 lacks moto/boto3/botocore, which the integration tests need" >&2
  exit 1
fi
for tool in aws cfn-lint; do
  if ! command -v "$tool" >/dev/null; then
    echo "test.sh: $tool (from the machine image's python3) is missing; the remediation tests need it" >&2
    exit 1
  fi
done

echo "== clang-format check"
mapfile -t sources < <(git ls-files '*.h' '*.cc')
clang-format --dry-run -Werror "${sources[@]}"

echo "== fuzz: event parser (libFuzzer, ${ASR_FUZZ_SECONDS:-30}s)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target event_parser_fuzz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
build/fuzz/fuzz/event_parser_fuzz -max_total_time="${ASR_FUZZ_SECONDS:-30}" -max_len=65536 \
  -print_final_stats=1 "$work" fuzz/corpus ../shared/testdata/asr-findings 2>&1 | tail -n 12

echo "== build (asan-ubsan, warnings are errors)"
cmake --preset asan-ubsan >/dev/null
cmake --build --preset asan-ubsan

echo "== tests"
ctest --preset asan-ubsan -j "$(nproc)"
