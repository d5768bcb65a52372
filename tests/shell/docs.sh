#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The man page and README say what the program does.
source "$(dirname "$0")/../lib.sh"
MAN=$TOP/docs/vfiokit.8

if command -v groff >/dev/null; then
	warnings=$(groff -man -ww -z "$MAN" 2>&1)
	expect_eq docs/man-renders-cleanly "" "$warnings"
else
	skip docs/man-renders-cleanly "groff is not installed"
fi

# Every command and every long option that --help lists is in the man page.
man_text=$(sed 's/\\-/-/g' "$MAN")
missing=""
help_text=$("$VFIOKIT" --help
	for c in $(sed -n 's/^  \([a-z]\+\) .*/\1/p' <<<"$("$VFIOKIT" --help)"); do
		"$VFIOKIT" "$c" --help
	done)
for word in $(grep -oE -- '--[a-z][a-z-]+' <<<"$help_text" | sort -u) \
	$(sed -n 's/^  \([a-z]\+\) .*/\1/p' <<<"$("$VFIOKIT" --help)"); do
	grep -qF -- "$word" <<<"$man_text" || missing="$missing $word"
done
expect_eq docs/man-covers-help "" "$missing"

# The README's quick start: exactly two commands, make demo and make check.
quick=$(sed -n '/^## Quick start/,/^## /p' "$TOP/README.md" | sed -n '/^```/,/^```/p' | grep -v '^```')
expect_eq docs/readme-quick-start "make demo
make check" "$quick"
