#!/bin/bash
# Tier 4: boot the Debian kernel under QEMU, one boot per scenario, and check
# what `vfiokit groups` (text and --json) says inside.  The machines are in
# tests/vm/scenario-args.sh.  Prints PASS/FAIL/SKIP lines (tests/lib.sh).
#
#   tests/vm/scenarios.sh [SCENARIO...]
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/vm/vmlib.sh
. "$TOP/tests/vm/vmlib.sh"
# shellcheck source=tests/vm/scenario-args.sh
. "$TOP/tests/vm/scenario-args.sh"

# In the guest: both reports, each followed by a line "@@rc=STATUS".
GUEST_CMD='vfiokit groups; printf "\n@@rc=%s\n" $?; vfiokit --json groups; printf "\n@@rc=%s\n" $?'

# Set by boot_scenario: the text report, the JSON report, their exit statuses.
TEXT='' TEXT_RC='' JSON='' JSON_RC=''

# section N OUTPUT: the Nth report (1 or 2) of OUTPUT, or its status with "rc".
section() {
	awk -v want="$1" -v what="${2:-body}" '
		/^@@rc=[0-9]+$/ { n++; if (n == want && what == "rc") print substr($0, 6); next }
		n == want - 1 && what == "body" { print }' <<<"$3"
}

# boot_scenario NAME: boot it; FAIL and return 1 when the boot itself failed.
boot_scenario() {
	local args out rc err
	mapfile -t args < <(scenario_args "$1")
	err=$(mktemp)
	out=$("$VM_DIR/run-vm" "${args[@]}" -- sh -c "$GUEST_CMD" 2>"$err")
	rc=$?
	if [ "$rc" != 0 ]; then
		fail "vm-$1-boot" "run-vm exited with $rc"
		sed 's/^/    /' "$err" | tail -n 30
		rm -f "$err"
		return 1
	fi
	rm -f "$err"
	pass "vm-$1-boot"
	TEXT=$(section 1 body "$out")
	TEXT_RC=$(section 1 rc "$out")
	JSON=$(section 2 body "$out")
	JSON_RC=$(section 2 rc "$out")
}

# group_blocks ERE: the text report's groups (a header line beginning with
# "IOMMU group" up to the next one) whose text matches ERE, each ended by a
# line "@@end".
group_blocks() {
	awk -v pat="$1" '
		function flush() { if (blk ~ pat) printf "%s@@end\n", blk; blk = "" }
		/^IOMMU group/ { flush() }
		{ blk = blk $0 "\n" }
		END { flush() }' <<<"$TEXT"
}

# addresses ERE: the PCI addresses on the device lines that match ERE.
addresses() {
	grep -E -- "$1" <<<"$TEXT" | grep -Eo '([0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]' |
		head -n 1000 | sort -u
}

# json_devices: "GROUP READY ADDRESS DRIVER" for each device in the JSON.
json_devices() {
	jq -r '.groups[] | .group as $g | .ready as $p | .devices[] |
		"\($g) \($p) \(.address) \(.driver)"' <<<"$JSON" 2>/dev/null
}

# expect_count NAME WANT TEXT ERE: PASS when WANT lines of TEXT match ERE.
expect_count() {
	local n
	n=$(grep -Ec -- "$4" <<<"$3")
	if [ "$n" = "$2" ]; then
		pass "$1"
	else
		fail "$1" "$n lines match /$4/, expected $2"
		printf '%s\n' "$3" | sed 's/^/    /' | head -n 40
	fi
}

# ---- assertions: intel (adjust to the output format here) -----------------
check_intel() {
	local blocks addr
	blocks=$(group_blocks '\[8086:10d3\]')
	expect_count vm-intel-e1000e-groups 2 "$blocks" '^IOMMU group [0-9]+  isolated, ready$'
	expect_count vm-intel-e1000e-passable 0 "$blocks" '^IOMMU group [0-9]+.*not ready'
	expect_count vm-intel-e1000e-vfio 2 "$blocks" 'driver vfio-pci'
	expect_count vm-intel-e1000e-lines 2 "$blocks" 'Ethernet controller.*82574L.*\[8086:10d3\]'
	for addr in $(addresses '\[8086:10d3\]'); do
		expect_match "vm-intel-json-$addr" "^[0-9]+ true (0000:)?$addr vfio-pci$" "$(json_devices)"
	done
	expect_eq vm-intel-json-status "$TEXT_RC" "$JSON_RC"
	expect_match vm-intel-boot-vga 'driver.*boot VGA' "$(group_blocks '\[1234:1111\]')"
	expect_eq vm-intel-boot-vga-json true \
		"$(jq -r '.groups[].devices[] | select(.device_id == "1111") | .boot_vga' <<<"$JSON")"
}

# ---- assertions: amd-bridge -------------------------------------------------
check_amd_bridge() {
	local blocks addr
	blocks=$(group_blocks '\[10ec:8139\]')
	expect_count vm-amd-bridge-shared-group 1 "$blocks" '^IOMMU group [0-9]+  isolated, not ready$'
	expect_match vm-amd-bridge-e1000-in-group '\[8086:100e\]' "$blocks"
	addr=$(addresses '\[10ec:8139\]')
	expect_match vm-amd-bridge-rtl8139 '.' "$addr"
	expect_match vm-amd-bridge-reason \
		"^ *not ready:.*(0000:)?${addr#0000:}.*Realtek.*RTL-8100/8101L/8139" "$blocks"
	expect_match vm-amd-bridge-json "^[0-9]+ false (0000:)?${addr#0000:} " "$(json_devices)"
}

# ---- assertions: no-iommu ---------------------------------------------------
check_no_iommu() {
	expect_eq vm-no-iommu-status 3 "$TEXT_RC"
	expect_match vm-no-iommu-explains 'DMAR.*IVRS|IVRS.*DMAR' "$TEXT"
	expect_eq vm-no-iommu-json-status 3 "$JSON_RC"
	expect_eq vm-no-iommu-json-groups 0 "$(jq '.groups | length' <<<"$JSON" 2>&1)"
}

# ---- assertions: intel-noarg ------------------------------------------------
# Debian's 6.1 turns VT-d on without intel_iommu=on; the e1000e keeps e1000e.
check_intel_noarg() {
	local blocks
	blocks=$(group_blocks '\[8086:10d3\]')
	expect_count vm-intel-noarg-groups 1 "$blocks" '^IOMMU group [0-9]+  isolated, not ready$'
	expect_match vm-intel-noarg-host-driver 'driver e1000e' "$blocks"
	expect_match vm-intel-noarg-reason '^ *not ready:.*e1000e' "$blocks"
}

# ---- assertions: intel-off --------------------------------------------------
check_intel_off() {
	expect_eq vm-intel-off-status 3 "$TEXT_RC"
	expect_match vm-intel-off-explains 'table.*intel_iommu=off' "$TEXT"
	expect_eq vm-intel-off-json-status 3 "$JSON_RC"
	expect_eq vm-intel-off-json-groups 0 "$(jq '.groups | length' <<<"$JSON" 2>&1)"
}
# ---- end of assertions ------------------------------------------------------

# prerequisites SCENARIO...: SKIP them all (and return 1) without qemu.
prerequisites() {
	local s
	vm_qemu >/dev/null && return 0
	for s in "$@"; do
		skip "vm-$s" "qemu-system-x86_64 is not installed"
	done
	return 1
}

main() {
	local s
	# shellcheck disable=SC2206
	local list=(${@:-$SCENARIOS})
	prerequisites "${list[@]}" || return 0
	if [ ! -x "$VFIOKIT" ]; then
		fail vm-scenarios "$VFIOKIT is not built"
		return 0
	fi
	if ! vm_kernel; then
		fail vm-scenarios "no Debian kernel (tests/vm/kernel.sh failed)"
		return 0
	fi
	for s in "${list[@]}"; do
		boot_scenario "$s" && "check_${s//-/_}"
	done
}

main "$@"
