#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The GRUB corpus's Gentoo files are Gentoo's own: byte for byte the
# grub.default-3 and grub.default-4 of sys-boot/grub in ../shared/gentoo,
# with the git blob ids tests/grub-corpus/README.md gives for them.
source "$(dirname "$0")/../lib.sh"

FILES=$TOP/../shared/gentoo/gentoo/sys-boot/grub/files
if [ ! -d "$FILES" ]; then
	fail gentoo/grub-defaults "no Gentoo reference files: expected $FILES (../shared/gentoo next to the checkout)"
	exit 0
fi
for n in 3 4; do
	name=gentoo/grub-defaults/grub.default-$n
	copy=$TOP/tests/grub-corpus/02-gentoo-default-$n.grub
	if [ ! -f "$FILES/grub.default-$n" ]; then
		fail "$name" "$FILES/grub.default-$n is missing"
	elif ! cmp -s "$FILES/grub.default-$n" "$copy"; then
		fail "$name" "tests/grub-corpus/02-gentoo-default-$n.grub differs from Gentoo's grub.default-$n"
	else
		blob=$(git hash-object "$copy")
		if grep -q "$blob" "$TOP/tests/grub-corpus/README.md"; then
			pass "$name"
		else
			fail "$name" "tests/grub-corpus/README.md does not give its blob $blob"
		fi
	fi
done
