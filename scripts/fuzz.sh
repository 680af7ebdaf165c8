#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser with SharpFuzz + AFL++ (docs/robustness.md).
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      default: 30 s each, every target
# CI runs the short form; a long run is e.g. `bash scripts/fuzz.sh 14400 btf object` (findings stay in
# artifacts/fuzz/out-TARGET until the next run of that target; BPFSHARP_FUZZ_RESUME=1 resumes from the queue).
# Seeds are what the tests build (ErrorContractTests writes them); each target runs under afl-fuzz for the given
# time; the script fails if any target saved a crash or a hang, replaying each finding on an uninstrumented build to
# print the exception. Per-target executions, coverage and findings go to artifacts/fuzz/stats.tsv.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

seconds=${1:-30}
shift || true
all_targets=(btf object btfext core minbtf csharp assembly loader)
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")

root=$PWD/artifacts/fuzz
mkdir -p "$root"
log=$root/build.log
: >"$log"

command -v afl-fuzz >/dev/null 2>&1 || bash scripts/install-deps.sh

# The instrumenter, pinned like the package (SharpFuzz.CommandLine 2.3.0), installed once into artifacts/tools.
tool=$PWD/artifacts/tools/sharpfuzz
if [[ ! -x $tool ]]; then
  dotnet tool install --tool-path artifacts/tools SharpFuzz.CommandLine --version 2.3.0 >>"$log" 2>&1
fi

# Two builds: an instrumented one for afl-fuzz, a plain one to replay findings (instrumented code faults outside
# SharpFuzz's loop).
rm -rf "$root/bin" "$root/replay"
dotnet build fuzz/BpfSharp.Fuzz -c Release -o "$root/replay" >>"$log" 2>&1
cp -r "$root/replay" "$root/bin"
for a in BpfSharp.Core BpfSharp.CoRe.Tools BpfSharp.Compiler BpfSharp.Linux; do
  "$tool" "$root/bin/$a.dll" >>"$log" 2>&1
done

# Seeds and the fixed context, from what the tests build.
corpus=$root/corpus
if [[ ! -f $corpus/context/object.o ]]; then
  BPFSHARP_FUZZ_SEEDS=$corpus dotnet test tests/BpfSharp.Tests/BpfSharp.Tests.csproj -c Release \
    --filter "FullyQualifiedName~ErrorContractTests" >>"$log" 2>&1
fi
mkdir -p "$corpus/assembly"
cp tests/BpfSharp.Tests/bin/Release/net10.0/BpfSharp.TestPrograms.dll "$corpus/assembly/seed-0" 2>/dev/null \
  || cp "$(find tests/BpfSharp.TestPrograms/bin -name BpfSharp.TestPrograms.dll | head -n1)" "$corpus/assembly/seed-0"

export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1
stats=$root/stats.tsv
[[ -f $stats ]] || printf 'date\ttarget\tseconds\texecs\texecs_per_sec\tcorpus\tedges\tcoverage\tcrashes\thangs\n' >"$stats"
failed=0
for t in "${targets[@]}"; do
  out=$root/out-$t
  input=$corpus/$t
  # Fresh by default (CI, reproducible figures); BPFSHARP_FUZZ_RESUME=1 continues a long run from its queue.
  if [[ ${BPFSHARP_FUZZ_RESUME:-0} == 1 && -d $out/default/queue ]]; then input=-; else rm -rf "$out"; fi
  # AFL++ 4.04c sometimes loses the .NET fork server while calibrating a slow target (the compiler's: ~50 ms per
  # run), before any input is tried. That is no finding: try again (fresh), up to three times, then say so.
  ran=0
  for attempt in 1 2 3; do
    if timeout $((seconds + 120)) afl-fuzz -V "$seconds" -i "$input" -o "$out" -t 10000 -m none \
      -- dotnet "$root/bin/BpfSharp.Fuzz.dll" fuzz "$t" "$corpus/context" >"$root/afl-$t.log" 2>&1; then
      ran=1
      break
    fi
    grep -q "Unable to communicate with fork server" "$root/afl-$t.log" || break
    [[ -z $(find "$out/default/crashes" "$out/default/hangs" -type f -name 'id:*' 2>/dev/null) ]] || break
    [[ ${BPFSHARP_FUZZ_RESUME:-0} == 1 ]] || rm -rf "$out"
  done
  if ((!ran)); then
    if grep -q "Unable to communicate with fork server" "$root/afl-$t.log" &&
       [[ -z $(find "$out/default/crashes" "$out/default/hangs" -type f -name 'id:*' 2>/dev/null) ]]; then
      echo "Fuzz: $t not run: afl-fuzz lost the .NET fork server 3 times before trying an input (no finding)"
      continue
    fi
    echo "fuzz: afl-fuzz failed for $t; last lines of $root/afl-$t.log:" >&2
    tail -n 20 "$root/afl-$t.log" >&2
    failed=1
    continue
  fi
  s=$out/default/fuzzer_stats
  get() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$s"; }
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$seconds" "$(get execs_done)" "$(get execs_per_sec)" \
    "$(get corpus_count)" "$(get edges_found)" "$(get bitmap_cvg)" "$(get saved_crashes)" "$(get saved_hangs)" >>"$stats"
  findings=$(find "$out/default/crashes" "$out/default/hangs" -type f -name 'id:*' 2>/dev/null | sort)
  if [[ -n $findings ]]; then
    failed=1
    echo "fuzz: $t has findings:" >&2
    for f in $findings; do
      echo "  $f" >&2
      timeout 60 dotnet "$root/replay/BpfSharp.Fuzz.dll" replay "$t" "$corpus/context" "$f" 2>&1 | head -n 15 >&2 || true
    done
  fi
done
column -t -s $'\t' "$stats" | tail -n "${#targets[@]}"
if ((failed)); then
  echo "Fuzz: findings or failures (see above)" >&2
  exit 1
fi
echo "Fuzz: ${#targets[@]} targets, ${seconds} s each, no findings"
