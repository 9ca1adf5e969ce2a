#!/usr/bin/env bash
# Benchmarks, every contender side by side (BENCHMARKS.md explains the design and holds a full run).
#   scripts/bench.sh [--quick] [--scenario 1|2|3|4|5|6]
# Scenario 1: dispatch cost of the real loop + key table driven from memory (JMH, Linux JVM).
# Scenario 2: pipe pump under Wine: multiwait vs thread-per-stream vs WaitForMultipleObjects vs the
#             native C completion-port probe (and, as a reference, a bare JNA completion-port loop),
#             all reading the same pipes from the same writer process.
# Scenario 3: accept rate over 300 loopback listeners under Wine: multiwait vs the JDK's
#             AsynchronousServerSocketChannel vs a java.nio Selector, the same client load for each.
# Scenario 4: full-duplex relay of checksummed 32 KiB frames under Wine: multiwait vs a JDK NIO.2
#             relay vs two blocking threads per connection.
# Scenario 5: N idle connections (1,000 / 5,000 / 10,000) held by one waiter, a Linux-side client
#             process holding their other ends, then one byte echoed on each in turn: memory per
#             connection, accept, echo and close() times; multiwait vs AsynchronousServerSocketChannel vs a
#             Selector, and multiwait with zero-byte reads off (-Ddev.multiwait.zeroByteReads=false: before).
# Scenario 6: launch rate under Wine: ChildProcess.start vs ProcessBuilder.start vs a bare CreateProcessW
#             through the same JNA seam vs native-probes/bench_launch.c (the same launch in C), one JVM,
#             rounds in rotating order; ChildProcess.start's own share by phase, launches/s from 1 and 4
#             threads, the waiter loop's longest pause while another thread launches 200 children.
# Builds what it needs, prints progress, then the side-by-side tables with medians, spreads, ratios,
# threads, peak memory and the targets met or missed. Raw lines and the report are kept under
# multiwait-bench/target/bench-results/<time>/.
# Full mode: ~15 min on 2 cores; --quick: about 2.5 min (fewer points and repetitions; numbers are
# for a smoke check, not for quoting).
# Knobs (environment): MW_BENCH_STREAMS ("10 100 1000"), MW_BENCH_BYTES (per stream), MW_BENCH_ROUNDS,
# MW_BENCH_WINEPREFIX (default: a prefix of its own, so other Wine work on the machine does not share
# its wineserver); scenario 3: MW_BENCH_LISTENERS (300), MW_BENCH_CONNECTS (per run), MW_BENCH_CLIENTS (4);
# scenario 4: MW_BENCH_FRAMES (each way, per run; 50,000 in full mode).
set -euo pipefail
source "$(dirname "$0")/env.sh"
export WINEPREFIX="${MW_BENCH_WINEPREFIX:-$MW_CACHE/wineprefix-bench}"

quick=0
scenarios="1 2 3 4"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --scenario) shift; scenarios="${1:?--scenario needs 1, 2, 3, 4, 5 or 6}" ;;
    *) echo "usage: scripts/bench.sh [--quick] [--scenario 1|2|3|4|5|6]" >&2; exit 2 ;;
  esac
  shift
done

start=$(date +%s)
elapsed() { local s=$(( $(date +%s) - start )); printf '%02d:%02d' $((s / 60)) $((s % 60)); }
say() { echo "[$(elapsed)] $*"; }

if [ "$quick" -eq 1 ]; then
  streams="${MW_BENCH_STREAMS:-10 100}"
  bytes="${MW_BENCH_BYTES:-1048576}"
  rounds="${MW_BENCH_ROUNDS:-1}"
  warmup=1
  connects="${MW_BENCH_CONNECTS:-600}"; accept_reps=3
  frames="${MW_BENCH_FRAMES:-2000}"; relay_reps=3; warmup_frames=1000
  idle_counts="${MW_BENCH_IDLE:-1000}"
  launch_args=(--launches 5 --rounds 1 --pause-launches 20 --rate-launches 8)
else
  streams="${MW_BENCH_STREAMS:-10 100 1000}"
  bytes="${MW_BENCH_BYTES:-2097152}"
  rounds="${MW_BENCH_ROUNDS:-3}"
  warmup=2
  connects="${MW_BENCH_CONNECTS:-3000}"; accept_reps=5
  frames="${MW_BENCH_FRAMES:-50000}"; relay_reps=1; warmup_frames=2000
  idle_counts="${MW_BENCH_IDLE:-1000 5000 10000}"
  launch_args=(--launches 20 --rounds 3 --pause-launches 200 --rate-launches 40)
fi
listeners="${MW_BENCH_LISTENERS:-300}"
clients="${MW_BENCH_CLIENTS:-4}"
# Every process launch first runs $warmup warmup pumps of 100 streams x 2 MiB (~3,400 reads each, so
# the JIT has compiled the Java contenders' read paths whatever N is; the native one runs them too),
# then the measured runs; short points get more runs per launch, so each has enough samples.
warmup_streams=100
warmup_bytes=2097152
reps_for() {
  if [ "$1" -le 10 ]; then echo 5; elif [ "$1" -le 100 ]; then echo 3; else echo 2; fi
}

# ---- build ----
is_windows && { echo "bench: scenario 2 is written for Wine on Linux; on Windows run PumpMain directly" >&2; }
scripts_dir="$MW_ROOT/scripts"
# setup.sh only when something is missing: it re-fetches the JRE when java.exe lacks an exec bit
# (as npm's tarball leaves it), which would pull the runtime from under a concurrent Wine run.
if ! command -v wine >/dev/null || ! command -v x86_64-w64-mingw32-gcc >/dev/null || ! command -v mvn >/dev/null \
    || [ ! -f "$MW_WIN_JAVA" ]; then
  "$scripts_dir/setup.sh"
fi
bench="$MW_ROOT/multiwait-bench"
mkdir -p "$bench/target"
say "build: mvn package (multiwait, multiwait-bench)"
if ! (cd "$MW_ROOT" && mvn -B -q -DskipTests package -pl multiwait-bench -am) >"$bench/target/bench-build.log" 2>&1; then
  tail -n 40 "$bench/target/bench-build.log"
  echo "bench: build failed (log: $bench/target/bench-build.log)" >&2
  exit 1
fi
native="$bench/target/native"
mkdir -p "$native"
for src in "$MW_ROOT/native-probes/bench_iocp.c" "$MW_ROOT/native-probes/pump_writer.c"; do
  exe="$native/$(basename "${src%.c}").exe"
  if [[ ! -e "$exe" || "$src" -nt "$exe" || "$MW_ROOT/native-probes/probe.h" -nt "$exe" ]]; then
    x86_64-w64-mingw32-gcc -std=c11 -O2 -Wall -o "$exe" "$src" -lws2_32 -lmswsock
  fi
done
if [[ " $scenarios " == *" 6 "* ]]; then
  "$scripts_dir/build-child.sh"
  cp "$MW_ROOT/multiwait-tests/target/mwchild.exe" "$native/"
  src="$MW_ROOT/native-probes/bench_launch.c"
  if [[ ! -e "$native/bench_launch.exe" || "$src" -nt "$native/bench_launch.exe" ]]; then
    x86_64-w64-mingw32-gcc -std=c11 -O2 -Wall -municode -o "$native/bench_launch.exe" "$src"
  fi
fi
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  say "creating the benchmark's own WINEPREFIX $WINEPREFIX (once)"
  wineboot -i >/dev/null 2>&1 || wine wineboot -i >/dev/null 2>&1
  wineserver -w
fi

out="$bench/target/bench-results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
{
  echo "command: scripts/bench.sh$([ "$quick" -eq 1 ] && echo ' --quick') (scenarios: $scenarios)"
  echo "date: $(date)"
  echo "nproc: $(nproc)"
  lscpu | head -n 15
  lscpu | grep -E '^(Hypervisor vendor|L2 cache|L3 cache):' || true
  echo "memory: $(free -g | awk '/^Mem:/ {print $2 " GiB"}')"
  echo "wine: $(wine --version 2>/dev/null)"
  echo "linux jvm: $(java -version 2>&1 | head -n 2 | tr '\n' ' ')"
  wine "$MW_WIN_JAVA" -version >"$out/winjava.txt" 2>&1 || true
  echo "windows jvm (under wine): $(tr -d '\r' <"$out/winjava.txt" | head -n 2 | tr '\n' ' ')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} >"$out/machine.txt"
cat "$out/machine.txt"
echo

cp_linux="$bench/target/classes:$bench/target/bench-lib/*"

# ---- scenario 1 ----
if [[ " $scenarios " == *" 1 "* ]]; then
  say "scenario 1: JMH dispatch benchmark on the Linux JVM$([ "$quick" -eq 1 ] && echo ' (quick)')"
  if ! java -cp "$cp_linux" dev.multiwait.bench.dispatch.DispatchMain $([ "$quick" -eq 1 ] && echo --quick) \
      --log "$out/jmh.log" >"$out/dispatch.txt" 2>"$out/dispatch.err"; then
    tail -n 30 "$out/jmh.log" "$out/dispatch.err" 2>/dev/null
    echo "bench: scenario 1 failed" >&2
    exit 1
  fi
  say "scenario 1: $(grep -c '^BENCH' "$out/dispatch.txt") measurements"
fi

# ---- scenario 2 ----
# jna-iocp is a reference, not a target (the native probe's algorithm in plain Java over JNA): full mode only.
contenders=(multiwait threads wfmo native-iocp)
[ "$quick" -eq 1 ] || contenders+=(jna-iocp)
median=""
run_point() { # contender streams reps; sets $median (MB/s of this launch's runs)
  local c="$1" n="$2" reps="$3" log="$out/pump-$1-$2-$(date +%s%N).txt" rc=0
  # Output to a file, never a pipe: Wine's services inherit it and would hold a pipe open.
  if [ "$c" = native-iocp ]; then
    (cd "$bench" && timeout 1200 wine target/native/bench_iocp.exe --writer target/native/pump_writer.exe \
      --bytes "$bytes" --reps "$reps" --warmup "$warmup" --warmup-streams "$warmup_streams" \
      --warmup-bytes "$warmup_bytes" "$n") >"$log" 2>&1 || rc=$?
  else
    (cd "$bench" && timeout 1200 wine "$MW_WIN_JAVA" -Xmx1g -cp "target/classes;target/bench-lib/*" \
      dev.multiwait.bench.pump.PumpMain --contender "$c" --writer target/native/pump_writer.exe --streams "$n" \
      --bytes "$bytes" --reps "$reps" --warmup "$warmup" --warmup-streams "$warmup_streams" \
      --warmup-bytes "$warmup_bytes") >"$log" 2>&1 || rc=$?
  fi
  tr -d '\r' <"$log" >>"$out/pump.txt"
  if [ "$rc" -ne 0 ] || grep -q '^ERROR' "$log"; then
    tail -n 30 "$log"
    echo "bench: scenario 2 failed: $c, $n streams (exit $rc, log $log)" >&2
    exit 1
  fi
  median=$(tr -d '\r' <"$log" | grep '^BENCH' | grep -v 'rep=warmup' | sed 's/.*mb_per_s=\([0-9.]*\).*/\1/' | sort -n \
    | awk '{v[NR]=$1} END {if (NR) printf "%s", v[int((NR+1)/2)]}')
}
if [[ " $scenarios " == *" 2 "* ]]; then
  : >"$out/pump.txt"
  for ((r = 0; r < rounds; r++)); do
    for n in $streams; do
      reps=$(reps_for "$n")
      line="round $((r + 1))/$rounds, $n streams x $bytes bytes, $reps runs each:"
      for ((i = 0; i < ${#contenders[@]}; i++)); do
        c="${contenders[$(( (i + r) % ${#contenders[@]} ))]}" # rotate the order every round
        run_point "$c" "$n" "$reps"
        line+=" $c $median MB/s;"
      done
      say "scenario 2: $line"
    done
  done
fi

# ---- scenarios 3 and 4 ----
# One fresh Windows JVM per contender per round, order rotated every round; each launch runs a warmup
# first. A contender that fails is reported (BENCHFAIL line, kept in the results) and left out of
# the later rounds; the others go on.
net_run() { # scenario-file contender args...; sets $median and $net_ok
  local file="$1" c="$2" log="$out/$1-$2-$(date +%s%N).txt" rc=0
  shift 2
  (cd "$bench" && timeout 1200 wine "$MW_WIN_JAVA" -Xmx1g -cp "target/classes;target/bench-lib/*" \
    dev.multiwait.bench.net.NetMain --contender "$c" "$@") >"$log" 2>&1 || rc=$?
  tr -d '\r' <"$log" | grep -E '^(BENCH|BENCHFAIL) ' >>"$out/$file.txt" || true
  net_ok=1
  if [ "$rc" -ne 0 ] || grep -q '^BENCHFAIL' "$log"; then
    net_ok=0
    if ! grep -q '^BENCHFAIL' "$log"; then
      echo "BENCHFAIL name=$file contender=$c error=exit_${rc}_(log_${log##*/})" >>"$out/$file.txt"
    fi
    echo "bench: $file: $c failed (exit $rc, log $log):" >&2
    tr -d '\r' <"$log" | grep -v '^\s*at ' | tail -n 8 >&2
  fi
  median=$(tr -d '\r' <"$log" | grep '^BENCH ' | grep -v 'rep=warmup' | sed 's/.*\(mb_per_s\|accepts_per_s\)=\([0-9.]*\).*/\2/' \
    | sort -n | awk '{v[NR]=$1} END {if (NR) printf "%s", v[int((NR+1)/2)]; else printf "-"}') || median="-"
}
net_scenario() { # number file unit contenders... (the args for NetMain come from net_args)
  local num="$1" file="$2" unit="$3"
  shift 3
  local cs=("$@") alive=("$@")
  : >"$out/$file.txt"
  for ((r = 0; r < rounds; r++)); do
    local line="round $((r + 1))/$rounds:"
    for ((i = 0; i < ${#cs[@]}; i++)); do
      local c="${cs[$(( (i + r) % ${#cs[@]} ))]}"
      [[ " ${alive[*]} " == *" $c "* ]] || continue
      net_run "$file" "$c" "${net_args[@]}"
      if [ "$net_ok" -eq 0 ]; then
        local keep=() x
        for x in "${alive[@]}"; do [ "$x" = "$c" ] || keep+=("$x"); done
        alive=("${keep[@]}")
        line+=" $c FAILED;"
      else
        line+=" $c $median $unit;"
      fi
    done
    say "scenario $num: $line"
  done
}
if [[ " $scenarios " == *" 3 "* ]]; then
  say "scenario 3: accept rate, $listeners listeners, $connects connections per run from $clients client threads, $accept_reps runs per launch"
  net_args=(--scenario accept --listeners "$listeners" --connects "$connects" --clients "$clients" --reps "$accept_reps"
    --warmup 1 --warmup-connects "$connects")
  net_scenario 3 accept accepts/s multiwait aio selector
fi
if [[ " $scenarios " == *" 4 "* ]]; then
  say "scenario 4: full-duplex relay, $frames frames of 32 KiB each way per run, $relay_reps runs per launch"
  net_args=(--scenario relay --frames "$frames" --reps "$relay_reps" --warmup 1 --warmup-frames "$warmup_frames")
  net_scenario 4 relay MB/s multiwait nio2 blocking
fi

# ---- scenario 5 ----
idle_run() { # label contender n [windows jvm options...]
  local label="$1" c="$2" n="$3" log="$out/idle-$1-$3.txt" ports="target/idle-ports-$$.txt" rc=0
  shift 3
  rm -f "$bench/$ports"
  # The client ends live in a Linux JVM: Wine sockets are host sockets, so they cost the server nothing.
  (cd "$bench" && exec java -cp "target/classes:target/bench-lib/*" dev.multiwait.bench.net.IdleClient "$ports") \
    >"$out/idle-client-$label-$n.txt" 2>&1 &
  local client=$!
  # A fixed, pre-touched heap: the private bytes that grow are then outside the Java heap.
  (cd "$bench" && timeout 1200 wine "$MW_WIN_JAVA" -Xms1g -Xmx1g -XX:+AlwaysPreTouch "$@" \
    -cp "target/classes;target/bench-lib/*" dev.multiwait.bench.net.IdleMain --contender "$c" --connections "$n" --port-file "$ports") >"$log" 2>&1 || rc=$?
  wait "$client" || rc=$((rc ? rc : 1))
  tr -d '\r' <"$log" | grep -E '^(BENCH|BENCHFAIL) ' | sed "s/contender=$c/contender=$label/" >>"$out/idle.txt" || true
  [ "$rc" -eq 0 ] || echo "bench: scenario 5: $label, $n connections failed (exit $rc, log $log)" >&2
}
if [[ " $scenarios " == *" 5 "* ]]; then
  : >"$out/idle.txt"
  for n in $idle_counts; do
    idle_run multiwait multiwait "$n"
    idle_run multiwait-64k multiwait "$n" -Ddev.multiwait.zeroByteReads=false
    idle_run aio aio "$n"
    idle_run selector selector "$n"
    say "scenario 5: $n idle connections done"
  done
  echo "Scenario 5: idle connections (per connection: library native bytes, private bytes outside the heap)"
  awk '/^BENCH /{for(i=2;i<=NF;i++){split($i,kv,"=");v[kv[1]]=kv[2]}
    printf "%-14s N=%-6s accept %7.2f s  echo %7.2f s  close %6.2f s  lib native %6s B  private %7s B\n",
      v["contender"], v["connections"], v["accept_s"], v["echo_s"], v["close_s"], v["lib_native_b_per_conn"], v["private_b_per_conn"]}
    /^BENCHFAIL /{print}' "$out/idle.txt" | tee "$out/idle-report.txt"
fi

# ---- scenario 6 ----
if [[ " $scenarios " == *" 6 "* ]]; then
  say "scenario 6: launch rate (${launch_args[*]})"
  log="$out/launch-raw.txt"
  rc=0
  (cd "$bench" && timeout 1800 wine "$MW_WIN_JAVA" -Xmx512m -cp "target/classes;target/bench-lib/*" \
    dev.multiwait.bench.launch.LaunchMain --child target/native/mwchild.exe --native target/native/bench_launch.exe \
    "${launch_args[@]}") >"$log" 2>&1 || rc=$?
  tr -d '\r' <"$log" | grep -v '^LAUNCH ' | tee "$out/launch-report.txt"
  [ "$rc" -eq 0 ] || { echo "bench: scenario 6 failed (exit $rc, log $log)" >&2; exit 1; }
fi

# ---- report ----
echo
files=()
[ -f "$out/dispatch.txt" ] && files+=("$out/dispatch.txt")
[ -f "$out/pump.txt" ] && files+=("$out/pump.txt")
[ -f "$out/accept.txt" ] && files+=("$out/accept.txt")
[ -f "$out/relay.txt" ] && files+=("$out/relay.txt")
[ "${#files[@]}" -eq 0 ] || java -cp "$cp_linux" dev.multiwait.bench.Report "${files[@]}" | tee "$out/report.txt"
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"
say "bench: done; raw results and report in ${out#"$MW_ROOT"/}"
