#!/bin/sh
# /init of the real-boot test initramfs (busybox sh).
#
# Loads vfio-pci first (kmod's modprobe applies vfio-pci.ids= from the kernel
# command line; busybox's would not), then pci-stub if it is asked for, then a
# driver for every PCI device.  kmod's tools are called by full path: Debian's
# busybox runs its own applet for a bare "modprobe" whatever PATH says.  Runs /vk/cmd (written by tests/vm/run-vm) and
# reports on the second serial port, in raw mode:
#   VK-BEGIN
#   <the command's stdout and stderr>
#   \nVK-END <exit status>
#   [VK-CAPTURE-BEGIN, base64 of capture-sysfs.sh's archive, VK-CAPTURE-END]
# then powers off.  The kernel console stays on the first serial port.
# The command runs on the serial console, a terminal: no colour, so that
# its output reads as through a pipe.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root NO_COLOR=1
CHAN=/dev/ttyS1

mount_all() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
}

load_drivers() {
	# vk.override=ADDR,...: these functions go to vfio-pci alone, by
	# driver_override as vfiokit's modprobe.d line does it, before any
	# driver loads (the two-cards machine: one of two alike).
	for a in $(sed -n 's/.*vk\.override=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' '); do
		echo vfio-pci >"/sys/bus/pci/devices/$a/driver_override"
	done
	/sbin/modprobe vfio-pci
	case " $(cat /proc/cmdline) " in
	*" pci-stub.ids="* | *" pci_stub.ids="*) /sbin/modprobe pci-stub ;;
	esac
	cat /sys/bus/pci/devices/*/modalias | xargs /sbin/modprobe -q -b -a
}

send_capture() {
	printf 'VK-CAPTURE-BEGIN\n' >&3
	if sh /vk/capture-sysfs.sh /tmp/capture.tar.gz; then
		base64 /tmp/capture.tar.gz >&3
	fi
	printf 'VK-CAPTURE-END\n' >&3
}

run_command() {
	stty -F "$CHAN" raw -echo
	exec 3>"$CHAN"
	printf 'VK-BEGIN\n' >&3
	echo "vk: running /vk/cmd"
	sh /vk/cmd </dev/null >&3 2>&3 3>&-
	rc=$?
	echo "vk: command exited with $rc"
	printf '\nVK-END %d\n' "$rc" >&3
	if [ -e /vk/capture ]; then
		send_capture
	fi
	# The last close of the port waits until everything is sent.
	exec 3>&-
}

mount_all
load_drivers
run_command
sync
poweroff -f
