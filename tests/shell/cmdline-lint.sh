#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vfiokit cmdline lint: the seed's line, the sources of a command line,
# the boot GPU from sysfs, --json and the exit status.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
SEED='iommu=1 amd_iommu=on ignore_msrs=1 pci-stub.ids=10de:1c03,10de:10f1,1022:145a,1022:1456,1022:145c'

# mkroot DIR VENDOR CMDLINE: a tree with cpuinfo and /proc/cmdline.
mkroot() {
	mkdir -p "$1/proc"
	printf 'processor\t: 0\nvendor_id\t: %s\ncpu family\t: 23\n' "$2" >"$1/proc/cpuinfo"
	printf '%s\n' "$3" >"$1/proc/cmdline"
}

# run NAME ARGS...: stdout in $out, stderr in $err, status in $rc.
run() {
	out=$("$VFIOKIT" "$@" 2>"$TMP/err")
	rc=$?
	err=$(cat "$TMP/err")
}

rules_of() { grep -o '\[[a-z-]*\]$' <<<"$1" | tr -d '[]' | tr '\n' ' '; }

# The seed's line on its AMD host: exactly three findings, exit 3.
mkroot "$TMP/amd" AuthenticAMD "BOOT_IMAGE=/vmlinuz root=/dev/sda2 ro $SEED"
run --root "$TMP/amd" cmdline lint
if [ $rc -eq 3 ] && [ "$(rules_of "$out")" = "iommu-value amd-iommu-value bare-module-param " ] &&
	grep -q 'kvm.ignore_msrs=1' <<<"$out" && grep -q '3 problems (3 errors, 0 warnings)' <<<"$out"; then
	pass cmdline-lint/seed-three-findings
else
	fail cmdline-lint/seed-three-findings "exit $rc: $out $err"
fi
expect_match cmdline-lint/message-format '^'"$TMP"'/amd/proc/cmdline:1: error: iommu=1 does not turn the IOMMU on' "$out"

# The same as JSON.
run --root "$TMP/amd" --json cmdline lint --running
n=$(grep -c '"rule":' <<<"$out")
if [ $rc -eq 3 ] && [ "$n" = 3 ] && grep -q '"problems": 3' <<<"$out" &&
	grep -q '"cpu_vendor": "amd"' <<<"$out" && grep -q '"token": "amd_iommu=on"' <<<"$out"; then
	pass cmdline-lint/seed-json
else
	fail cmdline-lint/seed-json "exit $rc, $n findings: $out"
fi

# An emulated Intel IOMMU under an AMD CPU (a guest on an AMD host): the
# firmware's DMAR table says whose IOMMU it is, not the CPU.
mkroot "$TMP/nested" AuthenticAMD "ro intel_iommu=on"
mkdir -p "$TMP/nested/sys/firmware/acpi/tables"
: >"$TMP/nested/sys/firmware/acpi/tables/DMAR"
run --root "$TMP/nested" --json cmdline lint --running
if [ $rc -eq 0 ] && grep -q '"cpu_vendor": "amd"' <<<"$out" &&
	grep -q '"iommu_vendor": "intel"' <<<"$out" && grep -q '"iommu_vendor_guess": false' <<<"$out" &&
	! grep -q '"rule":' <<<"$out"; then
	pass cmdline-lint/iommu-vendor-from-dmar
else
	fail cmdline-lint/iommu-vendor-from-dmar "exit $rc: $out $err"
fi
run --root "$TMP/nested" cmdline lint amd_iommu=off
expect_eq cmdline-lint/amd-iommu-on-dmar "3 iommu-vendor " "$rc $(rules_of "$out")"
# Without a table the CPU's vendor stands in, said as a guess.
run --root "$TMP/amd" cmdline lint intel_iommu=on
expect_match cmdline-lint/iommu-vendor-guess 'AMD \(a guess from the CPU' "$out"

# Arguments and --file give the same findings.
run --root "$TMP/amd" cmdline lint $SEED
expect_eq cmdline-lint/arguments "3 iommu-value amd-iommu-value bare-module-param " "$rc $(rules_of "$out")"
printf 'root=/dev/sda2\n  %s\n' "$SEED" >"$TMP/cmdline"
run --root "$TMP/amd" cmdline lint --file "$TMP/cmdline"
expect_match cmdline-lint/file-line-numbers "^$TMP/cmdline:2: error: ignore_msrs=1" "$out"

# On an Intel host amd_iommu= is reported as the wrong vendor's.
mkroot "$TMP/intel" GenuineIntel "$SEED"
run --root "$TMP/intel" cmdline lint
expect_eq cmdline-lint/intel-host "3 iommu-value iommu-vendor bare-module-param " "$rc $(rules_of "$out")"

# A clean line: exit 0. A note alone (iommu=pt) is not a problem.
mkroot "$TMP/good" AuthenticAMD "root=/dev/sda2 ro kvm.ignore_msrs=1 vfio-pci.ids=10de:1c03"
run --root "$TMP/good" cmdline lint
expect_eq cmdline-lint/clean "0 " "$rc $(rules_of "$out")"
run --root "$TMP/good" cmdline lint iommu=pt
expect_eq cmdline-lint/note-only "0 iommu-passthrough " "$rc $(rules_of "$out")"

# The boot GPU comes from sysfs (boot_vga), read through libpci.
mkroot "$TMP/gpu" GenuineIntel "intel_iommu=on vfio-pci.ids=10de:1c03,8086:3e92"
d=$TMP/gpu/sys/bus/pci/devices/0000:00:02.0
mkdir -p "$d"
echo 0x8086 >"$d/vendor"
echo 0x3e92 >"$d/device"
echo 0x030000 >"$d/class"
echo 0x1462 >"$d/subsystem_vendor"
echo 0x7b17 >"$d/subsystem_device"
echo 0x00 >"$d/revision"
echo 1 >"$d/boot_vga"
run --root "$TMP/gpu" cmdline lint
if [ $rc -eq 3 ] && grep -q "'8086:3e92' matches 0000:00:02.0 \[8086:3e92\], the boot GPU" <<<"$out"; then
	pass cmdline-lint/boot-gpu
else
	fail cmdline-lint/boot-gpu "exit $rc: $out $err"
fi
echo 0 >"$d/boot_vga"
run --root "$TMP/gpu" cmdline lint
expect_eq cmdline-lint/not-boot-gpu "0" "$rc"

# simpledrm built in (modules.builtin of the running kernel) makes
# video=efifb:off a warning; as a module, nothing.
mkroot "$TMP/fb" AuthenticAMD "video=efifb:off"
mkdir -p "$TMP/fb/proc/sys/kernel" "$TMP/fb/lib/modules/6.1.0-test"
echo 6.1.0-test >"$TMP/fb/proc/sys/kernel/osrelease"
echo kernel/drivers/gpu/drm/tiny/simpledrm.ko >"$TMP/fb/lib/modules/6.1.0-test/modules.builtin"
run --root "$TMP/fb" cmdline lint
expect_eq cmdline-lint/simpledrm-built-in "3 efifb-simpledrm " "$rc $(rules_of "$out")"
echo kernel/drivers/video/fbdev/core/fb.ko >"$TMP/fb/lib/modules/6.1.0-test/modules.builtin"
run --root "$TMP/fb" cmdline lint
expect_eq cmdline-lint/simpledrm-module "0 " "$rc $(rules_of "$out")"

# Errors and usage.
run --root "$TMP/amd" cmdline lint --file "$TMP/missing"
expect_eq cmdline-lint/missing-file "1 vfiokit: $TMP/missing: No such file or directory" "$rc $err"
printf 'a\0b' >"$TMP/nul"
run --root "$TMP/amd" cmdline lint --file "$TMP/nul"
expect_eq cmdline-lint/nul-byte "1 vfiokit: $TMP/nul: holds a NUL byte: not a kernel command line" "$rc $err"
mkdir -p "$TMP/empty"
run --root "$TMP/empty" cmdline lint
expect_eq cmdline-lint/no-proc "1" "$rc"
run cmdline lint --running iommu=1
expect_match cmdline-lint/two-sources "give one of --running" "$rc $err"
[ "$rc" = 2 ] || fail cmdline-lint/two-sources-status "exit $rc"
run cmdline lint --list-rules
if [ $rc -eq 0 ] && [ "$(grep -c 'see: ' <<<"$out")" -ge 10 ]; then
	pass cmdline-lint/list-rules
else
	fail cmdline-lint/list-rules "exit $rc: $out"
fi
run cmdline frob
expect_eq cmdline-lint/unknown-verb "2" "$rc"
