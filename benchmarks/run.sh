#!/usr/bin/env bash
# Builds the shaded benchmarks.jar and runs JMH with the GC profiler (B/op), writing the results
# and a description of the machine to benchmarks/results/. Arguments are passed to JMH, e.g.
#   benchmarks/run.sh DetectorHotPathBenchmark
#   benchmarks/run.sh 'DetectorHotPathBenchmark.heartbeat$' -p detector=PHI
# Without arguments: the quick suite (about 5 minutes on 2 cores): ours against Pekko and
# Hazelcast, and every detector's heartbeat and heartbeat-then-query.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -eq 0 ]; then
  set -- 'PhiAccrualComparisonBenchmark|DetectorHotPathBenchmark.(heartbeat|heartbeatThenQuery)$' \
    -wi 2 -i 3 -w 1 -r 1
fi
./mvnw -B -q -DskipTests package
mkdir -p benchmarks/results
stamp=$(date -u +%Y-%m-%dT%H%M%SZ)
out=benchmarks/results/jmh-$stamp
{
  echo "date: $stamp"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores"
  echo "jdk: $(java -version 2>&1 | head -1)"
  echo "args: $*"
} > "$out.env"
java -jar benchmarks/target/benchmarks.jar "$@" -prof gc -rf text -rff "$out.txt" | tee "$out.log"
echo "results: $out.txt, machine: $out.env"
