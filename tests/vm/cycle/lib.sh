# Sourced by the boot scripts of tests/vm/cycle.sh inside the guest (dash).
STATE=/var/lib/vk-test
GUEST=0000:00:06.0
HOST=0000:00:05.0

driver_of() {
	d=$(readlink "/sys/bus/pci/devices/$1/driver") && basename "$d" || echo none
}

# drivers STEP: the drivers of both cards, for people, then as
# "vk-step STEP drivers <guest card's> <host card's>".
drivers() {
	echo "guest card $GUEST on $(driver_of $GUEST), host card $HOST on $(driver_of $HOST)"
	echo "vk-step $1 drivers $(driver_of $GUEST) $(driver_of $HOST)"
}

# cmdline STEP: the kernel command line, for people and as a vk-step.
cmdline() {
	echo "kernel command line: $(cat /proc/cmdline)"
	echo "vk-step $1 cmdline $(cat /proc/cmdline)"
}

# run NAME COMMAND...: show it and its output, then "vk-step NAME rc N".
run() {
	name=$1
	shift
	echo "\$ $*"
	"$@" >/tmp/out 2>&1
	rc=$?
	sed 's/^/    /' /tmp/out
	echo "vk-step $name rc $rc"
}

# The rescue of vfiokit(8) (THE WAY BACK), typed at the end of the entry's
# linux line for one boot.
RESCUE="module_blacklist=vfio_pci,pci_stub vfio-pci.ids= pci-stub.ids="

# manifest ROOT: the sha256 of every file under ROOT's /etc and /boot, by
# path relative to ROOT, but of those GRUB and grub-mkconfig write
# (grub.cfg, grubenv) and vfiokit's FILE.vfiokit-bak: what undo must give
# back byte for byte.
manifest() {
	(cd "$1" && find etc boot -type f ! -path boot/grub/grub.cfg \
		! -path boot/grub/grubenv ! -name '*.vfiokit-bak' | sort | xargs sha256sum)
}
