#!/usr/bin/env bash
# Packs every BpfSharp package (Release) into one folder feed: bash scripts/pack.sh [FEED_DIR] (default artifacts/feed).
# The CLI is packed framework-dependent here; its RID-specific native packages are made by the CLI's own pack.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
feed=$(realpath -m "${1:-artifacts/feed}")
shift || true
# Further arguments go to every dotnet pack (e.g. --no-build after a Release build of the solution).
mkdir -p "$feed"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
for project in src/BpfSharp.Core src/BpfSharp.Kernel src/BpfSharp.Linux src/BpfSharp.CoRe.Tools src/BpfSharp.Compiler \
               src/BpfSharp.Compilation src/BpfSharp.Observability src/BpfSharp; do
  dotnet pack "$project" -c Release -o "$feed" -nologo -v quiet "$@"
done
# The templates are not part of the solution build: packed (restored) on their own, whatever the arguments.
dotnet pack templates -c Release -o "$feed" -nologo -v quiet
ls "$feed"
