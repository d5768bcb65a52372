#!/bin/bash
# Tier 4: QEMU is the judge of `vfiokit verify`.  In each machine below the
# guest runs `vfiokit verify --checks devices` for one device, then QEMU
# itself (TCG, stopped with -S) with `-device vfio-pci,host=ADDR`, asks it
# for its PCI devices (`info pci`) and quits.  verify's verdict and QEMU's
# outcome must agree: PASS where QEMU lists the device, FAIL or WARN where
# it cannot take it; UNKNOWN never agrees.  Prints the table of both and
# PASS/FAIL lines (tests/lib.sh).  Boots two machines at a time.
#
#   tests/vm/judge.sh [SCENARIO...]
#
# Scenarios:
#   positive    an e1000e on vfio-pci, vfio_iommu_type1 loaded
#   shared      an e1000 on vfio-pci behind a PCIe-to-PCI bridge, with an
#               rtl8139 on its host driver in the same group
#   pci-stub    the e1000e claimed by pci-stub
#   no-backend  vfio_iommu_type1 unloaded
#   iommu-off   intel_iommu=off: no groups
#   held        a first QEMU holds the e1000e; verify and a second QEMU
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/vm/vmlib.sh
. "$TOP/tests/vm/vmlib.sh"

JUDGE_SCENARIOS="positive shared pci-stub no-backend iommu-off held"
# shellcheck disable=SC2054 # commas inside QEMU's device options
BRIDGE=(--device pcie-root-port,id=rp1,chassis=1 --device pcie-pci-bridge,id=br1,bus=rp1
	--device e1000,bus=br1,addr=1 --device rtl8139,bus=br1,addr=2)

# machine NAME: run-vm's options.
machine() {
	printf '%s\n' --iommu intel --mem 2048 --timeout 300
	case $1 in
	positive | no-backend | held)
		printf '%s\n' --device e1000e --append "intel_iommu=on vfio-pci.ids=8086:10d3" ;;
	shared) printf '%s\n' "${BRIDGE[@]}" --append "intel_iommu=on vfio-pci.ids=8086:100e" ;;
	pci-stub) printf '%s\n' --device e1000e --append "intel_iommu=on pci-stub.ids=8086:10d3" ;;
	iommu-off) printf '%s\n' --device e1000e --append "intel_iommu=off vfio-pci.ids=8086:10d3" ;;
	*) return 1 ;;
	esac
}

# expected NAME: verify's verdict in that machine.
expected() {
	case $1 in
	positive) echo PASS ;;
	pci-stub | held) echo WARN ;;
	*) echo FAIL ;;
	esac
}

# device NAME: the vendor:device id of the device passed through.
device() {
	case $1 in shared) echo 8086:100e ;; *) echo 8086:10d3 ;; esac
}

# guest_cmd NAME: the guest's script.  Reports: verify's lines, "@@qemu",
# QEMU's output, "@@qemu-rc=N".
guest_cmd() {
	local id pre=''
	id=$(device "$1")
	case $1 in
	no-backend) pre='rmmod vfio_iommu_type1' ;;
	*) pre='modprobe vfio_iommu_type1' ;;
	esac
	# shellcheck disable=SC2016 # expanded by the guest's shell
	printf '%s\n' "$pre" \
		'export QEMU_MODULE_DIR=/usr/lib/qemu' \
		"id=$id" \
		'addr=none' \
		'for d in /sys/bus/pci/devices/*; do' \
		'	[ "$(cat $d/vendor):$(cat $d/device)" = "0x${id%:*}:0x${id#*:}" ] && addr=${d##*/}' \
		'done' \
		'q() { qemu-system-x86_64 -accel tcg -M q35 -m 64 -nodefaults -display none -L /usr/share/seabios -S -monitor stdio -device vfio-pci,host=$addr; }'
	if [ "$1" = held ]; then
		# shellcheck disable=SC2016
		printf '%s\n' '(sleep 600 | q >/tmp/first.log 2>&1 &)' \
			'i=0; while ! grep -q "(qemu)" /tmp/first.log 2>/dev/null && [ $i -lt 120 ]; do sleep 1; i=$((i+1)); done'
	fi
	# shellcheck disable=SC2016
	printf '%s\n' 'NO_COLOR=1 vfiokit verify --checks devices --device $id' \
		'echo @@qemu' \
		'printf "info pci\nquit\n" | q 2>&1' \
		'echo "@@qemu-rc=$?"'
}

# verdict OUTPUT: the worst of verify's lines about the group, its VFIO node
# and the probe: FAIL, WARN, UNKNOWN, else PASS.
verdict() {
	local lines
	lines=$(sed -n '/^@@qemu$/q;p' <<<"$1" | grep -E '^Checking (device .* present|IOMMU group|/dev/vfio|VFIO |iommufd)')
	if [ -z "$lines" ]; then echo NONE
	elif grep -q ': FAIL' <<<"$lines"; then echo FAIL
	elif grep -q ': WARN' <<<"$lines"; then echo WARN
	elif grep -q ': UNKNOWN' <<<"$lines"; then echo UNKNOWN
	else echo PASS
	fi
}

# qemu_outcome NAME OUTPUT: "ok" when QEMU listed the device and quit with
# 0, else "fails: <its first error line>".
qemu_outcome() {
	local q rc id
	id=$(device "$1")
	q=$(sed -n '/^@@qemu$/,$p' <<<"$2")
	rc=$(sed -n 's/^@@qemu-rc=//p' <<<"$q")
	if [ "$rc" = 0 ] && grep -q "PCI device $id" <<<"$q"; then
		echo ok
	else
		echo "fails: $(grep -m1 'qemu-system-x86_64:' <<<"$q" | sed 's/^qemu-system-x86_64: //' | cut -c1-90)"
	fi
}

# agree VERDICT OUTCOME: verify and QEMU say the same.
agree() {
	case $1:$2 in
	PASS:ok | FAIL:fails* | WARN:fails*) return 0 ;;
	*) return 1 ;;
	esac
}

# boot NAME: boot the machine, its output into $WORK/NAME.out.
boot() {
	local args
	mapfile -t args < <(machine "$1")
	"$VM_DIR/run-vm" "${args[@]}" -- sh -c "$(guest_cmd "$1")" >"$WORK/$1.out" 2>"$WORK/$1.err"
	echo $? >"$WORK/$1.rc"
}

main() {
	local s v o list row=() start
	# shellcheck disable=SC2206
	list=(${@:-$JUDGE_SCENARIOS})
	vm_qemu >/dev/null || vm_die "qemu-system-x86_64 is not installed"
	[ -f /usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so ] ||
		vm_die "QEMU's TCG module is not installed (see tests/install-deps.sh)"
	vm_kernel || exit 125
	export VK_GUEST_QEMU=1
	# Build the initramfs once, before two boots race to.
	"$VM_DIR/mkinitramfs.sh" >/dev/null || exit 125
	WORK=$(mktemp -d) || exit 1
	start=$(date +%s)
	for ((i = 0; i < ${#list[@]}; i += 2)); do
		boot "${list[i]}" &
		[ $((i + 1)) -ge ${#list[@]} ] || boot "${list[i + 1]}" &
		wait
	done
	printf '%-11s %-8s %-8s %s\n' scenario expected verify QEMU
	for s in "${list[@]}"; do
		machine "$s" >/dev/null || { fail "vm-judge-$s" "no such scenario"; continue; }
		if [ "$(cat "$WORK/$s.rc")" != 0 ]; then
			row+=("FAIL vm-judge-$s: run-vm exited with $(cat "$WORK/$s.rc")")
			printf '%-11s %-8s %-8s %s\n' "$s" "$(expected "$s")" - "(no boot)"
			continue
		fi
		v=$(verdict "$(cat "$WORK/$s.out")")
		o=$(qemu_outcome "$s" "$(cat "$WORK/$s.out")")
		printf '%-11s %-8s %-8s %s\n' "$s" "$(expected "$s")" "$v" "$o"
		if [ "$v" = "$(expected "$s")" ] && agree "$v" "$o"; then
			row+=("PASS vm-judge-$s")
		else
			row+=("FAIL vm-judge-$s: verify says $v (expected $(expected "$s")), QEMU $o")
		fi
	done
	printf '%s\n' "${row[@]}"
	for s in "${list[@]}"; do
		grep -q "^FAIL vm-judge-$s" < <(printf '%s\n' "${row[@]}") || continue
		echo "    --- $s:"
		sed 's/^/    /' "$WORK/$s.out" "$WORK/$s.err" 2>/dev/null | tail -n 40
	done
	grep -q "@@qemu" "$WORK/held.out" 2>/dev/null &&
		expect_match vm-judge-held-in-use 'VFIO group [0-9]+ opens *: WARN \(/dev/vfio/[0-9]+: in use' \
			"$(cat "$WORK/held.out")"
	expect_eq vm-judge-time "within 360 s" \
		"$([ $(($(date +%s) - start)) -le 360 ] && echo "within 360 s" || echo "$(($(date +%s) - start)) s")"
	rm -rf "$WORK"
}

main "$@"
