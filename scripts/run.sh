#!/usr/bin/env bash
# Boots the default guest (Debian's kernel and a busybox initramfs, built by scripts/guest/build.sh)
# with its serial console and the monitor multiplexed on this terminal through emu-chardev:
# a busybox shell. Ctrl-a h for help, Ctrl-a c for the monitor, Ctrl-a x to quit; `poweroff -f`
# in the guest ends the emulator. Extra arguments go to emu (e.g. EMU_MEMORY=1G, -append ...).
set -euo pipefail
cd "$(dirname "$0")/.."
guest=$(scripts/guest/build.sh)
vmlinux=$(sed -n 's/^VMLINUX=//p' <<<"$guest")
initrd=$(sed -n 's/^INITRD=//p' <<<"$guest")
exec bin/emu -m "${EMU_MEMORY:-512M}" -kernel "$vmlinux" -initrd "$initrd" \
    -append "console=ttyS0 ${EMU_APPEND:-quiet}" -serial mon:stdio -display none "$@"
