#!/bin/bash
# Tier 4: does `vfiokit groups --predict` say what the kernel does?  One
# q35 machine holds every topology of the model:
#   00:10.0 a pcie-root-port with ACS, a virtio device below
#   00:11.0 a pcie-root-port with disable-acs=on, a virtio device below
#   00:12.0 + 00:12.1 two root ports with ACS as functions of one slot
#   00:13.0 + 00:13.1 two root ports without ACS as functions of one slot
#   00:14.0 a root port, an x3130 switch, two downstream ports with devices
#   00:15.0 a root port, a pcie-pci-bridge with an e1000 and an rtl8139
#   00:16.0 a root port with a multifunction endpoint (two functions)
# It is booted three times: without an IOMMU (the prediction: --predict,
# which never reads the kernel's groups), and with QEMU's Intel and AMD
# IOMMUs (the kernel's groups, the truth).  The partitions must be equal,
# leaving out only the IOMMU's own PCI function (AMD's is one; the kernel
# puts it in no group).  The first two boots run side by side.
#
#   flock /tmp/vfiokit-vm.lock bash tests/vm/predict.sh
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/vm/vmlib.sh
. "$TOP/tests/vm/vmlib.sh"
# shellcheck source=tests/vm/scenario-args.sh
. "$TOP/tests/vm/scenario-args.sh"


GUEST_PREDICT='vfiokit --json groups --predict; echo "@@rc=$?"'
GUEST_TRUTH='vfiokit --json groups; echo "@@rc=$?"; vfiokit --json groups --predict --compare; echo "@@rc=$?"'

# boot NAME IOMMU APPEND CMD: run-vm's output in $WORK/NAME.out, status in
# $WORK/NAME.rc.
boot() {
	local args
	mapfile -t args < <(predict_topology)
	"$VM_DIR/run-vm" --iommu "$2" ${3:+--append "$3"} --timeout 240 "${args[@]}" \
		-- sh -c "$4" >"$WORK/$1.out" 2>"$WORK/$1.err"
	echo $? >"$WORK/$1.rc"
}

# json N FILE: the Nth JSON report of FILE (the lines before its Nth @@rc).
json() {
	awk -v want="$1" '/^@@rc=/ { n++; next } n == want - 1 && !/^\[/ { print }' "$2" |
		sed -n '/^{/,$p'
}

# partition: from a groups report on stdin, one line per group with its
# sorted addresses, the lines sorted; only addresses listed in $1 (a file).
partition() {
	jq -r '.groups[] | [.devices[].address] | join(" ")' |
		while read -r line; do
			tr ' ' '\n' <<<"$line" | grep -Fxf "$1" | sort | paste -sd' ' -
		done | grep . | sort
}

check_boot() {
	if [ "$(cat "$WORK/$1.rc")" != 0 ]; then
		fail "vm-predict/$1-boot" "run-vm exited $(cat "$WORK/$1.rc")"
		tail -n 20 "$WORK/$1.err" | sed 's/^/    /'
		return 1
	fi
	pass "vm-predict/$1-boot"
}

main() {
	local iommu pred truth common
	vm_qemu >/dev/null || { skip vm-predict "qemu-system-x86_64 is not installed"; return 0; }
	[ -x "$VFIOKIT" ] || { fail vm-predict "$VFIOKIT is not built"; return 0; }
	vm_kernel || { fail vm-predict "no Debian kernel (tests/vm/kernel.sh failed)"; return 0; }
	WORK=$(mktemp -d)
	trap 'rm -rf "$WORK"' EXIT

	boot none none "" "$GUEST_PREDICT" &
	boot intel intel intel_iommu=on "$GUEST_TRUTH" &
	wait
	boot amd amd "" "$GUEST_TRUTH"

	check_boot none || return 0
	pred=$WORK/pred.json
	json 1 "$WORK/none.out" >"$pred"
	if ! jq -e '.predicted and (.unknown | not)' "$pred" >/dev/null; then
		fail vm-predict/prediction "not a known prediction: $(head -c 300 "$pred")"
		return 0
	fi
	expect_eq vm-predict/prediction-rc 0 "$(grep -m1 '^@@rc=' "$WORK/none.out" | cut -d= -f2)"
	# The cases the model must get right, named, before the whole partition.
	expect_eq vm-predict/pcie-pci-bridge-one-group 3 \
		"$(jq '[.groups[] | select(.shared | any(test("PCIe-to-PCI bridge"))) | .devices | length] | max' "$pred")"
	expect_eq vm-predict/no-acs-root-port-joins 2 \
		"$(jq '[.groups[] | select(.shared | any(test("has no ACS capability"))) | .devices | length] | min' "$pred")"

	for iommu in intel amd; do
		check_boot "$iommu" || continue
		truth=$WORK/$iommu.json
		json 1 "$WORK/$iommu.out" >"$truth"
		common=$WORK/$iommu.common
		# Devices in both: the IOMMU's own function is in no group.
		comm -12 <(jq -r '.groups[].devices[].address' "$pred" | sort) \
			<(jq -r '.groups[].devices[].address' "$truth" | sort) >"$common"
		if [ "$(wc -l <"$common")" -lt 20 ]; then
			fail "vm-predict/$iommu-partition" "only $(wc -l <"$common") devices in both reports"
			continue
		fi
		partition "$common" <"$pred" >"$WORK/pred.part"
		partition "$common" <"$truth" >"$WORK/$iommu.part"
		if [ "$(wc -l <"$WORK/$iommu.part")" -lt 12 ]; then
			fail "vm-predict/$iommu-partition" "the kernel has only $(wc -l <"$WORK/$iommu.part") groups"
		elif diff "$WORK/pred.part" "$WORK/$iommu.part" >"$WORK/diff"; then
			pass "vm-predict/$iommu-partition"
		else
			fail "vm-predict/$iommu-partition" "prediction (<) and the kernel (>) differ:"
			sed 's/^/    /' "$WORK/diff"
		fi
		# Predicting with the IOMMU on (the kernel has set the ACS bits
		# by then) gives the same, and --compare agrees.
		expect_eq "vm-predict/$iommu-compare-rc" 0 \
			"$(grep '^@@rc=' "$WORK/$iommu.out" | sed -n 2p | cut -d= -f2)"
		expect_eq "vm-predict/$iommu-compare-differences" 0 \
			"$(json 2 "$WORK/$iommu.out" | jq '.differences | length')"
	done
}

main "$@"
