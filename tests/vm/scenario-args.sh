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
#   predict-intel, predict-amd  VT-d or AMD-Vi on, every topology of
#                    predict_topology (tests/shell/predict.sh's trees)
# (the verify-* machines are booted by tests/vm/verify.sh)
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
	predict-intel)
		printf '%s\n' --iommu intel --append intel_iommu=on --timeout 300
		predict_topology ;;
	predict-amd)
		printf '%s\n' --iommu amd --timeout 300
		predict_topology ;;
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

# predict_topology: --device options for a machine with every topology
# the model of `groups --predict` knows (see tests/vm/predict.sh).
predict_topology() {
	local rng=virtio-rng-pci,disable-legacy=on
	printf -- '--device\n%s\n' \
		"pcie-root-port,id=acs,chassis=1,addr=10.0" "$rng,bus=acs" \
		"pcie-root-port,id=noacs,chassis=2,addr=11.0,disable-acs=on" "$rng,bus=noacs" \
		"pcie-root-port,id=mf1,chassis=3,addr=12.0,multifunction=on" \
		"pcie-root-port,id=mf2,chassis=4,addr=12.1" "$rng,bus=mf1" "$rng,bus=mf2" \
		"pcie-root-port,id=mfn1,chassis=5,addr=13.0,multifunction=on,disable-acs=on" \
		"pcie-root-port,id=mfn2,chassis=6,addr=13.1,disable-acs=on" \
		"$rng,bus=mfn1" "$rng,bus=mfn2" \
		"pcie-root-port,id=sw,chassis=7,addr=14.0" "x3130-upstream,id=up,bus=sw" \
		"xio3130-downstream,id=dn1,bus=up,chassis=8,slot=1" \
		"xio3130-downstream,id=dn2,bus=up,chassis=9,slot=2" "$rng,bus=dn1" "$rng,bus=dn2" \
		"pcie-root-port,id=br,chassis=10,addr=15.0" "pcie-pci-bridge,id=pb,bus=br" \
		"e1000,bus=pb,addr=1" "rtl8139,bus=pb,addr=2" \
		"pcie-root-port,id=mfe,chassis=11,addr=16.0" \
		"$rng,bus=mfe,addr=0.0,multifunction=on" "$rng,bus=mfe,addr=0.1"
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
