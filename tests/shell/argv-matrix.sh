#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Options anywhere before "--", generated rather than listed:
#  - every command that can write, with --dry-run put at every position of
#    its command line (before the command, between its words, after it,
#    among and after its arguments): the whole root is unchanged, and the
#    same command without --dry-run does change it (so the check can fail);
#  - after "--", --dry-run is an argument: refused, the root unchanged;
#  - every command with a JSON report, with --json and --root before the
#    command, after it and at the end, and on an error: exactly one JSON
#    document on stdout.
# The root is the intel fixture with an /etc/default/grub, a
# configuration, and an empty module tree.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PROFILES=$TOP/profiles

# make_root DIR: the fixture root with what the writing commands need.
make_root() {
	local r=$1
	vk_live_root "$r"
	printf '%s\n' 'boot = "grub";' 'kernel = "none";' 'arguments = [ "iommu=pt" ];' \
		'devices = {' '	nic = { address = "0000:00:03.0"; claim = "override"; };' '};' \
		>"$r/etc/vfiokit.conf"
}

# state DIR: a checksum of the whole tree: contents, links, modes, times.
state() {
	tar -cf - --sort=name -C "$1" . | sha256sum
}

BASE=$TMP/base
make_root "$BASE"
# The root after an apply, for undo.
APPLIED=$TMP/applied
cp -a "$BASE" "$APPLIED"
if ! "$VFIOKIT" --root "$APPLIED" apply >"$TMP/out" 2>&1; then
	fail argv-matrix/setup-apply "$(cat "$TMP/out")"
	exit 0
fi

# The commands that write: "ROOT|WORDS|ARGUMENTS" (values with '=', so that
# --dry-run never lands between an option and its value).
writers=(
	"base|cmdline set|kvm.ignore_msrs=1"
	"base|cmdline remove|quiet"
	"base|modules write|--device=0000:00:03.0"
	"base|kconfig merge|--dist-kernel --profiles-dir=$PROFILES"
	"base|init|--force"
	"base|apply|"
	"applied|undo|"
)

for w in "${writers[@]}"; do
	IFS='|' read -r which words args <<<"$w"
	root=$TMP/$which
	read -ra cmd <<<"$words"
	read -ra arg <<<"$args"
	toks=("${cmd[@]}" "${arg[@]}")
	name=${words// /-}
	before=$(state "$root")

	# Control: without --dry-run the command changes a copy of the root.
	rm -rf "$TMP/copy"
	cp -a "$root" "$TMP/copy"
	"$VFIOKIT" --root "$TMP/copy" "${toks[@]}" >/dev/null 2>&1
	if [ "$(state "$TMP/copy")" != "$before" ]; then
		pass "argv-matrix/$name/writes"
	else
		fail "argv-matrix/$name/writes" "without --dry-run nothing changed"
	fi

	# --dry-run at every position, 0 (before the command) to the end.
	for ((i = 0; i <= ${#toks[@]}; i++)); do
		argv=(--root "$root" "${toks[@]:0:i}" --dry-run "${toks[@]:i}")
		"$VFIOKIT" "${argv[@]}" >"$TMP/out" 2>&1
		rc=$?
		what="argv-matrix/$name/dry-run-at-$i"
		if [ "$(state "$root")" != "$before" ]; then
			fail "$what" "vfiokit ${argv[*]:2} changed the root (exit $rc)"
			break
		elif [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
			fail "$what" "exit $rc: $(head -n 3 "$TMP/out")"
		else
			pass "$what"
		fi
	done

	# After "--" it is an argument: cmdline refuses it as a kernel
	# argument, the others as an argument they do not take.
	argv=(--root "$root" "${toks[@]}" -- --dry-run)
	"$VFIOKIT" "${argv[@]}" >"$TMP/out" 2>&1
	rc=$?
	if [ "$(state "$root")" != "$before" ]; then
		fail "argv-matrix/$name/after-dashdash" "vfiokit ${argv[*]:2} changed the root"
	elif [ "$which" = base ] && [ "${cmd[0]}" = cmdline ] &&
		! grep -q "'--dry-run' is not a kernel argument" "$TMP/out"; then
		fail "argv-matrix/$name/after-dashdash" "not refused as a kernel argument: $(cat "$TMP/out")"
	elif [ "$rc" = 0 ] || [ "$rc" = 3 ]; then
		fail "argv-matrix/$name/after-dashdash" "exit $rc: $(head -n 3 "$TMP/out")"
	else
		pass "argv-matrix/$name/after-dashdash"
	fi
done
# cmdline set and remove refuse with a usage error.
for verb in set remove; do
	"$VFIOKIT" --root "$BASE" cmdline "$verb" -- --dry-run >/dev/null 2>&1
	expect_eq "argv-matrix/cmdline-$verb/after-dashdash-exit" 2 "$?"
done

# one_document NAME RC-WANTED ROOT ARGS...: --json and --root before the
# command, after it and at the end each give one JSON document (with an
# "error" key when RC-WANTED is "error").
json_ok() {
	python3 -c 'import json, sys
d = json.load(sys.stdin)
sys.exit(0 if (sys.argv[1] != "error") == ("error" not in d) else 1)' "$1"
}

one_document() {
	local name=$1 kind=$2 root=$3 fresh=$4 pos argv rc
	shift 4
	for pos in front after end; do
		if [ -n "$fresh" ]; then
			rm -rf "$TMP/json-root"
			cp -a "$fresh" "$TMP/json-root"
			root=$TMP/json-root
		fi
		case $pos in
		front) argv=(--json --root "$root" "$@") ;;
		after) argv=("${@:1:$WORDS}" --root "$root" --json "${@:WORDS+1}") ;;
		end) argv=("$@" --root="$root" --json) ;;
		esac
		"$VFIOKIT" "${argv[@]}" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		if json_ok "$kind" <"$TMP/out" 2>/dev/null; then
			pass "argv-matrix/json/$name/$pos"
		else
			fail "argv-matrix/json/$name/$pos" "vfiokit ${argv[*]} (exit $rc) printed: $(head -c 300 "$TMP/out")"
		fi
	done
}

KCONF=$TOP/tests/kconfig/twice.config
# "NAME|WORDS|ARGUMENTS|ROOT TO COPY FIRST (writers)"
reports=(
	"groups|groups||"
	"kconfig-check|kconfig check|--profiles-dir=$PROFILES --config=$KCONF|"
	"kconfig-merge|kconfig merge|--dist-kernel --dry-run --profiles-dir=$PROFILES|"
	"modules-check|modules check||"
	"cmdline-show|cmdline show||"
	"cmdline-lint|cmdline lint|iommu=1|"
	"verify|verify||"
	"plan|plan||"
	"apply|apply||$BASE"
	"undo|undo||$APPLIED"
)
for rep in "${reports[@]}"; do
	IFS='|' read -r name words args fresh <<<"$rep"
	read -ra cmd <<<"$words"
	read -ra arg <<<"$args"
	WORDS=${#cmd[@]}
	one_document "$name" ok "$BASE" "$fresh" "${cmd[@]}" "${arg[@]}"
	# Errors: an unknown option (usage), a root that is not there.
	one_document "$name-usage" error "$BASE" "" "${cmd[@]}" --frob "${arg[@]}"
	one_document "$name-no-root" error "$TMP/nonexistent" "" "${cmd[@]}" "${arg[@]}"
done

# The commands without JSON refuse --json, with an error document.
for words in "cmdline set" "cmdline remove" "modules write" "kconfig explain" "init"; do
	read -ra cmd <<<"$words"
	WORDS=${#cmd[@]}
	one_document "refused-${words// /-}" error "$BASE" "" "${cmd[@]}" x
	"$VFIOKIT" --root "$BASE" "${cmd[@]}" --json x >/dev/null 2>"$TMP/err"
	rc=$?
	if [ "$rc" = 2 ] && grep -q "has no JSON output" "$TMP/err"; then
		pass "argv-matrix/refused-${words// /-}/exit"
	else
		fail "argv-matrix/refused-${words// /-}/exit" "exit $rc: $(cat "$TMP/err")"
	fi
done
