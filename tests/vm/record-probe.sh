#!/bin/bash
# Record the kernel's answers to the VFIO probe in real boots, for the unit
# tests (tests/unit/test-probe.c replays them): each machine runs
# `vfiokit verify --probe-trace` and the trace becomes
# tests/unit/probe/<name>.trace.
#
#   tests/vm/record-probe.sh [NAME...]   (default: all)
#
# Names: type1 (vfio_iommu_type1 loaded, --probe opens the two e1000e),
# no-type1 (vfio_iommu_type1 unloaded: vfio asks for it when it loads, but
# nothing waits for that, and a boot without /sbin/modprobe in the initramfs
# never gets it), in-use (another
# process holds /dev/vfio/2 open), not-viable (AMD-Vi, a group shared with
# an rtl8139 on its host driver), pci-stub (the e1000e on pci-stub).
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/vm/vmlib.sh
. "$TOP/tests/vm/vmlib.sh"
# shellcheck source=tests/vm/scenario-args.sh
. "$TOP/tests/vm/scenario-args.sh"

NAMES="type1 no-type1 in-use not-viable pci-stub"
OUTDIR="$TOP/tests/unit/probe"

# machine NAME: the scenario of tests/vm/scenario-args.sh it boots.
machine() {
	case $1 in
	type1 | no-type1 | in-use) echo intel ;;
	not-viable) echo amd-bridge ;;
	pci-stub) echo verify-pci-stub ;;
	*) return 1 ;;
	esac
}

# guest_cmd NAME: what the guest runs; the trace comes out on stdout
# between two marker lines.
guest_cmd() {
	local pre='' dev=8086:10d3 opt=''
	case $1 in
	no-type1) pre='rmmod vfio_iommu_type1 2>/dev/null; ! grep -q "^vfio_iommu_type1 " /proc/modules && ' ;;
	type1) pre='modprobe vfio_iommu_type1; '; opt=--probe ;;
	in-use) pre='modprobe vfio_iommu_type1; sleep 60 3<>/dev/vfio/2 & sleep 1; ' ;;
	not-viable) pre='modprobe vfio_iommu_type1; '; dev=8086:100e ;;
	pci-stub) pre='modprobe vfio_iommu_type1; ' ;;
	esac
	printf '%svfiokit verify --checks devices --device %s %s --probe-trace /tmp/trace >/dev/null; ' \
		"$pre" "$dev" "$opt"
	printf 'echo @@trace; cat /tmp/trace; echo @@end'
}

record() {
	local args out
	mapfile -t args < <(scenario_args "$(machine "$1")")
	out=$("$VM_DIR/run-vm" "${args[@]}" -- sh -c "$(guest_cmd "$1")") ||
		{ vm_say "$1: the boot failed"; return 1; }
	printf '%s\n' "$out" | sed -n '/^@@trace$/,/^@@end$/{/^@@/d;p}' >"$OUTDIR/$1.trace.tmp"
	[ -s "$OUTDIR/$1.trace.tmp" ] || { vm_say "$1: no trace"; rm -f "$OUTDIR/$1.trace.tmp"; return 1; }
	{
		printf '# Recorded by tests/vm/record-probe.sh in a real boot (%s).\n' "$(machine "$1")"
		cat "$OUTDIR/$1.trace.tmp"
	} >"$OUTDIR/$1.trace" && rm -f "$OUTDIR/$1.trace.tmp"
	vm_say "wrote tests/unit/probe/$1.trace"
}

main() {
	local n failed=0 list
	vm_qemu >/dev/null || vm_die "qemu-system-x86_64 is not installed"
	vm_kernel || exit 125
	mkdir -p "$OUTDIR" || exit 1
	# shellcheck disable=SC2206
	list=(${@:-$NAMES})
	for n in "${list[@]}"; do
		machine "$n" >/dev/null || { vm_say "no machine $n"; failed=1; continue; }
		record "$n" || failed=1
	done
	return "$failed"
}

main "$@"
