#!/usr/bin/env bash
# Side-by-side performance run: BpfSharp (BenchmarkDotNet, short job) and libbpf (native/btf_bench) on the same
# BTF in the same run, the managed size of a parsed BTF, and whole-process timings of the NativeAOT bpfsharp
# against bpftool with hyperfine. Writes docs/performance.md; raw results go to artifacts/bench/.
#
#   bash scripts/bench.sh [BTF_FILE]                 (default /sys/kernel/btf/vmlinux)
#   bash scripts/bench.sh --report-only [BTF_FILE]   rewrite docs/performance.md from artifacts/bench/
# Environment: BENCH_JOB (BenchmarkDotNet job, default short), NATIVE_ITERATIONS (default 30).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

report_only=no
if [[ ${1:-} == --report-only ]]; then report_only=yes; shift; fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
btf=${1:-/sys/kernel/btf/vmlinux}
export BPFSHARP_BENCH_BTF=$btf
out=artifacts/bench
doc=docs/performance.md
native_iterations=${NATIVE_ITERATIONS:-30}
mkdir -p "$out"

quiet() { # quiet LOG CMD...: run with output in LOG, show its tail on failure
  local log=$1; shift
  "$@" >"$log" 2>&1 || { echo "failed: $*" >&2; tail -n 40 "$log" >&2; exit 1; }
}

if [[ $report_only == no ]]; then
echo "$(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)" >"$out/load.txt"
echo "bench: building" >&2
quiet "$out/deps.log" bash scripts/install-deps.sh
quiet "$out/native-build.log" make -C native
quiet "$out/build.log" dotnet build bench/BpfSharp.Benchmarks -c Release

echo "bench: libbpf (native/btf_bench -n $native_iterations)" >&2
native/build/btf_bench -n "$native_iterations" "$btf" >"$out/native.txt"

echo "bench: BpfSharp (BenchmarkDotNet, short job)" >&2
bench_dll=bench/BpfSharp.Benchmarks/bin/Release/net10.0/BpfSharp.Benchmarks.dll
quiet "$out/bdn.log" dotnet "$bench_dll" --filter '*BtfBenchmarks*' --job "${BENCH_JOB:-short}" \
  --artifacts "$out/bdn" --results-tsv "$out/managed.tsv"
dotnet "$bench_dll" --memory >"$out/memory.txt"

echo "bench: NativeAOT publish and hyperfine" >&2
aot=$out/aot
quiet "$out/aot.log" dotnet publish src/BpfSharp.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$aot"
grep -cE "warning (IL|AOT)[0-9]+" "$out/aot.log" >"$out/aot-warnings.txt" || true
bpfsharp=$aot/bpfsharp

# has_verb GROUP VERB: does this bpfsharp build have the verb?
has_verb() { "$bpfsharp" "$1" --help 2>/dev/null | awk -v verb="$2" '/^Commands:/ {c = 1; next} c && $1 == verb {found = 1} END {exit !found}'; }

: >"$out/hyperfine.md"
if has_verb btf dump; then
  for format in raw c; do
    if ! "$bpfsharp" btf dump file "$btf" format "$format" >"$out/dump.$format" 2>"$out/dump.$format.err"; then
      echo "bench: 'bpfsharp btf dump ... format $format' failed: $(head -n 1 "$out/dump.$format.err")" >&2
      continue
    fi
    bpftool btf dump file "$btf" format "$format" >"$out/dump.$format.bpftool"
    same=$(cmp -s "$out/dump.$format" "$out/dump.$format.bpftool" && echo "identical" || echo "DIFFERENT")
    hyperfine --style none --warmup 2 --runs 10 --export-json "$out/hyperfine.$format.json" \
      --export-markdown "$out/hyperfine.$format.md" \
      -n "bpfsharp (NativeAOT) format $format" "$bpfsharp btf dump file $btf format $format >/dev/null" \
      -n "bpftool format $format" "bpftool btf dump file $btf format $format >/dev/null" >"$out/hyperfine.$format.log" 2>&1
    { cat "$out/hyperfine.$format.md"; echo; echo "Output: $(wc -c <"$out/dump.$format.bpftool") bytes, $same to bpftool's."; echo; } >>"$out/hyperfine.md"
  done
fi

echo "$(date -u +%H:%M:%S) $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/load.txt"
fi

# ---- docs/performance.md ----
value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }
managed() { awk -F'\t' -v k="$1" '$1 == k { print $'"$2"' }' "$out/managed.tsv"; }
human() { awk -v ns="$1" 'BEGIN { if (ns == "") print "n/a"; else if (ns >= 1e6) printf "%.2f ms", ns / 1e6; else if (ns >= 1e3) printf "%.1f µs", ns / 1e3; else printf "%.0f ns", ns }'; }
bytes() { awk -v b="$1" 'BEGIN { if (b == "" || b < 0) print "n/a"; else if (b >= 1048576) printf "%.2f MiB", b / 1048576; else if (b >= 1024) printf "%.1f KiB", b / 1024; else printf "%d B", b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else if (a / b < 0.1) printf "%.2g", a / b; else printf "%.2f", a / b }'; }

row() { # row LABEL MANAGED_METHOD NATIVE_KEY LIBBPF_CALL
  local ours theirs alloc
  ours=$(managed "$2" 2); alloc=$(managed "$2" 3); theirs=$(value "$3" "$out/native.txt")
  echo "| $1 | $(human "$ours") | $(human "$theirs") | **$(ratio "$ours" "$theirs")** | $(bytes "$alloc") | $4 |"
}

cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)
cores=$(nproc)
mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
types=$(value types "$out/native.txt")
file_bytes=$(value file_bytes "$out/native.txt")
libbpf_version=$(dpkg-query -W -f='${Version}' libbpf-dev 2>/dev/null || echo unknown)
bpftool_version=$(bpftool version 2>/dev/null | head -n 1)
dotnet_version=$(dotnet --version)

{
  echo "# Performance"
  echo
  echo "BpfSharp against libbpf and bpftool on the same machine in the same run. Generated by \`bash scripts/bench.sh\`"
  echo "on $(date -u +%Y-%m-%d); the raw results are in \`artifacts/bench/\` after a run."
  echo
  echo "## Machine"
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| CPU | $cpu, $cores cores visible |"
  echo "| memory | $mem |"
  echo "| kernel | $(uname -r) |"
  echo "| BTF | \`$btf\`: $types types, $(bytes "$file_bytes") ($file_bytes bytes) |"
  echo "| .NET | SDK $dotnet_version, BenchmarkDotNet \`--job ${BENCH_JOB:-short}\` (short: 3 warm-ups, 3 iterations, 1 launch), MemoryDiagnoser |"
  echo "| libbpf | $libbpf_version (Debian libbpf-dev, static \`libbpf.a\`, gcc -O2), median of $native_iterations runs |"
  echo "| bpftool | $bpftool_version |"
  echo
  echo "The machine was shared with other build jobs while measuring (load average $(awk '{ printf "%s%s", sep, $2; sep = " → " }' "$out/load.txt" 2>/dev/null)"
  echo "on $cores cores, first value at the start of the run, second at its end), so absolute numbers are noisy and"
  echo "BenchmarkDotNet's error bars are wide (see \`artifacts/bench/bdn/results/\`); the two sides ran back to back"
  echo "on the same BTF."
  echo
  echo "## BTF operations: BpfSharp vs libbpf"
  echo
  echo "Median time per operation. Ratio = BpfSharp / libbpf (below 1: BpfSharp faster)."
  echo
  echo "| operation | BpfSharp | libbpf | ratio | BpfSharp allocated | libbpf call |"
  echo "|---|---:|---:|---:|---:|---|"
  row "parse from memory" ParseMemory parse_memory "\`btf__new\`"
  row "read file + parse" ParseFile parse_file "\`btf__parse\`"
  row "parse + first 20 struct lookups" ParseAndFind20 parse_find20 "\`btf__new\` + 20 × \`btf__find_by_name_kind\`"
  row "20 struct lookups (warm)" Find20Warm find20 "20 × \`btf__find_by_name_kind\`"
  row "lookup of a missing name" FindMissing find_missing "\`btf__find_by_name_kind\`"
  row "walk all types (kind, name, size)" IterateAllTypes iterate "\`btf__type_by_id\`, \`btf_kind\`, \`btf__name_by_offset\`"
  echo
  echo "The 20 structs: $(grep -o '"[a-z_]*"' bench/BpfSharp.Benchmarks/BtfBenchmarks.cs | tr -d '"' | head -n 20 | tr '\n' ' ' | sed 's/ $//')."
  echo
  echo "What is compared:"
  echo
  echo "- **Parse.** libbpf copies the blob, validates every type and builds an id → offset table. BpfSharp's"
  echo "  \`BtfSpec.Parse\` validates every type and builds its offset table over the caller's bytes (zero-copy);"
  echo "  \`BtfSpec.Load\` reads the file into one array first."
  echo "- **Lookups.** libbpf 1.1's \`btf__find_by_name_kind\` scans types from id 1 and stops at the first match; these"
  echo "  well-known structs all sit in the first few thousand ids, so its scans are short, while a missing name"
  echo "  scans all $types types. BpfSharp builds a hash index of names on the first lookup (counted in \"parse +"
  echo "  first 20 lookups\") and then answers in constant time whatever the position."
  echo "- **Walk.** Both read each type record in place and measure each name (\`strlen\` / the span length);"
  echo "  BpfSharp's \`spec[id]\` is a struct view, no allocation."
  echo
  echo "## Managed memory of a parsed BTF"
  echo
  echo "From \`BpfSharp.Benchmarks --memory\`: \`GC.GetTotalAllocatedBytes(precise: true)\` around \`BtfSpec.Load\`, and"
  echo "the settled heap (\`GC.GetTotalMemory(true)\`) with the spec alive, before and after building the name index."
  echo
  echo "| | bytes | vs file size |"
  echo "|---|---:|---:|"
  m_file=$(value file_bytes "$out/memory.txt")
  for key in file_bytes parse_allocated_bytes retained_bytes retained_with_name_index_bytes; do
    v=$(value "$key" "$out/memory.txt")
    case $key in
      file_bytes) label="BTF file";;
      parse_allocated_bytes) label="allocated by \`BtfSpec.Load\` (file read + parse)";;
      retained_bytes) label="retained by the parsed spec";;
      retained_with_name_index_bytes) label="retained with the name index built";;
    esac
    echo "| $label | $v ($(bytes "$v")) | $(ratio "$v" "$m_file")× |"
  done
  echo
  echo "## Whole process: \`bpfsharp\` (NativeAOT) vs \`bpftool\`"
  echo
  if [[ -s $out/hyperfine.md ]]; then
    echo "hyperfine, 2 warm-ups, 10 runs, output to /dev/null. bpfsharp is published with"
    echo "\`dotnet publish src/BpfSharp.Cli -c Release -r linux-x64 -p:PublishAot=true\` ($(cat "$out/aot-warnings.txt" 2>/dev/null || echo "?") AOT/trim warnings)."
    echo
    cat "$out/hyperfine.md"
  else
    echo "Not measured: this build of \`bpfsharp\` has no \`btf dump\` verb yet. \`scripts/bench.sh\` measures it"
    echo "automatically (hyperfine, \`format raw\` and \`format c\` against bpftool) once the verb exists."
    echo
  fi
  echo "## Reproduce"
  echo
  echo '```bash'
  echo "bash scripts/bench.sh                       # everything below, then rewrites this file"
  echo "make -C native && native/build/btf_bench -n $native_iterations $btf"
  echo "dotnet run -c Release --project bench/BpfSharp.Benchmarks -- --filter '*BtfBenchmarks*' --job short"
  echo "dotnet run -c Release --project bench/BpfSharp.Benchmarks -- --memory"
  echo "dotnet publish src/BpfSharp.Cli -c Release -r linux-x64 -p:PublishAot=true -o artifacts/bench/aot"
  echo "hyperfine 'artifacts/bench/aot/bpfsharp btf dump file $btf format raw >/dev/null' \\"
  echo "          'bpftool btf dump file $btf format raw >/dev/null'"
  echo '```'
} >"$doc"
echo "bench: wrote $doc" >&2
