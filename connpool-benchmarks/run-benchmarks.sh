#!/usr/bin/env bash
# Runs every benchmark of issue 12 in one go, writes the results to connpool-benchmarks/results/ and regenerates
# docs/benchmarks.png and docs/benchmarks.md from them.
#
#   connpool-benchmarks/run-benchmarks.sh [quick|full] [JMH arguments, e.g. a benchmark regex]
#   connpool-benchmarks/run-benchmarks.sh report [quick|full]   (regenerate the docs from the saved results only)
#
#   quick  JMH -f 1 -wi 2 -w 1s -i 3 -r 1s, CPU-time rounds of 0.5 s      (about 10 minutes; development, noisy)
#   full   JMH -f 2 -wi 3 -w 2s -i 5 -r 2s, CPU-time rounds of 1 s x 5    (about 50 minutes; published numbers)
#
# One run does, in order (each step's command is printed and listed in docs/benchmarks.md):
#   1. JMH, every benchmark but the virtual-thread and alternation ones, with -prof gc -> results/<mode>.json
#   2. JMH VirtualThreadBenchmark on VT_JAVA (JDK 21+)                      -> results/<mode>-virtual-threads.json
#   3. PairedRuns: the echo target (connpool / dedicated socket) again, as interleaved single-fork pairs
#      A B, B A, ... (8 in full mode), so that a drift of the machine between forks cancels
#                                                                           -> results/<mode>-side.jsonl
#   3b. AlternatingIterations: the echo target once more, both sides in one JVM taking turns by iteration
#      (25 pairs in each of 4 JVMs in full mode), and its A/A control (the dedicated socket against itself);
#      the report takes the target from it                                 -> results/<mode>-side.jsonl
#   4. CpuTimePerCycle: CPU ns per cycle (each pool, 1/8/32 threads) and per echo round trip (pools, dedicated
#      sockets, each read-timeout option)                                  -> results/<mode>-side.jsonl
#   5. TimeoutCheck: each read-timeout option still fires within its bound  -> results/<mode>-side.jsonl
#   6. JFR of the connpool and HikariCP cycles and of connpool's echo, summarised by JfrSummary
#                                                                           -> results/<mode>-profile.md
#   7. ChartGenerator -> docs/benchmarks.png, results/<mode>-report.md; then docs/benchmarks.md
# Benchmarks also append side results (tail-latency percentiles) to results/<mode>-side.jsonl.
#
# With JMH arguments (a subset), steps 3-6 are skipped unless EXTRAS=1.
#
# Environment:
#   JAVA        java for everything but the virtual-thread benchmark (default: java on PATH)
#   VT_JAVA     JDK 21+ java for VirtualThreadBenchmark (default: /usr/lib/jvm/temurin-25-jdk-amd64/bin/java)
#   SKIP_BUILD  1 to use the jar already in connpool-benchmarks/target
#   EXTRAS      0 to skip steps 3-6, 1 to force them
#   CONDITIONS  a sentence for docs/benchmarks.md about the machine's state (e.g. "quiet: nothing else running")
set -euo pipefail

mode="${1:-quick}"
shift || true
run=1
if [[ "$mode" == report ]]; then
  run=0
  mode="${1:-quick}"
  shift || true
fi
case "$mode" in
  quick) opts=(-f 1 -wi 2 -w 1s -i 3 -r 1s); cpu=(rounds=2 millis=500); jfr_opts=(-f 1 -wi 1 -w 2s -i 2 -r 3s)
         paired=(pairs=2 warmups=2 warmupMillis=1000 iterations=3 iterationMillis=1000)
         alternating=(forks=1 pairs=3 warmups=2 iterationMillis=500) ;;
  full)  opts=(-f 2 -wi 3 -w 2s -i 5 -r 2s); cpu=(rounds=5 millis=1000); jfr_opts=(-f 1 -wi 2 -w 2s -i 3 -r 5s)
         paired=(pairs=8 warmups=3 warmupMillis=2000 iterations=5 iterationMillis=2000)
         alternating=(forks=4 pairs=25 warmups=6 iterationMillis=1000) ;;
  *) echo "usage: $0 [quick|full|report [quick|full]] [JMH arguments...]" >&2; exit 2 ;;
esac
extras="${EXTRAS:-$([[ $# -gt 0 ]] && echo 0 || echo 1)}"

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="$here/target/benchmarks.jar"
results="$here/results"
java_bin="${JAVA:-java}"
vt_java="${VT_JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
mkdir -p "$results" "$root/docs"

main_json="$results/$mode.json"
vt_json="$results/$mode-virtual-threads.json"
side="$results/$mode-side.jsonl"
profile_md="$results/$mode-profile.md"
jfr_dir="$root/connpool-benchmarks/target/jfr-$mode"
commands="$results/$mode.commands"
rel() { echo "${1#"$root"/}"; }

side_property=connpool.bench.side
main_cmd=("$java_bin" "-D$side_property=$side" -jar "$jar" -e VirtualThreadBenchmark -e EchoAlternationBenchmark
  "${opts[@]}" -prof gc -rf json -rff "$main_json" "$@")
vt_cmd=("$vt_java" "-D$side_property=$side" -jar "$jar" VirtualThreadBenchmark "${opts[@]}" -prof gc -rf json
  -rff "$vt_json" "$@")
cpu_main=("$java_bin" -cp "$jar" io.connpool.benchmarks.CpuTimePerCycle)

step() {
  echo ">> $*"
  echo "$*" | sed "s#$root/##g" >> "$commands"
  "$@"
}

if [[ $run == 1 ]]; then
  started=$(date +%s)
  if [[ "${SKIP_BUILD:-0}" != 1 || ! -f "$jar" ]]; then
    (cd "$root" && ./mvnw -B -q -pl connpool-benchmarks -am package -DskipTests)
  fi
  rm -f "$side" "$commands"
  step "${main_cmd[@]}"
  if [[ -x "$vt_java" ]]; then
    step "${vt_cmd[@]}"
  else
    echo "!! $vt_java not found: VirtualThreadBenchmark skipped (set VT_JAVA to a JDK 21+ java)" >&2
    rm -f "$vt_json"
  fi
  if [[ $extras == 1 ]]; then
    step "$java_bin" -cp "$jar" io.connpool.benchmarks.PairedRuns benchmark=EchoBenchmark.roundTrip param=impl \
      a=connpool b=dedicated "${paired[@]}" "json=$side"
    for a in connpool dedicated; do
      step "$java_bin" -cp "$jar" io.connpool.benchmarks.AlternatingIterations "a=$a" b=dedicated \
        "${alternating[@]}" "json=$side"
    done
    for threads in 1 8 32; do
      for impl in connpool hikaricp commons-pool2 concurrentbag; do
        step "${cpu_main[@]}" "impl=$impl" size=8 "threads=$threads" "${cpu[@]}" op=cycle "json=$side"
      done
    done
    for impl in dedicated dedicated-read-timeout connpool connpool-no-read-timeout hikaricp commons-pool2 \
        rt:none-channel rt:none-plain rt:so-timeout-channel rt:so-timeout-plain rt:watchdog-queue \
        rt:watchdog-sweep rt:watchdog-sweep-coarse rt:selector; do
      step "${cpu_main[@]}" "impl=$impl" size=8 threads=8 "${cpu[@]}" op=echo "json=$side"
    done
    # a failed check is reported in the docs, not fatal to the run
    step "$java_bin" -cp "$jar" io.connpool.benchmarks.readtimeout.TimeoutCheck timeoutMillis=200 connections=8 \
      rounds=3 "json=$side" || echo "!! a read-timeout option failed its check (see the report)" >&2
    rm -rf "$jfr_dir" "$jfr_dir.log"
    : > "$profile_md"
    for target in "CycleBenchmark.threads08 impl=connpool" "CycleBenchmark.threads08 impl=hikaricp" \
        "EchoBenchmark.roundTrip impl=connpool"; do
      read -r bench param <<< "$target"
      out="$jfr_dir/$bench-${param#impl=}"
      step "$java_bin" -jar "$jar" "$bench\$" -p "$param" "${jfr_opts[@]}" -prof "jfr:dir=$out" >> "$jfr_dir.log" 2>&1
      "$java_bin" -cp "$jar" io.connpool.benchmarks.report.JfrSummary --top 12 --title "$bench, ${param#impl=}" \
        "$out" >> "$profile_md"
      echo >> "$profile_md"
    done
  fi
  date -u '+%Y-%m-%d %H:%M UTC' > "$results/$mode.date"
  echo "${CONDITIONS:-}" > "$results/$mode.conditions"
  echo $(( ($(date +%s) - started) / 60 )) > "$results/$mode.minutes"
fi
run_date="$(cat "$results/$mode.date" 2>/dev/null || date -u '+%Y-%m-%d %H:%M UTC')"
conditions="$(cat "$results/$mode.conditions" 2>/dev/null || true)"
minutes="$(cat "$results/$mode.minutes" 2>/dev/null || echo '?')"

inputs=("$main_json")
[[ -f "$vt_json" ]] && inputs+=("$vt_json")
[[ -f "$side" ]] && inputs+=("$side")
"$java_bin" -cp "$jar" io.connpool.benchmarks.report.ChartGenerator \
  --png "$root/docs/benchmarks.png" --md "$results/$mode-report.md" "${inputs[@]}"

{
  echo "# Benchmarks"
  echo
  echo "Generated by \`connpool-benchmarks/run-benchmarks.sh $mode\`, measured on $run_date; the run took about"
  echo "$minutes minutes of wall time."
  if [[ "$mode" == quick ]]; then
    echo
    echo "**Quick setting: one fork, 3 short iterations. Indicative only; error bars are wide.**"
  fi
  if [[ -n "$conditions" ]]; then
    echo
    echo "**Conditions: ${conditions}**"
  fi
  echo
  echo "![ratios]($(basename "$root/docs/benchmarks.png"))"
  echo
  echo "## What is measured"
  echo
  echo "All sockets are real loopback TCP connections to echo servers inside the benchmark JVM (\`EchoServers\`);"
  echo "every pool is filled before measuring, and a benchmark fails if a pool dialed while measuring. Peers:"
  echo "HikariCP's full pool (\`HikariDataSource.getConnection()\`/\`close()\` over a stub JDBC data source whose"
  echo "connections are one real loopback socket each; fixed pool, leak detection off, its default validation),"
  echo "HikariCP's bare \`ConcurrentBag\` holding the same sockets with no pool features, commons-pool2"
  echo "\`GenericObjectPool\` (maxTotal = pool size, no validation, no evictor), and a dedicated socket per thread."
  echo "Every peer waits up to 5 s; all hold the socket type \`Dialer.tcp()\` makes (a \`SocketChannel\` socket)."
  echo
  echo "| benchmark | what one operation is |"
  echo "|---|---|"
  echo "| \`CycleBenchmark\` | acquire + release; pool of 8 to one server; 1, 8, 32 threads |"
  echo "| \`EchoBenchmark\` | acquire, write 64 B, read the 64 B echo, release; 8 threads, pool of 8; vs a socket per thread |"
  echo "| \`EchoAlternationBenchmark\` | the same round trip, connpool and a socket per thread in one JVM taking turns by iteration (step 3b reads its iterations one by one; not in the main pass) |"
  echo "| \`ReadTimeoutBenchmark\` | a 64 B echo on a socket per thread, 8 threads, reads bounded by 30 s in each of the ways prototyped |"
  echo "| \`TailLatencyBenchmark\` | acquire, hold 20 µs (busy), release; 32 threads over 8 connections; every acquire's latency recorded |"
  echo "| \`ScrapeBenchmark\` | one Prometheus scrape of \`ConnPoolMetrics\` for a pool of 100 or 1,000 servers |"
  echo "| \`ServerListChangeBenchmark\` | 8 threads borrow from 1,000 servers while a ninth applies 100 additions + 100 removals |"
  echo "| \`ManyServersBenchmark\` | connpool acquire + release over 1, 100, 1,000 servers, 1 connection each, 1 thread |"
  echo "| \`RateLimiterBenchmark\` | connpool acquire + release with \`maxRps\` 1,000,000,000 (never binds) vs 0 (no limiter) |"
  echo "| \`TlsBorrowBenchmark\` | connpool acquire + release over TLS (generated certificate), 8 threads, no dial |"
  echo "| \`PrimitivesBenchmark\` | one clock read, CAS, \`LongAdder\` increment, volatile store, listener loop |"
  echo "| \`VirtualThreadBenchmark\` | one acquire + release of 2,000 virtual threads x 50 each over 50 connections (JDK 21+) |"
  echo
  echo "Allocation is JMH's \`-prof gc\` \`gc.alloc.rate.norm\` (bytes per operation) at steady state."
  echo
  echo "## Machine"
  echo
  echo '```'
  echo "\$ nproc"
  nproc
  echo "\$ lscpu | grep -E 'Model name|^CPU\\(s\\)|Thread|Hypervisor|L2|L3'"
  lscpu | grep -E 'Model name|^CPU\(s\)|Thread|Hypervisor|L2|L3' || true
  echo "\$ cat /sys/devices/system/clocksource/clocksource0/current_clocksource"
  cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown
  echo '```'
  echo
  echo "## JDK"
  echo
  echo '```'
  echo "\$ $java_bin -version"
  "$java_bin" -version 2>&1
  if [[ -f "$vt_json" ]]; then
    echo "\$ $vt_java -version   # VirtualThreadBenchmark only"
    "$vt_java" -version 2>&1
  fi
  echo '```'
  echo
  echo "## Commands"
  echo
  echo "One command ran everything: \`connpool-benchmarks/run-benchmarks.sh $mode\`. It ran, in order:"
  echo
  echo '```'
  cat "$commands" 2>/dev/null || echo "(not recorded)"
  echo "java -cp connpool-benchmarks/target/benchmarks.jar io.connpool.benchmarks.report.ChartGenerator --png docs/benchmarks.png --md $(rel "$results/$mode-report.md") $(for f in "${inputs[@]}"; do rel "$f"; done | tr '\n' ' ')"
  echo '```'
  echo
  echo "Raw results: $(for f in "${inputs[@]}"; do echo -n "\`$(rel "$f")\` "; done)"
  echo
  echo "## Results"
  echo
  cat "$results/$mode-report.md"
  if [[ -s "$profile_md" ]]; then
    echo
    echo "## Where the time goes (profiles of this run)"
    echo
    echo "JFR execution samples (JMH \`-prof jfr\`, samples at any instruction, inlined frames kept) of three"
    echo "benchmarks, by the part of the code the innermost frame is in. A clock read is an intrinsic: it shows"
    echo "as the pool's own line that reads the clock, so read it with the primitives' prices above (ns per"
    echo "\`System.nanoTime()\`, CAS, \`LongAdder\`, listener loop) times how many of each one cycle does."
    echo
    cat "$profile_md"
  fi
  if [[ -f "$root/docs/benchmarks-notes.md" ]]; then
    echo
    cat "$root/docs/benchmarks-notes.md"
  fi
} > "$root/docs/benchmarks.md"
echo ">> wrote $(rel "$root/docs/benchmarks.md"), $(rel "$root/docs/benchmarks.png"), $(rel "$results/$mode-report.md")"
