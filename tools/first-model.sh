#!/usr/bin/env bash
# README command 1: install what is missing, build kerascpp (Release), run the first model.
# Extra arguments go to first_model (e.g. --lang en, --epochs 1).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target first_model
if [[ -z "${KERASCPP_DATA_DIR:-}" && -d ../shared/data/mnist ]]; then
  export KERASCPP_DATA_DIR="$PWD/../shared/data/mnist"
fi
exec ./build/examples/first_model/first_model "$@"
