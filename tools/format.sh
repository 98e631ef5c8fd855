#!/usr/bin/env bash
# Formats every C++ source of the project with the repo's .clang-format (clang-format 14, as
# Debian 12 ships it). `tools/format.sh --check` changes nothing and fails, naming the files,
# when one is not formatted: CI runs it as the ctest `lint.clang_format`.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=(-i)
if [[ "${1:-}" == "--check" ]]; then mode=(--dry-run --Werror); fi
if ! command -v clang-format >/dev/null; then
  echo "clang-format is not installed: run tools/install-deps.sh (Debian package clang-format)" >&2
  exit 1
fi
# One list for fixing and for checking: the project's own sources, never build folders.
mapfile -d '' files < <(find include src apps tests bench examples \
  -type d \( -name node_modules -o -name 'build*' \) -prune -o \
  -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) -print0 | sort -z)
clang-format "${mode[@]}" "${files[@]}"
if [[ "${1:-}" == "--check" ]]; then echo "${#files[@]} files formatted as .clang-format says"; fi
