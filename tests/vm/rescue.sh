#!/bin/bash
# Tier 4: the rescue argument of vfiokit(8) in real boots.  The machine
# claims its e1000e (8086:10d3) with vfio-pci.ids= on the command line; the
# rescue boot adds what a user types at the GRUB prompt:
#   module_blacklist=vfio_pci,pci_stub vfio-pci.ids= pci-stub.ids=
# The card must be on its host driver (e1000e), stay there when modprobe.d
# claims it (options vfio-pci ids=, softdep e1000e pre: vfio-pci) and the
# host driver is loaded again, and verify must say the claims are
# suspended; then modprobe.d claims it by address (the install hook
# that sets driver_override, as vfiokit modules write writes it) and the
# card must still come back on e1000e with no override.  The control boot, without the rescue, has it on vfio-pci.
# Prints PASS/FAIL lines (tests/lib.sh).
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=tests/vm/vmlib.sh
. "$TOP/tests/vm/vmlib.sh"

CLAIM="intel_iommu=on vfio-pci.ids=8086:10d3"
RESCUE="module_blacklist=vfio_pci,pci_stub vfio-pci.ids= pci-stub.ids="

# shellcheck disable=SC2016 # expanded by the guest's shell
GUEST='drv() { basename "$(readlink /sys/bus/pci/devices/0000:00:01.0/driver)"; }
echo "boot: $(drv)"
rmmod e1000e 2>/dev/null
printf "options vfio-pci ids=8086:10d3\nsoftdep e1000e pre: vfio-pci\n" >/etc/modprobe.d/vfiokit.conf
modprobe e1000e; echo "modprobe e1000e: $?"
echo "after modprobe.d: $(drv)"
grep -q "^vfio_pci " /proc/modules && echo "vfio_pci: loaded" || echo "vfio_pci: not loaded"
NO_COLOR=1 vfiokit verify --checks cmdline --device 8086:10d3
rmmod e1000e 2>/dev/null
vfiokit modules write --device 0000:00:01.0 >/dev/null 2>&1; echo "modules write: $?"
grep -c "^install vfio-pci" /etc/modprobe.d/vfiokit.conf
modprobe e1000e
echo "by address: $(drv) override=$(cat /sys/bus/pci/devices/0000:00:01.0/driver_override)"'

main() {
	local work
	vm_qemu >/dev/null || vm_die "qemu-system-x86_64 is not installed"
	vm_kernel || exit 125
	"$VM_DIR/mkinitramfs.sh" >/dev/null || exit 125
	work=$(mktemp -d) || exit 1
	"$VM_DIR/run-vm" --iommu intel --device e1000e --append "$CLAIM $RESCUE" \
		-- sh -c "$GUEST" >"$work/rescue" 2>&1 &
	"$VM_DIR/run-vm" --iommu intel --device e1000e --append "$CLAIM" \
		-- sh -c "$GUEST" >"$work/control" 2>&1 &
	wait
	expect_match vm-rescue-host-driver '^boot: e1000e$' "$(cat "$work/rescue")"
	expect_match vm-rescue-modprobe-d '^after modprobe.d: e1000e$' "$(cat "$work/rescue")"
	expect_match vm-rescue-no-vfio-pci '^vfio_pci: not loaded$' "$(cat "$work/rescue")"
	expect_match vm-rescue-verify \
		"^Checking vfiokit's claims in force +: WARN \(suspended for this boot: module_blacklist=vfio_pci,pci_stub" \
		"$(cat "$work/rescue")"
	# A claim by address (the install hook that sets driver_override)
	# stands down too: the card loads its host driver, no override set.
	expect_match vm-rescue-by-address-written '^modules write: 0$' "$(cat "$work/rescue")"
	expect_match vm-rescue-by-address '^by address: e1000e override=\(null\)$' "$(cat "$work/rescue")"
	expect_match vm-rescue-control-claimed '^boot: vfio-pci$' "$(cat "$work/control")"
	expect_eq vm-rescue-control-verify "" "$(grep "claims in force" "$work/control")"
	rm -rf "$work"
}

main "$@"
