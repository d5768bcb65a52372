#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The C sources are formatted with the repository's .clang-format.
# VFIOKIT_SKIP_STYLE=1 skips it: a style check says nothing about the
# program a package build makes (the ebuild's src_test sets it), and the
# installed clang-format's version decides what it finds.
source "$(dirname "$0")/../lib.sh"
if [ "${VFIOKIT_SKIP_STYLE:-0}" = 1 ]; then
	skip format/clang-format "VFIOKIT_SKIP_STYLE=1 (a package build)"
	exit 0
fi
if ! command -v clang-format >/dev/null; then
	skip format/clang-format "clang-format is not installed"
	exit 0
fi
cd "$TOP" || exit 1
bad=$(for f in src/*.[ch] src/*/*.[ch] tests/unit/*.c; do
	[ -e "$f" ] || continue
	clang-format --dry-run "$f" 2>&1 | grep -q . && echo "$f"
done)
expect_eq format/clang-format "" "$bad"
