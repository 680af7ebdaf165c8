#!/usr/bin/env bash
# The demo on the running kernel: compile a CO-RE program with clang, look at it and at the kernel's BTF with
# bpfsharp, resolve its relocations against this kernel, then run execsnoop (C# host, CO-RE BPF object loaded by
# BpfSharp) while a few commands run. Verbs this build of bpfsharp does not have yet are reported and skipped;
# add a new one with one more `demo_step` line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
out=artifacts/demo
mkdir -p "$out"
vmlinux=/sys/kernel/btf/vmlinux
example=examples/task-parent
obj=$out/task_parent.bpf.o

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

say "Compile $example/task_parent.bpf.c (CO-RE: BPF_CORE_READ(task, real_parent, tgid))"
bpftool btf dump file "$vmlinux" format c >"$out/vmlinux.h"
echo "\$ clang-19 -O2 -g -target bpf -c $example/task_parent.bpf.c -o $obj"
clang-19 -O2 -g -target bpf -I"$out" -c "$example/task_parent.bpf.c" -o "$obj"

say "bpfsharp btf dump file $vmlinux format c | head"
if has_verb btf dump; then
  if "$bpfsharp" btf dump file "$vmlinux" format c >"$out/vmlinux.bpfsharp.h" 2>"$out/format-c.err"; then
    head -n 20 "$out/vmlinux.bpfsharp.h"
    if cmp -s "$out/vmlinux.h" "$out/vmlinux.bpfsharp.h"; then
      echo "... $(wc -l <"$out/vmlinux.h") lines, byte-identical to 'bpftool btf dump file $vmlinux format c'"
    else
      echo "... differs from bpftool's vmlinux.h: diff $out/vmlinux.h $out/vmlinux.bpfsharp.h"
    fi
  else
    echo "(format c not available in this build: $(head -n 1 "$out/format-c.err"))"
  fi
  say "bpfsharp btf dump file $vmlinux (raw, bpftool's format) vs bpftool"
  "$bpfsharp" btf dump file "$vmlinux" >"$out/vmlinux.raw.bpfsharp"
  bpftool btf dump file "$vmlinux" >"$out/vmlinux.raw.bpftool"
  if cmp -s "$out/vmlinux.raw.bpfsharp" "$out/vmlinux.raw.bpftool"; then
    echo "$(wc -l <"$out/vmlinux.raw.bpftool") lines, byte-identical to bpftool"
  else
    echo "differs from bpftool: diff $out/vmlinux.raw.bpftool $out/vmlinux.raw.bpfsharp"
  fi
else
  echo "(skipped: 'bpfsharp btf dump' is not in this build yet)"
fi

demo_step "The object: sections, programs, maps" obj show "$obj"
demo_step "Its CO-RE relocations (libbpf's spec syntax)" obj relocs "$obj"

demo_step "CO-RE against the running kernel, explained" core explain "$obj"
demo_step "The same decisions in libbpf's debug-log format" core relocate "$obj" --log
old_kernel=../shared/kernels/ci-5.13.2.btf.gz
if [[ -f $old_kernel ]]; then
  demo_step "The same object against a 5.13 kernel's BTF: other offsets, same program" core explain "$obj" --target "$old_kernel"
fi

say "execsnoop in C#: a CO-RE program loaded by BpfSharp's own loader, one line per exec via a ring buffer"
if [[ $(id -u) -ne 0 ]]; then
  echo "(skipped: loading needs root or CAP_BPF)"
  say "Done"
  exit 0
fi
quiet "$out/execsnoop-build.log" dotnet build examples/execsnoop/execsnoop.csproj -c Release
echo "\$ execsnoop --duration 6   (while this script runs a few commands)"
dotnet examples/execsnoop/bin/Release/net10.0/execsnoop.dll --duration 6 &
snoop=$!
sleep 3
/bin/true; uname -r >/dev/null; ls / >/dev/null; /bin/echo hello from the demo >/dev/null
(exec /no/such/binary 2>/dev/null) || true
wait "$snoop"
say "Done"
