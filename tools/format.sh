#!/usr/bin/env bash
# Checks (--check) or rewrites (--fix) the formatting of every tracked C++ source file.
# Usage: tools/format.sh --check|--fix [clang-format binary]
set -euo pipefail
mode=${1:---check}
cf=${2:-$(command -v clang-format-14 || command -v clang-format)}
cd "$(git rev-parse --show-toplevel)"
mapfile -t files < <(git ls-files '*.cc' '*.h' | grep -v -E '(^|/)(testdata|third_party)/')
[ ${#files[@]} -eq 0 ] && exit 0
if [ "$mode" = --fix ]; then
  "$cf" -i "${files[@]}"
else
  "$cf" --dry-run -Werror "${files[@]}"
  echo "format-check: ${#files[@]} files formatted"
fi
