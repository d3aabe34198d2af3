#!/usr/bin/env bash
# Builds the default guest from Debian packages only: the kernel of linux-image-amd64 as a bzImage
# and as the uncompressed ELF vmlinux (PVH entry, skips the in-guest XZ decompressor), and a busybox
# initramfs carrying the virtio and ext4 modules. No root needed. Cached per kernel package version
# under ${EMU_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emulator}/<package>_<version>/; a second
# run is a no-op. Prints KERNEL_PACKAGE=, KERNEL_VERSION=, BZIMAGE=, VMLINUX=, INITRD= lines.
#
# The /init it builds: mounts proc/sys/devtmpfs, loads the modules, prints "EMU-GUEST-READY", then
#   emu.run64=<base64 of a shell script>  or  emu.run="commands"   runs them, prints
#                                         "EMU-GUEST-EXIT <status>" and powers off (poweroff -f);
#   otherwise a shell on the console, powering off when it exits.
#   emu.shell=1 keeps a shell after emu.run instead of powering off.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache_root=${EMU_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emulator}
meta=${EMU_GUEST_KERNEL_PACKAGE:-linux-image-amd64}
modules_wanted=(virtio virtio_ring virtio_pci virtio_pci_modern_dev virtio_pci_legacy_dev virtio_mmio
    virtio_blk virtio_net virtio_console crc32c_generic ext4)

die() { echo "guest/build.sh: $*" >&2; exit 1; }
for tool in apt-cache apt-get dpkg-deb xz gzip od; do
    command -v "$tool" >/dev/null || die "needs $tool"
done

# The metapackage depends on exactly one versioned image package (linux-image-6.1.0-NN-amd64).
package=$(apt-cache depends "$meta" 2>/dev/null | awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }')
[[ -n "$package" ]] || die "cannot resolve $meta to a versioned linux-image package (apt-get update?)"
version=$(apt-cache policy "$package" | awk '$1 == "Candidate:" { print $2; exit }')
[[ -n "$version" && "$version" != "(none)" ]] || die "no candidate version for $package"
release=${package#linux-image-}
dir=$cache_root/${package}_$version
stamp_text="$package $version $(cat "$here/build.sh" "$here/init" | cksum | cut -d' ' -f1)"

report() {
    echo "KERNEL_PACKAGE=$package"
    echo "KERNEL_VERSION=$version"
    echo "KERNEL_RELEASE=$release"
    echo "BZIMAGE=$dir/bzImage"
    echo "VMLINUX=$dir/vmlinux"
    echo "INITRD=$dir/initrd.gz"
}

if [[ -f "$dir/stamp" && "$(cat "$dir/stamp")" == "$stamp_text" ]]; then
    report
    exit 0
fi

mkdir -p "$dir"
rm -f "$dir/stamp"
work=$(mktemp -d "$dir/work.XXXXXX")
trap 'rm -rf "$work"' EXIT

echo "guest/build.sh: downloading $package $version and busybox-static" >&2
mkdir -p "$work/debs"
debs=$dir/debs
mkdir -p "$debs"
(cd "$debs" && ls "${package}"_*.deb >/dev/null 2>&1 || apt-get download -q "$package" >&2)
(cd "$debs" && ls busybox-static_*.deb >/dev/null 2>&1 || apt-get download -q busybox-static >&2)
kernel_deb=$(ls "$debs/${package}"_*.deb | head -n1)
busybox_deb=$(ls "$debs"/busybox-static_*.deb | head -n1)
dpkg-deb -x "$kernel_deb" "$work/kernel"
dpkg-deb -x "$busybox_deb" "$work/busybox"

vmlinuz=$work/kernel/boot/vmlinuz-$release
[[ -f "$vmlinuz" ]] || die "$kernel_deb has no boot/vmlinuz-$release"

u8() { od -An -tu1 -j "$2" -N1 "$1" | tr -d ' '; }
u32() { od -An -tu4 -j "$2" -N4 "$1" | tr -d ' '; }

# The setup header locates the compressed payload: it starts payload_offset bytes into the
# protected-mode code, which follows the (setup_sects + 1) sectors of real-mode setup.
[[ "$(u32 "$vmlinuz" 0x202)" == 1400005704 ]] || die "$vmlinuz: no HdrS setup header"
setup_sects=$(u8 "$vmlinuz" 0x1F1)
((setup_sects == 0)) && setup_sects=4
payload_offset=$(u32 "$vmlinuz" 0x248)
payload_length=$(u32 "$vmlinuz" 0x24C)
start=$(((setup_sects + 1) * 512 + payload_offset))
magic=$(od -An -tx1 -j "$start" -N6 "$vmlinuz" | tr -d ' ')
[[ "$magic" == fd377a585a00 ]] || die "$vmlinuz: payload at $start is not XZ (magic $magic)"
# The payload ends with the decompressed size (4 bytes) after the XZ stream: --single-stream ignores it.
head -c "$((start + payload_length))" "$vmlinuz" | tail -c "$payload_length" | xz -dc --single-stream > "$work/vmlinux"
[[ "$(od -An -tx1 -N5 "$work/vmlinux" | tr -d ' ')" == 7f454c4602 ]] || die "the decompressed payload is not an ELF64"
if command -v readelf >/dev/null; then
    readelf -n "$work/vmlinux" | grep -Eq 'Xen.*(0x00000012|PHYS32_ENTRY)' || die "vmlinux has no PVH (XEN_ELFNOTE_PHYS32_ENTRY) note"
else
    echo "guest/build.sh: readelf missing, PVH note not checked" >&2
fi

# initramfs: busybox, the wanted modules (decompressed: busybox insmod cannot be relied on for
# .ko.xz) with their dependency closure in load order, and /init.
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,mnt,etc,lib/modules/"$release"}
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
moddir=$work/kernel/lib/modules/$release
[[ -d "$moddir/kernel" ]] || die "no modules in $kernel_deb"

# The package ships no modules.dep (depmod runs at install): follow each module's modinfo
# "depends=" instead. Dependencies come first in the load order.
declare -A path_by_name=() seen=()
order=()
while IFS= read -r path; do
    name=${path##*/}
    name=${name%%.ko*}
    path_by_name[${name//-/_}]=$path
done < <(cd "$moddir" && find kernel -name '*.ko*')
visit() {
    local name=${1//-/_} path deps dep
    [[ -n "${seen[$name]:-}" ]] && return 0
    seen[$name]=1
    path=${path_by_name[$name]:-}
    if [[ -z "$path" ]]; then
        grep -Eq "/${name//_/[-_]}\.ko\$" "$moddir/modules.builtin" 2>/dev/null || die "module $name is neither a module of $release nor built in"
        return 0
    fi
    deps=$(xz -dcf < "$moddir/$path" | tr '\0' '\n' | sed -n 's/^depends=//p')
    for dep in ${deps//,/ }; do
        visit "$dep"
    done
    order+=("$path")
}
for name in "${modules_wanted[@]}"; do
    visit "$name"
done
: > "$root/lib/modules/load-order"
for path in "${order[@]}"; do
    base=${path##*/}
    case "$base" in
        *.ko.xz) xz -dc "$moddir/$path" > "$root/lib/modules/$release/${base%.xz}"; base=${base%.xz} ;;
        *.ko.zst) die "zstd-compressed module $path is not supported" ;;
        *.ko) cp "$moddir/$path" "$root/lib/modules/$release/$base" ;;
        *) die "unexpected module file $path" ;;
    esac
    echo "$base" >> "$root/lib/modules/load-order"
done
cp "$here/init" "$root/init"
chmod 755 "$root/init" "$root/bin/busybox"
sed -i "s/@RELEASE@/$release/" "$root/init"

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | "$root/bin/busybox" cpio -o -H newc 2>/dev/null) | gzip -9n > "$work/initrd.gz"
[[ -s "$work/initrd.gz" ]] || die "cpio produced nothing"

mv "$vmlinuz" "$dir/bzImage"
mv "$work/vmlinux" "$dir/vmlinux"
mv "$work/initrd.gz" "$dir/initrd.gz"
printf '%s\n' "${order[@]##*/}" > "$dir/modules.txt"
echo "$stamp_text" > "$dir/stamp"
report
