# Shared helpers for the Gentoo tier (tests/gentoo/*.sh). Source it after
# tests/lib.sh; do not run it.
#
# Gentoo's own files (eclasses, GRUB defaults, genkernel, the CPU patch)
# come from the checkout's sibling directory shared/gentoo, where CI has
# them too. A test that needs them and cannot find them fails.

: "${GENTOO:=$TOP/../shared/gentoo}"

# gentoo_need NAME: FAIL NAME and return 1 when shared/gentoo is missing.
gentoo_need() {
	[ -f "$GENTOO/README.md" ] && return 0
	fail "$1" "Gentoo's reference files are missing: $GENTOO (the checkout's sibling shared/gentoo) must hold them; see its README"
	return 1
}

# gentoo_cpuinfo FILE VENDOR FAMILY MODEL NAME: a /proc/cpuinfo with two
# processors as the kernel writes it (family and model in decimal).
gentoo_cpuinfo() {
	local cpu
	mkdir -p "$(dirname "$1")"
	for cpu in 0 1; do
		printf 'processor\t: %s\nvendor_id\t: %s\ncpu family\t: %d\nmodel\t\t: %d\nmodel name\t: %s\nstepping\t: 2\nflags\t\t: fpu vme de pse tsc msr pae mce cx8 apic\n\n' \
			"$cpu" "$2" "$3" "$4" "$5"
	done >"$1"
}

# gentoo_cpu_patched_tree: a copy of Debian's 6.12 tree with the CPU
# optimisation patch for 6.12 applied (the one gentoo-sources applies with
# USE=experimental), made once under the cache and printed. The copy
# shares the sources with Debian's tree as hard links (patch replaces
# each file it changes, so the original stays as it was); scripts/ and
# include/, where make writes, are copies of their own.
gentoo_cpu_patched_tree() {
	local src patch dir tmp
	src=$("$TOP/tests/kernel-source.sh" 6.12) || return 1
	patch="$GENTOO/patches/more-ISA-levels-and-uarches-for-kernel-6.1.79+.patch"
	[ -f "$patch" ] || { echo "no $patch" >&2; return 1; }
	dir="$(vk_cache)/gentoo/$(basename "$(dirname "$src")")-cpu-$(git hash-object "$patch" | cut -c1-12)"
	if [ ! -f "$dir/.vfiokit-patched" ]; then
		tmp="$dir.tmp.$$"
		rm -rf "$tmp" && mkdir -p "$(dirname "$dir")" &&
			cp -al "$src" "$tmp" && rm -rf "$tmp/scripts" "$tmp/include" &&
			cp -a "$src/scripts" "$src/include" "$tmp/" &&
			patch -s -p1 -d "$tmp" <"$patch" >&2 &&
			touch "$tmp/.vfiokit-patched" && rm -rf "$dir" && mv "$tmp" "$dir" || {
			rm -rf "$tmp"
			return 1
		}
	fi
	printf '%s\n' "$dir"
}

# gentoo_root DIR TREE CONFIG KVER MODROOT PKG: a Gentoo-shaped root in DIR
# around the captured amd-bridge machine (an AMD IOMMU, e1000 8086:100e
# to hand over) with a Zen 3 processor: the stock /etc/default/grub of
# current Gentoo (grub.default-4), genkernel's own /etc/genkernel.conf,
# installkernel's /usr/lib/kernel/install.conf as installkernel-70 writes
# it for USE="grub dracut", and /usr/src/linux linked, as dist-kernel
# links it, to the tree the package PKG (CATEGORY/PF:SLOT) installed:
# TREE's entries linked (TREE stays read-only) with CONFIG as its .config
# and the dist-kernel marker kernel-build.eclass writes. KVER's modules
# are MODROOT's.
gentoo_root() {
	local r=$1 tree=$2 config=$3 kver=$4 modroot=$5 pkg=$6 e kdir
	kdir=linux-$kver
	mkdir -p "$r/etc/default" "$r/usr/share/misc" "$r/usr/lib/kernel" "$r/usr/src/$kdir" \
		"$r/lib/modules" "$r/proc/sys/kernel" "$r/proc/self" "$r/proc/net" || return 1
	tar -xzf "$TOP/tests/fixtures/amd-bridge.tar.gz" -C "$r" || return 1
	gentoo_cpuinfo "$r/proc/cpuinfo" AuthenticAMD $((0x19)) $((0x21)) \
		"AMD Ryzen 9 5950X 16-Core Processor"
	cp "$TOP/tests/fixtures/pci.ids" "$r/usr/share/misc/"
	cp "$GENTOO/gentoo/sys-boot/grub/files/grub.default-4" "$r/etc/default/grub" &&
		cp "$GENTOO/genkernel/genkernel.conf" "$r/etc/genkernel.conf" || return 1
	printf '# This file is managed by sys-kernel/installkernel\nlayout=grub\ninitrd_generator=dracut\n' \
		>"$r/usr/lib/kernel/install.conf"
	for e in "$tree"/*; do ln -s "$e" "$r/usr/src/$kdir/"; done
	cp "$config" "$r/usr/src/$kdir/.config"
	echo "$pkg" >"$r/usr/src/$kdir/dist-kernel"
	ln -sfn "$kdir" "$r/usr/src/linux"
	ln -s "$modroot/lib/modules/$kver" "$r/lib/modules/$kver"
	echo "$kver" >"$r/proc/sys/kernel/osrelease"
	echo '22 1 0:20 / / rw,relatime - tmpfs tmpfs rw' >"$r/proc/self/mountinfo"
	printf 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' \
		>"$r/proc/net/route"
}

# gentoo_debian_kernel NAME: KVER, MODROOT (Debian's 6.12 image with its
# modules and boot/config-KVER) and TREE (its 6.12 sources) for the test
# NAME, or FAIL NAME and return 1.
gentoo_debian_kernel() {
	local err
	vk_kernel_image "$1" 6.12 || return 1
	err=$(mktemp)
	TREE=$("$TOP/tests/kernel-source.sh" 6.12 2>"$err") || {
		fail "$1" "no Debian 6.12 tree: $(tail -n 3 "$err")"
		rm -f "$err"
		return 1
	}
	rm -f "$err"
}
