#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 3: kconfig merge on Debian's real 6.1 tree says, without -v, that it
# runs the kernel's make olddefconfig and how long it took (on stderr, so
# that the report on stdout stays as it was); with -q it says neither.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
if ! TREE=$("$TOP/tests/kernel-source.sh" 6.1 2>"$TMP/src.err"); then
	fail progress/tree "no linux-source-6.1: $(tail -n 3 "$TMP/src.err")"
	exit 0
fi
make -s -C "$TREE" KCONFIG_CONFIG="$TMP/base.config" defconfig >/dev/null 2>&1
vk() { "$VFIOKIT" "$@" kconfig merge --kernel-dir "$TREE" --config "$TMP/base.config" \
	--profile vfio --dry-run 2>"$TMP/err" >"$TMP/out"; }

vk
expect_eq progress/says-what-runs "vfiokit: running make olddefconfig in $TREE (seconds; minutes on a tree that must build its kconfig tools first)" \
	"$(sed -n 1p "$TMP/err")"
expect_match progress/says-how-long '^vfiokit: make olddefconfig took [0-9]+\.[0-9] s$' "$(sed -n 2p "$TMP/err")"
if grep -q olddefconfig "$TMP/out"; then fail progress/stdout-clean "stdout names olddefconfig"; else pass progress/stdout-clean; fi
vk -q
expect_eq progress/quiet "" "$(grep olddefconfig "$TMP/err")"
