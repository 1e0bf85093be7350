#!/usr/bin/env bash
# check-c-format.sh: checks (or with --fix, applies) clang-format on every C, C++ and header file we own.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard -- \
  'tenders/*.c' 'tenders/*.h' 'native/*.cc' 'native/*.h' 'sdk/*.c' 'sdk/*.h' \
  'examples/*.c' 'examples/*.h' 'test/*.c' 'test/*.h' 'benchmarks/*.c' 'benchmarks/*.h' \
  | while read -r f; do [ -f "$f" ] && echo "$f"; done)
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${files[@]}"
else
  clang-format --dry-run --Werror "${files[@]}"
  echo "clang-format: ${#files[@]} files clean"
fi
