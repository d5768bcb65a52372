#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 1: run every unit-test binary (cmocka, built by `make test-binaries`)
# and turn its TAP report into PASS/FAIL lines.
set -u
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export CMOCKA_MESSAGE_OUTPUT=TAP
for src in "$TOP"/tests/unit/test-*.c; do
	name=$(basename "$src" .c)
	bin=${VK_TESTDIR:-$TOP/build-asan}/$name
	if [ ! -x "$bin" ]; then
		echo "FAIL $name: not built (run 'make test-binaries')"
		continue
	fi
	out=$("$bin" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed -n -e "s|^ok [0-9]* - \(.*\)|PASS $name/\1|p" \
		-e "s|^not ok [0-9]* - \(.*\)|FAIL $name/\1: assertion failed (see below)|p" \
		-e "s|^ok [0-9]* # SKIP \(.*\)|SKIP $name/\1: skipped, see its reason above|p" \
		-e "s|^not ok [0-9]* # SKIP \(.*\)|SKIP $name/\1: skipped, see its reason above|p"
	if [ $rc -ne 0 ] && ! printf '%s\n' "$out" | grep -q '^not ok'; then
		echo "FAIL $name: exited $rc"
		printf '%s\n' "$out" | tail -n 20 | sed 's/^/    /'
	elif [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | grep -v '^ok ' | sed 's/^/    /' | head -n 40
	fi
done
