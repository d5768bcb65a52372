#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 2: each directory under tests/cases/ is one case, as data:
#   fixture  name of a captured tree, tests/fixtures/<name>.tar.gz
#   args     vfiokit's arguments, one per line; @ROOT is the unpacked tree
#   setup    (optional) shell run inside the tree first, to damage it
#   stdout   expected standard output
#   stderr   (optional) expected standard error
#   rc       expected exit status
# The tree's pci.ids is tests/fixtures/pci.ids, so names do not depend on
# the pci.ids of the machine running the tests. Paths of the tree in the
# output read @ROOT.
#
#   tests/cases/run.sh [--update] [CASE...]   --update rewrites the expected
#                                             files from what vfiokit prints
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
VFIOKIT=${VFIOKIT:-$TOP/vfiokit}
update=false
[ "${1:-}" = --update ] && update=true && shift

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# unpack FIXTURE DIR: the captured tree plus the pinned pci.ids.
unpack() {
	mkdir -p "$2/usr/share/misc"
	tar -xzf "$TOP/tests/fixtures/$1.tar.gz" -C "$2" &&
		cp "$TOP/tests/fixtures/pci.ids" "$2/usr/share/misc/pci.ids"
}

compare() { # compare NAME EXPECTED-FILE ACTUAL-FILE
	if $update; then
		cp "$3" "$2"
	elif ! diff -u "$2" "$3" >"$work/diff"; then
		echo "FAIL $1: differs from $(basename "$2")"
		sed 's/^/    /' "$work/diff" | head -n 40
		return 1
	fi
}

run_case() {
	local dir=$1 name root args=() rc ok=true
	name=case/$(basename "$dir")
	root=$work/$(basename "$dir")
	if ! unpack "$(cat "$dir/fixture")" "$root"; then
		echo "FAIL $name: cannot unpack fixture $(cat "$dir/fixture")"
		return
	fi
	if [ -f "$dir/setup" ] && ! (cd "$root" && sh -e "$dir/setup"); then
		echo "FAIL $name: setup failed"
		return
	fi
	while IFS= read -r a; do args+=("${a//@ROOT/$root}"); done <"$dir/args"
	"$VFIOKIT" "${args[@]}" >"$work/out" 2>"$work/err"
	rc=$?
	sed -i "s|$root|@ROOT|g" "$work/out" "$work/err"
	compare "$name" "$dir/stdout" "$work/out" || ok=false
	if [ -f "$dir/stderr" ] || $update; then
		compare "$name" "$dir/stderr" "$work/err" || ok=false
	fi
	if $update; then
		echo "$rc" >"$dir/rc"
	elif [ "$rc" != "$(cat "$dir/rc")" ]; then
		echo "FAIL $name: exit status $rc, expected $(cat "$dir/rc")"
		sed 's/^/    /' "$work/err" | head -n 20
		ok=false
	fi
	$ok && ! $update && echo "PASS $name"
}

if [ $# -gt 0 ]; then
	for c in "$@"; do run_case "$TOP/tests/cases/$c"; done
else
	for d in "$TOP"/tests/cases/*/; do run_case "${d%/}"; done
fi
