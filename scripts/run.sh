#!/usr/bin/env bash
# Starts the emulator with the console and monitor multiplexed on this terminal (Ctrl-a h for help).
set -euo pipefail
cd "$(dirname "$0")/.."
exec bin/emu -nographic "$@"
