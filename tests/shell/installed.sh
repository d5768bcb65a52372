#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The installed program, as users type it. The other tests run the build's
# own binary, which takes the profiles of its source tree; this one runs a
# binary that `make install` put in place, with the checkout out of its
# reach, and no --profiles-dir.
#
# The rule it checks (vfiokit(8), FILES): the profiles path is fixed at
# build time from PREFIX and DATADIR, the same ones `make install` uses, and
# an installed binary never looks beside itself. Two installs of a copy of
# the tree show it:
#
#  1. make install DESTDIR=$TMP/dest PREFIX=/usr, as the ebuild does: the
#     layout (binary, man pages, profiles under usr/share/vfiokit) and the
#     path compiled in, /usr/share/vfiokit/profiles. That binary cannot be
#     run here on its data: /usr/share/vfiokit does not exist outside
#     DESTDIR, and making it would touch the machine.
#  2. make install PREFIX=$TMP/inst/usr without DESTDIR, from the same copy:
#     the same rule with a prefix that exists here. Only what uses the path
#     is rebuilt. Then the copy is removed (its profiles with it) and the
#     installed binary is run from another directory on the captured
#     fixture roots (tests/fixtures/*.tar.gz, unpacked as tests/cases/run.sh
#     does).
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

for tool in make cc; do
	if ! command -v "$tool" >/dev/null; then
		skip installed "no $tool to build with"
		exit 0
	fi
done

# A copy of the sources, so that the checkout's build stays as it is.
mkdir -p "$TMP/src"
cp -r "$TOP/Makefile" "$TOP/src" "$TOP/docs" "$TOP/profiles" "$TOP/init" "$TOP/completions" \
	"$TMP/src/"
build() { # build ARGS...: make install in the copy, quietly
	make -C "$TMP/src" -j2 CFLAGS=-O1 INSTALL_DEPS=: install "$@" >"$TMP/make.log" 2>&1
}

# 1. The packaging layout.
if build DESTDIR="$TMP/dest" PREFIX=/usr; then
	pass installed/destdir-build
else
	fail installed/destdir-build "make install failed: $(tail -n 3 "$TMP/make.log")"
	exit 0
fi
D=$TMP/dest
expect_eq installed/destdir-files "usr/sbin/vfiokit
usr/share/man/man5/vfiokit.conf.5
usr/share/man/man8/vfiokit.8
usr/share/vfiokit/profiles/profiles.conf
usr/share/vfiokit/profiles/vfio.config" \
	"$(cd "$D" && find usr -type f | grep -E 'sbin/|man[58]/|profiles/(profiles.conf|vfio.config)$' | sort)"
expect_eq installed/destdir-completions "usr/share/bash-completion/completions/vfiokit
usr/share/zsh/site-functions/_vfiokit" \
	"$(cd "$D" && find usr -path '*completion*' -type f -o -path '*zsh*' -type f | sort)"
expect_match installed/destdir-path-compiled-in '\(default /usr/share/vfiokit/profiles\)' \
	"$("$D/usr/sbin/vfiokit" kconfig --help)"
for page in man8/vfiokit.8 man5/vfiokit.conf.5; do
	if out=$(LC_ALL=C groff -man -Tutf8 -ww -z "$D/usr/share/man/$page" 2>&1) && [ -z "$out" ]; then
		pass "installed/man-$page"
	else
		fail "installed/man-$page" "groff: ${out:-failed}"
	fi
done
expect_match installed/man-renders '^ +vfiokit[[:space:]]+- prepare' \
	"$(MANWIDTH=80 man -l "$D/usr/share/man/man8/vfiokit.8" 2>/dev/null | col -b)"

# 2. An install this machine can run.
if build PREFIX="$TMP/inst/usr"; then
	pass installed/prefix-build
else
	fail installed/prefix-build "make install failed: $(tail -n 3 "$TMP/make.log")"
	exit 0
fi
expect_eq installed/prefix-rebuilds-only-the-path "build/shared/datadir.o" \
	"$(grep -o 'build/shared/datadir\.o' "$TMP/make.log" | sort -u)"
rm -rf "$TMP/src"
VK=$TMP/inst/usr/sbin/vfiokit

# Roots from the fixtures; a kernel whose VFIO is built in, and the
# files apply edits.
root() { # root FIXTURE DIR
	mkdir -p "$2/usr/share/misc" "$2/proc/self" "$2/proc/net" "$2/proc/sys/kernel" \
		"$2/etc/default" "$2/lib/modules/6.1.0-test"
	tar -xzf "$TOP/tests/fixtures/$1.tar.gz" -C "$2"
	cp "$TOP/tests/fixtures/pci.ids" "$2/usr/share/misc/pci.ids"
	echo '22 1 0:20 / / rw,relatime - tmpfs tmpfs rw' >"$2/proc/self/mountinfo"
	printf 'Iface\tDestination\tGateway\tFlags\n' >"$2/proc/net/route"
	echo 6.1.0-test >"$2/proc/sys/kernel/osrelease"
	: >"$2/lib/modules/6.1.0-test/modules.dep"
	printf 'kernel/drivers/vfio/%s.ko\n' vfio vfio_iommu_type1 pci/vfio-pci pci/vfio-pci-core \
		>"$2/lib/modules/6.1.0-test/modules.builtin"
	printf 'GRUB_CMDLINE_LINUX_DEFAULT="quiet"\n' >"$2/etc/default/grub"
	printf '# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_64BIT=y\n' >"$2/base.config"
}
root intel "$TMP/roots/intel"
root amd-bridge "$TMP/roots/amd"
mkdir -p "$TMP/elsewhere"
cd "$TMP/elsewhere" || exit 1

run() {
	OUT=$("$VK" "$@" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
}

run --root ../roots/intel groups
expect_eq installed/groups-rc 0 "$RC"
expect_match installed/groups '8086:10d3' "$OUT"
run --root ../roots/intel --json groups
expect_eq installed/groups-json "0" "$(jq -e '.groups | length > 0' <<<"$OUT" >/dev/null; echo $?)"

# kconfig: the installed profiles, by the processor of each root.
run --root ../roots/intel kconfig check --config ../roots/intel/base.config
expect_eq installed/kconfig-check-rc 3 "$RC"
expect_match installed/kconfig-check-profiles "^missing +CONFIG_VFIO_PCI=m, is not set +\($TMP/inst/usr/share/vfiokit/profiles/vfio.config:[0-9]+\)" "$OUT"
expect_eq installed/kconfig-check-no-error "" "$(grep -F 'profiles.conf' <<<"$ERR")"
run --root ../roots/amd --json kconfig check --profile vfio --config ../roots/amd/base.config
expect_eq installed/kconfig-check-json "$TMP/inst/usr/share/vfiokit/profiles/vfio.config:4" \
	"$(jq -r '.requests[] | select(.symbol == "VFIO") | .from' <<<"$OUT")"
run --root ../roots/amd kconfig merge --dist-kernel --dry-run
expect_eq installed/kconfig-merge-dist-rc 0 "$RC"
expect_match installed/kconfig-merge-dist '^\+CONFIG_KVM_AMD=[ym]$' "$OUT"
expect_eq installed/kconfig-merge-dist-writes-nothing "no" \
	"$([ -e ../roots/amd/etc/kernel/config.d/vfiokit.config ] && echo yes || echo no)"
# Options after the argument (a fragment of one's own), as people type them.
printf 'CONFIG_VFIO_NOIOMMU=y\n' >../own.config
run --root ../roots/intel kconfig merge ../own.config --dist-kernel --dry-run --profile vfio
expect_match installed/kconfig-merge-options-after '^\+CONFIG_VFIO_NOIOMMU=y$' "$OUT"
expect_match installed/kconfig-merge-options-after-profile '^\+CONFIG_VFIO_PCI=m$' "$OUT"

# verify: the kconfig checks find the profiles (no "cannot read").
run --root ../roots/intel verify
expect_match installed/verify-runs '^Checking module vfio_pci loaded +: PASS$' "$OUT"
expect_eq installed/verify-profiles-found "" "$(grep -F 'profiles' <<<"$ERR")"
run --root ../roots/intel --json verify --checks kconfig
expect_eq installed/verify-kconfig-json 0 "$(jq -e '.checks | length > 0' <<<"$OUT" >/dev/null; echo $?)"

# plan with /etc/vfiokit.conf: dist-kernel profiles, modprobe.d, GRUB.
printf '%s\n' 'boot = "grub";' 'kernel = "dist";' 'profiles = [ "vfio" ];' \
	'devices = { nic = { id = "8086:10d3"; }; };' >../roots/intel/etc/vfiokit.conf
run --root ../roots/intel plan
expect_eq installed/plan-rc 0 "$RC"
expect_match installed/plan-kconfig '^\+CONFIG_VFIO_PCI=m$' "$OUT"
expect_match installed/plan-grub '^\+GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on vfio-pci.ids=8086:10d3"$' "$OUT"
run --root ../roots/intel --json plan --config ../roots/intel/etc/vfiokit.conf
expect_match installed/plan-json '"/etc/kernel/config.d/vfiokit.config"' "$OUT"
