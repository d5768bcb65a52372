# The machines of the real-boot scenarios, shared by tests/vm/scenarios.sh
# and tests/vm/capture-fixtures.sh.  Source it; do not run it.
# shellcheck shell=bash

# Scenarios that scenarios.sh boots (capture-fixtures.sh adds "many").
# shellcheck disable=SC2034
SCENARIOS="intel amd-bridge no-iommu intel-noarg intel-off"

# scenario_args NAME: the run-vm options of scenario NAME, one per line.
#   intel        VT-d on, two e1000e claimed by vfio-pci.ids=, a standard
#                VGA card that the firmware boots with (boot_vga)
#   amd-bridge   AMD-Vi; an e1000 (vfio-pci) and an rtl8139 (host driver)
#                behind one PCIe-to-PCI bridge: one shared group
#   no-iommu     no IOMMU in the machine (no DMAR/IVRS table)
#   intel-noarg  VT-d without intel_iommu=: Debian's 6.1 turns it on anyway
#                (CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y); e1000e stays
#                with its host driver
#   intel-off    VT-d table present, intel_iommu=off: no groups
#   two-cards    VT-d on, two e1000e: 0000:00:03.0 claimed by address
#                (driver_override), 0000:00:02.0 on its host driver e1000e
#   many         VT-d on, more than 200 PCI devices (the benchmark's tree)
#   verify-pci-stub  VT-d on, an e1000e claimed by pci-stub.ids=
#   verify-amd-seed  AMD-Vi, an e1000 claimed, and the seed's wrong arguments
#                    iommu=1 amd_iommu=on ignore_msrs=1
#   verify-amd-cpu   QEMU's default CPU model (qemu64, AuthenticAMD) with an
#                    emulated Intel IOMMU, as a nested guest on an AMD host
#                    sees it; an e1000e claimed by vfio-pci.ids=
# (the verify-* machines are booted by tests/vm/verify.sh)
scenario_args() {
	case $1 in
	intel)
		printf '%s\n' --iommu intel --device VGA --device e1000e --device e1000e \
			--append "intel_iommu=on vfio-pci.ids=8086:10d3" ;;
	amd-bridge)
		printf '%s\n' --iommu amd \
			--device pcie-root-port,id=rp1,chassis=1 \
			--device pcie-pci-bridge,id=br1,bus=rp1 \
			--device e1000,bus=br1,addr=1 --device rtl8139,bus=br1,addr=2 \
			--append vfio-pci.ids=8086:100e ;;
	no-iommu)
		printf '%s\n' --iommu none --device e1000e --append vfio-pci.ids=8086:10d3 ;;
	intel-noarg)
		printf '%s\n' --iommu intel --device e1000e ;;
	intel-off)
		printf '%s\n' --iommu intel --device e1000e --append intel_iommu=off ;;
	two-cards)
		printf '%s\n' --iommu intel --device VGA --device e1000e --device e1000e \
			--append "intel_iommu=on vk.override=0000:00:03.0" ;;
	many)
		printf '%s\n' --iommu intel --append intel_iommu=on --timeout 600
		many_devices ;;
	verify-pci-stub)
		printf '%s\n' --iommu intel --device e1000e \
			--append "intel_iommu=on pci-stub.ids=8086:10d3" ;;
	verify-amd-seed)
		printf '%s\n' --iommu amd --device e1000 \
			--append "iommu=1 amd_iommu=on ignore_msrs=1 vfio-pci.ids=8086:100e" ;;
	verify-amd-cpu)
		printf '%s\n' --iommu intel --cpu qemu64 --device e1000e \
			--append "intel_iommu=on vfio-pci.ids=8086:10d3" ;;
	*)
		return 1 ;;
	esac
}

# many_devices: --device options for 6 root ports, each with a PCIe-to-PCI
# bridge full of virtio-rng (no I/O BAR), and 8 more on the root bus.
many_devices() {
	local port slot
	for port in 1 2 3 4 5 6; do
		printf '%s\n' --device "pcie-root-port,id=rp$port,chassis=$port,io-reserve=0" \
			--device "pcie-pci-bridge,id=br$port,bus=rp$port"
		for slot in $(seq 1 31); do
			printf -- '--device\nvirtio-rng-pci,disable-legacy=on,bus=br%s,addr=%x\n' "$port" "$slot"
		done
	done
	for slot in $(seq 16 23); do
		printf -- '--device\nvirtio-rng-pci,disable-legacy=on,addr=%x\n' "$slot"
	done
}
