#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 3: `vfiokit kconfig` against Debian's real kernel trees (6.1 and
# 6.12) with the kernel's own `make olddefconfig`: every profile merged into
# Debian's own configuration and into defconfig and tinyconfig bases, every
# request accounted for, the result equal to merge_config.sh + olddefconfig,
# and each kind of explanation produced by a case that needs it.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
CASES=$TOP/tests/kconfig
ALL_INTEL="iommu-intel,vfio,kvm-intel,bridge"
ALL_AMD="iommu-amd,vfio,kvm-amd,bridge"

# vk ARGS...: run vfiokit on this tree; OUT, ERR and RC hold the result.
vk() {
	OUT=$("$VFIOKIT" kconfig "$@" --kernel-dir "$TREE" 2>"$TMP/err")
	RC=$?
	ERR=$(cat "$TMP/err")
}

# base NAME: a fresh copy of base NAME (debian, defconfig, tinyconfig) of
# this tree in $TMP/NAME.config; the tree makes each base once.
base() {
	local made="$TMP/made-${TREE//\//_}-$1"
	rm -f "$TMP/$1.config" "$TMP/$1.config.vfiokit-bak"
	if [ ! -f "$made" ]; then
		case $1 in
		debian) cp "$DEBCONF" "$made" ;;
		defconfig) make -s -C "$TREE" KCONFIG_CONFIG="$made" defconfig >/dev/null 2>&1 ;;
		# The kernel's tinyconfig recipe, step by step: its second step
		# writes ./.config whatever KCONFIG_CONFIG says.
		tinyconfig)
			KCONFIG_ALLCONFIG=kernel/configs/tiny-base.config make -s -C "$TREE" \
				KCONFIG_CONFIG="$made" allnoconfig >/dev/null 2>&1 &&
				(cd "$TMP" && "$TREE/scripts/kconfig/merge_config.sh" -m -O "$TMP" "$made" \
					"$TREE/kernel/configs/tiny.config" "$TREE/arch/x86/configs/tiny.config" \
					>/dev/null 2>&1) && mv "$TMP/.config" "$made" &&
				make -s -C "$TREE" KCONFIG_CONFIG="$made" olddefconfig >/dev/null 2>&1 ;;
		esac || return 1
	fi
	cp "$made" "$TMP/$1.config"
}

# Every request is kept or has a reason; the result equals what
# merge_config.sh -m and make olddefconfig make of the same inputs.
check_profiles() { # SERIES BASE PROFILES
	local name="kconfig-$1-$2-${3//,/+}" frags=() p
	base "$2" || { fail "$name" "could not make the $2 base"; return; }
	cp "$TMP/$2.config" "$TMP/ref.config"
	vk merge --config "$TMP/$2.config" --profile "$3"
	local requested accounted
	requested=$(sed -n 's/^\([0-9]*\) requested, .*/\1/p' <<<"$OUT")
	accounted=$(sed -n 's/^[0-9]* requested, \([0-9]*\) kept, \([0-9]*\) not kept.*/\1 \2/p' <<<"$OUT")
	if [ "$RC" != 0 ] && [ "$RC" != 3 ]; then
		fail "$name" "exit $RC: $ERR"
		return
	fi
	if [ -z "$requested" ] || [ $((${accounted% *} + ${accounted#* })) != "$requested" ] ||
		[ "$(grep -c '^not kept' <<<"$OUT")" != "${accounted#* }" ]; then
		fail "$name" "requests not accounted for: $OUT"
		return
	fi
	for p in ${3//,/ }; do frags+=("$TOP/profiles/$p.config"); done
	(cd "$TMP" && "$TREE/scripts/kconfig/merge_config.sh" -m -O "$TMP" ref.config "${frags[@]}" \
		>/dev/null 2>&1 && mv "$TMP/.config" "$TMP/ref.config") &&
		make -s -C "$TREE" KCONFIG_CONFIG="$TMP/ref.config" olddefconfig >/dev/null 2>&1
	if cmp -s "$TMP/ref.config" "$TMP/$2.config"; then
		pass "$name"
	else
		fail "$name" "differs from merge_config.sh + olddefconfig"
		diff -u "$TMP/ref.config" "$TMP/$2.config" | head -n 20 | sed 's/^/    /'
	fi
}

# expect_reason NAME FRAGMENT BASE ERE: merge FRAGMENT, exit 3, a reason matching ERE.
expect_reason() {
	base "$3" || { fail "$1" "could not make the $3 base"; return; }
	vk merge --config "$TMP/$3.config" "$CASES/$2"
	if [ "$RC" = 3 ] && grep -Eq -- "$4" <<<"$OUT"; then
		pass "$1"
	else
		fail "$1" "exit $RC, no reason matching /$4/"
		printf '%s\n%s\n' "$OUT" "$ERR" | sed 's/^/    /' | head -n 20
	fi
}

series_tests() { # SERIES
	local s=$1
	check_profiles "$s" debian "$ALL_INTEL"
	check_profiles "$s" debian "$ALL_AMD"
	check_profiles "$s" defconfig "$ALL_AMD"
	check_profiles "$s" tinyconfig "$ALL_INTEL"
	expect_reason "kconfig-$s-vga-arb" vga-without-arb.config defconfig \
		'depends on .*VGA_ARB.*CONFIG_VGA_ARB is not set'
	expect_reason "kconfig-$s-capped" pci-y-vfio-m.config defconfig \
		'capped at m: .*CONFIG_VFIO is m'
	expect_reason "kconfig-$s-select-only" select-only.config defconfig \
		'no prompt and cannot be set directly; ask for a symbol that selects it: .*CONFIG_VFIO'
	expect_reason "kconfig-$s-bool-m" bool-as-module.config defconfig 'm asked for a bool'
}

# check, explain, --dry-run, idempotence, backups and bad input on one tree.
tree_tests() { # SERIES
	local s=$1 sum
	base debian
	vk check --config "$TMP/debian.config" --profile iommu-amd,vfio,kvm-amd,bridge,cpu-zen
	# cpu-zen asks for nothing on Debian's tree (no Zen members), whatever
	# this machine's processor.
	if [ "$RC" = 0 ] && grep -q "^cpu-zen: .*the processor family is left as it is" <<<"$OUT"$'\n'"$ERR" &&
		[ "$(grep -c '^ok ' <<<"$OUT")" = 15 ]; then
		pass "kconfig-$s-check-debian"
	else
		fail "kconfig-$s-check-debian" "exit $RC: $OUT $ERR"
	fi
	vk check --config "$TMP/debian.config" --profile vfio
	OUT=$("$VFIOKIT" --json kconfig check --config "$TMP/debian.config" --kernel-dir "$TREE" \
		--profile vfio | jq -r '.version as $v |
		.requests[] | "\($v) \(.symbol) \(.requested) \(.from) \(.value) \(.status) \(.reason)"')
	expect_match "kconfig-$s-check-json" "^$s\.[0-9]+ VFIO_PCI m .*/profiles/vfio.config:5 m ok null$" "$OUT"
	# --running: /proc/config.gz, else /boot/config-RELEASE, under --root.
	rm -rf "$TMP/run"
	mkdir -p "$TMP/run/proc/sys/kernel" "$TMP/run/boot"
	echo "$s.0-test" >"$TMP/run/proc/sys/kernel/osrelease"
	cp "$TMP/debian.config" "$TMP/run/boot/config-$s.0-test"
	OUT=$("$VFIOKIT" --root "$TMP/run" kconfig check --running --kernel-dir "$TREE" \
		--profile vfio 2>&1)
	expect_match "kconfig-$s-running-boot" "^Checking $TMP/run/boot/config-$s.0-test" "$OUT"
	gzip -c "$TMP/debian.config" >"$TMP/run/proc/config.gz"
	OUT=$("$VFIOKIT" --root "$TMP/run" kconfig check --running --kernel-dir "$TREE" \
		--profile vfio 2>&1)
	expect_match "kconfig-$s-running-gz" "^Checking $TMP/run/proc/config.gz" "$OUT"
	expect_match "kconfig-$s-running-ok" "^4 requested, 4 ok, 0 not ok for Linux $s\." "$OUT"
	# Untouched by a merge that asks for nothing: the model keeps every byte
	# of Debian's 11,000-line configuration.
	: >"$TMP/run/empty.config"
	OUT=$("$VFIOKIT" --root "$TMP/run" kconfig merge --config "$TMP/debian.config" \
		"$TMP/run/empty.config" 2>&1)
	if cmp -s "$TMP/debian.config" "$DEBCONF" && grep -q ': up to date$' <<<"$OUT"; then
		pass "kconfig-$s-round-trip"
	else
		fail "kconfig-$s-round-trip" "$OUT"
	fi

	base tinyconfig
	vk check --config "$TMP/tinyconfig.config" --profile vfio
	expect_match "kconfig-$s-check-missing" '^missing +CONFIG_VFIO_PCI=m' "$OUT"
	expect_eq "kconfig-$s-check-missing-status" 3 "$RC"

	vk explain CONFIG_VFIO_PCI_VGA --config "$TMP/tinyconfig.config"
	expect_match "kconfig-$s-explain" \
		'^CONFIG_VFIO_PCI_VGA: bool, defined at drivers/vfio/pci/Kconfig:[0-9]+' "$OUT"
	expect_match "kconfig-$s-explain-blockers" 'blocked by: .*CONFIG_PCI is not set \(set CONFIG_PCI=y\)' "$OUT"
	vk explain VFIO_IOMMU_TYPE1
	expect_match "kconfig-$s-explain-selected" 'selected by: +VFIO' "$OUT"
	vk explain NO_SUCH_SYMBOL_HERE
	expect_eq "kconfig-$s-explain-unknown" 3 "$RC"

	# --dry-run shows a diff and writes nothing; a real run writes with a
	# backup; the second run changes nothing.
	base defconfig
	sum=$(sha256sum <"$TMP/defconfig.config")
	vk merge --config "$TMP/defconfig.config" --profile vfio --dry-run
	if [ "$RC" = 0 ] && grep -q '^+CONFIG_VFIO_PCI=m' <<<"$OUT" &&
		[ "$sum" = "$(sha256sum <"$TMP/defconfig.config")" ] &&
		[ ! -e "$TMP/defconfig.config.vfiokit-bak" ]; then
		pass "kconfig-$s-dry-run"
	else
		fail "kconfig-$s-dry-run" "exit $RC or the file changed: $OUT $ERR"
	fi
	vk merge --config "$TMP/defconfig.config" --profile vfio
	if [ "$RC" = 0 ] && [ "$sum" = "$(sha256sum <"$TMP/defconfig.config.vfiokit-bak")" ] &&
		grep -q '^CONFIG_VFIO_PCI=m' "$TMP/defconfig.config"; then
		pass "kconfig-$s-write-backup"
	else
		fail "kconfig-$s-write-backup" "exit $RC: $OUT $ERR"
	fi
	sum=$(sha256sum <"$TMP/defconfig.config")
	vk merge --config "$TMP/defconfig.config" --profile vfio
	if [ "$RC" = 0 ] && grep -q ': up to date$' <<<"$OUT" &&
		[ "$sum" = "$(sha256sum <"$TMP/defconfig.config")" ]; then
		pass "kconfig-$s-idempotent"
	else
		fail "kconfig-$s-idempotent" "second run: exit $RC: $OUT"
	fi
	base defconfig
	vk merge --config "$TMP/defconfig.config" --profile vfio --dry-run
	expect_match "kconfig-$s-few-modules" "only [0-9]+ modules and none of VFIO_PCI" "$OUT"

	# Bad input: a message with file:line, exit 1, the .config untouched.
	bad_input "kconfig-$s-truncated" 'debian.config:5: unterminated string \(is the file cut short\?\)' \
		sh -c 'n=$(grep -bo "\"" "$1" | head -n 1 | cut -d: -f1) &&
			head -c $((n + 5)) "$1" >"$1.new" && mv "$1.new" "$1"' -
	bad_input "kconfig-$s-not-kconfig" 'debian.config:3: not a kconfig line' \
		sed -i '3s/.*/this is not kconfig/'
	base debian
	vk merge --config "$TMP/debian.config" "$CASES/twice.config"
	expect_match "kconfig-$s-fragment-twice" 'twice.config:3: CONFIG_VFIO is given twice \(first on line 1\)' "$ERR"
	vk merge --config "$TMP"
	expect_match "kconfig-$s-unreadable" "$TMP: Is a directory" "$ERR"
}

# bad_input NAME ERE CMD...: damage a copy of Debian's config with CMD FILE,
# then merge must fail with exit 1 and a message matching ERE, and leave
# the file as it was.
bad_input() {
	local name=$1 re=$2 sum
	shift 2
	base debian
	"$@" "$TMP/debian.config"
	sum=$(sha256sum <"$TMP/debian.config")
	vk merge --config "$TMP/debian.config" --profile vfio
	if [ "$RC" = 1 ] && grep -Eq -- "$re" <<<"$ERR" && grep -q 'untouched' <<<"$ERR" &&
		[ "$sum" = "$(sha256sum <"$TMP/debian.config")" ]; then
		pass "$name"
	else
		fail "$name" "exit $RC: $ERR"
	fi
}

main() {
	local s
	for s in 6.1 6.12; do
		TREE=$("$TOP/tests/kernel-source.sh" "$s" 2>"$TMP/src.err")
		case $? in
		0) ;;
		77) skip "kconfig-$s" "$(tail -n 1 "$TMP/src.err")"; continue ;;
		*) fail "kconfig-$s" "no kernel tree: $(tail -n 3 "$TMP/src.err")"; continue ;;
		esac
		DEBCONF=$(vk_debian_config "$s")
		[ -n "$DEBCONF" ] || { fail "kconfig-$s" "no Debian kernel configuration"; continue; }
		series_tests "$s"
		tree_tests "$s"
	done
	# Version-specific cases.
	TREE=$("$TOP/tests/kernel-source.sh" 6.1 2>/dev/null) && {
		expect_reason kconfig-6.1-choice two-cpu-families.config defconfig \
			'another member of the choice "Processor family" won'
		base defconfig
		# A Zen 3 (family 19h model 21h) on a tree without the CPU patch.
		mkdir -p "$TMP/zen3/proc"
		printf 'vendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 33\n' >"$TMP/zen3/proc/cpuinfo"
		OUT=$("$VFIOKIT" --root "$TMP/zen3" kconfig merge --config "$TMP/defconfig.config" \
			--kernel-dir "$TREE" --profile cpu-zen 2>&1)
		expect_match kconfig-6.1-mzen-unpatched \
			'cpu-zen: .*/arch/x86/Kconfig.cpu has no AMD Zen members \(MZEN..MZEN5\): they come with gentoo-sources built with USE=experimental' "$OUT"
	}
	# A request the index says is gone from this version is n/a, not a failure.
	TREE=$("$TOP/tests/kernel-source.sh" 6.12 2>/dev/null) && base defconfig && {
		vk merge --config "$TMP/defconfig.config" "$CASES/amd-iommu-v2.config"
		expect_eq kconfig-6.12-amd-iommu-v2-status 0 "$RC"
		expect_match kconfig-6.12-amd-iommu-v2 \
			'no such symbol in this kernel \(6\.12\.[0-9]+\): AMD_IOMMU_V2 was folded into AMD_IOMMU in 6\.7' "$OUT"
		expect_match kconfig-6.12-amd-iommu-v2-na '^n/a +CONFIG_AMD_IOMMU_V2=m' "$OUT"
	}
}

main
