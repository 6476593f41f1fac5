#!/usr/bin/env bash
# One run of the target lines (benchmarks/table.py's TARGETS): the JMH benchmarks they need, numpy_bench.py
# (numpy and the raw system-call baselines) and the tables and charts, all from this one run.
#
# Usage: benchmarks/run.sh OUTDIR [--quick] [-- extra JMH args]
#   JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java benchmarks/run.sh out-25      # another JDK
#   BENCHES='CoreOpsBenchmark.(fullLoad|save)' benchmarks/run.sh out                # fewer benchmarks
# Needs benchmarks/target/benchmarks.jar (mvn -B -ntp -q package -DskipTests -pl benchmarks -am) and python3
# with numpy. Writes OUTDIR/jmh-*.json, OUTDIR/numpy.json, OUTDIR/tables.md (targets first), OUTDIR/charts/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: benchmarks/run.sh OUTDIR [--quick] [-- extra JMH args]}"
shift
quick=()
npquick=()
if [[ "${1:-}" == "--quick" ]]; then
  quick=(-wi 1 -i 2 -w 500ms -r 500ms)
  npquick=(--quick)
  shift
fi
[[ "${1:-}" == "--" ]] && shift
java="${JAVA:-java}"
jar="$here/target/benchmarks.jar"
mkdir -p "$out"

jmh() {  # name, JMH args...: one JSON per group, since a -p lib list applies to every benchmark of a command
  local name="$1"
  shift
  "$java" -jar "$jar" "$@" "${quick[@]}" -rf json -rff "$out/jmh-$name.json" >"$out/jmh-$name.log" 2>&1 \
    || { echo "JMH group $name failed, see $out/jmh-$name.log" >&2; exit 1; }
  echo "JMH $name: $(grep -c '"benchmark"' "$out/jmh-$name.json") results" >&2
}

"$java" -version 2>&1 | head -1 >"$out/jdk.txt"
if [[ -n "${BENCHES:-}" ]]; then
  jmh custom "$BENCHES" "$@"
else
  # full load: numpack, the baseline and every Java peer (the target is to beat each)
  jmh load 'CoreOpsBenchmark.fullLoad' "$@"
  # saves and appends: numpack both ways, the java.nio baselines, the fastest savers among the peers
  jmh write 'CoreOpsBenchmark.(save|append100)' \
    -p lib=numpack,numpack-nofsync,filechannel,filechannel-fsync,npy-jetbrains,arrow "$@"
  # checkpoint restore against Model.load, warm and cold (cold drops the files' pages: needs root), and the
  # durable save against one raw write + fsync of the same bytes
  jmh checkpoint 'CheckpointBenchmark.(restore|save)' -p lib=numpack,numpack-weights,djl,raw "$@"
  # a shuffled epoch through NumPackDataset against DJL's ArrayDataset holding the same data
  jmh dataset 'DatasetEpochBenchmark.epoch' -p lib=numpack,arraydataset "$@"
fi
python3 "$here/numpy_bench.py" "${npquick[@]}" --out "$out/numpy.json" 2>"$out/numpy.log"
python3 "$here/table.py" "$out"/jmh-*.json "$out/numpy.json" >"$out/tables.md"
"$java" -cp "$jar" dev.numpack.bench.Charts --out "$out/charts" --title-suffix "$(nproc) vCPU, $(cat "$out/jdk.txt")" \
  "$out"/jmh-*.json "$out/numpy.json" >/dev/null
awk '/^$/ { blank++ } blank < 2' "$out/tables.md"  # the JDK and the target lines
