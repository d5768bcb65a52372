#!/bin/busybox sh
# shellcheck shell=dash
# /sbin/init of the GRUB boot harness's disk image (busybox sh).
#
# tests/vm/grub-disk.sh installs this as /sbin/init of the guest's ext4 root;
# the initramfs has mounted the root read-only and moved /proc, /sys and /dev
# over.  Like a real system's early boot it remounts / read-write, makes the
# /dev/disk/by-uuid links udev would make (grub-mkconfig's 10_linux looks for
# them), and loads a driver for every PCI device the way coldplug does: by
# modalias, with nothing loaded by hand, so /etc/modprobe.d and the kernel
# command line decide which driver claims what.  kmod's tools are called by
# full path: Debian's busybox runs its own applet for a bare "modprobe".
#
# Then it counts the boot in /var/lib/vk-test/boot (no file: boot 0, the
# install boot; the base image is left with 0, so the first boot after the
# install is 1) and runs /vk/boot-N.sh with /bin/sh, stdin from /dev/null,
# stdout and stderr to the second serial port in raw mode:
#   VK-BOOT N BEGIN
#   <the script's stdout and stderr>
#   \nVK-BOOT N END <exit status>
# If /vk/boot-(N+1).sh exists the guest reboots through the firmware and GRUB
# (reboot -f), otherwise it powers off.  The kernel console stays on ttyS0.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
CHAN=/dev/ttyS1
COUNTER=/var/lib/vk-test/boot

# mounted DIR: whether a file system is mounted on DIR.
mounted() {
	[ -r /proc/mounts ] && grep -q "^[^ ]* $1 " /proc/mounts
}

# mount_all: the pseudo file systems (unless the initramfs moved them here),
# then the root read-write.
mount_all() {
	mounted /proc || mount -t proc proc /proc
	mounted /sys || mount -t sysfs sysfs /sys
	mounted /dev || mount -t devtmpfs devtmpfs /dev
	mount -o remount,rw /
}

# link_disks: /dev/disk/by-uuid/UUID -> ../../NAME for every file system
# (util-linux's blkid: Debian's busybox has none).
link_disks() {
	local line dev uuid
	mkdir -p /dev/disk/by-uuid
	blkid | while read -r line; do
		dev=${line%%:*}
		uuid=$(printf '%s\n' "$line" | sed -n 's/.* UUID="\([^"]*\)".*/\1/p')
		[ -n "$uuid" ] && ln -sf "../../${dev#/dev/}" "/dev/disk/by-uuid/$uuid"
	done
}

# coldplug: a driver for every PCI device, as udev's coldplug would load it.
coldplug() {
	cat /sys/bus/pci/devices/*/modalias | xargs /sbin/modprobe -q -b -a
}

# count_boot: print this boot's number and store it.
count_boot() {
	local n=0
	[ -f "$COUNTER" ] && n=$(($(cat "$COUNTER") + 1))
	mkdir -p "${COUNTER%/*}"
	echo "$n" >"$COUNTER"
	printf '%s\n' "$n"
}

# run_boot N: run /vk/boot-N.sh, framed on the second serial port.
run_boot() {
	local script="/vk/boot-$1.sh" rc
	[ -f "$script" ] || { echo "vk: boot $1: no $script"; return 0; }
	stty -F "$CHAN" raw -echo
	exec 3>"$CHAN"
	# A newline first: the firmware and GRUB write to this port too.
	printf '\nVK-BOOT %d BEGIN\n' "$1" >&3
	echo "vk: boot $1: running $script"
	/bin/sh "$script" </dev/null >&3 2>&3 3>&-
	rc=$?
	echo "vk: boot $1: $script exited with $rc"
	printf '\nVK-BOOT %d END %d\n' "$1" "$rc" >&3
	# The last close of the port waits until everything is sent.
	exec 3>&-
}

mount_all
link_disks
coldplug
BOOT=$(count_boot)
run_boot "$BOOT"
sync
# A clean file system for the next boot and for debugfs on the host.
mount -o remount,ro / || sync
if [ -f "/vk/boot-$((BOOT + 1)).sh" ]; then
	reboot -f
fi
poweroff -f
