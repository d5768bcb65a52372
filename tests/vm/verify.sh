#!/bin/bash
# Tier 4: `vfiokit verify` inside real boots of the Debian kernel under QEMU
# (TCG), one boot per machine of tests/vm/scenario-args.sh.  Prints
# PASS/FAIL/SKIP lines (tests/lib.sh).
#
#   tests/vm/verify.sh [SCENARIO...]
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/vm/vmlib.sh
. "$TOP/tests/vm/vmlib.sh"
# shellcheck source=tests/vm/scenario-args.sh
. "$TOP/tests/vm/scenario-args.sh"

VERIFY_SCENARIOS="intel amd-bridge intel-off verify-pci-stub verify-amd-seed verify-amd-cpu"

# What each machine runs: reports separated by "@@rc=STATUS" lines.
guest_cmd() {
	local v='NO_COLOR=1 vfiokit verify' e='; printf "\n@@rc=%s\n" $?; '
	case $1 in
	intel)
		printf '%s' "$v --checks iommu,cmdline,modules,devices --device 8086:10d3$e" \
			"(unset NO_COLOR; vfiokit verify --checks kvm)$e" \
			"vfiokit --json verify --checks iommu,cmdline,devices --device 8086:10d3$e" \
			"$v --checks devices --device 10de:1c03$e" ;;
	amd-bridge) printf '%s' "$v --checks iommu,devices --device 8086:100e$e" ;;
	intel-off) printf '%s' "$v --checks iommu,cmdline$e" ;;
	verify-pci-stub) printf '%s' "$v --checks iommu,cmdline,devices --device 8086:10d3$e" ;;
	verify-amd-seed) printf '%s' "$v --checks cmdline,kvm$e" ;;
	verify-amd-cpu)
		printf '%s' "grep -m1 vendor_id /proc/cpuinfo$e" \
			"$v --checks iommu,cmdline,modules,devices --device 8086:10d3$e" ;;
	esac
}

# report N OUTPUT [rc]: the Nth report of OUTPUT, or its exit status.
report() {
	awk -v want="$1" -v what="${2:-body}" '
		/^@@rc=[0-9]+$/ { n++; if (n == want && what == "rc") print substr($0, 6); next }
		n == want - 1 && what == "body" { print }' <<<"$3"
}

OUT=''
boot() {
	local args rc err
	mapfile -t args < <(scenario_args "$1")
	err=$(mktemp)
	OUT=$("$VM_DIR/run-vm" "${args[@]}" -- sh -c "$(guest_cmd "$1")" 2>"$err")
	rc=$?
	if [ "$rc" != 0 ]; then
		fail "vm-verify-$1-boot" "run-vm exited with $rc"
		sed 's/^/    /' "$err" | tail -n 30
		rm -f "$err"
		return 1
	fi
	rm -f "$err"
	pass "vm-verify-$1-boot"
}

# lines_all NAME TEXT ERE RESULT: every line matching ERE reads RESULT, and
# there is at least one.
lines_all() {
	local sel
	sel=$(grep -E -- "$3" <<<"$2")
	if [ -n "$sel" ] && ! grep -qvE -- ": $4( |\$)" <<<"$sel"; then
		pass "$1"
	else
		fail "$1" "not every line /$3/ is $4"
		printf '%s\n' "$2" | sed 's/^/    /' | head -n 40
	fi
}

check_intel() {
	local t k j a
	t=$(report 1 body "$OUT") k=$(report 2 body "$OUT") j=$(report 3 body "$OUT")
	a=$(report 4 body "$OUT")
	lines_all vm-verify-intel-iommu "$t" 'IOMMU|interrupt remapping' PASS
	lines_all vm-verify-intel-cmdline "$t" 'command line|kernel accepted' PASS
	lines_all vm-verify-intel-devices "$t" 'device|group|/dev/vfio|0000:' PASS
	lines_all vm-verify-intel-all "$t" '^Checking' PASS
	expect_eq vm-verify-intel-status 0 "$(report 1 rc "$OUT")"
	# TCG: no /dev/kvm. Never a PASS. On the serial console (a TTY) in colour.
	expect_match vm-verify-intel-kvm-colour $'\e\\[31mFAIL' "$k"
	k=${k//$'\e'\[[0-9]m/}
	k=${k//$'\e'\[[0-9][0-9]m/}
	expect_match vm-verify-intel-kvm-fail 'Checking /dev/kvm.*: FAIL \(/dev/kvm: No such file.*load kvm_intel' "$k"
	expect_eq vm-verify-intel-kvm-status 3 "$(report 2 rc "$OUT")"
	# The documented JSON schema.
	expect_eq vm-verify-intel-json-schema true "$(jq '
		(keys == ["checks", "ok", "summary"]) and (.ok | type == "boolean") and
		(.summary | keys == ["fail", "pass", "unknown", "warn"]) and
		all(.checks[]; (keys == ["check", "detail", "group", "result"]) and
			(.result | IN("pass", "warn", "fail", "unknown")) and
			(.group | IN("kvm", "iommu", "cmdline", "kconfig", "modules", "devices", "libvirt")) and
			(.detail == null or (.detail | type == "string")))' <<<"$j" 2>&1)"
	expect_eq vm-verify-intel-json-ok "true 0" "$(jq -r '"\(.ok) \(.summary.fail)"' <<<"$j" 2>&1)"
	expect_match vm-verify-intel-absent 'Checking device 10de:1c03 present *: FAIL' "$a"
	expect_eq vm-verify-intel-absent-status 3 "$(report 4 rc "$OUT")"
}

check_amd_bridge() {
	local t
	t=$(report 1 body "$OUT")
	expect_match vm-verify-amd-bridge-group \
		'Checking IOMMU group [0-9]+ bound to vfio-pci.*: FAIL \(.*Realtek.*8139.* is bound to 8139' "$t"
	lines_all vm-verify-amd-bridge-iommu "$t" 'firmware IOMMU|IOMMU enabled' PASS
	expect_eq vm-verify-amd-bridge-status 3 "$(report 1 rc "$OUT")"
}

check_intel_off() {
	local t
	t=$(report 1 body "$OUT")
	expect_match vm-verify-intel-off-iommu 'IOMMU enabled by the kernel *: FAIL \(.*intel_iommu=off' "$t"
	expect_match vm-verify-intel-off-cmdline 'intel_iommu=on *: FAIL \(.*make it intel_iommu=on' "$t"
	expect_eq vm-verify-intel-off-status 3 "$(report 1 rc "$OUT")"
}

check_verify_pci_stub() {
	local t
	t=$(report 1 body "$OUT")
	lines_all vm-verify-pci-stub-devices "$t" '^Checking (device .* present|IOMMU group|/dev/vfio)' PASS
	# The kernel's own answer: no group node until vfio-pci takes the group.
	lines_all vm-verify-pci-stub-probe "$t" 'VFIO group [0-9]+ opens' WARN
	lines_all vm-verify-pci-stub-cmdline "$t" 'claims 8086:10d3' PASS
	expect_eq vm-verify-pci-stub-status 0 "$(report 1 rc "$OUT")"
}

check_verify_amd_seed() {
	local t
	t=$(report 1 body "$OUT")
	expect_match vm-verify-amd-seed-iommu 'command line: iommu=1 *: FAIL' "$t"
	expect_match vm-verify-amd-seed-amd-iommu 'command line: amd_iommu=on *: FAIL' "$t"
	expect_match vm-verify-amd-seed-ignore-msrs 'command line: ignore_msrs=1 *: FAIL \(.*kvm.ignore_msrs=1' "$t"
	expect_match vm-verify-amd-seed-unknown 'kernel accepted ignore_msrs=1 *: FAIL' "$t"
	expect_eq vm-verify-amd-seed-status 3 "$(report 1 rc "$OUT")"
}

# QEMU's default CPU (AuthenticAMD) with -device intel-iommu: every check
# passes, intel_iommu=on included, since the IOMMU is the DMAR table's.
check_verify_amd_cpu() {
	local t
	expect_match vm-verify-amd-cpu-vendor 'vendor_id.*AuthenticAMD' "$(report 1 body "$OUT")"
	t=$(report 2 body "$OUT")
	lines_all vm-verify-amd-cpu-all "$t" '^Checking' PASS
	expect_match vm-verify-amd-cpu-intel-iommu-on 'intel_iommu=on.*: PASS' "$t"
	expect_eq vm-verify-amd-cpu-status 0 "$(report 2 rc "$OUT")"
}

main() {
	local s
	# shellcheck disable=SC2206
	local list=(${@:-$VERIFY_SCENARIOS})
	if ! vm_qemu >/dev/null; then
		for s in "${list[@]}"; do skip "vm-verify-$s" "qemu-system-x86_64 is not installed"; done
		return 0
	fi
	if [ ! -x "$VFIOKIT" ]; then
		fail vm-verify "$VFIOKIT is not built"
		return 0
	fi
	if ! vm_kernel; then
		fail vm-verify "no Debian kernel (tests/vm/kernel.sh failed)"
		return 0
	fi
	for s in "${list[@]}"; do
		boot "$s" && "check_${s//-/_}"
	done
}

main "$@"
