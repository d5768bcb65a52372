#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What a writing command says when the kernel refuses the write: a
# directory the user may not write to (EACCES), an immutable file (EPERM).
source "$(dirname "$0")/../lib.sh"
TMP=$(mktemp -d)
chmod 755 "$TMP"
CONF=$TMP/etc/kernel/config.d/vfiokit.config
trap 'chattr -i "$CONF" 2>/dev/null; rm -rf "$TMP"' EXIT

mkdir -p "$TMP/etc/kernel/config.d"
printf 'old\n' >"$CONF"

if [ "$(id -u)" != 0 ]; then
	skip write-errors/eperm "chattr +i needs root"
elif ! chattr +i "$CONF" 2>/dev/null; then
	skip write-errors/eperm "the file system of $TMP has no immutable attribute"
else
	err=$("$VFIOKIT" --root "$TMP" kconfig merge --dist-kernel --profile vfio 2>&1 >/dev/null)
	rc=$?
	chattr -i "$CONF"
	expect_eq write-errors/eperm-status 1 "$rc"
	expect_match write-errors/eperm 'vfiokit.config: operation not permitted: the file or its directory is immutable or append-only \(see lsattr; chattr -i\); nothing changed$' "$err"
fi

chmod 555 "$TMP/etc/kernel/config.d"
if [ "$(id -u)" = 0 ]; then
	run=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	command -v setpriv >/dev/null || run=()
else
	run=(env)
fi
if [ ${#run[@]} = 0 ]; then
	skip write-errors/eacces "root without setpriv cannot be refused a write"
elif ! "${run[@]}" test -x "$TMP/etc/kernel/config.d"; then
	# A package build's TMPDIR (Portage's T) is closed to other users.
	skip write-errors/eacces "uid ${run[1]#--reuid=} cannot reach $TMP (TMPDIR is not searchable by others)"
else
	err=$("${run[@]}" "$VFIOKIT" --root "$TMP" kconfig merge --dist-kernel --profile vfio 2>&1 >/dev/null)
	rc=$?
	expect_eq write-errors/eacces-status 1 "$rc"
	expect_match write-errors/eacces 'vfiokit.config: permission denied: run as root; nothing changed$' "$err"
fi
chmod 755 "$TMP/etc/kernel/config.d"
expect_eq write-errors/untouched old "$(cat "$CONF")"
