#!/usr/bin/env bash
# Runs the library's Linux unit tests once more on Java 25 (the build targets 17; stage 1 runs them
# on the default JDK), when a Java 25 JDK is on this machine: MW_JDK25 or /usr/lib/jvm/*25*.
set -euo pipefail
source "$(dirname "$0")/env.sh"
jdk="${MW_JDK25:-}"
if [ -z "$jdk" ]; then
  for d in /usr/lib/jvm/*25*; do [ -x "$d/bin/javac" ] && jdk="$d" && break; done
fi
if [ -z "$jdk" ] || [ ! -x "$jdk/bin/javac" ]; then
  echo "unit-tests-jdk25: SKIPPED, no Java 25 JDK found (set MW_JDK25)"
  exit 0
fi
log="$MW_ROOT/target/maven-jdk25.log"
mkdir -p "$MW_ROOT/target"
# its own build directory, so stage 1's output (used by the Wine stage) stays as it was
if ! (cd "$MW_ROOT" && JAVA_HOME="$jdk" mvn -B -pl multiwait test -Dmw.buildDir=target/jdk25 >"$log" 2>&1); then
  grep -E "Tests run:|ERROR|FAIL" "$log" | head -n 40
  echo "unit-tests-jdk25: failed on $jdk (full log: $log)"; exit 1
fi
echo "unit-tests-jdk25 ($("$jdk/bin/java" -version 2>&1 | head -n1)): $(grep -E "^\[(INFO|WARNING)\] Tests run:" "$log" | tail -n 1 | sed 's/^\[[A-Z]*\] //')"
