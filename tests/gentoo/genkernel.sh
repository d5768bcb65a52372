#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Gentoo tier: genkernel's own code judges what vfiokit writes for it.
#
# 1. Module selection. vfiokit modules write sets AMODULES_vfio in a copy
#    of genkernel's real genkernel.conf, for Debian's real 6.1 and 6.12
#    module trees. genkernel's own modules_load files, its own merge of
#    AMODULES_* into MODULES_* (the loop in the genkernel script) and its
#    own gen_dep_list (gen_moddeps.sh) then pick the modules of its
#    initramfs: vfio-pci and every module modules.dep says it needs must be
#    there. The names vfiokit wrote before (vfio_pci) are run through the
#    same code to show that they select nothing.
# 2. The command line: vfiokit plan, on a root whose initramfs genkernel's
#    layout marks as genkernel's, puts doload= with the same names on it
#    and suggests "genkernel initramfs"; with a dracut image instead, no
#    doload= and "dracut --force".
#
# genkernel's functions are sourced from its tree ("$TOP/../shared/gentoo/
# genkernel"); only its logging helpers are replaced by stubs.
source "$(dirname "$0")/../lib.sh"

# shellcheck source=tests/gentoo/gklib.sh
source "$TOP/tests/gentoo/gklib.sh" || exit 0

for series in 6.1 6.12; do
	T=genkernel/$series
	out=$("$TOP/tests/kernel-image.sh" "$series" 2>"$TMP/err") || {
		fail "$T/kernel" "tests/kernel-image.sh $series failed: $(tail -n 3 "$TMP/err")"
		continue
	}
	KVER=$(sed -n 's/^KVER=//p' <<<"$out")
	MODROOT=$(sed -n 's/^MODROOT=//p' <<<"$out")
	DEP=$MODROOT/lib/modules/$KVER/modules.dep

	R=$TMP/root-$series
	mkdir -p "$R/lib/modules" "$R/etc"
	tar -xzf "$TOP/tests/fixtures/intel-noarg.tar.gz" -C "$R"
	ln -s "$MODROOT/lib/modules/$KVER" "$R/lib/modules/$KVER"
	cp "$GK/genkernel.conf" "$R/etc/genkernel.conf"

	if ! "$VFIOKIT" --root "$R" -q modules write --kver "$KVER" --device 8086:10d3 \
		>"$TMP/write.out" 2>&1; then
		fail "$T/write" "vfiokit modules write failed: $(head -n 5 "$TMP/write.out")"
		continue
	fi
	line=$(grep '^AMODULES_vfio=' "$R/etc/genkernel.conf")
	# Each name is a module file's name in modules.dep, as genkernel matches it.
	names=$(sed 's/^AMODULES_vfio="\(.*\)"$/\1/' <<<"$line")
	bad=
	for n in $names; do
		grep -Eq "/$n\.ko(\.[a-z]+)?:" "$DEP" || bad="$bad $n"
	done
	if [ -n "$names" ] && [ -z "$bad" ] && [[ " $names " == *" vfio-pci "* ]]; then
		pass "$T/amodules-file-names"
	else
		fail "$T/amodules-file-names" "'$line': not module file names of $DEP:$bad"
	fi

	sel=$(gk_select "$R/etc/genkernel.conf" "$MODROOT" "$KVER" 2>"$TMP/gk.err")
	if [ -z "$sel" ]; then
		fail "$T/gen_dep_list" "genkernel's gen_dep_list selected nothing: $(head -n 3 "$TMP/gk.err")"
		continue
	fi
	# vfio-pci and what modules.dep says it needs, by file name.
	want=$(grep -E '/vfio-pci\.ko(\.[a-z]+)?:' "$DEP" | tr ' ' '\n' | sed -n 's|.*/||; s|\..*||p')
	missing=
	for m in $want; do
		grep -qx -- "$m" <<<"$sel" || missing="$missing $m"
	done
	if [ -n "$want" ] && [ -z "$missing" ]; then
		pass "$T/gen_dep_list-takes-vfio-pci"
	else
		fail "$T/gen_dep_list-takes-vfio-pci" "missing from genkernel's list:$missing (wanted: $(echo $want))"
	fi

	# The old '_' name through the same code: genkernel takes no vfio-pci.
	sed 's/^AMODULES_vfio=.*/AMODULES_vfio="vfio vfio_iommu_type1 vfio_pci"/' \
		"$R/etc/genkernel.conf" >"$TMP/old.conf"
	old=$(gk_select "$TMP/old.conf" "$MODROOT" "$KVER" 2>/dev/null)
	if grep -qx vfio-pci <<<"$old"; then
		fail "$T/underscore-name-selects-nothing" "genkernel took vfio-pci for AMODULES_vfio=vfio_pci"
	else
		pass "$T/underscore-name-selects-nothing"
	fi
done

# 3. The config genkernel all starts from. On Debian's 6.12 source tree
#    with /etc/kernels/kernel-config-<KV> there (KV by genkernel's own
#    determine_KV) lacking vfio-pci, vfiokit apply merges into that file and
#    says so; genkernel's own determine_kernel_config_file, run with that
#    root's /etc in place of the real one (a private mount namespace),
#    picks the same file, and it carries the merge.
T=genkernel/config
TREE=$("$TOP/tests/kernel-source.sh" 6.12 2>"$TMP/src.err")
case $? in
0) ;;
77) skip $T "$(tail -n 1 "$TMP/src.err")"; exit 0 ;;
*) fail $T "no kernel tree: $(tail -n 3 "$TMP/src.err")"; exit 0 ;;
esac
if ! unshare -rm true 2>/dev/null; then
	skip $T "unshare -rm (a user and mount namespace) is not allowed here"
	exit 0
fi
out=$("$TOP/tests/kernel-image.sh" 6.12 2>"$TMP/err") || {
	fail $T/kernel "tests/kernel-image.sh 6.12 failed: $(tail -n 3 "$TMP/err")"
	exit 0
}
KVER=$(sed -n 's/^KVER=//p' <<<"$out")
MODROOT=$(sed -n 's/^MODROOT=//p' <<<"$out")
R=$TMP/root-config
vk_live_root "$R" intel-noarg "$KVER" "$MODROOT"
mkdir -p "$R/etc/kernels" "$R/usr/src/linux"
printf 'GRUB_DEFAULT=0\nGRUB_CMDLINE_LINUX=""\n' >"$R/etc/default/grub"
cp "$GK/genkernel.conf" "$R/etc/genkernel.conf"
for e in "$TREE"/*; do ln -s "$e" "$R/usr/src/linux/"; done
cp "$MODROOT/boot/config-$KVER" "$R/usr/src/linux/.config"
cat >"$R/etc/vfiokit.conf" <<'CONF'
boot = "grub";
kernel = "/usr/src/linux";
profiles = [ "vfio" ];
CONF
# KV as genkernel determines it for this tree.
KV=$(
	set +u
	source "$GK/gen_funcs.sh" >/dev/null 2>&1
	print_info() { :; }
	source "$GK/gen_determineargs.sh"
	KERNEL_DIR=$R/usr/src/linux KERNEL_OUTPUTDIR=$R/usr/src/linux TEMP=$TMP
	determine_KV >/dev/null 2>&1
	printf '%s\n' "$KV"
)
if [ -z "$KV" ]; then
	fail $T/kv "genkernel's determine_KV gave nothing for the tree"
	exit 0
fi
sed 's/^CONFIG_VFIO_PCI=.*/# CONFIG_VFIO_PCI is not set/' "$MODROOT/boot/config-$KVER" \
	>"$R/etc/kernels/kernel-config-$KV"
"$VFIOKIT" --root "$R" apply >"$TMP/apply.out" 2>&1
expect_match $T/says-which "genkernel all starts from /etc/kernels/kernel-config-$KV" \
	"$(cat "$TMP/apply.out")"
expect_match $T/next-step '^  genkernel all' "$(cat "$TMP/apply.out")"
if grep -qx 'CONFIG_VFIO_PCI=m' "$R/etc/kernels/kernel-config-$KV"; then
	pass $T/merged-into-kernels-file
else
	fail $T/merged-into-kernels-file "no CONFIG_VFIO_PCI=m in /etc/kernels/kernel-config-$KV"
	sed 's/^/    /' "$TMP/apply.out" | head -n 30
fi
# The /etc genkernel sees: that root's /etc/kernels, and the host's
# alternatives (awk) and loader cache so that its tools still run.
mkdir -p "$TMP/etc-ns"
cp -a /etc/alternatives "$TMP/etc-ns/"
[ -f /etc/ld.so.cache ] && cp /etc/ld.so.cache "$TMP/etc-ns/"
cp -a "$R/etc/kernels" "$TMP/etc-ns/"
chosen=$(unshare -rm bash -c '
	set +u
	mount --bind "$3/etc-ns" /etc || exit 1
	source "$2/gen_funcs.sh" >/dev/null 2>&1
	print_info() { :; }
	print_warning() { :; }
	gen_die() { echo "gen_die: $*" >&2; exit 1; }
	source "$2/gen_configkernel.sh"
	source "$2/gen_determineargs.sh"
	KERNEL_DIR=$1/usr/src/linux KERNEL_OUTPUTDIR=$1/usr/src/linux TEMP=$3
	determine_KV >/dev/null 2>&1
	source "$2/defaults/config.sh" 2>/dev/null
	ARCH=x86_64 GK_SHARE=$2
	# genkernel.conf'"'"'s default, and the file name as gen_determineargs.sh makes it.
	KERNEL_LOCALVERSION=$(arch_replace "-%%ARCH%%")
	GK_FILENAME_CONFIG=$(kv_replace "$(arch_replace "$DEFAULT_KERNEL_CONFIG_FILENAME")")
	determine_kernel_config_file
	printf "%s\n" "$KERNEL_CONFIG"
' _ "$R" "$GK" "$TMP" 2>"$TMP/choose.err")
expect_eq $T/genkernel-picks-it "/etc/kernels/kernel-config-$KV" "$chosen"
[ -n "$chosen" ] || sed 's/^/    /' "$TMP/choose.err" | head -n 10
