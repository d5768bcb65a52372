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
#   many         VT-d on, more than 200 PCI devices (the benchmark's tree)
#   verify-pci-stub  VT-d on, an e1000e claimed by pci-stub.ids=
#   verify-amd-seed  AMD-Vi, an e1000 claimed, and the seed's wrong arguments
#                    iommu=1 amd_iommu=on ignore_msrs=1
#   topology-2s4c2t  two sockets of four cores with two threads each
#   topology-epyc    an EPYC CPU asked for one socket of two dies of four
#                    cores with two threads; QEMU's TCG has no topoext, so
#                    the guest sees 16 cores with one L3 and no SMT
#   topology-2die    one socket of two dies (each die its own L3, as AMD's
#                    CCX or CCD) of four cores with two threads each
# (the verify-* machines are booted by tests/vm/verify.sh; the topology-*
# ones are captured for tests/shell/libvirt-topology.sh only)
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
	many)
		printf '%s\n' --iommu intel --append intel_iommu=on --timeout 600
		many_devices ;;
	verify-pci-stub)
		printf '%s\n' --iommu intel --device e1000e \
			--append "intel_iommu=on pci-stub.ids=8086:10d3" ;;
	verify-amd-seed)
		printf '%s\n' --iommu amd --device e1000 \
			--append "iommu=1 amd_iommu=on ignore_msrs=1 vfio-pci.ids=8086:100e" ;;
	topology-2s4c2t)
		printf '%s\n' --iommu none --cpu qemu64,vendor=GenuineIntel \
			--smp sockets=2,cores=4,threads=2 --timeout 300 ;;
	topology-epyc)
		printf '%s\n' --iommu amd --cpu EPYC --smp sockets=1,dies=2,cores=4,threads=2 \
			--timeout 300 ;;
	topology-2die)
		printf '%s\n' --iommu none --cpu qemu64,vendor=GenuineIntel \
			--smp sockets=1,dies=2,cores=4,threads=2 --timeout 300 ;;
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
