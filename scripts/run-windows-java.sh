#!/usr/bin/env bash
# Runs a main class from multiwait-tests on the Windows JVM: under Wine on Linux, natively on Windows.
# Needs `mvn package` first (./mw does it).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$MW_ROOT/multiwait-tests"
main="$1"; shift
if is_windows; then
  exec java -cp "target/classes;target/wine-lib/*" "$main" "$@"
fi
exec wine "$MW_WIN_JAVA" -Xmx1g -cp "target/classes;target/wine-lib/*" "$main" "$@"
