#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Colour through a real terminal: script(1) gives vfiokit a pseudo-terminal.
# Without --color the group verdicts, verify's table and the diffs of a dry
# run are coloured there; with NO_COLOR=1, with TERM=dumb and with
# --color=never they are not; through a pipe they are not, unless
# --color=always.
source "$(dirname "$0")/../lib.sh"

if ! command -v script >/dev/null; then
	fail colour "script(1) is not installed (bsdutils; tests/install-deps.sh test installs it)"
	exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
R=$TMP/root
vk_live_root "$R"
"$VFIOKIT" --root "$R" init >/dev/null
ESC=$'\033'

# tty ENV... -- ARGS...: vfiokit's output on a terminal, with ENV set.
tty() {
	local env=()
	while [ "$1" != -- ]; do env+=("$1") && shift; done
	shift
	TERM=xterm script -qec "$(printf '%q ' env "${env[@]}" "$VFIOKIT" --root "$R" "$@")" /dev/null
}

out=$(tty -- groups)
expect_match colour/tty-groups "IOMMU group 1  ${ESC}\[32misolated, ready${ESC}\[0m" "$out"
expect_match colour/tty-groups-not "IOMMU group 4  ${ESC}\[31mnot isolated, not ready${ESC}\[0m" "$out"
out=$(tty -- verify --checks iommu)
expect_match colour/tty-verify ": ${ESC}\[3[123]m(PASS|WARN|FAIL)${ESC}\[0m" "$out"
out=$(tty -- claim --dry-run 3)
expect_match colour/tty-diff-added "${ESC}\[32m\+	net_2 = " "$out"
expect_match colour/tty-diff-removed "${ESC}\[31m-	# net_2 = " "$out"
expect_match colour/tty-diff-hunk "${ESC}\[36m@@ " "$out"

for how in NO_COLOR=1 TERM=dumb; do
	out=$(tty "$how" -- groups; tty "$how" -- claim --dry-run 3)
	if grep -q "$ESC" <<<"$out"; then
		fail "colour/$how" "an escape sequence with $how"
	else
		expect_match "colour/$how" 'IOMMU group 4  not isolated, not ready' "$out"
	fi
done
out=$(tty -- --color=never groups)
if grep -q "$ESC" <<<"$out"; then fail colour/never "an escape sequence with --color=never"; else pass colour/never; fi
out=$("$VFIOKIT" --root "$R" groups)
if grep -q "$ESC" <<<"$out"; then fail colour/pipe "an escape sequence through a pipe"; else pass colour/pipe; fi
expect_match colour/always "IOMMU group 1  ${ESC}\[32misolated, ready" "$("$VFIOKIT" --color always --root "$R" groups)"
out=$("$VFIOKIT" --color=sometimes groups 2>&1)
expect_eq colour/bad-word "2 vfiokit: --color: 'sometimes' is not auto, always or never
Try 'vfiokit --help' for more information." "$? $out"
