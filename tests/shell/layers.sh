#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The library (src/*/, see HACKING.md) never prints, exits or touches the
# process's standard streams: only src/main.c and src/cmd-*.c do, through
# src/log.c. Comments are taken out first (the compiler's own
# preprocessor), so a comment that names stderr does not count. A second
# case plants a printf in a copy of a library file and expects the check to
# find it, so the check itself can fail.
source "$(dirname "$0")/../lib.sh"
cd "$TOP" || exit 1
CC=${CC:-cc}
pattern='(^|[^A-Za-z0-9_.>])(printf|vprintf|puts|putchar|perror|exit|vk_err|vk_warn|vk_usage_error)[[:space:]]*\(|fprintf[[:space:]]*\([[:space:]]*std(err|out)|\bstd(err|out|in)\b'

# The offending lines of file, "file:line: text".
offences() {
	"$CC" -fpreprocessed -dD -E -P -x c "$1" 2>/dev/null |
		grep -nE "$pattern" | sed "s|^|$2:|"
}

bad=""
for f in src/shared/*.[ch] src/pci/*.[ch] src/kconfig/*.[ch] src/boot/*.[ch] \
	src/modules/*.[ch] src/verify/*.[ch] src/flow/*.[ch] src/host/*.[ch] src/libvirt/*.[ch]; do
	out=$(offences "$f" "$f")
	[ -n "$out" ] && bad+="$out"$'\n'
done
expect_eq layers/library-does-not-print "" "${bad%$'\n'}"

tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{ cat src/shared/fileio.c; printf 'void planted(void) { fprintf(stderr, "x"); }\n'; } >"$tmp"
found=$(offences "$tmp" planted)
expect_match layers/check-finds-a-planted-print 'planted:.*fprintf' "$found"
