# genkernel's own code for the Gentoo tier's tests: where its tree is and
# how to run its module selection. Source it after tests/lib.sh; it sets GK
# and TMP (removed at exit), or prints a FAIL line and ends the script.
# shellcheck shell=bash

GK=$TOP/../shared/gentoo/genkernel
if [ ! -f "$GK/gen_moddeps.sh" ] || [ ! -f "$GK/genkernel" ]; then
	fail genkernel/reference "genkernel's tree is not at $GK (the checkout's sibling \
shared/gentoo/genkernel): put Gentoo's reference files there"
	exit 0
fi
if [ ! -x "$VFIOKIT" ]; then
	fail genkernel/binary "$VFIOKIT is not built: run make"
	exit 0
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# genkernel's own lines that merge AMODULES_<group> into MODULES_<group>
# (they sit in the main script, not in a function).
sed -n '/^# Merge additional modules_load from config/,/^unset group group_modules/p' \
	"$GK/genkernel" >"$TMP/merge.sh"
if ! grep -q 'AMODULES_' "$TMP/merge.sh"; then
	fail genkernel/merge-code "the AMODULES_* merge was not found in $GK/genkernel"
	exit 0
fi

# gk_select CONF MODROOT KVER: the modules genkernel's initramfs would carry
# with genkernel.conf CONF, one per line (genkernel's own gen_dep_list).
gk_select() {
	(
		set +u
		# shellcheck disable=SC1091
		source "$GK/gen_funcs.sh" || exit 1
		# Stubs for the logging helpers: genkernel sets up a log file first.
		print_info() { :; }
		print_warning() { :; }
		gen_die() {
			printf 'gen_die: %s\n' "$*" >&2
			exit 1
		}
		# shellcheck disable=SC1091
		source "$GK/gen_moddeps.sh" || exit 1
		# shellcheck disable=SC1091
		source "$GK/gen_determineargs.sh" || exit 1
		# shellcheck disable=SC1091
		source "$GK/defaults/modules_load" || exit 1
		# shellcheck disable=SC1091
		source "$GK/arch/x86_64/modules_load" || exit 1
		# shellcheck disable=SC1090
		source "$1" || exit 1
		# shellcheck disable=SC1090
		source "$TMP/merge.sh"
		KERNEL_MODULES_PREFIX=$2
		KV=$3
		KERNEL_CONFIG=$2/boot/config-$3
		BUILD_KERNEL=no
		determine_KEXT
		TEMP=$(mktemp -d)
		gen_dep_list
		rm -rf "$TEMP"
	)
}

