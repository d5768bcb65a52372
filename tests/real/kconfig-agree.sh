#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 3: `kconfig check --running` and `verify --checks kconfig` judge
# Debian's real 6.1 and 6.12 configurations alike: as shipped, with the
# VFIO and KVM symbols switched to y (resolved by the kernel's own make
# olddefconfig), and with requests lost, on an Intel and an AMD root. Per
# profile request the same ones fail, and the exit status means the same.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# make_root NAME FIXTURE CONFIG: a captured system whose running kernel's
# configuration (/boot/config-RELEASE) is CONFIG.
make_root() {
	local r=$TMP/$1
	rm -rf "$r"
	mkdir -p "$r/proc/sys/kernel" "$r/boot"
	tar -xzf "$TOP/tests/fixtures/$2.tar.gz" -C "$r"
	rm -f "$r/proc/config.gz"
	echo 6.0.0-test >"$r/proc/sys/kernel/osrelease"
	cp "$3" "$r/boot/config-6.0.0-test"
	printf '%s\n' "$r"
}

# agree NAME ROOT: the failing requests of check, per profile, equal the
# ones verify names; check exits 0 exactly when verify passes every
# profile, else 3. Prints the check's JSON to $TMP/check.json.
agree() {
	local name=$1 root=$2 crc vrc c v
	"$VFIOKIT" --root "$root" --json kconfig check --running --profiles-dir "$TOP/profiles" \
		>"$TMP/check.json" 2>"$TMP/err"
	crc=$?
	"$VFIOKIT" --root "$root" --json verify --checks kconfig --profiles-dir "$TOP/profiles" \
		>"$TMP/verify.json" 2>>"$TMP/err"
	vrc=$?
	# profile: SYM=VALUE ... of the requests that failed, one line per profile
	c=$(jq -r '[.requests[] | {p: (.from | sub(".*/"; "") | sub("\\.config:.*"; "")),
		f: (if .status == "ok" or .status == "n/a" then "" else "\(.symbol)=\(.requested)" end)}]
		| group_by(.p)[] | "\(.[0].p): \([.[].f | select(. != "")] | join(" "))"' \
		"$TMP/check.json" 2>/dev/null | sort)
	v=$(jq -r '.checks[] | select(.group == "kconfig") |
		"\(.check | sub("kernel config has profile "; "")): \(if .result == "pass" then ""
		else [.detail | scan("CONFIG_([A-Z0-9_]+=[^ ]+) \\(is") | .[0]] | join(" ") end)"' \
		"$TMP/verify.json" 2>/dev/null | sort)
	if [ -z "$c" ] || [ "$c" != "$v" ]; then
		fail "$name" "check and verify differ: check {$c} verify {$v} $(cat "$TMP/err")"
		return
	fi
	if [ "$crc" != 0 ] && [ "$crc" != 3 ]; then
		fail "$name" "check exit $crc: $(cat "$TMP/err")"
	elif [ "$vrc" != 0 ] && [ "$vrc" != 3 ]; then
		fail "$name" "verify exit $vrc: $(cat "$TMP/err")"
	elif [ "$([ "$crc" = 0 ] && echo true || echo false)" != "$(jq -r '[.checks[] |
		select(.group == "kconfig") | .result] | all(. == "pass")' "$TMP/verify.json")" ]; then
		fail "$name" "check exit $crc, verify exit $vrc: $v"
	else
		pass "$name"
	fi
}

# switch_y SERIES IN OUT: IN with VFIO and KVM built in, as the tree's
# make olddefconfig resolves it.
switch_y() {
	sed -E 's/^(CONFIG_(VFIO|VFIO_PCI|VFIO_PCI_CORE|VFIO_IOMMU_TYPE1|VFIO_VIRQFD|KVM|KVM_INTEL|KVM_AMD|IRQ_BYPASS_MANAGER))=m$/\1=y/' \
		"$2" >"$3" &&
		make -s -C "$TREE" KCONFIG_CONFIG="$3" olddefconfig >/dev/null 2>&1
}

main() {
	local s conf fx y
	for s in 6.1 6.12; do
		TREE=$("$TOP/tests/kernel-source.sh" "$s" 2>"$TMP/src.err")
		case $? in
		0) ;;
		77) skip "kconfig-agree-$s" "$(tail -n 1 "$TMP/src.err")"; continue ;;
		*) fail "kconfig-agree-$s" "no kernel tree: $(tail -n 3 "$TMP/src.err")"; continue ;;
		esac
		conf=$(vk_debian_config "$s")
		[ -n "$conf" ] || { fail "kconfig-agree-$s" "no Debian kernel configuration"; continue; }
		y=$TMP/y-$s.config
		if ! switch_y "$s" "$conf" "$y"; then
			fail "kconfig-agree-$s-y" "make olddefconfig failed"
			continue
		fi
		# The resolution kept them built in: this is the case check called wrong.
		expect_eq "kconfig-agree-$s-y-resolved" "CONFIG_KVM=y CONFIG_VFIO=y CONFIG_VFIO_PCI=y" \
			"$(grep -E '^CONFIG_(VFIO|VFIO_PCI|KVM)=' "$y" | sort | tr '\n' ' ' | sed 's/ $//')"
		# Requests lost: VFIO_PCI and TUN not set, IRQ_REMAP not set.
		sed -E 's/^CONFIG_(VFIO_PCI|TUN|IRQ_REMAP)=.*/# CONFIG_\1 is not set/' "$conf" \
			>"$TMP/lost-$s.config"
		for fx in intel amd-bridge; do
			agree "kconfig-agree-$s-$fx-debian" "$(make_root "$fx" "$fx" "$conf")"
			agree "kconfig-agree-$s-$fx-y" "$(make_root "$fx" "$fx" "$y")"
			expect_eq "kconfig-agree-$s-$fx-y-check" "ok y" \
				"$(jq -r '.requests[] | select(.symbol == "VFIO_PCI") | "\(.status) \(.value)"' \
					"$TMP/check.json")"
			agree "kconfig-agree-$s-$fx-lost" "$(make_root "$fx" "$fx" "$TMP/lost-$s.config")"
			expect_eq "kconfig-agree-$s-$fx-lost-check" "missing missing missing" \
				"$(jq -r '[.requests[] | select(.symbol == "VFIO_PCI" or .symbol == "TUN" or
					.symbol == "IRQ_REMAP") | .status] | join(" ")' "$TMP/check.json")"
		done
	done
}

main
