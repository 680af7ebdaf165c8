#!/usr/bin/env bash
# Sizes of the tools in examples/tools, ours (the C# BPF half, compiled by BpfSharp) against the C twin (clang-19):
# per program, the object's instructions, the kernel's xlated and JIT-ed sizes and the verifier's processed
# instruction count (bpftool prog show: verified_insns). Both objects are loaded with bpftool (libbpf), pinned
# under a private bpffs directory and unpinned again. Needs root, clang-19, bpftool, llvm-19 and a Release build
# of the tools (dotnet build examples/tools/NAME -c Release) and of the CLI. Prints a Markdown table.
# Usage: scripts/tools-table.sh [TOOL...]   (default: every tool in examples/tools and example in examples/ with a c/ twin)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
pin_root="/sys/fs/bpf/bpfsharp-tools-table-$$"
cleanup() { rm -rf "$pin_root" "$work"; }
trap cleanup EXIT

tools=("$@")
if [ ${#tools[@]} -eq 0 ]; then
  for dir in "$root"/examples/tools/*/c "$root"/examples/*/c; do [ -d "$dir" ] && tools+=("$(basename "$(dirname "$dir")")"); done
fi

arch=x86; [ "$(uname -m)" = aarch64 ] && arch=arm64
multiarch="/usr/include/$(uname -m)-linux-gnu"
bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$work/vmlinux.h"
bpfsharp=(dotnet "$root/src/BpfSharp.Cli/bin/Release/net10.0/bpfsharp.dll")

gcc -O1 -o "$work/prog_info" "$root/native/prog_info.c" -l:libbpf.a -lelf -lz

# insns OBJECT PROGRAM: the program's instructions in the object (its FUNC symbol's size / 8; ld_imm64 counts as
# two, as in the kernel's count).
insns() {
  llvm-readelf-19 -s -W "$1" | awk -v n="$2" '$4 == "FUNC" && $8 == n { print $3 / 8; exit }'
}

# measure OBJECT LABEL: one row per program ("name object xlated jited verified"), loaded and pinned by bpftool.
measure() {
  local obj=$1 label=$2
  local dir="$pin_root/$label"
  mkdir -p "$dir"
  bpftool prog loadall "$obj" "$dir" >/dev/null
  for pin in "$dir"/*; do
    local name xlated jited verified
    read -r _ xlated jited verified < <("$work/prog_info" "$pin")
    name=$(basename "$pin")
    echo "$name $(insns "$obj" "$name") $((xlated / 8)) $jited $verified"
  done
  rm -rf "$dir"
}

echo "| tool | program | ours: object insns | clang: object insns | ours: xlated insns | clang: xlated insns | ours: jited bytes | clang: jited bytes | ours: verified insns | clang: verified insns |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
mkdir -p "$pin_root"
for tool in "${tools[@]}"; do
  src="$root/examples/tools/$tool"
  [ -d "$src" ] || src="$root/examples/$tool"
  dll="$src/bin/Release/net10.0/$tool.dll"
  [ -f "$dll" ] || { echo "tools-table: $dll missing; build it: dotnet build ${src#$root/} -c Release" >&2; exit 1; }
  "${bpfsharp[@]}" compile "$dll" -o "$work/$tool.ours.o" >/dev/null
  clang-19 -O2 -g -target bpf -D__TARGET_ARCH_$arch -I "$work" -I "$src/c" -I "$root/examples/tools/include" -I "$multiarch" -c "$src/c/$tool.bpf.c" -o "$work/$tool.clang.o"
  measure "$work/$tool.ours.o" "$tool-ours" >"$work/ours.txt"
  measure "$work/$tool.clang.o" "$tool-clang" >"$work/clang.txt"
  # Programs pair up in order of appearance: the twins declare them in the same order.
  paste -d' ' "$work/ours.txt" "$work/clang.txt" | while read -r on oi ox oj ov cn ci cx cj cv; do
    echo "| $tool | $on / $cn | $oi | $ci | $ox | $cx | $oj | $cj | $ov | $cv |"
  done
done
