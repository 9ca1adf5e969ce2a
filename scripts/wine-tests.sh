#!/usr/bin/env bash
# Runs multiwait-tests on the Windows JVM under Wine with the JUnit console launcher
# (Surefire's fork needs java.management, absent from this runtime). Needs `mvn package` first.
# Usage: wine-tests.sh [extra console-launcher args, e.g. --select-class dev.multiwait.it.SmokeTest]
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$MW_ROOT/multiwait-tests"
# One report folder per run, so concurrent runs (several developers, one machine) do not mix.
reports=target/wine-reports/run-$$
rm -rf "$reports" && mkdir -p "$reports"
select=(--scan-class-path)
[ $# -gt 0 ] && select=("$@")
set +e
# A pseudo-terminal around wine gives the tests a real console (console-input tests need one).
MW_CMD=(wine "$MW_WIN_JAVA" -Xmx2g ${MW_JAVA_OPTS:-} -Djava.awt.headless=true
  -cp "target/wine-launcher/junit-console.jar;target/test-classes;target/classes;target/wine-lib/*"
  org.junit.platform.console.ConsoleLauncher execute "${select[@]}"
  --config=junit.jupiter.execution.timeout.default="${MW_TEST_TIMEOUT:-180 s}"
  --config=junit.jupiter.execution.timeout.thread.mode.default=SEPARATE_THREAD
  --reports-dir "$reports" --details=tree --disable-banner --disable-ansi-colors --fail-if-no-tests)
# A wide terminal keeps the launcher's lines whole in CI logs.
timeout "${MW_WINE_TEST_TIMEOUT:-1500}" script -qefc "stty cols 250 2>/dev/null; $(printf '%q ' "${MW_CMD[@]}")" /dev/null < /dev/null
rc=$?
set -e
xml="$reports/TEST-junit-jupiter.xml"
if [ ! -f "$xml" ]; then
  echo "wine-tests: no report written (exit $rc)" >&2
  exit 1
fi
tests=$(grep -o 'tests="[0-9]*"' "$xml" | head -n1 | tr -dc 0-9)
failures=$(grep -o 'failures="[0-9]*"' "$xml" | head -n1 | tr -dc 0-9)
errors=$(grep -o 'errors="[0-9]*"' "$xml" | head -n1 | tr -dc 0-9)
echo "wine-tests: $tests run, $((failures + errors)) failed (exit $rc)"
[ "$rc" -eq 0 ] && [ "${tests:-0}" -gt 0 ] && [ $((failures + errors)) -eq 0 ]
