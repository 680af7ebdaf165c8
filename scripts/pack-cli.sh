#!/usr/bin/env bash
# Packs the bpfsharp .NET tool (BpfSharp.Cli) into FEED as .NET 10 RID-specific tool packages:
#   BpfSharp.Cli              the pointer package `dotnet tool install` reads first
#   BpfSharp.Cli.linux-x64    NativeAOT
#   BpfSharp.Cli.linux-arm64  NativeAOT, cross-compiled on x86-64 with clang-19 and Debian's aarch64 cross
#                             toolchain (scripts/install-deps.sh --cross), or natively on arm64
#   BpfSharp.Cli.any          framework-dependent fallback for every other platform
#
#   bash scripts/pack-cli.sh FEED [RID...]      (default: all of the above; e.g. 'linux-x64 any' for this machine)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
feed=${1:?usage: pack-cli.sh FEED [RID...]}
shift
rids=("$@")
((${#rids[@]} > 0)) || rids=(linux-x64 linux-arm64 any)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
project=src/BpfSharp.Cli

case $(uname -m) in x86_64) host=linux-x64;; aarch64) host=linux-arm64;; *) host=other;; esac

dotnet pack "$project" -c Release -o "$feed"
for rid in "${rids[@]}"; do
  case $rid in
    any) dotnet pack "$project" -c Release -r any -p:PublishAot=false -o "$feed";;
    "$host") dotnet pack "$project" -c Release -r "$rid" -o "$feed";;
    linux-arm64|linux-x64)
      # Cross NativeAOT: ILCompiler links with clang --target=<triple>, which finds Debian's cross gcc runtime
      # and libc (gcc-aarch64-linux-gnu, libc6-dev-arm64-cross / gcc-x86-64-linux-gnu, libc6-dev-amd64-cross);
      # llvm-objcopy-19 splits the symbols of either architecture.
      dotnet pack "$project" -c Release -r "$rid" -p:CppCompilerAndLinker=clang-19 -p:ObjCopyName=llvm-objcopy-19 -o "$feed";;
    *) echo "pack-cli: unsupported RID $rid" >&2; exit 2;;
  esac
done
