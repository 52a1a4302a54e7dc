#!/usr/bin/env bash
# Start-up of `vfioctl list` on an emulated host: JIT (dotnet vfioctl.dll) vs ReadyToRun (self-contained), and
# mdevctl list for reference (it reads the real /sys). Figures go to docs/benchmarks.md, "CLI start-up".
# Usage: tools/vfioctl/startup-benchmark.sh [runs=20]
set -euo pipefail
runs=${1:-20}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/vfioctl-startup.XXXXXX)
trap 'rm -rf "$work"' EXIT

dotnet publish "$repo/tools/vfioctl" -c Release -o "$work/jit" >/dev/null
dotnet publish "$repo/tools/vfioctl" -c Release -r linux-x64 -p:PublishReadyToRun=true --self-contained -o "$work/r2r" >/dev/null
dotnet "$work/jit/vfioctl.dll" demo --root "$work/hosts" >/dev/null 2>&1
root="$work/hosts/host-a"

# Prints the median and the minimum wall time in milliseconds of $runs runs of the command (after one warm-up).
measure() {
    "$@" >/dev/null 2>&1 || true
    local times=()
    for _ in $(seq "$runs"); do
        local start end
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        times+=($(( (end - start) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median %.1f ms, min %.1f ms (%d runs)\n", a[int((NR+1)/2)]/1000, a[1]/1000, NR}'
}

echo "jit  (dotnet vfioctl.dll list): $(measure dotnet "$work/jit/vfioctl.dll" --emulated "$root" list)"
echo "r2r  (vfioctl list, self-contained ReadyToRun): $(measure "$work/r2r/vfioctl" --emulated "$root" list)"
if command -v mdevctl >/dev/null; then
    echo "mdevctl list: $(measure mdevctl list)"
fi
