#!/usr/bin/env bash
# The full test run: tools, native harnesses, one Release build, then every test in tests/BpfSharp.Tests
# (unit, differential and kernel), then a short run of every fuzz target (scripts/fuzz.sh). Quiet on success: a
# "Fuzz: ..." line, the skipped tests with their reasons, then one last line
# "Tests: N passed, N failed, N skipped". Logs and the TRX file go to artifacts/test/.
# Extra arguments go to `dotnet test`, e.g. `bash scripts/test.sh --filter "FullyQualifiedName~Linux"`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out=artifacts/test
mkdir -p "$out"
rm -f "$out"/*.log "$out"/*.trx

# Runs a step with its output in a log file; on failure prints the log's tail and stops.
step() {
  local name=$1 log=$out/$1.log
  shift
  if ! "$@" >"$log" 2>&1; then
    echo "$name failed: $*" >&2
    echo "---- last lines of $log ----" >&2
    tail -n 60 "$log" >&2
    exit 1
  fi
}

step deps bash scripts/install-deps.sh
# Pinning tests need bpffs; a machine that booted without it gets it mounted here (idempotent).
if [[ $(id -u) -eq 0 ]] && ! grep -q " /sys/fs/bpf bpf " /proc/mounts; then
  mount -t bpf bpf /sys/fs/bpf 2>/dev/null || true
fi
step native make -C native
step build dotnet build BpfSharp.slnx -c Release

# The test step is allowed to fail: we still want the summary.
test_rc=0
dotnet test tests/BpfSharp.Tests/BpfSharp.Tests.csproj -c Release --no-build \
  --logger "trx;LogFileName=tests.trx" \
  --results-directory "$out" "$@" >"$out/test.log" 2>&1 || test_rc=$?
trx=$out/tests.trx

# Every fuzz target for a short while (BPFSHARP_FUZZ_SECONDS, default 30; 0 skips); a finding fails the run.
fuzz_rc=0
fuzz_seconds=${BPFSHARP_FUZZ_SECONDS:-30}
if [[ $fuzz_seconds -gt 0 ]]; then
  bash scripts/fuzz.sh "$fuzz_seconds" >"$out/fuzz.log" 2>&1 || fuzz_rc=$?
  if [[ $fuzz_rc -ne 0 ]]; then
    echo "---- fuzzing failed (full log: $out/fuzz.log) ----" >&2
    tail -n 60 "$out/fuzz.log" >&2
  fi
  grep '^Fuzz:' "$out/fuzz.log" || echo "Fuzz: failed"
fi

# Summary lines look like: "Passed!  - Failed:     0, Passed:    24, Skipped:     0, Total:    24, Duration: ..."
read -r passed failed skipped summaries < <(awk '
  /(Passed|Failed)! +- +Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+/ {
    line = $0
    sub(/.*Failed: +/, "", line); f += line + 0
    sub(/.*Passed: +/, "", $0); p += $0 + 0
    line2 = $0; sub(/.*Skipped: +/, "", line2); s += line2 + 0
    n++
  }
  END { printf "%d %d %d %d\n", p, f, s, n }' "$out/test.log")

if [[ $summaries -eq 0 ]]; then
  echo "dotnet test produced no summary (exit code $test_rc); last lines of $out/test.log:" >&2
  tail -n 80 "$out/test.log" >&2
  echo "Tests: 0 passed, 0 failed, 0 skipped"
  exit 1
fi

if [[ $failed -gt 0 || $test_rc -ne 0 ]]; then
  echo "---- failed tests (full log: $out/test.log) ----" >&2
  # The console logger prints each failure as "  Failed <name> [time]" followed by its message and stack.
  awk '/^  Failed / { show = 1 } /^  (Passed|Skipped) / { show = 0 } show' "$out/test.log" | head -n 200 >&2
fi

if [[ $skipped -gt 0 && -f $trx ]]; then
  echo "Skipped:"
  # TRX: <UnitTestResult ... testName="X" ... outcome="NotExecuted"> ... <Message>reason</Message>
  awk '
    /<UnitTestResult / {
      name = $0; sub(/.*testName="/, "", name); sub(/".*/, "", name)
      skip = ($0 ~ /outcome="NotExecuted"/); reason = ""
    }
    skip && /<Message>/ { reason = $0; sub(/.*<Message>/, "", reason); sub(/<\/Message>.*/, "", reason) }
    skip && (/<\/UnitTestResult>/ || /<UnitTestResult [^>]*\/>/) { printf "  %s: %s\n", name, reason; skip = 0 }
  ' "$trx" | sed -e 's/&quot;/"/g' -e "s/&apos;/'/g" -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&amp;/\&/g'
fi

echo "Tests: $passed passed, $failed failed, $skipped skipped"

[[ $failed -eq 0 && $test_rc -eq 0 && $fuzz_rc -eq 0 ]]
