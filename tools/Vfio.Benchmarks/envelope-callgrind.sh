#!/usr/bin/env bash
# Instructions per byte of each envelope case, counted by valgrind's callgrind (repeatable, unlike times on a shared
# machine). For each case X and two sizes N1 < N2 it runs `envelope N --only X` and `envelope N --only none` (the
# same set-up, no case) and reports ((X - none) at N2 - (X - none) at N1) / (N2 - N1) bytes: the set-up, the runtime
# start and the JIT cancel out. Tiered compilation is off so each method is compiled once, fully optimised.
# Usage: tools/Vfio.Benchmarks/envelope-callgrind.sh [N1=8] [N2=40] [chunk KiB=1024]
set -euo pipefail
n1=${1:-8}
n2=${2:-40}
chunk=${3:-1024}
root=$(cd "$(dirname "$0")/../.." && pwd)
dotnet build -c Release "$root/tools/Vfio.Benchmarks" >/dev/null
dll="$root/tools/Vfio.Benchmarks/bin/Release/net10.0/Vfio.Benchmarks.dll"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export DOTNET_TieredCompilation=0 DOTNET_TieredPGO=0 DOTNET_gcServer=0

ir() { # case size -> instruction count
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" dotnet "$dll" envelope "$2" --chunk "$chunk" --only "$1" \
        >/dev/null 2>"$out/log" || { cat "$out/log" >&2; exit 1; }
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$out/log"
}

none1=$(ir none "$n1")
none2=$(ir none "$n2")
echo "| case | instructions per byte |"
echo "|---|---|"
for c in memcpy crc write read copyto; do
    a=$(ir "$c" "$n1")
    b=$(ir "$c" "$n2")
    awk -v a="$a" -v b="$b" -v z1="$none1" -v z2="$none2" -v d=$(( (n2 - n1) << 20 )) -v c="$c" \
        'BEGIN { printf "| %s | %.3f |\n", c, ((b - z2) - (a - z1)) / d }'
done
