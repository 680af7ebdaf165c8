#!/usr/bin/env bash
# Installs the native tools the tests, demo and benchmarks use, if any is missing; otherwise does nothing.
# Debian/Ubuntu (apt). Needs root (or sudo) only when something has to be installed.
set -euo pipefail

# mount: losetup, for the loop device biolatency's twin test drives.
# systemtap-sdt-dev: sys/sdt.h, for the USDT test binaries.
packages=(clang-19 llvm-19 bpftool libbpf-dev build-essential libelf-dev zlib1g-dev pkg-config hyperfine iproute2 afl++ time strace linux-libc-dev mount systemtap-sdt-dev)
# The other architecture's gcc runtime and libc, for NativeAOT cross builds of the bpfsharp tool (scripts/pack-cli.sh).
case $(uname -m) in
  x86_64) packages+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross);;
  aarch64) packages+=(gcc-x86-64-linux-gnu libc6-dev-amd64-cross);;
esac
# Files the packages must provide; a package can be "installed" yet broken, and a tool can come from elsewhere.
commands=(clang-19 llvm-objdump-19 llvm-mc-19 llvm-readelf-19 llvm-objcopy-19 bpftool gcc make pkg-config hyperfine ip afl-fuzz /usr/bin/time strace losetup)
headers=(/usr/include/bpf/libbpf.h /usr/include/bpf/bpf_core_read.h /usr/include/libelf.h /usr/include/zlib.h /usr/include/asm-generic/unistd.h /usr/include/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)/sys/sdt.h)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done
for c in "${commands[@]}"; do
  command -v "$c" >/dev/null 2>&1 || { missing+=("(command $c)"); }
done
for h in "${headers[@]}"; do
  [[ -e $h ]] || missing+=("($h)")
done
libbpf_a=no
for f in /usr/lib/*/libbpf.a /usr/lib/libbpf.a /usr/lib64/libbpf.a; do
  [[ -e $f ]] && libbpf_a=yes
done
[[ $libbpf_a == yes ]] || missing+=("(libbpf.a)")

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "install-deps: missing ${missing[*]}; installing ${packages[*]}" >&2
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "install-deps: need root or sudo to install packages" >&2; exit 1; }
  sudo=(sudo)
fi
log=$(mktemp -t bpfsharp-apt.XXXXXX.log)
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}"; } >"$log" 2>&1; then
  echo "install-deps: apt-get failed; last lines of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
rm -f "$log"
