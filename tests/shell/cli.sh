#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The command line: global options, dispatch, usage errors and exit codes.
source "$(dirname "$0")/../lib.sh"

# check NAME EXPECTED-RC STDOUT-ERE STDERR-ERE -- ARGS...
check() {
	local name=$1 want=$2 out_re=$3 err_re=$4 out err rc
	shift 5
	out=$("$VFIOKIT" "$@" 2>"$TMP/err")
	rc=$?
	err=$(cat "$TMP/err")
	if [ "$rc" != "$want" ]; then
		fail "cli/$name" "exit $rc, expected $want; stderr: $err"
	elif ! grep -Eq -- "$out_re" <<<"$out"; then
		fail "cli/$name" "stdout does not match /$out_re/: $out"
	elif ! grep -Eq -- "$err_re" <<<"$err"; then
		fail "cli/$name" "stderr does not match /$err_re/: $err"
	else
		pass "cli/$name"
	fi
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

check help 0 '^Usage: vfiokit .*--root DIR' '^$' -- --help
check help-short 0 'groups +list IOMMU groups' '^$' -- -h
check version 0 '^vfiokit [0-9]+\.[0-9]+' '^$' -- -V
check no-command 2 '^$' "no command given|Try 'vfiokit --help'" --
check unknown-command 2 '^$' "^vfiokit: unknown command 'frobnicate'" -- frobnicate
check unknown-option 2 '^$' "^vfiokit: unknown option '--frob'" -- --frob
# An option before the command is the command's.
check option-before-command 2 '^$' "^vfiokit: groups: unknown option '--frob'" -- --frob groups
check option-value-before-command 2 '^$' "unknown command 'x' \\(before the command, an option gives its value with '='\\)" -- --device x groups
check quiet-verbose 2 '^$' "-q and -v exclude each other" -- -q groups -v
check usage-hint-command 2 '^$' "Try 'vfiokit groups --help'" -- groups --frob
check usage-hint-verb 2 '^$' "Try 'vfiokit cmdline --help'" -- cmdline set
check help-after-options 0 'Usage: .*groups \[--class CLASS\]' '^$' -- groups --json -h
check abbreviated-command 2 '^$' "unknown command 'group'" -- group
check root-missing-arg 2 '^$' "option '--root' needs an argument" -- --root
check root-not-dir 1 '^$' '/etc/passwd: --root is not a directory' -- --root /etc/passwd groups
check root-missing 1 '^$' 'No such file or directory' -- --root "$TMP/nonexistent" groups
check groups-help 0 'Usage: .*groups \[--class CLASS\]' '^$' -- groups --help
check groups-bad-class 2 '^$' "unknown class 'printer'" -- groups --class printer
check groups-bad-device 2 '^$' "'1234' is neither a vendor:device id" -- groups --device 1234
check groups-extra-arg 2 '^$' "unexpected argument 'extra'" -- groups extra
check groups-unknown-option 2 '^$' "groups: unknown option '--frob'" -- groups --frob
# An empty tree: no sysfs at all, so no groups and a reason.
mkdir -p "$TMP/empty"
check empty-root 3 '^$' 'no IOMMU groups: no PCI devices in sysfs' -- --root "$TMP/empty" groups
check empty-root-json 3 '"explanation": "no PCI devices in sysfs' '^$' -- --root "$TMP/empty" --json groups

# An empty --root is a usage error that says so, wherever it is typed.
check root-empty 2 '^$' "^vfiokit: --root: an empty path; give the directory" -- --root '' groups
check root-empty-after 2 '^$' "Try 'vfiokit groups --help'" -- groups --root ''

# A failed write to stdout is an error, not a silent success.
if [ -w /dev/full ]; then
	"$VFIOKIT" --help >/dev/full 2>"$TMP/err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q 'write error' "$TMP/err"; then
		pass cli/stdout-full
	else
		fail cli/stdout-full "exit $rc: $(cat "$TMP/err")"
	fi
else
	skip cli/stdout-full "no writable /dev/full on this machine"
fi
