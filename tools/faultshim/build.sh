#!/usr/bin/env bash
# Builds the errno fault shim (faultshim.c) into the file named by $1 (default ./faultshim.so).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$PWD/faultshim.so}"
gcc -shared -fPIC -O2 -Wall -Wextra -Werror -o "$out" "$here/faultshim.c" -ldl
echo "$out"
