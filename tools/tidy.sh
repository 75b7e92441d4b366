#!/usr/bin/env bash
# Runs clang-tidy (.clang-tidy at the root) over our C++ sources, using the release build's
# compile_commands.json. Usage: tools/tidy.sh [files...]   (default: every tracked .cc file)
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
[ -f build/release/compile_commands.json ] || cmake --preset release >/dev/null
tidy=$(command -v clang-tidy-14 || command -v clang-tidy)
if [ $# -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(git ls-files '*.cc' | grep -v -E '(^|/)(testdata|third_party)/')
fi
"$tidy" -p build/release --quiet "${files[@]}"
