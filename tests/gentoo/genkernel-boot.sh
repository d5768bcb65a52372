#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Gentoo tier, a real boot: genkernel's own defaults/linuxrc and
# defaults/initrd.scripts run as /init of an initramfs laid out as
# genkernel's gen_initramfs.sh lays it out (etc/initrd.defaults,
# etc/initrd.scripts, etc/modules/<group>, the host's /etc/modprobe.d, the
# modules genkernel's own gen_dep_list picks), with Debian's busybox-static
# in place of the busybox genkernel would build (that needs downloads).
#
# vfiokit modules write fills a genkernel.conf (AMODULES_vfio) and
# modprobe.d; the image goes to /boot of that root, and vfiokit plan, seeing
# genkernel's image, puts doload= on the command line and suggests
# "genkernel initramfs". Debian's 6.1 kernel then boots under QEMU (an
# emulated VT-d and an e1000e) with that doload= and genkernel's "debug"
# option, whose first rescue shell (before udevd starts) runs the check:
# vfio-pci holds the e1000e, and loading e1000e afterwards leaves it there.
#
# Run it alone on the machine: flock /tmp/vfiokit-vm.lock bash tests/gentoo/genkernel-boot.sh
source "$(dirname "$0")/../lib.sh"
# shellcheck source=tests/gentoo/gklib.sh
source "$TOP/tests/gentoo/gklib.sh" || exit 0
# shellcheck source=tests/vm/vmlib.sh
source "$TOP/tests/vm/vmlib.sh"
# shellcheck source=tests/vm/tree.sh
source "$TOP/tests/vm/tree.sh"

T=genkernel-boot
vm_qemu >/dev/null || {
	fail $T/qemu "qemu-system-x86_64 is not installed (tests/install-deps.sh)"
	exit 0
}
BUSYBOX=$(command -v busybox) || {
	fail $T/busybox "busybox is not installed (busybox-static, tests/install-deps.sh)"
	exit 0
}
vm_kernel 2>"$TMP/kernel.err" || {
	fail $T/kernel "tests/vm/kernel.sh failed: $(tail -n 3 "$TMP/kernel.err")"
	exit 0
}

# The system vfiokit configures: the intel fixture, Debian's modules,
# genkernel's real genkernel.conf with its hardware groups emptied but the
# network one (genkernel.conf's documented MODULES_<group> override), so
# that the image stays small enough for a quick boot.
R=$TMP/root
vk_live_root "$R" intel-noarg "$KVER" "$MODROOT"
mkdir -p "$R/boot"
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=""\n' >"$R/etc/default/grub"
{
	cat "$GK/genkernel.conf"
	# shellcheck disable=SC2046 # one name a word
	for g in $(sed -n 's/^MODULES_\([A-Za-z0-9]*\)=.*/\1/p' "$GK/defaults/modules_load" \
		"$GK/arch/x86_64/modules_load" | sort -u); do
		[ "$g" = NET ] || printf 'MODULES_%s=""\n' "$g"
	done
} >"$R/etc/genkernel.conf"
cat >"$R/etc/vfiokit.conf" <<'CONF'
boot = "grub";
kernel = "none";
devices = {
	nic = { id = "8086:10d3"; };
};
CONF

if ! "$VFIOKIT" --root "$R" -q modules write --kver "$KVER" --device 8086:10d3 >"$TMP/write.out" 2>&1; then
	fail $T/write "vfiokit modules write: $(head -n 5 "$TMP/write.out")"
	exit 0
fi
grep -q '^AMODULES_vfio=".*vfio-pci' "$R/etc/genkernel.conf" &&
	grep -q '^options vfio-pci ids=8086:10d3$' "$R/etc/modprobe.d/vfiokit.conf" ||
	{
		fail $T/write "vfiokit wrote no AMODULES_vfio with vfio-pci, or no ids="
		exit 0
	}

# genkernel's own choice of modules for this genkernel.conf.
mods=$(gk_select "$R/etc/genkernel.conf" "$MODROOT" "$KVER" 2>"$TMP/gk.err")
for m in vfio-pci e1000e; do
	grep -qx "$m" <<<"$mods" || {
		fail $T/gen_dep_list "genkernel's gen_dep_list did not take $m: $(head -n 3 "$TMP/gk.err")"
		exit 0
	}
done

# The tree, as gen_initramfs.sh lays it out.
I=$TMP/initramfs
D=/lib/modules/$KVER
mkdir -p "$I"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,run,tmp,etc/modules,newroot,vk} "$I$D"
cp "$BUSYBOX" "$I/bin/busybox"
# The applets gen_initramfs.sh links itself (its "required_applets"); linuxrc
# installs the others with busybox --install -s.
for a in $(sed -n "s/^[[:space:]]*local required_applets='\(.*\)'$/\1/p" "$GK/gen_initramfs.sh"); do
	ln -s busybox "$I/bin/$a"
done
[ -e "$I/bin/mount" ] || {
	fail $T/applets "no required_applets list found in $GK/gen_initramfs.sh"
	exit 0
}
put "$GK/defaults/linuxrc" "$I" /init
chmod 755 "$I/init" # gen_initramfs.sh installs it so
put "$GK/defaults/initrd.scripts" "$I" /etc/initrd.scripts
put "$GK/defaults/initrd.defaults" "$I" /etc/initrd.defaults
cp -aL "$R/etc/modprobe.d" "$I/etc/"
while read -r m; do
	f=$(grep -E "/$m\.ko(\.[a-z]+)?:" "$MODROOT$D/modules.dep" | cut -d: -f1)
	[ -n "$f" ] && put "$MODROOT$D/$f" "$I" "$D/$f"
done <<<"$mods"
for f in modules.builtin modules.builtin.modinfo modules.order; do
	put "$MODROOT$D/$f" "$I" "$D/$f"
done
depmod -b "$I" "$KVER" || {
	fail $T/depmod "depmod -b $I $KVER failed"
	exit 0
}
# etc/modules/<group>: genkernel's groups after its AMODULES_* merge.
(
	set +u
	# shellcheck disable=SC1091
	source "$GK/defaults/modules_load"
	# shellcheck disable=SC1091
	source "$GK/arch/x86_64/modules_load"
	# shellcheck disable=SC1090
	source "$R/etc/genkernel.conf"
	print_info() { :; }
	# shellcheck disable=SC1091
	source "$TMP/merge.sh"
	for v in ${!MODULES_*}; do
		g=$(echo "${v#MODULES_}" | tr '[:upper:]' '[:lower:]')
		printf '%s\n' ${!v} >"$I/etc/modules/$g"
	done
)
# The check, run by the login shell of genkernel's debug rescue shell; its
# result goes to the second serial port.
cat >"$I/etc/profile" <<'CHECK'
exec 3>/dev/ttyS1
dev=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat $d/vendor):$(cat $d/device)" = 0x8086:0x10d3 ] && dev=${d##*/}
done
drv() { l=$(readlink /sys/bus/pci/devices/$dev/driver) && basename "$l" || echo none; }
{
	echo VK-BEGIN
	echo "@@dev=$dev"
	echo "@@cmdline=$(cat /proc/cmdline)"
	echo "@@loaded=$(cut -d' ' -f1 /proc/modules | sort | tr '\n' ' ')"
	echo "@@early-driver=$(drv)"
	modprobe e1000e
	echo "@@e1000e=$(grep -c '^e1000e ' /proc/modules)"
	echo "@@after-e1000e=$(drv)"
	echo "@@log-begin"
	cat /tmp/init.log 2>/dev/null | tail -n 40
	echo "@@log-end"
	echo VK-END
} >&3 2>&1
sync
poweroff -f
CHECK
(cd "$I" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
	gzip -n -1 >"$TMP/initramfs.img"

# What made the image is read from it. vfiokit plan on the root before
# modules write (a copy without its modprobe.d file) puts doload= on the
# command line and says to run genkernel initramfs; with an image made by
# Debian's real dracut in its place, neither.
cp -a "$R" "$TMP/plan-root"
rm "$TMP/plan-root/etc/modprobe.d/vfiokit.conf"
cp "$TMP/initramfs.img" "$TMP/plan-root/boot/initramfs-$KVER.img"
"$VFIOKIT" --root "$TMP/plan-root" plan >"$TMP/plan.out" 2>&1
doload=$(grep -o 'doload=[^ "]*' "$TMP/plan.out" | head -n 1)
expect_match $T/plan-doload '^\+GRUB_CMDLINE_LINUX(_DEFAULT)?=".*doload=vfio,vfio_iommu_type1,(vfio_virqfd,)?vfio-pci[ "]' \
	"$(cat "$TMP/plan.out")"
expect_match $T/plan-genkernel-initramfs '^  genkernel initramfs$' "$(cat "$TMP/plan.out")"
if ! dracut --quiet --no-hostonly --kver "$KVER" --kmoddir "$MODROOT/lib/modules/$KVER" -m base \
	--no-compress --force "$TMP/plan-root/boot/initramfs-$KVER.img" >"$TMP/dracut.log" 2>&1; then
	fail $T/dracut "dracut failed: $(tail -n 5 "$TMP/dracut.log")"
	exit 0
fi
"$VFIOKIT" --root "$TMP/plan-root" plan >"$TMP/plan-dracut.out" 2>&1
if grep -q doload= "$TMP/plan-dracut.out" || ! grep -q '^  dracut --force$' "$TMP/plan-dracut.out"; then
	fail $T/plan-dracut-image "a dracut-made image still got doload= or no dracut --force"
	sed 's/^/    /' "$TMP/plan-dracut.out" | head -n 30
else
	pass $T/plan-dracut-image
fi
if [ -z "$doload" ]; then
	fail $T/boot "vfiokit plan put no doload= on the command line: nothing to boot with"
	sed 's/^/    /' "$TMP/plan.out" | head -n 30
	exit 0
fi

# The boot: genkernel's linuxrc, with "debug" for its rescue shell.
W=$TMP/vm
mkdir -p "$W"
timeout -k 5 150 "$(vm_qemu)" -accel tcg -M q35,kernel-irqchip=split \
	-cpu qemu64,vendor=GenuineIntel -device intel-iommu,intremap=on,caching-mode=on \
	-m 1024 -smp 1 -nodefaults -nographic -no-reboot -monitor none \
	-serial "file:$W/console.log" -serial "file:$W/chan.out" \
	-kernel "$VMLINUZ" -initrd "$TMP/initramfs.img" \
	-append "console=ttyS0 panic=-1 no_timer_check intel_iommu=on debug $doload" \
	-device e1000e </dev/null >"$W/qemu.log" 2>&1
qrc=$?
out=$(tr -d '\r' <"$W/chan.out" 2>/dev/null)
if ! grep -q '^VK-END$' <<<"$out"; then
	fail $T/boot "genkernel's linuxrc never reached its debug shell (qemu status $qrc)"
	tail -n 30 "$W/console.log" | tr -d '\r' | sed 's/^/    /'
	exit 0
fi
pass $T/boot

val() { sed -n "s/^@@$1=//p" <<<"$out" | tail -n 1; }
step() { # NAME WANT
	local got
	got=$(val "$1")
	if [ "$got" = "$2" ]; then pass "$T/$1"; else
		fail "$T/$1" "got '$got', expected '$2'"
		sed 's/^/    /' <<<"$out" | head -n 60
	fi
}
expect_match $T/cmdline-doload "^@@cmdline=.*$doload" "$out"
expect_match $T/vfio-pci-loaded '^@@loaded=.*vfio_pci ' "$out"
step early-driver vfio-pci
step e1000e 1
step after-e1000e vfio-pci
