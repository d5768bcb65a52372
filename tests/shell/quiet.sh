#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# -q: reports print only their problems. verify keeps its WARN, FAIL and
# UNKNOWN lines and drops the PASS ones (its exit status unchanged);
# groups keeps the groups that are not isolated; claim and plan keep
# their refusals. Each compared with the same command without -q, so that
# the check fails if -q drops a problem or keeps a PASS.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
R=$TMP/root
vk_live_root "$R"

full=$("$VFIOKIT" --root "$R" verify --device 0000:00:03.0 2>/dev/null)
rc_full=$?
quiet=$("$VFIOKIT" -q --root "$R" verify --device 0000:00:03.0 2>/dev/null)
rc_quiet=$?
expect_eq quiet/verify-problems-only "$(grep -v ': PASS' <<<"$full")" "$quiet"
expect_match quiet/verify-has-problems ': (FAIL|WARN|UNKNOWN)' "$quiet"
expect_eq quiet/verify-status "$rc_full" "$rc_quiet"

out=$("$VFIOKIT" -q --root "$R" groups)
expect_eq quiet/groups-not-isolated "IOMMU group 0  not isolated, ready
IOMMU group 4  not isolated, not ready" "$(grep '^IOMMU group' <<<"$out")"
expect_match quiet/groups-reasons '^  not isolated: 0000:00:1f\.0 ' "$out"
expect_eq quiet/groups-isolated-silent "" "$("$VFIOKIT" -q --root "$R" groups --device 0000:00:03.0)"

"$VFIOKIT" --root "$R" init >/dev/null
out=$("$VFIOKIT" -q --root "$R" claim 1 2>&1)
expect_match quiet/claim-refusal "^vfiokit: 0000:00:01\.0 is the boot VGA device" "$out"
expect_eq quiet/claim-silent "" "$("$VFIOKIT" -q --root "$R" claim 3 2>&1)"
