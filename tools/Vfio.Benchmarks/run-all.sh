#!/usr/bin/env bash
# Every benchmark of docs/benchmarks.md in one go, on the current checkout, for the figures in that file.
# Usage: tools/Vfio.Benchmarks/run-all.sh [out-dir=artifacts/benchmarks] [only...]
#   only: any of find etcd-find stream envelope transport startup (default: all, in that order)
# Each benchmark's output goes to <out-dir>/<name>.txt with the load average before and after, so a reader can tell
# whether the machine was idle. Run it on an otherwise idle machine: the figures are ratios to baselines measured in
# the same run, but a busy neighbour still spreads them.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$repo/artifacts/benchmarks}
shift || true
mkdir -p "$out"
only=("$@")
[ ${#only[@]} -gt 0 ] || only=(find etcd-find stream envelope transport startup)

dotnet build "$repo/tools/Vfio.Benchmarks" -c Release -nologo -v quiet >/dev/null
bench() { dotnet "$repo/tools/Vfio.Benchmarks/bin/Release/net10.0/Vfio.Benchmarks.dll" "$@"; }

run() {
    local name=$1; shift
    echo "== $name: $*" >&2
    {
        echo "# $name: $*"
        echo "# $(date -u +%FT%TZ), $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
        "$@"
        echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    } 2>&1 | tee "$out/$name.txt"
}

for b in "${only[@]}"; do
    case $b in
        find) run find bench find 100000 1 ;;
        etcd-find) run etcd-find bench etcd-find 100000 1 20 ;;
        stream) run stream bench stream 256 1024 ;;
        envelope)
            run envelope-cache bench envelope 2 --chunk 256 --rounds 300
            run envelope-256 bench envelope 256 --rounds 7 ;;
        transport)
            run transport bench transport 256 1024 --rounds 3
            run transport-grown bench transport 256 1024 --rounds 3 --pipe-size 1024
            run transport-paced bench transport 256 1024 --rounds 3 --pipe-size 1024 --paced 256 ;;
        startup) run startup "$repo/tools/vfioctl/startup-benchmark.sh" 30 ;;
        *) echo "unknown benchmark '$b'" >&2; exit 2 ;;
    esac
done
