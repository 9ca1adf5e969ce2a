#!/usr/bin/env bash
# Builds the published artifacts (mvn -P release verify, library only) twice, in two fresh copies
# of the tree, and checks that the staged jars and POM are byte-identical.
set -euo pipefail
source "$(dirname "$0")/env.sh"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for run in a b; do
  mkdir -p "$work/$run"
  # the tree as it is now (committed or not), without build output
  (cd "$MW_ROOT" && tar --exclude=target --exclude=.git --exclude=.flattened-pom.xml -cf - .) | tar -xf - -C "$work/$run"
  if ! (cd "$work/$run" && mvn -B -q ${MW_MVN_OPTS:-} -P release -pl multiwait -am verify -Dmaven.test.skip=true >"$work/$run.log" 2>&1); then
    cat "$work/$run.log"; echo "reproducible: build $run failed"; exit 1
  fi
done
staged=multiwait/target/staging-deploy
files=$(cd "$work/a/$staged" && find . -name '*.jar' -o -name '*.pom' | sort)
[ -n "$files" ] || { echo "reproducible: nothing staged"; exit 1; }
for f in $files; do
  cmp "$work/a/$staged/$f" "$work/b/$staged/$f" || { echo "reproducible: $f differs between two builds"; exit 1; }
done
echo "reproducible: $(echo "$files" | wc -l) staged files byte-identical across two builds:" $(echo "$files" | xargs -n1 basename)
