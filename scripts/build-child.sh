#!/usr/bin/env bash
# Builds mwchild.exe, the child program the tests and the demo start (mingw-w64 on Linux, the
# host's gcc on Windows), into multiwait-tests/target. Rebuilds only when the source is newer.
set -euo pipefail
source "$(dirname "$0")/env.sh"
src="$MW_ROOT/multiwait-tests/src/main/c/mwchild.c"
exe="$MW_ROOT/multiwait-tests/target/mwchild.exe"
mkdir -p "$(dirname "$exe")"
if [[ ! -e "$exe" || "$src" -nt "$exe" ]]; then
  if is_windows; then cc="${CC:-gcc}"; else cc="${CC:-x86_64-w64-mingw32-gcc}"; fi
  "$cc" -std=c11 -O2 -Wall -municode -o "$exe" "$src"
fi
