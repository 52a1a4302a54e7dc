#!/usr/bin/env bash
# Start-up of `vfioctl list` and `vfioctl types` on an emulated host: NativeAOT, ReadyToRun (self-contained) and JIT
# (dotnet vfioctl.dll), with `mdevctl list` in the same run for reference (it reads the real /sys) and a NativeAOT
# "hello world" as the floor of any native .NET program. Figures go to
# docs/benchmarks.md, "CLI start-up".
# Usage: tools/vfioctl/startup-benchmark.sh [runs=30]
# The commands are timed round-robin (run i of every command, then run i+1), so a change in the machine's load during
# the run weighs on all of them alike; each is run once first as a warm-up. Times are wall time from fork to exit,
# measured in this shell with $EPOCHREALTIME (no process started to read the clock).
set -euo pipefail
runs=${1:-30}
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/vfioctl-startup.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "publishing JIT, ReadyToRun and NativeAOT builds of vfioctl into $work ..." >&2
dotnet publish "$repo/tools/vfioctl" -c Release -o "$work/jit" -nologo -v quiet >/dev/null
dotnet publish "$repo/tools/vfioctl" -c Release -r linux-x64 -p:PublishReadyToRun=true --self-contained -o "$work/r2r" -nologo -v quiet >/dev/null
dotnet publish "$repo/tools/vfioctl" -c Release -r linux-x64 -p:PublishAot=true -o "$work/aot" -nologo -v quiet >/dev/null
# The same native build linked at a fixed address (no PIE: no relocations at start, but no randomised image), for comparison.
dotnet publish "$repo/tools/vfioctl" -c Release -r linux-x64 -p:PublishAot=true -p:PositionIndependentExecutable=false \
    --artifacts-path "$work/nopie-artifacts" -o "$work/aot-nopie" -nologo -v quiet >/dev/null
# The floor: a NativeAOT "hello world" built by the same SDK (runtime start-up, a console write, exit), so each run
# shows how much of a native vfioctl's time any NativeAOT program pays.
mkdir -p "$work/hello-src"
cat >"$work/hello-src/hello.csproj" <<'PROJECT'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <InvariantGlobalization>true</InvariantGlobalization>
  </PropertyGroup>
</Project>
PROJECT
echo 'System.Console.WriteLine("hello");' >"$work/hello-src/Program.cs"
dotnet publish "$work/hello-src" -c Release -r linux-x64 -p:PublishAot=true -o "$work/hello" -nologo -v quiet >/dev/null
dotnet "$work/jit/vfioctl.dll" demo --root "$work/hosts" >/dev/null 2>&1
root="$work/hosts/host-a"

names=()
commands=()
add() { names+=("$1"); shift; commands+=("$*"); }
add "aot list" "$work/aot/vfioctl" --emulated "$root" list
add "aot types" "$work/aot/vfioctl" --emulated "$root" types
add "aot-nopie list" "$work/aot-nopie/vfioctl" --emulated "$root" list
add "aot-nopie types" "$work/aot-nopie/vfioctl" --emulated "$root" types
add "r2r list" "$work/r2r/vfioctl" --emulated "$root" list
add "r2r types" "$work/r2r/vfioctl" --emulated "$root" types
add "jit list" dotnet "$work/jit/vfioctl.dll" --emulated "$root" list
add "jit types" dotnet "$work/jit/vfioctl.dll" --emulated "$root" types
add "aot hello world" "$work/hello/hello"
if command -v mdevctl >/dev/null; then
    add "mdevctl list" mdevctl list
fi

# Every command must work before it is timed (a failing command would be timed as a fast one).
for i in "${!commands[@]}"; do
    ${commands[$i]} >/dev/null 2>"$work/err" || { echo "${names[$i]} failed:" >&2; cat "$work/err" >&2; exit 1; }
done

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for i in "${!commands[@]}"; do : >"$work/times.$i"; done
for _ in $(seq "$runs"); do
    for i in "${!commands[@]}"; do
        start=$EPOCHREALTIME
        ${commands[$i]} >/dev/null 2>&1
        end=$EPOCHREALTIME
        echo "$(( ${end/./} - ${start/./} ))" >>"$work/times.$i"
    done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Median and minimum in milliseconds, and the median's ratio to mdevctl's median.
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
minimum() { sort -n "$1" | head -1; }
reference=""
for i in "${!names[@]}"; do
    [[ "${names[$i]}" == "mdevctl list" ]] && reference=$(median "$work/times.$i")
done
echo "$runs runs each, round-robin; load average $load_before before, $load_after after; $(nproc) CPUs"
printf '%-18s %10s %10s %14s\n' command median min "median/mdevctl"
for i in "${!names[@]}"; do
    m=$(median "$work/times.$i")
    ratio="-"
    [[ -n "$reference" ]] && ratio=$(awk -v a="$m" -v b="$reference" 'BEGIN {printf "%.1fx", a/b}')
    printf '%-18s %7.1f ms %7.1f ms %14s\n' "${names[$i]}" "$(awk -v x="$m" 'BEGIN {print x/1000}')" "$(awk -v x="$(minimum "$work/times.$i")" 'BEGIN {print x/1000}')" "$ratio"
done
