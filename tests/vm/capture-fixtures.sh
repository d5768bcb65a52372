#!/bin/bash
# Boot each scenario of tests/vm/scenario-args.sh, capture its sysfs/procfs
# (tests/vm/capture-sysfs.sh) and write tests/fixtures/<scenario>.tar.gz.
#
#   tests/vm/capture-fixtures.sh [SCENARIO...]   (default: all, "many" and
#                                                "two-cards")
#
# The fixtures of INDEXED then get the module index of their kernel, cut to
# their devices (tests/fixtures/add-module-index.sh).
#
# The archives are repacked on the host with fixed owners, times and order,
# and boot-to-boot noise blanked (see steady), so that two runs give the
# same bytes unless the kernel, QEMU or pci.ids changed.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/vm/vmlib.sh
. "$TOP/tests/vm/vmlib.sh"
# shellcheck source=tests/vm/scenario-args.sh
. "$TOP/tests/vm/scenario-args.sh"

FIXTURES="$TOP/tests/fixtures"
MANY_MIN=200
INDEXED="intel two-cards"
MAX_CONFIG=4096

# guest_check NAME: the command run in the guest before the capture: it
# counts the PCI devices (at least MANY_MIN for "many").
guest_check() {
	local min=1
	[ "$1" != many ] || min=$MANY_MIN
	# shellcheck disable=SC2016 # expanded by the guest's shell
	printf 'n=$(ls /sys/bus/pci/devices | wc -l); echo "$n PCI devices"; [ "$n" -ge %d ]' "$min"
}

# steady TREE: blank what changes from boot to boot without meaning anything
# to vfiokit: module load addresses (as /proc/modules shows them to users
# other than root) and the CPU clock as measured at boot.
steady() {
	[ ! -f "$1/proc/modules" ] ||
		sed -i 's/ 0x[0-9a-f]*$/ 0x0000000000000000/' "$1/proc/modules"
	[ ! -f "$1/proc/cpuinfo" ] ||
		sed -i -E 's/^(cpu MHz|bogomips)(\s*): .*/\1\2: 0.00/' "$1/proc/cpuinfo"
}

# normalize RAW OUT WORK: unpack RAW, drop config files over MAX_CONFIG bytes,
# steady it, and repack it reproducibly as OUT.
normalize() {
	local tree="$3/tree"
	rm -rf "$tree"
	mkdir -p "$tree" && tar xzf "$1" -C "$tree" || return 1
	find "$tree" -type f -name config -size +"$MAX_CONFIG"c -delete
	steady "$tree"
	tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
		--format=gnu -C "$tree" -cf - . | gzip -n -9 >"$2.tmp" &&
		mv "$2.tmp" "$2"
}

# capture NAME WORK: boot scenario NAME and write its fixture.
capture() {
	local args out="$FIXTURES/$1.tar.gz"
	mapfile -t args < <(scenario_args "$1") || return 1
	vm_say "booting $1"
	"$VM_DIR/run-vm" "${args[@]}" --capture "$2/raw.tar.gz" -- sh -c "$(guest_check "$1")" ||
		{ vm_say "$1: the guest check or the boot failed"; return 1; }
	normalize "$2/raw.tar.gz" "$out" "$2" || { vm_say "$1: cannot repack"; return 1; }
	case " $INDEXED " in
	*" $1 "*) "$TOP/tests/fixtures/add-module-index.sh" "$1" || return 1 ;;
	esac
	vm_say "wrote tests/fixtures/$1.tar.gz ($(wc -c <"$out") bytes)"
}

main() {
	local work s failed=0
	# shellcheck disable=SC2206
	local list=(${@:-$SCENARIOS many two-cards})
	vm_qemu >/dev/null || vm_die "qemu-system-x86_64 is not installed"
	vm_kernel || exit 125
	mkdir -p "$FIXTURES" || exit 1
	work=$(mktemp -d) || exit 1
	for s in "${list[@]}"; do
		scenario_args "$s" >/dev/null || { vm_say "no scenario $s"; failed=1; continue; }
		capture "$s" "$work" || failed=1
	done
	rm -rf "$work"
	return "$failed"
}

main "$@"
