#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit modules: usage errors, help, and errors that need no kernel tree.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# check NAME EXPECTED-RC ERE -- ARGS...: stdout and stderr together.
check() {
	local name=$1 want=$2 re=$3 out rc
	shift 4
	out=$("$VFIOKIT" "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "modules-cli/$name" "exit $rc, expected $want: $out"
	elif ! grep -Eq -- "$re" <<<"$out"; then
		fail "modules-cli/$name" "output does not match /$re/: $out"
	else
		pass "modules-cli/$name"
	fi
}

check help 0 '^Usage: .*modules check' -- modules --help
check check-help 0 'modules write .*--device' -- modules check -h
check no-verb 2 'no verb given' -- modules
check bad-verb 2 "unknown verb 'frob'" -- modules frob
check bad-device 2 "'12' is neither a vendor:device id" -- modules check --device 12
check write-no-device 2 'write needs at least one --device' -- modules write
check check-ignore-msrs 2 'only with write' -- modules check --ignore-msrs
check load-root 2 'running system only' -- --root "$TMP" modules check --load
check both-initramfs 2 'exclude each other' -- modules check --initramfs x --no-initramfs
check no-kernel 1 'no kernel to check: /lib/modules holds no kernel' -- --root "$TMP" modules check
mkdir -p "$TMP/lib/modules/6.1.0-1"
check no-such-kver 1 'no kernel to check: /lib/modules/6.2 does not exist' -- --root "$TMP" modules check --kver 6.2
check no-modules-dep 1 "6.1.0-1 has no modules.dep: run 'depmod -b $TMP 6.1.0-1' first" -- --root "$TMP" modules check
# --initramfs naming a directory says so, not "Invalid argument".
touch "$TMP/lib/modules/6.1.0-1/modules.dep"
mkdir -p "$TMP/img"
check initramfs-dir 1 "img: a directory, not an initramfs image$" -- --root "$TMP" modules check --initramfs "$TMP/img"
