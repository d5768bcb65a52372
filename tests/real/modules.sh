#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 3: vfiokit modules check and write against the real module trees of
# Debian's linux-image packages for 6.1 and 6.12 (tests/kernel-image.sh,
# depmod -b indexes), with the sysfs of real boots (tests/fixtures) for
# the devices: present, built in, blacklisted, missing, soft dependencies,
# the files write puts there read back by libkmod (vfiokit's and kmod's
# modprobe), bad input.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# kernel SERIES: set KVER and MODROOT, or return 1.
kernel() {
	local out
	out=$("$TOP/tests/kernel-image.sh" "$1" 2>"$TMP/kernel.err") || return 1
	KVER=$(sed -n 's/^KVER=//p' <<<"$out")
	MODROOT=$(sed -n 's/^MODROOT=//p' <<<"$out")
}

# root NAME FIXTURE: a system tree with the fixture's sysfs/procfs and the
# real module tree of $KVER (a link); prints its path.
root() {
	local r=$TMP/$1
	mkdir -p "$r/lib/modules" "$r/etc/modprobe.d" "$r/boot"
	tar -xzf "$TOP/tests/fixtures/$2.tar.gz" -C "$r" || return 1
	ln -s "$MODROOT/lib/modules/$KVER" "$r/lib/modules/$KVER"
	printf '%s\n' "$r"
}

# mini_tree ROOT MODULE... : a module tree under ROOT with the real files of
# MODULEs and their dependencies, the real modules.builtin and .order; no
# indexes yet.
mini_tree() {
	local r=$1 m dst=$1/lib/modules/$KVER
	shift
	mkdir -p "$dst"
	for m in "$@"; do
		modprobe -d "$MODROOT" -S "$KVER" --show-depends "$m" 2>/dev/null
	done | awk '$1 == "insmod" { print $2 }' | sort -u | while read -r ko; do
		mkdir -p "$dst/$(dirname "${ko#"$MODROOT/lib/modules/$KVER/"}")"
		cp "$ko" "$dst/${ko#"$MODROOT/lib/modules/$KVER/"}"
	done
	cp "$MODROOT/lib/modules/$KVER/"{modules.builtin,modules.builtin.modinfo,modules.order} "$dst/"
}

# run NAME ARGS...: vfiokit's output in OUT, its status in RC.
run() {
	OUT=$("$VFIOKIT" "$@" 2>&1)
	RC=$?
}

# expect_has NAME STRING TEXT: PASS when TEXT holds STRING.
expect_has() {
	if grep -qF -- "$2" <<<"$3"; then pass "$1"; else
		fail "$1" "no line holds '$2'"
		printf '%s\n' "$3" | sed 's/^/    /' | head -n 40
	fi
}

expect_rc() {
	if [ "$RC" = "$2" ]; then pass "$1"; else
		fail "$1" "exit $RC, expected $2"
		printf '%s\n' "$OUT" | sed 's/^/    /' | head -n 40
	fi
}

VFIO_LINES='^  (vfio|vfio_iommu_type1|vfio_pci_core|vfio_pci|irqbypass|kvm|kvm_intel) +module '
GPU_NVIDIA=pci:v000010DEd00001C03sv00001458sd00003771bc03sc00i00
GPU_NVIDIA_AUDIO=pci:v000010DEd000010F1sv00001458sd00003771bc04sc03i00
GPU_AMD=pci:v00001002d0000731Fsv00001DA2sd0000E411bc03sc00i00
USB_XHCI=pci:v00001B21d00002142sv00001B21sd00002142bc0Csc03i30

series_tests() { # SERIES
	local s=$1 r
	if ! kernel "$s"; then
		fail "modules-real/$s/kernel" "tests/kernel-image.sh $s failed: $(tail -n 3 "$TMP/kernel.err")"
		return
	fi
	r=$(root "$s-present" intel-noarg)

	# Present: every module passthrough needs, with its dependency chain.
	run --root "$r" modules check
	expect_rc "modules-real/$s/present-status" 0
	expect_eq "modules-real/$s/present-modules" 7 "$(grep -Ec "$VFIO_LINES" <<<"$OUT")"
	expect_has "modules-real/$s/chosen-why" "Kernel: $KVER (the only kernel" "$OUT"
	expect_match "modules-real/$s/vfio-pci-chain" \
		'^ +needs irqbypass, vfio, (vfio_virqfd, )?vfio_pci_core$' "$OUT"
	if [ "$s" = 6.1 ]; then
		expect_match "modules-real/$s/virqfd" '^  vfio_virqfd +module' "$OUT"
	else
		expect_eq "modules-real/$s/no-virqfd" "" "$(grep vfio_virqfd <<<"$OUT")"
	fi
	run --json --root "$r" modules check
	expect_eq "modules-real/$s/json-states" "module module module" \
		"$(jq -r '[.modules[] | select(.name == "vfio" or .name == "vfio_pci" or .name == "kvm") | .state] | join(" ")' <<<"$OUT")"

	# A device on its host driver, no ids anywhere: the host wins.
	run --root "$r" modules check --device 8086:10d3
	expect_rc "modules-real/$s/host-status" 3
	expect_match "modules-real/$s/host-driver" '^  drivers:  e1000e \(module\)' "$OUT"
	expect_match "modules-real/$s/host-verdict" 'PROBLEM, the host driver claims it first: vfio-pci is not told' "$OUT"

	# The modalias lookup on the real alias tables.
	run --root "$r" modules check --device "$GPU_NVIDIA" --device "$GPU_NVIDIA_AUDIO" \
		--device "$GPU_AMD" --device "$USB_XHCI"
	expect_match "modules-real/$s/nouveau" 'drivers:  nouveau \(module\)' "$OUT"
	expect_match "modules-real/$s/snd-hda-intel" 'drivers:  snd_hda_intel \(module\)' "$OUT"
	expect_match "modules-real/$s/amdgpu" 'drivers:  amdgpu \(module\)' "$OUT"
	expect_match "modules-real/$s/xhci" 'drivers:  xhci_pci \(module\)' "$OUT"

	# Softdep ordering: ids and a softdep for each driver of the device.
	printf 'options vfio-pci ids=8086:10d3\nsoftdep e1000e pre: vfio-pci\n' >"$r/etc/modprobe.d/v.conf"
	run --root "$r" modules check --device 0000:00:01.0
	expect_rc "modules-real/$s/softdep-status" 0
	expect_match "modules-real/$s/softdep-verdict" 'OK, vfio-pci claims it first: modprobe loads vfio-pci before' "$OUT"
	expect_match "modules-real/$s/softdep-options" 'options \(modprobe.d\): ids=8086:10d3' "$OUT"
	# The ids without the softdep: e1000e comes first.
	printf 'options vfio-pci ids=8086:10d3\n' >"$r/etc/modprobe.d/v.conf"
	run --root "$r" modules check --device 8086:10d3
	expect_match "modules-real/$s/no-softdep" 'udev loads e1000e for the device and nothing loads vfio-pci before it' "$OUT"

	# Blacklisted: modprobe.d and modprobe.blacklist= on the command line.
	printf 'blacklist vfio_iommu_type1\n' >"$r/etc/modprobe.d/v.conf"
	cp --remove-destination "$r/proc/cmdline" "$r/proc/cmdline.orig"
	printf 'console=ttyS0 modprobe.blacklist=e1000e,tun vfio-pci.ids=8086:10d3\n' >"$r/proc/cmdline"
	run --root "$r" modules check --device 8086:10d3
	expect_rc "modules-real/$s/blacklisted-status" 3
	expect_match "modules-real/$s/blacklisted-conf" 'blacklisted \(modprobe.d\)' "$OUT"
	expect_match "modules-real/$s/blacklisted-cmdline" 'blacklisted \(modprobe.blacklist= on the command line\)' "$OUT"
	expect_match "modules-real/$s/cmdline-options" 'options \(command line\): ids=8086:10d3' "$OUT"
	expect_match "modules-real/$s/blacklisted-host" 'nothing claims it: no driver takes it at boot: its drivers are blacklisted' "$OUT"
	mv "$r/proc/cmdline.orig" "$r/proc/cmdline"

	# A line libkmod rejects: file and line, as kmod says it.
	printf 'options vfio-pci ids=8086:10d3\nfrobnicate vfio\n' >"$r/etc/modprobe.d/v.conf"
	run --root "$r" modules check
	expect_rc "modules-real/$s/bad-line-status" 3
	expect_match "modules-real/$s/bad-line" "^vfiokit: /etc/modprobe.d/v.conf:2: ignoring bad line starting with 'frobnicate'" "$OUT"
	rm -f "$r/etc/modprobe.d/v.conf"

	# modules write, read back by libkmod: vfiokit's check and kmod's modprobe.
	mkdir -p "$r/usr/lib/dracut"
	run --root "$r" modules write --device 8086:10d3 --ignore-msrs --dry-run
	expect_match "modules-real/$s/write-dry-diff" '^\+options vfio-pci ids=8086:10d3$' "$OUT"
	expect_eq "modules-real/$s/write-dry-nothing" "" "$(ls "$r/etc/modprobe.d")"
	run --root "$r" modules write --device 8086:10d3 --ignore-msrs
	expect_rc "modules-real/$s/write-status" 0
	expect_eq "modules-real/$s/write-modprobe" "options vfio-pci ids=8086:10d3
softdep e1000e pre: vfio-pci
options kvm ignore_msrs=1" "$(grep -v '^#' "$r/etc/modprobe.d/vfiokit.conf")"
	if [ "$s" = 6.1 ]; then want=" vfio vfio_iommu_type1 vfio_virqfd vfio_pci "; else want=" vfio vfio_iommu_type1 vfio_pci "; fi
	expect_eq "modules-real/$s/write-dracut" "force_drivers+=\"$want\"" \
		"$(grep force_drivers "$r/etc/dracut.conf.d/vfiokit.conf")"
	run --root "$r" modules write --device 8086:10d3 --ignore-msrs
	expect_match "modules-real/$s/write-idempotent" 'vfiokit.conf: up to date' "$OUT"
	expect_eq "modules-real/$s/write-no-backup" "" "$(ls "$r/etc/modprobe.d" | grep vfiokit-bak)"
	run --json --root "$r" modules check --device 8086:10d3
	expect_eq "modules-real/$s/readback-libkmod" "0 vfio-pci ignore_msrs=1" \
		"$(jq -r '"\(.config_errors | length) \(.devices[0].claimed_by) \(.modules[] | select(.name == "kvm") | .options_modprobe_d)"' <<<"$OUT")"
	local order
	order=$(modprobe -d "$r" -S "$KVER" -C "$r/etc/modprobe.d" --show-depends e1000e 2>&1 |
		awk '{ n = split($2, a, "/"); print a[n] }' | tr '\n' ' ')
	expect_match "modules-real/$s/readback-kmod-modprobe" 'vfio-pci\.ko(\.xz)? .*e1000e\.ko(\.xz)? $' "$order"
}

builtin_and_missing() { # on the 6.12 tree
	local r=$TMP/mini dst
	kernel 6.12 || return
	mkdir -p "$r/proc" "$r/etc/modprobe.d"
	tar -xzf "$TOP/tests/fixtures/intel-noarg.tar.gz" -C "$r" || return
	# vfio_pci built in, vhost_net and kvm_intel left out, the rest real.
	mini_tree "$r" vfio vfio_iommu_type1 vfio_pci_core irqbypass kvm pci_stub bridge tun e1000e
	dst=$r/lib/modules/$KVER
	echo kernel/drivers/vfio/pci/vfio-pci.ko >>"$dst/modules.builtin"

	# No modules.dep yet: say to run depmod, write nothing.
	run --root "$r" modules check
	expect_rc modules-real/no-modules-dep-status 1
	expect_has modules-real/no-modules-dep "has no modules.dep: run 'depmod -b $r $KVER' first" "$OUT"
	run --root "$r" modules write --device 8086:10d3
	expect_rc modules-real/no-modules-dep-write 1
	expect_eq modules-real/no-modules-dep-nothing-written "" "$(ls "$r/etc/modprobe.d")"

	depmod -b "$r" "$KVER" || { fail modules-real/mini-depmod "depmod -b failed"; return; }
	run --root "$r" modules check --device 8086:10d3
	expect_rc modules-real/missing-status 3
	expect_match modules-real/builtin '^  vfio_pci +built in' "$OUT"
	expect_match modules-real/missing-required '^  kvm_intel +missing +required: KVM for Intel VT-x' "$OUT"
	expect_match modules-real/missing-recommended '^  vhost_net +missing +recommended' "$OUT"
	expect_match modules-real/builtin-no-ids 'vfio-pci is not told to take it' "$OUT"
	# Built in with ids only in modprobe.d: they never reach it.
	printf 'options vfio-pci ids=8086:10d3\n' >"$r/etc/modprobe.d/v.conf"
	run --root "$r" modules check --device 8086:10d3
	expect_match modules-real/builtin-conf-ids 'vfio-pci is built in: options in modprobe.d never reach it' "$OUT"
	# Built in with vfio-pci.ids= on the command line: it binds first.
	printf 'console=ttyS0 vfio-pci.ids=8086:10d3\n' >"$r/proc/cmdline"
	run --root "$r" modules check --device 8086:10d3
	expect_match modules-real/builtin-cmdline-ids 'OK, vfio-pci claims it first: vfio-pci is built in' "$OUT"
}

command -v jq >/dev/null || { skip modules-real "jq is not installed"; exit 0; }
command -v depmod >/dev/null || { skip modules-real "kmod's depmod is not installed"; exit 0; }
series_tests 6.1
series_tests 6.12
builtin_and_missing
