#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit kconfig without a kernel tree: profile choice by CPU vendor,
# dist-kernel fragments, and input it must refuse. (Tier 3, tests/real/,
# runs it against Debian's real trees.)
source "$(dirname "$0")/../lib.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

vk() {
	OUT=$("$VFIOKIT" "$@" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
}

# A root with the processor of a captured boot, and a small .config.
root_of() { # FIXTURE DIR
	mkdir -p "$2" && tar -xzf "$TOP/tests/fixtures/$1.tar.gz" -C "$2" ./proc/cpuinfo
	printf '# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_64BIT=y\n' >"$2/base.config"
}
root_of amd-bridge "$TMP/amd"
root_of intel "$TMP/intel"
vk --root "$TMP/amd" kconfig merge --dry-run --config "$TMP/amd/base.config"
expect_match kconfig/auto-amd \
	'^Profiles for an amd processor \(/proc/cpuinfo\) and an amd IOMMU \(a guess from the CPU: no DMAR or IVRS table, the IOMMU is off in the firmware\): iommu-amd vfio kvm-amd bridge$' "$OUT"
expect_match kconfig/no-tree-said 'No kernel tree at .*: the requests are merged but kconfig cannot check them' "$OUT"
vk --root "$TMP/intel" kconfig merge --dry-run --config "$TMP/intel/base.config" \
	--profile auto
expect_match kconfig/auto-intel \
	'^Profiles for an intel processor \(/proc/cpuinfo\) and an intel IOMMU \(a guess from the CPU: .*\): iommu-intel vfio kvm-intel bridge$' "$OUT"
expect_match kconfig/dry-run-diff '^\+CONFIG_INTEL_IOMMU=y$' "$OUT"
# QEMU's default CPU (AuthenticAMD) with an emulated Intel IOMMU: the
# firmware's DMAR table, not the CPU, chooses the IOMMU profile; KVM's
# stays the CPU's.
cp -r "$TMP/amd" "$TMP/amd-dmar"
mkdir -p "$TMP/amd-dmar/sys/firmware/acpi/tables"
printf 'DMAR' >"$TMP/amd-dmar/sys/firmware/acpi/tables/DMAR"
vk --root "$TMP/amd-dmar" kconfig merge --dry-run --config "$TMP/amd-dmar/base.config"
expect_match kconfig/auto-iommu-by-table \
	'^Profiles for an amd processor \(/proc/cpuinfo\) and an intel IOMMU \(the firmware.s DMAR table\): iommu-intel vfio kvm-amd bridge$' "$OUT"
expect_match kconfig/auto-iommu-by-table-diff '^\+CONFIG_INTEL_IOMMU=y$' "$OUT"
mkdir -p "$TMP/nocpu"
vk --root "$TMP/nocpu" kconfig merge --config "$TMP/intel/base.config"
expect_match kconfig/auto-unknown-vendor 'cannot tell the CPU vendor; name the profiles with --profile' "$ERR"

# dist-kernel: the requests go to /etc/kernel/config.d, once.
vk --root "$TMP/amd" kconfig merge --dist-kernel --profile vfio,kvm-amd
expect_eq kconfig/dist-kernel "# Written by vfiokit kconfig merge --dist-kernel; Gentoo's dist-kernel
# merges it into the kernel's configuration when it builds.
CONFIG_VFIO=m
CONFIG_VFIO_PCI=m
CONFIG_PCI_STUB=m
CONFIG_VFIO_IOMMU_TYPE1=m
CONFIG_VIRTUALIZATION=y
CONFIG_KVM=m
CONFIG_KVM_AMD=m" "$(cat "$TMP/amd/etc/kernel/config.d/vfiokit.config")"
vk --root "$TMP/amd" kconfig merge --dist-kernel --dry-run --profile vfio,kvm-amd
expect_eq kconfig/dist-kernel-idempotent "$TMP/amd/etc/kernel/config.d/vfiokit.config: up to date" "$(tail -n 1 <<<"$OUT")"

# --dist-kernel writes no .config: --config with it is a usage error.
vk --root "$TMP/amd" kconfig merge --dist-kernel --config "$TMP/amd/base.config" --profile vfio
expect_match kconfig/dist-kernel-config '^vfiokit: kconfig merge: --dist-kernel and --config exclude each other$' "$ERR"
expect_eq kconfig/dist-kernel-config-status 2 "$RC"

# check without a tree says once that nothing is explained, not per line;
# an empty .config is refused once, not judged line by line.
vk --root "$TMP/intel" kconfig check --config "$TMP/intel/base.config"
expect_eq kconfig/no-tree-once "No kernel tree: the requests not ok are not explained (give --kernel-dir)" \
	"$(grep -i 'kernel tree' <<<"$OUT")"
expect_eq kconfig/no-tree-status 3 "$RC"
: >"$TMP/empty.config"
vk --root "$TMP/intel" kconfig check --config "$TMP/empty.config"
expect_eq kconfig/empty-config "vfiokit: $TMP/empty.config: empty: not a kernel configuration" "$ERR"
expect_eq kconfig/empty-config-status 1 "$RC"
expect_eq kconfig/empty-config-no-list "" "$(grep -E '^(missing|ok) ' <<<"$OUT")"

# A --config that does not exist is named as such, without the advice
# to give --config.
vk kconfig merge --config "$TMP/nonexistent"
expect_eq kconfig/config-missing "vfiokit: $TMP/nonexistent: no such file (named by --config)" "$ERR"
expect_eq kconfig/config-missing-status 1 "$RC"

# Refused: no Kconfig in --kernel-dir, a Kconfig the reader does not know,
# an unknown profile, a fragment that names a symbol twice. The .config
# stays as it was.
sum=$(sha256sum <"$TMP/intel/base.config")
vk kconfig merge --config "$TMP/intel/base.config" --kernel-dir "$TMP" --profile vfio
expect_match kconfig/no-kconfig "$TMP: no Kconfig here" "$ERR"
mkdir -p "$TMP/odd"
printf 'config FOO\n\tbool "foo"\n\tfrobnicate BAR\n' >"$TMP/odd/Kconfig"
vk kconfig merge --config "$TMP/intel/base.config" --kernel-dir "$TMP/odd" --profile vfio
expect_match kconfig/unknown-syntax "Kconfig:3: .*frobnicate" "$ERR"
expect_eq kconfig/unknown-syntax-status 1 "$RC"
vk kconfig merge --config "$TMP/intel/base.config" --profile nosuch
expect_match kconfig/unknown-profile "no profile 'nosuch'" "$ERR"
expect_eq kconfig/unknown-profile-status 2 "$RC"
vk --root "$TMP/amd" kconfig merge --config "$TMP/intel/base.config" \
	"$TOP/tests/kconfig/twice.config"
expect_match kconfig/fragment-twice 'twice.config:3: CONFIG_VFIO is given twice \(first on line 1\)' "$ERR"
expect_eq kconfig/untouched "$sum" "$(sha256sum <"$TMP/intel/base.config")"
# --profiles-dir: another directory's profiles are the ones used; a
# directory without an index is an error that names it. (The tests
# elsewhere use the default: the build's own binary takes its tree's
# profiles.)
cp -r "$TOP/profiles" "$TMP/own-profiles"
printf 'CONFIG_VFIO=m\nCONFIG_VFIO_NOIOMMU=y\n' >"$TMP/own-profiles/vfio.config"
vk --root "$TMP/amd" kconfig merge --dry-run --config "$TMP/intel/base.config" \
	--profiles-dir "$TMP/own-profiles" --profile vfio
expect_match kconfig/profiles-dir-used '^\+CONFIG_VFIO_NOIOMMU=y$' "$OUT"
vk --root "$TMP/amd" kconfig merge --dry-run --config "$TMP/intel/base.config" --profile vfio
expect_match kconfig/profiles-dir-default-tree '^\+CONFIG_PCI_STUB=m$' "$OUT"
vk kconfig check --config "$TMP/intel/base.config" --profiles-dir "$TMP/nowhere" --profile vfio
expect_match kconfig/profiles-dir-missing "$TMP/nowhere/profiles.conf" "$ERR"
vk kconfig frob
expect_eq kconfig/unknown-verb 2 "$RC"

# A request for m on a built-in symbol: merge leaves the y (and says so
# with -v), check calls it ok and shows both values.
printf '# Linux/x86 6.1.0 Kernel Configuration\nCONFIG_VFIO=y\nCONFIG_VFIO_PCI=y\nCONFIG_PCI_STUB=m\nCONFIG_VFIO_IOMMU_TYPE1=y\n' \
	>"$TMP/builtin.config"
vk -v kconfig merge --dry-run --config "$TMP/builtin.config" --profiles-dir "$TOP/profiles" --profile vfio
expect_match kconfig/merge-keeps-builtin '^kept +CONFIG_VFIO_PCI=m, is y \(built in, kept as y\)$' "$OUT"
expect_match kconfig/merge-keeps-builtin-diff 'up to date$' "$OUT"
vk kconfig check --config "$TMP/builtin.config" --profiles-dir "$TOP/profiles" --profile vfio
expect_eq kconfig/check-builtin-status 0 "$RC"
expect_match kconfig/check-builtin '^ok +CONFIG_VFIO_PCI=m, is y \(built in, as good as a module\)$' "$OUT"
sed -i 's/^CONFIG_PCI_STUB=m/# CONFIG_PCI_STUB is not set/' "$TMP/builtin.config"
vk --json kconfig check --config "$TMP/builtin.config" --profiles-dir "$TOP/profiles" --profile vfio
expect_eq kconfig/check-json-values "VFIO_PCI m y ok|PCI_STUB m null missing" \
	"$(jq -r '[.requests[] | select(.symbol == "VFIO_PCI" or .symbol == "PCI_STUB") |
		"\(.symbol) \(.requested) \(.value) \(.status)"] | join("|")' <<<"$OUT")"
