#!/usr/bin/env bash
# Benchmarks of the source document's performance claims (issue 5): Protobuf vs JSON (JMH), gRPC vs
# REST on one inferd server JVM, a ghz cross-check, a real model, and 10,000 concurrent streams.
#   ./bench.sh            full run (~25 min), writes docs/bench/REPORT.md, charts, README-section.md
#   ./bench.sh --quick    smoke run (< 3 min after the build), writes bench/target/bench-quick/
#   ./bench.sh --help     every option (--only PHASES, --report-only, --out DIR, --access-log, ...)
#   ./bench.sh peers [--quick] [--help]   only inferd beside llama-server/llama-bench (bench/target/peers/)
set -euo pipefail

home="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$home/bench/target/inferd-bench.jar"
ghz_version="v0.121.0"
export BENCH_GHZ_VERSION="$ghz_version"

java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'; }

# The newest JDK 21+ : $JAVA_HOME if it qualifies, else the newest under /usr/lib/jvm (as ./inferd).
pick_jdk() {
  local best="" best_v=0 v dir
  for dir in ${JAVA_HOME:-} /usr/lib/jvm/*; do
    [ -x "$dir/bin/javac" ] || continue
    v=$(java_major "$dir") || continue
    [[ "$v" =~ ^[0-9]+$ ]] || continue
    if [ "$v" -ge 21 ] && { [ "$dir" = "${JAVA_HOME:-}" ] || [ "$v" -gt "$best_v" ]; }; then
      best="$dir" best_v="$v"
      [ "$dir" = "${JAVA_HOME:-}" ] && break
    fi
  done
  [ -n "$best" ] || { echo "bench.sh: needs a JDK 21 or newer (none found in \$JAVA_HOME or /usr/lib/jvm)" >&2; exit 1; }
  echo "$best"
}

export JAVA_HOME="$(pick_jdk)"
major=$(java_major "$JAVA_HOME")
[ "$major" -ge 24 ] && export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

main=io.inferd.bench.BenchMain
if [ "${1:-}" = "peers" ]; then main=io.inferd.bench.peers.PeersMain; shift; fi
quick=false
help=false
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;;
    -h|--help) help=true ;;
  esac
done

# llama.cpp for this machine (shared with ./inferd), with llama-server and llama-bench as the peers
# unless the run skips the peers phase (a quick run without it: CI on a cold machine saves their build).
tools=(--tools)
if $quick && [ "${main:-}" != io.inferd.bench.peers.PeersMain ] && [[ " $* " != *peers* ]]; then tools=(); fi
llama_dir="$("$home/engine/native/build-llama.sh" "${tools[@]}")" || exit 1
export INFERD_LLAMA_DIR="$llama_dir"

# Build the bench module (and what it depends on) when missing or when any source changed.
stale() {
  [ -f "$jar" ] || return 0
  [ -n "$(find "$home" -path '*/target' -prune -o -path '*/node_modules' -prune -o -path "$home/.tools" -prune -o \
      \( -name '*.java' -o -name '*.proto' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) \
      -newer "$jar" -print -quit)" ]
}
if stale; then
  echo "bench.sh: building the bench module…" >&2
  mvn=mvn; command -v mvn >/dev/null 2>&1 || mvn="$home/mvnw" # the wrapper's pinned Maven
  (cd "$home" && "$mvn" -q -B -ntp -DskipTests -pl bench -am package) >&2
fi

# ghz, pinned, into the project's tool directory (full mode only: the quick run skips what is missing).
if ! $quick && ! $help && [ ! -x "$home/.tools/go/bin/ghz" ] && command -v go >/dev/null 2>&1; then
  echo "bench.sh: installing ghz $ghz_version into .tools/go/bin…" >&2
  GOBIN="$home/.tools/go/bin" go install "github.com/bojand/ghz/cmd/ghz@$ghz_version" >&2 \
    || echo "bench.sh: could not install ghz; its cross-check will be skipped" >&2
fi

# 10,000 SSE requests need 10,000 sockets in each JVM: use the hard open-files limit, not the soft one
# (the streams phase also shows what REST does at the default soft limit, remembered here).
export BENCH_DEFAULT_NOFILE="$(ulimit -Sn)"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

flags=(--enable-native-access=ALL-UNNAMED)
[ "$major" -ge 24 ] && flags+=(--sun-misc-unsafe-memory-access=allow)
cd "$home"
exec "$JAVA_HOME/bin/java" "${flags[@]}" -Xms1g -Xmx2g ${BENCH_JAVA_OPTS:-} \
  -Djava.awt.headless=true \
  -Dlogback.configurationFile=bench-logback.xml \
  -Dinferd.home="$home" \
  -cp "$jar:$home/bench/target/lib/*" "$main" "$@"
