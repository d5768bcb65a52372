#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The cpu-zen profile on a 6.12 tree with the real CPU optimisation patch
# that gentoo-sources applies with USE=experimental: per /proc/cpuinfo
# (under --root) of real AMD and Intel processors, the member of the
# processor family choice that the patch's own Kconfig offers for that Zen
# generation is asked for, the kernel's make olddefconfig keeps it, a
# choice made already (MZEN3) is kept, and an Intel or a pre-Zen AMD CPU,
# or an unpatched tree, get no change and a note.
source "$(dirname "$0")/../lib.sh"
source "$TOP/tests/gentoo/lib.sh"

gentoo_need cpu-patch || exit 0
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PATCHED=$(gentoo_cpu_patched_tree) || {
	fail cpu-patch-tree "could not make a 6.12 tree with the CPU patch (see above)"
	exit 0
}
PLAIN=$("$TOP/tests/kernel-source.sh" 6.12) || {
	fail cpu-patch-tree "no Debian 6.12 tree"
	exit 0
}
if grep -q '^config MZEN3$' "$PATCHED/arch/x86/Kconfig.cpu" &&
	! grep -q MZEN "$PLAIN/arch/x86/Kconfig.cpu"; then
	pass cpu-patch-tree
else
	fail cpu-patch-tree "the patched copy has no MZEN3, or Debian's own tree was changed"
fi

# The kernel's defconfig of the patched tree, made once: GENERIC_CPU, the
# choice's default.
BASE="$(dirname "$PATCHED")/$(basename "$PATCHED").defconfig"
if [ ! -s "$BASE" ]; then
	make -s -C "$PATCHED" KCONFIG_CONFIG="$BASE.tmp" defconfig >/dev/null 2>&1 &&
		mv "$BASE.tmp" "$BASE" || {
		fail cpu-patch-base "make defconfig failed in $PATCHED"
		exit 0
	}
fi

# The member the patch's Kconfig lets this compiler build for generation
# N: MZEN4 needs GCC 13, MZEN5 more than GCC 14 (their "depends on").
GCCVER=$(sed -n 's/^CONFIG_GCC_VERSION=//p' "$BASE")
member() {
	local g=$1
	[ "$g" = 5 ] && [ "$GCCVER" -le 140000 ] && g=4
	[ "$g" = 4 ] && [ "$GCCVER" -lt 130000 ] && g=3
	[ "$g" = 1 ] && echo MZEN || echo "MZEN$g"
}

# run NAME VENDOR FAMILY MODEL MODELNAME [BASEFILE]: kconfig merge with
# the cpu-zen profile for that CPU; OUT, RC and $TMP/NAME.config.
run() {
	local name=$1 root="$TMP/root-$1"
	gentoo_cpuinfo "$root/proc/cpuinfo" "$2" "$3" "$4" "$5"
	cp "${6:-$BASE}" "$TMP/$name.config"
	OUT=$("$VFIOKIT" --root "$root" kconfig merge --profiles-dir "$TOP/profiles" \
		--kernel-dir "${KDIR:-$PATCHED}" --config "$TMP/$name.config" --profile cpu-zen 2>&1)
	RC=$?
}

# olddefconfig NAME: the kernel's olddefconfig once more changes nothing.
survives() {
	cp "$TMP/$1.config" "$TMP/$1.again"
	make -s -C "$PATCHED" KCONFIG_CONFIG="$TMP/$1.again" olddefconfig >/dev/null 2>&1 &&
		cmp -s <(grep -v '^#' "$TMP/$1.config") <(grep -v '^#' "$TMP/$1.again")
}

zen() { # NAME GEN FAMILY MODEL MODELNAME
	local want
	want=$(member "$2")
	run "$1" AuthenticAMD "$3" "$4" "$5"
	if [ "$RC" = 0 ] && grep -qx "CONFIG_$want=y" "$TMP/$1.config" &&
		! grep -q '^CONFIG_GENERIC_CPU=y' "$TMP/$1.config" &&
		[ "$(grep -c '^CONFIG_MZEN[0-9]*=y' "$TMP/$1.config")" = 1 ] &&
		! grep -q '^CONFIG_X86_NATIVE_CPU=y' "$TMP/$1.config" && survives "$1"; then
		pass "cpu-patch-$1"
	else
		fail "cpu-patch-$1" "exit $RC, want CONFIG_$want=y alone that olddefconfig keeps; has: $(grep -E '^CONFIG_(MZEN[0-9]*|GENERIC_CPU)=' "$TMP/$1.config" | tr '\n' ' ')"
		printf '%s\n' "$OUT" | sed 's/^/    /' | head -n 20
	fi
}

# Family and model as /proc/cpuinfo has them (decimal).
zen zen1 1 $((0x17)) $((0x01)) "AMD Ryzen 7 1800X Eight-Core Processor"
zen zen2 2 $((0x17)) $((0x71)) "AMD Ryzen 9 3900X 12-Core Processor"
zen zen3 3 $((0x19)) $((0x21)) "AMD Ryzen 9 5950X 16-Core Processor"
zen zen4 4 $((0x19)) $((0x61)) "AMD Ryzen 9 7950X 16-Core Processor"
zen zen5 5 $((0x1a)) $((0x44)) "AMD Ryzen 9 9950X 16-Core Processor"
if [ "$(member 4)" != MZEN4 ]; then
	expect_match cpu-patch-zen4-compiler "CONFIG_MZEN4 \(Zen 4\) needs .*GCC_VERSION" "$OUT"
fi

unchanged() { # NAME WHY-ERE
	if [ "$RC" = 0 ] && cmp -s "$BASE" "$TMP/$1.config" && grep -Eq "$2" <<<"$OUT"; then
		pass "cpu-patch-$1"
	else
		fail "cpu-patch-$1" "exit $RC; the .config should be unchanged with a note /$2/"
		printf '%s\n' "$OUT" | sed 's/^/    /' | head -n 20
	fi
}
run prezen AuthenticAMD $((0x15)) $((0x02)) "AMD FX-8350 Eight-Core Processor"
unchanged prezen "family 15h model 02h is older than Zen: the processor family is left"
run intel GenuineIntel 6 158 "Intel(R) Core(TM) i7-8700K CPU @ 3.70GHz"
unchanged intel "not an AMD processor"

# A choice made already stays: MZEN3 on a Zen 4.
sed 's/^CONFIG_GENERIC_CPU=y/# CONFIG_GENERIC_CPU is not set/; s/^# CONFIG_MZEN3 is not set/CONFIG_MZEN3=y/' \
	"$BASE" >"$TMP/mzen3.base"
make -s -C "$PATCHED" KCONFIG_CONFIG="$TMP/mzen3.base" olddefconfig >/dev/null 2>&1
run keep AuthenticAMD $((0x19)) $((0x61)) "AMD Ryzen 9 7950X 16-Core Processor" "$TMP/mzen3.base"
if [ "$RC" = 0 ] && cmp -s "$TMP/mzen3.base" "$TMP/keep.config" &&
	grep -qx CONFIG_MZEN3=y "$TMP/keep.config" &&
	grep -q 'chosen already (CONFIG_MZEN3=y): kept' <<<"$OUT"; then
	pass cpu-patch-keep-mzen3
else
	fail cpu-patch-keep-mzen3 "exit $RC; MZEN3 should stay with a note"
	printf '%s\n' "$OUT" | sed 's/^/    /' | head -n 20
fi

# kconfig check on that .config: a Zen choice is there, nothing missing.
OUT=$("$VFIOKIT" --root "$TMP/root-zen1" kconfig check --profiles-dir "$TOP/profiles" \
	--kernel-dir "$PATCHED" --config "$TMP/keep.config" --profile cpu-zen 2>&1)
RC=$?
if [ "$RC" = 0 ] && ! grep -qi 'missing' <<<"$OUT"; then
	pass cpu-patch-check-mzen3
else
	fail cpu-patch-check-mzen3 "exit $RC; check called a Zen choice missing"
	printf '%s\n' "$OUT" | sed 's/^/    /' | head -n 20
fi

# A request for another Zen member (a user's fragment asking for MZEN) is
# met by MZEN3: any Zen member is a Zen choice.
# (check takes profiles only: a copy of the profiles with one more.)
cp -r "$TOP/profiles" "$TMP/profiles"
printf 'CONFIG_MZEN=y\n' >"$TMP/profiles/zen-first.config"
sed -i 's/^profiles = (/&\n  { name = "zen-first"; file = "zen-first.config"; auto = false; },/' \
	"$TMP/profiles/profiles.conf"
OUT=$("$VFIOKIT" --root "$TMP/root-zen1" kconfig check --profiles-dir "$TMP/profiles" \
	--kernel-dir "$PATCHED" --config "$TMP/keep.config" --profile zen-first 2>&1)
RC=$?
if [ "$RC" = 0 ] && grep -Eq '^n/a +CONFIG_MZEN=y' <<<"$OUT"; then
	pass cpu-patch-any-zen-member
else
	fail cpu-patch-any-zen-member "exit $RC; CONFIG_MZEN=y should be met by CONFIG_MZEN3=y"
	printf '%s\n' "$OUT" | sed 's/^/    /' | head -n 20
fi

# check on the default choice says the member is missing, and only that.
OUT=$("$VFIOKIT" --root "$TMP/root-zen3" kconfig check --profiles-dir "$TOP/profiles" \
	--kernel-dir "$PATCHED" --config "$BASE" --profile cpu-zen 2>&1)
RC=$?
if [ "$RC" = 3 ] && grep -Eq '^missing +CONFIG_MZEN3=y' <<<"$OUT" && grep -q '^1 requested' <<<"$OUT"; then
	pass cpu-patch-check-default
else
	fail cpu-patch-check-default "exit $RC; want CONFIG_MZEN3=y missing and nothing else"
	printf '%s\n' "$OUT" | sed 's/^/    /' | head -n 20
fi

# Debian's own tree has no Zen members: no change, and where they come from.
KDIR=$PLAIN run plain AuthenticAMD $((0x19)) $((0x21)) "AMD Ryzen 9 5950X 16-Core Processor"
if [ "$RC" = 0 ] && grep -q '^0 requested' <<<"$OUT" && ! grep -q '^CONFIG_MZEN' "$TMP/plain.config" &&
	grep -q 'gentoo-sources built with USE=experimental' <<<"$OUT"; then
	pass cpu-patch-unpatched
else
	fail cpu-patch-unpatched "exit $RC; want no request and the gentoo-sources USE=experimental hint"
	printf '%s\n' "$OUT" | sed 's/^/    /' | head -n 20
fi
