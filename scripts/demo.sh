#!/usr/bin/env bash
# The demo on the running kernel: execsnoop written entirely in C# (examples/execsnoop). bpfsharp compiles its BPF
# half from the .NET assembly (as its build already did, embedding the object), shows the object and its CO-RE relocations, resolves them against this kernel and
# a 5.13 kernel's BTF, and then the tool runs (C# host, BpfSharp loader, ring buffer) while a few commands execute.
# Verbs this build of bpfsharp does not have yet are reported and skipped.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out=artifacts/demo
mkdir -p "$out"
vmlinux=/sys/kernel/btf/vmlinux
example=examples/execsnoop
obj=$out/execsnoop.bpf.o

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
quiet() { # quiet LOG CMD...: run with output in LOG, show its tail on failure
  local log=$1; shift
  "$@" >"$log" 2>&1 || { echo "failed: $*" >&2; tail -n 40 "$log" >&2; exit 1; }
}

bash scripts/install-deps.sh
quiet "$out/build.log" dotnet build src/BpfSharp.Cli/BpfSharp.Cli.csproj -c Release
bpfsharp=src/BpfSharp.Cli/bin/Release/net10.0/bpfsharp

# has_verb GROUP VERB: does this bpfsharp build have the verb? (listed under "Commands:" in the group's help)
has_verb() { "$bpfsharp" "$1" --help 2>/dev/null | awk -v verb="$2" '/^Commands:/ {c = 1; next} c && $1 == verb {found = 1} END {exit !found}'; }

# demo_step "TITLE" GROUP VERB [ARGS...] [| FILTER]: print and run a bpfsharp command if the verb exists.
demo_step() {
  local title=$1; shift
  say "$title"
  if ! has_verb "$1" "$2"; then
    echo "(skipped: 'bpfsharp $1 $2' is not in this build yet)"
    return 0
  fi
  echo "\$ bpfsharp $*"
  "$bpfsharp" "$@"
}

say "Kernel: $(uname -r), BTF $(stat -c %s "$vmlinux") bytes at $vmlinux"

quiet "$out/execsnoop-build.log" dotnet build $example/execsnoop.csproj -c Release
say "Compile the BPF half of execsnoop from C# ($example/Probes.cs: tp_btf programs, maps, [Relocatable] pt_regs and task_struct)"
echo "\$ bpfsharp compile $example/bin/Release/net10.0/execsnoop.dll -o $obj"
"$bpfsharp" compile $example/bin/Release/net10.0/execsnoop.dll -o "$obj"

demo_step "The object: sections, programs, maps" obj show "$obj"
demo_step "Its CO-RE relocations (libbpf's spec syntax)" obj relocs "$obj"

demo_step "CO-RE against the running kernel, explained" core explain "$obj"
demo_step "The same decisions in libbpf's debug-log format" core relocate "$obj" --log
old_kernel=../shared/kernels/ci-5.13.2.btf.gz
if [[ -f $old_kernel ]]; then
  demo_step "The same object against a 5.13 kernel's BTF: other offsets, same program" core explain "$obj" --target "$old_kernel"
fi

say "execsnoop, both halves in C#: the build compiled its BPF half and embedded it; the generated ProbesSkeleton loads it; one line per exec via a ring buffer"
if [[ $(id -u) -ne 0 ]]; then
  echo "(skipped: loading needs root or CAP_BPF)"
  say "Done"
  exit 0
fi
echo "\$ execsnoop --duration 6   (while this script runs a few commands)"
dotnet examples/execsnoop/bin/Release/net10.0/execsnoop.dll --duration 6 &
snoop=$!
sleep 3
/bin/true; uname -r >/dev/null; ls / >/dev/null; /bin/echo hello from the demo >/dev/null
(exec /no/such/binary 2>/dev/null) || true
wait "$snoop"
say "Done"
