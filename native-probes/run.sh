#!/usr/bin/env bash
# Builds and runs the native Win32 probes (under Wine on Linux, directly on Windows),
# then runs the benchmark once in --quick mode to prove it works.
# Fails if any probe exits non-zero, prints a FAIL line, or no PASS line was seen at all.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../scripts/env.sh"

target="$here/target"
mkdir -p "$target"
if is_windows; then
  cc="${CC:-gcc}"
  run() { timeout 120 "$@"; }
else
  cc="${CC:-x86_64-w64-mingw32-gcc}"
  run() { timeout 120 wine "$@"; }
fi

# Build: only when the source (or the shared header) is newer than the exe.
for src in "$here"/probe_*.c "$here"/bench_iocp.c; do
  exe="$target/$(basename "${src%.c}").exe"
  if [[ ! -e "$exe" || "$src" -nt "$exe" || "$here/probe.h" -nt "$exe" ]]; then
    echo "build: $(basename "$src")"
    "$cc" -std=c11 -O2 -Wall -o "$exe" "$src" -lws2_32 -lmswsock
  fi
done

passed=0 failed=0 programs=0 bad_exit=0
for exe in "$target"/probe_*.exe; do
  name="$(basename "$exe" .exe)"
  echo "== $name"
  rc=0
  # Output goes to a file, not a $(...) pipe: a wineserver started by this wine would
  # inherit the pipe and hold the substitution open until it exits (seconds later).
  run "$exe" >"$target/$name.out" 2>&1 || rc=$?
  out="$(tr -d '\r' <"$target/$name.out")"  # msvcrt text-mode stdout writes CRLF
  echo "$out"
  p="$(grep -c '^PASS ' <<<"$out" || true)"
  f="$(grep -c '^FAIL ' <<<"$out" || true)"
  passed=$((passed + p)) failed=$((failed + f)) programs=$((programs + 1))
  if [[ $rc -ne 0 ]]; then
    echo "native-probes: $name exited with $rc"
    bad_exit=1
  fi
done

echo "== bench_iocp --quick"
rc=0
run "$target/bench_iocp.exe" --quick >"$target/bench_iocp.out" 2>&1 || rc=$?
out="$(tr -d '\r' <"$target/bench_iocp.out")"
echo "$out"
programs=$((programs + 1))
if [[ $rc -ne 0 ]] || ! grep -q '^BENCH ' <<<"$out"; then
  echo "native-probes: bench_iocp exited with $rc"
  bad_exit=1
fi

echo "native-probes: $passed passed, $failed failed, $programs programs"
if [[ $bad_exit -ne 0 || $failed -ne 0 || $passed -eq 0 ]]; then
  exit 1
fi
