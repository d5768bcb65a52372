#!/bin/bash
# Build the initramfs of the real-boot tests and print its path.
#
#   tests/vm/mkinitramfs.sh
#
# A gzip newc cpio with busybox (applets symlinked), kmod's modprobe & co,
# $VFIOKIT as /usr/bin/vfiokit (left out, with a warning, if it is not built),
# with VK_GUEST_QEMU=1 also QEMU for the guest (qemu-system-x86_64, its TCG
# module in /usr/lib/qemu: set QEMU_MODULE_DIR there, and SeaBIOS in
# /usr/share/seabios),
# lspci, pci.ids, the PCI/VFIO modules below and those that mount a disk
# (virtio_blk, ext4: run-vm --disk) with their dependencies (depmod -b run on
# the tree), tests/vm/init.sh as /init and tests/vm/capture-sysfs.sh.
# Every binary comes with the libraries ldd names.  The archive is cached under
# the hash of everything that goes into it.  The kernel is the one
# tests/vm/kernel.sh names (or KVER and MODROOT from the environment).
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/vm/vmlib.sh
. "$TOP/tests/vm/vmlib.sh"
# shellcheck source=tests/vm/tree.sh
. "$TOP/tests/vm/tree.sh"

MODULES="vfio vfio_pci vfio_pci_core vfio_iommu_type1 irqbypass pci_stub
	e1000e e1000 8139too 8139cp virtio_rng virtio_pci kvm kvm_intel kvm_amd
	ahci lpc_ich i2c_i801 virtio_blk ext4"
KMOD_TOOLS="modprobe insmod rmmod lsmod modinfo depmod"
PCI_IDS=/usr/share/misc/pci.ids
KEEP_CACHED=4
QEMU_TCG_MODULE=/usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so
SEABIOS=/usr/share/seabios/bios-256k.bin



# binaries: "SOURCE DEST" for every program that goes into the tree.
binaries() {
	printf '%s /bin/busybox\n' "$(host_binary busybox)"
	printf '%s /usr/bin/kmod\n' "$(host_binary kmod)"
	printf '%s /usr/bin/lspci\n' "$(host_binary lspci)"
	if [ "${VK_GUEST_QEMU:-0}" = 1 ]; then
		printf '%s /usr/bin/qemu-system-x86_64\n' "$(host_binary qemu-system-x86_64)"
		printf '%s /usr/lib/qemu/accel-tcg-x86_64.so\n' "$QEMU_TCG_MODULE"
	fi
	if [ -x "$VFIOKIT" ]; then
		printf '%s /usr/bin/vfiokit\n' "$VFIOKIT"
	else
		vm_say "warning: $VFIOKIT is not built; the guest has no vfiokit"
	fi
}


# cache_key: a hash of every input file and of this build's parameters.
cache_key() {
	local src dst
	{
		printf '%s\n' "$KVER" "$MODULES" "$KMOD_TOOLS" "${VK_GUEST_QEMU:-0}"
		sha256sum "$VM_DIR/mkinitramfs.sh" "$VM_DIR/tree.sh" "$VM_DIR/init.sh" \
			"$VM_DIR/capture-sysfs.sh" "$PCI_IDS"
		binaries | while read -r src dst; do
			printf '%s\n' "$dst"
			{ printf '%s\n' "$src"; libraries "$src"; } | xargs sha256sum
		done
		printf '%s\n' "$KOS" | sed "s|^|$MODROOT|" | xargs sha256sum
	} | sha256sum | cut -c1-16
}





# build_tree TREE: lay out the whole initramfs.
build_tree() {
	local src dst
	mkdir -p "$1"/{proc,sys,dev,tmp,run,root,etc/modprobe.d,vk} || return 1
	while read -r src dst; do
		put_binary "$src" "$1" "$dst" || return 1
	done < <(binaries)
	link_tools "$1" || return 1
	put "$PCI_IDS" "$1" || return 1
	put "$VM_DIR/init.sh" "$1" /init || return 1
	put "$VM_DIR/capture-sysfs.sh" "$1" /vk/capture-sysfs.sh || return 1
	[ "${VK_GUEST_QEMU:-0}" != 1 ] || put "$SEABIOS" "$1" || return 1
	# shellcheck disable=SC2086 # one module a word
	add_modules "$1" $MODULES
}

# pack TREE OUT: a reproducible gzip newc cpio of TREE.
pack() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -n -6 >"$2"
}

# prune DIR: keep only the KEEP_CACHED newest archives.
prune() {
	find "$1" -maxdepth 1 -name '*.cpio.gz' -printf '%T@ %p\n' | sort -rn |
		tail -n +$((KEEP_CACHED + 1)) | cut -d' ' -f2- | xargs -r rm -f
}

main() {
	local dir key out work
	vm_kernel || exit 125
	# shellcheck disable=SC2086 # one module a word
	KOS=$(module_files $MODULES)
	dir="$(vk_cache)/initramfs"
	mkdir -p "$dir" || vm_die "cannot create $dir"
	key=$(cache_key) || vm_die "cannot hash the inputs"
	out="$dir/$KVER-$key.cpio.gz"
	if [ ! -s "$out" ]; then
		work=$(mktemp -d "$dir/build.XXXXXX") || vm_die "mktemp failed"
		if build_tree "$work/root" && pack "$work/root" "$work/out.cpio.gz"; then
			mv "$work/out.cpio.gz" "$out"
		fi
		rm -rf "$work"
		[ -s "$out" ] || vm_die "building the initramfs failed"
		prune "$dir"
	fi
	touch "$out"
	printf '%s\n' "$out"
}

main "$@"
