#!/usr/bin/env bash
# Runs every test project (already built by scripts/build.sh) and prints one closing line
# "N passed, N failed, N skipped" summed over all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
config=${1:-Release}
filter=${2:-}
log=$(mktemp)
args=(Emulator.sln -c "$config" --no-build -nologo)
[ -n "$filter" ] && args+=(--filter "$filter")
dotnet test "${args[@]}" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
awk '/(Passed|Failed)! +- Failed:/ {
        gsub(",", ""); for (i = 1; i <= NF; i++) {
            if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "Tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
