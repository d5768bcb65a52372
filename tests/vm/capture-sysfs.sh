#!/bin/sh
# Save the parts of sysfs and procfs that vfiokit reads (runs in the test
# guest under busybox sh, as root).
#
#   capture-sysfs.sh OUT.tar.gz
#
# The archive is a tree rooted at /: unpacked into DIR it serves as
# `vfiokit --root DIR`.  Symlinks keep the relative targets the kernel gives
# them, and every directory they point to exists in the tree.  /dev/vfio/* and
# /dev/kvm, when present, are recorded as empty regular files.
#
# Forks are slow in an emulated guest: each directory is copied with one cp,
# and cp -P recreates a symlink with the target text the kernel gave it.
set -u

OUT=$1
STAGE=/tmp/capture-stage
PCI_FILES="vendor device class subsystem_vendor subsystem_device revision
	boot_vga irq modalias resource config numa_node enable local_cpus
	local_cpulist reset_method driver_override driver iommu_group"
MODULES="vfio vfio_pci vfio_pci_core vfio_iommu_type1 vfio_virqfd
	pci_stub kvm kvm_intel kvm_amd irqbypass"

# copy DIR FILE...: those FILEs that exist (regular files, or symlinks kept as
# symlinks) into DIR of the stage.
copy() {
	dir=$1
	shift
	for f in "$@"; do
		shift
		if [ -f "$f" ] || [ -L "$f" ]; then
			set -- "$@" "$f"
		fi
	done
	mkdir -p "$STAGE$dir"
	[ $# -eq 0 ] || cp -P "$@" "$STAGE$dir/"
}

# copy_named DIR NAME...: copy DIR/NAME for each NAME.
copy_named() {
	dir=$1
	shift
	for n in "$@"; do
		shift
		set -- "$@" "$dir/$n"
	done
	copy "$dir" "$@"
}

# real_dir LINK: set REAL to the directory LINK points to (no fork).
real_dir() {
	cd -P "$1" 2>/dev/null && REAL=$PWD
}

pci_devices() {
	copy /sys/bus/pci/devices /sys/bus/pci/devices/*
	for link in /sys/bus/pci/devices/*; do
		real_dir "$link" || continue
		# shellcheck disable=SC2086
		copy_named "$REAL" $PCI_FILES
	done
	for slot in /sys/bus/pci/slots/*; do
		[ -d "$slot" ] && copy "$slot" "$slot/address"
	done
}

pci_drivers() {
	for drv in /sys/bus/pci/drivers/*; do
		copy "$drv" "$drv"/????:??:??.? "$drv/module"
		real_dir "$drv/module" && mkdir -p "$STAGE$REAL"
	done
}

iommu_groups() {
	[ -d /sys/kernel/iommu_groups ] || return 0
	mkdir -p "$STAGE/sys/kernel/iommu_groups"
	for g in /sys/kernel/iommu_groups/*; do
		[ -d "$g" ] || continue
		copy "$g" "$g/type" "$g/reserved_regions"
		copy "$g/devices" "$g"/devices/*
	done
}

iommu_class() {
	[ -d /sys/class/iommu ] || return 0
	copy /sys/class/iommu /sys/class/iommu/*
	for i in /sys/class/iommu/*; do
		real_dir "$i" || continue
		target=$REAL
		for e in "$target" "$target"/*/; do
			e=${e%/}
			case $e in */power) continue ;; esac
			[ -L "$e" ] || copy "$e" "$e"/*
		done
	done
}

firmware_and_procfs() {
	copy /sys/firmware/acpi/tables \
		/sys/firmware/acpi/tables/DMAR /sys/firmware/acpi/tables/IVRS
	for m in $MODULES; do
		[ -d "/sys/module/$m/parameters" ] &&
			copy "/sys/module/$m/parameters" "/sys/module/$m/parameters"/*
	done
	copy /proc /proc/cmdline /proc/cpuinfo /proc/modules /proc/version
}

device_nodes() {
	for n in /dev/vfio/* /dev/kvm; do
		[ -e "$n" ] || continue
		mkdir -p "$STAGE${n%/*}"
		: >"$STAGE$n"
	done
}

# cpu_topology: what vfiokit libvirt xml reads of the CPUs (SMT siblings,
# cores, packages, caches) and of the NUMA nodes.
cpu_topology() {
	sys=/sys/devices/system
	copy $sys/cpu $sys/cpu/online $sys/cpu/possible $sys/cpu/present
	for c in $sys/cpu/cpu[0-9]*; do
		copy_named "$c/topology" core_id physical_package_id die_id \
			thread_siblings_list core_siblings_list
		for i in "$c"/cache/index*; do
			copy_named "$i" level type size shared_cpu_list
		done
	done
	copy $sys/node $sys/node/online
	for n in $sys/node/node[0-9]*; do
		[ -d "$n" ] && copy_named "$n" cpulist
	done
}

# kernel_log: dmesg's messages without their timestamps, where vfiokit verify
# looks for them in a captured tree (the live system's is /dev/kmsg).
kernel_log() {
	mkdir -p "$STAGE/var/log"
	dmesg | sed 's/^\[[ 0-9.]*\] //' >"$STAGE/var/log/dmesg-capture"
}

rm -rf "$STAGE"
mkdir -p "$STAGE"
pci_devices
pci_drivers
iommu_groups
iommu_class
firmware_and_procfs
device_nodes
cpu_topology
kernel_log
cd / && tar czf "$OUT" -C "$STAGE" .
