# Shared host-side helpers of the real-boot harness.  Source it; do not run it.
# shellcheck shell=bash

: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
VM_DIR="$TOP/tests/vm"
# shellcheck source=tests/lib.sh
. "$TOP/tests/lib.sh"

# vm_die MSG: print MSG prefixed with the running script's name, exit 125
# (the harness itself failed, not the command under test).
vm_die() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
	exit 125
}

vm_say() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

# vm_kernel: set KVER, VMLINUZ and MODROOT from tests/vm/kernel.sh, unless
# all three are already set in the environment; status 1 when it fails.
vm_kernel() {
	local line
	if [ -n "${KVER:-}" ] && [ -n "${VMLINUZ:-}" ] && [ -n "${MODROOT:-}" ]; then
		return 0
	fi
	while IFS= read -r line; do
		case $line in
		KVER=*) KVER=${line#KVER=} ;;
		VMLINUZ=*) VMLINUZ=${line#VMLINUZ=} ;;
		MODROOT=*) MODROOT=${line#MODROOT=} ;;
		esac
	done < <("$VM_DIR/kernel.sh")
	if [ -z "${KVER:-}" ] || [ ! -f "${VMLINUZ:-}" ] || [ ! -d "${MODROOT:-}" ]; then
		vm_say "tests/vm/kernel.sh gave no usable kernel"
		return 1
	fi
	export KVER VMLINUZ MODROOT
}

# vm_qemu: the qemu binary, or nothing (status 1) when it is not installed.
vm_qemu() {
	command -v "${QEMU:-qemu-system-x86_64}"
}
