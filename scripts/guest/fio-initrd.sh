#!/usr/bin/env bash
# Builds an extra initramfs archive holding Debian's fio for the block bench (make bench): Linux accepts
# a concatenation of cpio archives as one initrd, so "initrd.gz + fio.cpio.gz" is the default guest
# with /usr/bin/fio. No root needed. Cached per fio package version under
# ${EMU_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emulator}/fio_<version>/; a second run is a no-op.
# Prints FIO_VERSION= and FIO_CPIO= lines.
#
# fio links the libraries of every I/O engine it was built with (ceph, glusterfs, rdma, nbd, pmem:
# over 80 MB with their dependencies, far too much for an initramfs a CPU interpreter unpacks). Only
# libc, libm, zlib, libaio and libnuma are real here; every other library is a stub built with the
# host's cc that defines the same symbols and version nodes (fio is linked BIND_NOW, so each one must
# resolve) as functions that trap: the engines needing them are never used by the bench.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache_root=${EMU_GUEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/emulator}
keep_re='^(libc\.so\.6|libm\.so\.6|libz\.so\.1|libaio\.so\.1|libnuma\.so\.1)$'
keep_packages_re='^(libc6|zlib1g|libaio1[a-z0-9]*|libnuma1[a-z0-9]*)$'

die() { echo "guest/fio-initrd.sh: $*" >&2; exit 1; }
for tool in apt-cache apt-get dpkg-deb readelf gzip awk cc; do
    command -v "$tool" >/dev/null || die "needs $tool$([[ $tool == cc ]] && echo " for the stub libraries (scripts/ensure-packages.sh gcc)")"
done

version=$(apt-cache policy fio | awk '$1 == "Candidate:" { print $2; exit }')
[[ -n "$version" && "$version" != "(none)" ]] || die "no candidate version for fio (apt-get update?)"
dir=$cache_root/fio_$version
stamp_text="fio $version $(cksum < "$here/fio-initrd.sh" | cut -d' ' -f1)"

report() {
    echo "FIO_VERSION=$version"
    echo "FIO_CPIO=$dir/fio.cpio.gz"
}

if [[ -f "$dir/stamp" && "$(cat "$dir/stamp")" == "$stamp_text" ]]; then
    report
    exit 0
fi

mkdir -p "$dir/debs"
rm -f "$dir/stamp"
work=$(mktemp -d "$dir/work.XXXXXX")
trap 'rm -rf "$work"' EXIT

mapfile -t packages < <(apt-cache depends fio | awk '$1 == "Depends:" { print $2 }' | grep -E "$keep_packages_re" | sort -u)
packages+=(fio busybox-static)
echo "guest/fio-initrd.sh: downloading ${packages[*]}" >&2
for package in "${packages[@]}"; do
    (cd "$dir/debs" && ls "${package}"_*.deb >/dev/null 2>&1 || apt-get download -q "$package" >&2)
    dpkg-deb -x "$(ls "$dir/debs/${package}"_*.deb | head -n1)" "$work/x"
done

fio=$work/x/usr/bin/fio
[[ -x "$fio" ]] || die "the fio package has no usr/bin/fio"
root=$work/root
libdir=$root/lib/x86_64-linux-gnu
mkdir -p "$root/usr/bin" "$root/lib64" "$libdir"
cp "$fio" "$root/usr/bin/fio"

# Real libraries: the kept sonames wherever the packages put them, and the loader fio names.
interp=$(readelf -l "$fio" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
[[ "$interp" == /lib64/ld-linux-x86-64.so.2 ]] || die "unexpected program interpreter '$interp'"
loader=$(find "$work/x" -name ld-linux-x86-64.so.2 | head -n1)
[[ -n "$loader" ]] || die "libc6 has no ld-linux-x86-64.so.2"
cp -L "$loader" "$root/lib64/ld-linux-x86-64.so.2"
mapfile -t needed < <(readelf -d "$fio" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
kept=()
for soname in "${needed[@]}"; do
    [[ "$soname" =~ $keep_re ]] || continue
    file=$(find "$work/x" -name "$soname" | head -n1)
    [[ -n "$file" ]] || die "no package provided $soname"
    cp -L "$file" "$libdir/$soname"
    kept+=("$libdir/$soname")
done
# libnuma and libaio need nothing beyond libc; check so a new Debian release cannot slip one in.
for lib in "${kept[@]}"; do
    while read -r soname; do
        [[ "$soname" =~ $keep_re || "$soname" == ld-linux-x86-64.so.2 ]] || die "${lib##*/} needs $soname, which is not in the archive"
    done < <(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
done

# Stubs. The version each library defines, from fio's version needs ("File:" then its "Name:" lines).
declare -A file_of_version=()
while read -r file name; do
    file_of_version[$name]=$file
done < <(readelf -V "$fio" | awk '{ for (i = 1; i < NF; i++) { if ($i == "File:") file = $(i + 1); if ($i == "Name:" && file != "") print file, $(i + 1) } }')
# Symbols the kept libraries define, so an unversioned reference (zlib's) is not stubbed.
declare -A defined=()
while read -r name; do
    defined[$name]=1
done < <(for lib in "${kept[@]}"; do readelf -W --dyn-syms "$lib" | awk '$7 != "UND" && NF >= 8 { sub(/@.*/, "", $8); print $8 }'; done)

stubs=()
for soname in "${needed[@]}"; do
    [[ "$soname" =~ $keep_re ]] || stubs+=("$soname")
done
# Unversioned references go to a stubbed library without version needs (any library would do: the
# dynamic linker resolves them from the global scope).
sink=
for soname in "${stubs[@]}"; do
    if ! printf '%s\n' "${file_of_version[@]}" | grep -qxF "$soname"; then
        sink=$soname
        break
    fi
done
[[ -n "$sink" || ${#stubs[@]} -eq 0 ]] || sink=${stubs[0]}
for soname in "${stubs[@]}"; do
    : > "$work/$soname.c"
    : > "$work/$soname.map"
done
while read -r symbol; do
    name=${symbol%%@*}
    if [[ "$symbol" == *@* ]]; then
        ver=${symbol#*@}
        soname=${file_of_version[$ver]:-}
        [[ -n "$soname" ]] || die "fio needs $symbol from no known library"
        [[ "$soname" =~ $keep_re ]] && continue
        echo "$ver { global: $name; };" >> "$work/$soname.map"
    else
        [[ -n "${defined[$name]:-}" ]] && continue
        soname=$sink
    fi
    echo "void $name(void) { __builtin_trap(); }" >> "$work/$soname.c"
done < <(readelf -W --dyn-syms "$fio" | awk '$7 == "UND" && $5 == "GLOBAL" && NF >= 8 { print $8 }')
for soname in "${stubs[@]}"; do
    flags=()
    if [[ -s "$work/$soname.map" ]]; then
        # One node per version, all of its symbols inside (a node may be named only once).
        awk '{ v = $1; sub(/^[^{]*\{ global: /, ""); sub(/ \};$/, ""); s[v] = s[v] " " $0 } END { for (v in s) print v " { global:" s[v] " };" }' \
            "$work/$soname.map" > "$work/$soname.ver"
        flags+=("-Wl,--version-script=$work/$soname.ver")
    fi
    cc -shared -fPIC -nostdlib -O1 -o "$libdir/$soname" -Wl,-soname,"$soname" "${flags[@]}" "$work/$soname.c" \
        || die "cannot build the stub $soname"
done

busybox=$work/x/bin/busybox
[[ -x "$busybox" ]] || die "busybox-static has no bin/busybox"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | "$busybox" cpio -o -H newc 2>/dev/null) | gzip -9n > "$work/fio.cpio.gz"
[[ -s "$work/fio.cpio.gz" ]] || die "cpio produced nothing"
mv "$work/fio.cpio.gz" "$dir/fio.cpio.gz"
echo "$stamp_text" > "$dir/stamp"
report
