#!/usr/bin/env bash
# README command 2 (and CI): install what is missing, build with warnings as errors, run every
# test; then rebuild the unit tests with AddressSanitizer + UBSan and run them again.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
if [[ -z "${KERASCPP_DATA_DIR:-}" && -d ../shared/data/mnist ]]; then
  export KERASCPP_DATA_DIR="$(cd ../shared/data/mnist && pwd)"
fi
jobs=$(nproc)

echo "== Release build (warnings are errors)"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Release -DKERASCPP_WERROR=ON >/dev/null
cmake --build build-test -j"$jobs"
ctest --test-dir build-test --output-on-failure -j"$jobs" --timeout 1500

echo "== ASan/UBSan build (unit tests)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DKERASCPP_SANITIZE=ON -DKERASCPP_WERROR=ON \
      -DKERASCPP_BUILD_EXAMPLES=OFF -DKERASCPP_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs" --target kerascpp_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" -L unit --timeout 900
