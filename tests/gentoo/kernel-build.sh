#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Gentoo's dist-kernel merge of /etc/kernel/config.d, run as the
# kernel-build eclass itself does it: kernel-build.eclass and what it
# inherits are sourced from shared/gentoo with Portage's own
# isolated-functions.sh and version-functions.sh (only inherit, use and
# EXPORT_FUNCTIONS are stand-ins), kernel-build_merge_configs merges onto
# Debian's 6.12 configuration, and the kernel's make olddefconfig resolves
# it, as kernel-build_src_configure does. vfiokit wrote
# /etc/kernel/config.d/vfiokit.config for that tree (a dist-kernel one, so
# without --dist-kernel): every essential request it holds survives, and
# every request vfiokit said would not survive (a symbol the tree lacks,
# or one its own merge judged not kept) is absent.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/gentoo/lib.sh"

gentoo_need kernel-build || exit 0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
gentoo_debian_kernel kernel-build/kernel || exit 0
DEBCONF=$MODROOT/boot/config-$KVER
R=$TMP/root
gentoo_root "$R" "$TREE" "$DEBCONF" "$KVER" "$MODROOT" "sys-kernel/gentoo-kernel-6.12.118:6.12.118" || {
	fail kernel-build/root "could not build the root"
	exit 0
}

# The requests: the AMD profiles, cpu-zen, and a user's fragment with
# MZEN (not in an unpatched tree) and KVM_AMD=y (kvm is a module here).
printf 'CONFIG_MZEN=y\nCONFIG_KVM_AMD=y\nCONFIG_VFIO_PCI_VGA=y\n' >"$TMP/user.config"
PROFILES=auto,cpu-zen
DIST=$("$VFIOKIT" --root "$R" kconfig merge --profiles-dir "$TOP/profiles" --profile "$PROFILES" \
	"$TMP/user.config" 2>&1)
RC=$?
FRAG=$R/etc/kernel/config.d/vfiokit.config
if [ "$RC" = 0 ] && [ -s "$FRAG" ] && cmp -s "$DEBCONF" "$R/usr/src/linux-$KVER/.config"; then
	pass kernel-build/vfiokit-config-d
else
	fail kernel-build/vfiokit-config-d "exit $RC; want $FRAG and the tree's .config untouched"
	printf '%s\n' "$DIST" | sed 's/^/    /' | head -n 20
	exit 0
fi
# What vfiokit says will not survive: a symbol the tree lacks (its
# dist-kernel warning), and what its own merge on the same base and tree
# judges not kept.
cp "$DEBCONF" "$TMP/judge.config"
JUDGE=$("$VFIOKIT" --root "$R" kconfig merge --dry-run --profiles-dir "$TOP/profiles" \
	--profile "$PROFILES" --kernel-dir "$TREE" --config "$TMP/judge.config" "$TMP/user.config" 2>&1)
{
	sed -n 's/.*: CONFIG_\([A-Z0-9_]*\) is not in the dist-kernel tree .*/\1/p' <<<"$DIST"
	sed -n 's/^not kept *CONFIG_\([A-Z0-9_]*\)=.*/\1/p' <<<"$JUDGE"
} | sort -u >"$TMP/dropped"
if grep -qx MZEN "$TMP/dropped" && grep -qx KVM_AMD "$TMP/dropped"; then
	pass kernel-build/vfiokit-says-dropped
else
	fail kernel-build/vfiokit-says-dropped "vfiokit did not say MZEN and KVM_AMD=y will not survive: $(tr '\n' ' ' <"$TMP/dropped")"
	printf '%s\n' "$DIST" "$JUDGE" | grep -v '^[-+@ ]' | sed 's/^/    /' | head -n 30
fi

# The eclass's own merge, in a build directory that borrows the tree's
# scripts (merge_config.sh) and writes only its own .config.
W=$TMP/build
mkdir -p "$W" "$TMP/work" "$TMP/t"
ln -s "$TREE/scripts" "$W/scripts"
cp "$DEBCONF" "$W/.config"
(
	PORTAGE_BIN_PATH=$GENTOO/portage/bin
	# shellcheck source=/dev/null
	source "$PORTAGE_BIN_PATH/isolated-functions.sh" &&
		source "$PORTAGE_BIN_PATH/version-functions.sh" || exit 1
	EAPI=8 USE="" INHERITED=""
	CATEGORY=sys-kernel PN=gentoo-kernel PV=6.12.118 PVR=6.12.118 PF=gentoo-kernel-6.12.118
	P=gentoo-kernel-6.12.118 SLOT=6.12.118 EBUILD_PHASE=prepare
	# Stand-ins for what Portage's ebuild.sh does: source an eclass,
	# answer use flags (none set), export phase functions (no phases run).
	inherit() {
		local e ECLASS
		for e; do
			has "$e" $INHERITED && continue
			INHERITED+=" $e"
			ECLASS=$e
			source "$GENTOO/gentoo/eclass/$e.eclass" || die "inherit $e"
		done
	}
	use() { has "$1" $USE; }
	EXPORT_FUNCTIONS() { :; }
	inherit kernel-build
	ESYSROOT=$R WORKDIR=$TMP/work T=$TMP/t
	cd "$W" && kernel-build_merge_configs
) >"$TMP/eclass.log" 2>&1
RC=$?
if [ "$RC" = 0 ] && grep -q "etc/kernel/config.d/vfiokit.config" "$TMP/eclass.log" &&
	make -s -C "$TREE" KCONFIG_CONFIG="$W/.config" olddefconfig >>"$TMP/eclass.log" 2>&1; then
	pass kernel-build/eclass-merge
else
	fail kernel-build/eclass-merge "kernel-build_merge_configs or olddefconfig failed (exit $RC)"
	sed 's/^/    /' "$TMP/eclass.log" | tail -n 20
	exit 0
fi

# value SYM FILE: its value in a .config ("n" when unset or absent).
value() {
	local v
	v=$(sed -n "s/^CONFIG_$1=//p" "$2")
	printf '%s\n' "${v:-n}"
}
# Every essential request in vfiokit.config survives (y serves for m).
bad=
n=0
for sym in $(tr '\n' ' ' <"$TOP/profiles/profiles.conf" |
	grep -o '{ name = "[A-Z0-9_]*";[^}]*essential' | sed 's/{ name = "\([A-Z0-9_]*\)".*/\1/' | sort -u); do
	want=$(sed -n "s/^CONFIG_$sym=//p" "$FRAG")
	[ -n "$want" ] || continue
	n=$((n + 1))
	got=$(value "$sym" "$W/.config")
	[ "$got" = "$want" ] || { [ "$want" = m ] && [ "$got" = y ]; } || bad+=" $sym=$got (asked $want)"
done
if [ -z "$bad" ] && [ "$n" -ge 4 ]; then
	pass kernel-build/essential-survive
else
	fail kernel-build/essential-survive "$n essential requests; not kept:${bad:- (too few requests)}"
fi
# Every request vfiokit said would not survive is absent.
bad=
while read -r sym; do
	want=$(sed -n "s/^CONFIG_$sym=//p" "$FRAG")
	[ -n "$want" ] || want=$(sed -n "s/^CONFIG_$sym=//p" "$TMP/user.config")
	[ "$(value "$sym" "$W/.config")" != "$want" ] || bad+=" $sym=$want"
done <"$TMP/dropped"
if [ -z "$bad" ] && [ -s "$TMP/dropped" ]; then
	pass kernel-build/dropped-absent
else
	fail kernel-build/dropped-absent "said not to survive, but there:$bad"
fi
