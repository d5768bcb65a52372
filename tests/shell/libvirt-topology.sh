#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit libvirt xml's vCPU pinning on real CPU topologies: the captures
# of real machines kept next to the checkout (shared/topology: two Intel
# laptops and a four-socket Xeon whose numbering interleaves the sockets)
# and the project's own QEMU captures (tests/fixtures/topology-*: two
# sockets of four cores with two threads; an EPYC whose L3 is per die).
# The rules are checked against the captured sysfs files, not against
# vfiokit's own model of them.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/libvirt/lib.sh"

if ! ls "$TOPOLOGY_DIR"/*.tar.gz >/dev/null 2>&1; then
	vk_shared_missing libvirt-topology/captures "the CPU topology captures in $TOPOLOGY_DIR"
	exit 0
fi
ls "$TOP"/tests/fixtures/topology-*.tar.gz >/dev/null 2>&1 ||
	fail libvirt-topology/own-captures "no tests/fixtures/topology-*.tar.gz: capture them with tests/vm/capture-fixtures.sh topology-2s4c2t topology-epyc"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for archive in $(topology_archives); do
	name=$(basename "$archive" .tar.gz)
	root=$work/$name
	mkdir -p "$root"
	if ! make_root "$archive" "$root"; then
		fail "libvirt-topology/$name" "cannot unpack $archive"
		continue
	fi
	load_topology "$root"
	out=$("$VFIOKIT" --root "$root" libvirt xml 2>/dev/null)
	check_pinning "libvirt-topology/$name/default" "$out"
	# every size that fits, one core at a time, up to the first that does not
	n=$T
	while :; do
		out=$("$VFIOKIT" --root "$root" libvirt xml --vcpus "$n" 2>"$work/err")
		rc=$?
		[ "$rc" = 0 ] || break
		check_pinning "libvirt-topology/$name/vcpus-$n" "$out"
		n=$((n + T))
	done
	expect_eq "libvirt-topology/$name/too-big-exit" 2 "$rc"
	expect_match "libvirt-topology/$name/too-big-says-why" \
		"--vcpus $n: $n vCPUs need $((n / T)) whole cores in one package; the most .* is $((n / T - 1)) cores" \
		"$(cat "$work/err")"
	if [ "$T" -gt 1 ]; then
		"$VFIOKIT" --root "$root" libvirt xml --vcpus $((T + 1)) >/dev/null 2>"$work/err"
		rc=$?
		expect_eq "libvirt-topology/$name/half-core-exit" 2 "$rc"
		expect_match "libvirt-topology/$name/half-core-says-why" \
			"ask for a multiple of $T" "$(cat "$work/err")"
	fi
done
