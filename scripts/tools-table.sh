#!/usr/bin/env bash
# Sizes of the tools in examples/tools, ours (the C# BPF half, compiled by BpfSharp) against the C twin (clang-19):
# per program, the object's instructions, the kernel's xlated and JIT-ed sizes and the verifier's processed
# instruction count (bpftool prog show: verified_insns). Both objects are loaded with bpftool (libbpf), pinned
# under a private bpffs directory and unpinned again. Needs root, clang-19, bpftool, llvm-19 and a Release build
# of the tools (dotnet build examples/tools/NAME -c Release). Prints a Markdown table.
# Usage: scripts/tools-table.sh [TOOL...]   (default: every tool with a c/ twin)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
pin_root="/sys/fs/bpf/bpfsharp-tools-table-$$"
cleanup() { rm -rf "$pin_root" "$work"; }
trap cleanup EXIT

tools=("$@")
if [ ${#tools[@]} -eq 0 ]; then
  for dir in "$root"/examples/tools/*/c; do tools+=("$(basename "$(dirname "$dir")")"); done
fi

arch=x86; [ "$(uname -m)" = aarch64 ] && arch=arm64
multiarch="/usr/include/$(uname -m)-linux-gnu"
bpftool btf dump file /sys/kernel/btf/vmlinux format c >"$work/vmlinux.h"
bpfsharp=(dotnet "$root/src/BpfSharp.Cli/bin/Release/net10.0/bpfsharp.dll")

# insns OBJECT SECTION: instructions in a program section (8 bytes each; ld_imm64 counts as two, as the kernel's).
insns() {
  llvm-readelf-19 -S -W "$1" | awk -v s="$2" '$2 == s { print strtonum("0x" $6) / 8 }'
}

# measure OBJECT LABEL: one row per program, loaded and pinned by bpftool.
measure() {
  local obj=$1 label=$2 dir="$pin_root/$label"
  mkdir -p "$dir"
  bpftool prog loadall "$obj" "$dir" >/dev/null
  for pin in "$dir"/*; do
    local info name section xlated jited verified
    info=$(bpftool -j prog show pinned "$pin")
    name=$(basename "$pin")
    xlated=$(jq -r '.bytes_xlated // 0' <<<"$info")
    jited=$(jq -r '.bytes_jited // 0' <<<"$info")
    verified=$(jq -r '.verified_insns // "n/a"' <<<"$info")
    section=$(llvm-objdump-19 -t "$obj" | awk -v n="$name" '$NF == n && $0 ~ / F / { print $(NF-2); exit }')
    echo "$name $(insns "$obj" "$section") $((xlated / 8)) $jited $verified"
  done
  rm -rf "$dir"
}

echo "| tool | program | ours: object insns | clang: object insns | ours: xlated insns | clang: xlated insns | ours: jited bytes | clang: jited bytes | ours: verified insns | clang: verified insns |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
mkdir -p "$pin_root"
for tool in "${tools[@]}"; do
  src="$root/examples/tools/$tool"
  dll="$src/bin/Release/net10.0/$tool.dll"
  [ -f "$dll" ] || { echo "tools-table: $dll missing; build it: dotnet build examples/tools/$tool -c Release" >&2; exit 1; }
  "${bpfsharp[@]}" compile "$dll" -o "$work/$tool.ours.o" >/dev/null
  clang-19 -O2 -g -target bpf -D__TARGET_ARCH_$arch -I "$work" -I "$src/c" -I "$multiarch" -c "$src/c/$tool.bpf.c" -o "$work/$tool.clang.o"
  measure "$work/$tool.ours.o" "$tool-ours" >"$work/ours.txt"
  measure "$work/$tool.clang.o" "$tool-clang" >"$work/clang.txt"
  # Programs pair up in order of appearance: the twins declare them in the same order.
  paste -d' ' "$work/ours.txt" "$work/clang.txt" | while read -r on oi ox oj ov cn ci cx cj cv; do
    echo "| $tool | $on / $cn | $oi | $ci | $ox | $cx | $oj | $cj | $ov | $cv |"
  done
done
