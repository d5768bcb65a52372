#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# README.md's "Your first claim", replayed command by command: each "$ "
# line of its code block is run (./vfiokit is the vfiokit under test, the
# root /tmp/first-claim a new directory of this test), and what it prints,
# standard output and error together, must be the lines that follow it in
# the README, exactly, with exit status 0. Nothing is taken from the output
# to write the README: a difference fails.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
R=$TMP/first-claim
SHOWN=/tmp/first-claim

section=$(vk_readme_session)
if [ -z "$section" ]; then
	fail readme/first-claim "README.md has no '## Your first claim' section with a code block"
	exit 0
fi
n=0
cmd=
expected=

# check: run $cmd and compare with $expected.
check() {
	local out rc run=${cmd//$SHOWN/$R}
	run=${run/#.\/vfiokit /\"\$VFIOKIT\" }
	n=$((n + 1))
	out=$(cd "$TOP" && eval "$run" 2>&1)
	rc=$?
	out=${out//$R/$SHOWN}
	expect_eq "readme/first-claim/$n ${cmd#\$ }" "$expected" "$out"
	[ "$rc" = 0 ] || fail "readme/first-claim/$n-rc" "exit status $rc"
}
while IFS= read -r line; do
	if [[ $line == '$ '* ]]; then
		[ -n "$cmd" ] && check
		cmd=${line#\$ }
		expected=
	else
		expected+=${expected:+$'\n'}$line
	fi
done <<<"$section"
[ -n "$cmd" ] && check
[ "$n" -ge 7 ] || fail readme/first-claim "only $n commands in the section"
