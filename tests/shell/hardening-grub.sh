#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile sizes for the /etc/default/grub reader and editor and for the
# command-line lint, generated here: deep nesting (a clear error with the
# line, not a crash), long chains of variables and the VAR="$VAR more"
# idiom (accepted in linear memory), a variable doubled again and again
# (refused with the limit named), 32,000 tokens and two lists of 12,000
# ids for 'cmdline lint'.
# Memory is capped with ulimit -v, which a sanitizer build cannot run
# under: those runs use the plain build, the others $VFIOKIT too.
source "$(dirname "$0")/../lib.sh"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
PLAIN=$TOP/vfiokit
LIMIT_KIB=$((1024 * 1024))

if [ ! -x "$PLAIN" ]; then
	skip hardening-grub "$PLAIN is not built (make builds it)"
	exit 0
fi

R=$TMP/root
mkdir -p "$R/etc/default" "$R/boot/grub"
: >"$R/boot/grub/grub.cfg"

# run BINARY SECONDS ARGS...: under the memory cap and a time limit;
# stdout in $out, stderr in $err, status in $rc, wall time in $ms.
run() {
	local bin=$1 secs=$2 t0
	shift 2
	t0=$EPOCHREALTIME
	out=$(
		if [ "$bin" = "$PLAIN" ]; then ulimit -v "$LIMIT_KIB"; fi
		timeout "$secs" "$bin" "$@" 2>"$TMP/err"
	)
	rc=$?
	ms=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
	err=$(cat "$TMP/err")
}

# nest KIND N: a GRUB file with N levels of KIND around one assignment.
nest() {
	local i
	for ((i = 0; i < $2; i++)); do
		case $1 in
		if) echo 'if true; then' ;;
		brace) echo '{' ;;
		paren) echo '(' ;;
		esac
	done
	echo 'GRUB_CMDLINE_LINUX="quiet"'
	for ((i = 0; i < $2; i++)); do
		case $1 in
		if) echo 'fi' ;;
		brace) echo '}' ;;
		paren) echo ')' ;;
		esac
	done
}

for kind in if brace paren; do
	nest "$kind" 100000 >"$R/etc/default/grub"
	for build in plain tested; do
		name=hardening-grub/nest-100000-$kind-$build
		bin=$PLAIN
		[ $build = plain ] || bin=$VFIOKIT
		run "$bin" 120 --root "$R" cmdline set --dry-run x=1
		if [ $rc -eq 1 ] &&
			grep -Eq '/etc/default/grub:[0-9]+: commands nested more than [0-9]+ deep' <<<"$err"; then
			pass "$name"
		else
			fail "$name" "exit $rc, expected 1 with file:line: ${err:0:300}"
		fi
	done
	nest "$kind" 1000 >"$R/etc/default/grub"
	run "$VFIOKIT" 120 --root "$R" cmdline set --dry-run x=1
	if [ $rc -eq 0 ] && grep -q '^+GRUB_CMDLINE_LINUX_DEFAULT="x=1"$' <<<"$out"; then
		pass "hardening-grub/nest-1000-$kind"
	else
		fail "hardening-grub/nest-1000-$kind" "exit $rc: ${err:0:300}"
	fi
done

# 8,000 variables, each the one before and one more token.
{
	echo 'v0=w'
	for ((i = 1; i < 8000; i++)); do echo "v$i=\"\$v$((i - 1)) y\""; done
	echo 'GRUB_CMDLINE_LINUX="$v7999"'
} >"$R/etc/default/grub"
run "$PLAIN" 60 --root "$R" cmdline show
n=$(grep -m1 '^grub:' <<<"$out" | grep -o ' y' | wc -l)
expect_eq hardening-grub/chain-8000-show "0 7999" "$rc $n"
run "$PLAIN" 60 --root "$R" cmdline set --dry-run x=1
expect_eq hardening-grub/chain-8000-set "0 1" "$rc $(grep -c '^+GRUB_CMDLINE_LINUX_DEFAULT="x=1"$' <<<"$out")"

# 64 KB of GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX ...".
{
	echo 'GRUB_CMDLINE_LINUX="quiet"'
	for ((i = 0; i < 1600; i++)); do echo "GRUB_CMDLINE_LINUX=\"\$GRUB_CMDLINE_LINUX a$i\""; done
} >"$R/etc/default/grub"
size=$(stat -c %s "$R/etc/default/grub")
run "$PLAIN" 60 --root "$R" cmdline show
if [ "$size" -ge 65536 ] && [ $rc -eq 0 ] && grep -q '^grub: .* quiet a0 a1 .* a1599  \[normal entries\]' <<<"$out"; then
	pass hardening-grub/append-64k-show
else
	fail hardening-grub/append-64k-show "$size bytes, exit $rc: ${err:0:300}"
fi
run "$PLAIN" 60 --root "$R" cmdline set --dry-run x=1
expect_eq hardening-grub/append-64k-set "0 1" "$rc $(grep -c '^+GRUB_CMDLINE_LINUX_DEFAULT="x=1"$' <<<"$out")"
run "$PLAIN" 60 --root "$R" cmdline set --dry-run --all-entries a7=1
if [ $rc -eq 0 ] && grep -q '^-GRUB_CMDLINE_LINUX="\$GRUB_CMDLINE_LINUX a7"$' <<<"$out" &&
	grep -q '^+GRUB_CMDLINE_LINUX="\$GRUB_CMDLINE_LINUX a7=1"$' <<<"$out"; then
	pass hardening-grub/append-64k-edit
else
	fail hardening-grub/append-64k-edit "exit $rc: ${err:0:300}"
fi

# The same idiom with a short name: 64 KB of it once took gigabytes.
{
	echo 'A=quiet'
	for ((i = 0; i < 8000; i++)); do echo "A=\"\$A b\""; done
	echo 'GRUB_CMDLINE_LINUX="$A"'
} >"$R/etc/default/grub"
run "$PLAIN" 60 --root "$R" cmdline show
n=$(grep -m1 '^grub:' <<<"$out" | grep -o ' b' | wc -l)
expect_eq hardening-grub/append-short-8000 "0 8000" "$rc $n"

# a=$a$a again and again: refused with the limit and the line.
{
	echo 'a=xy'
	for ((i = 0; i < 40; i++)); do echo 'a=$a$a'; done
	echo 'GRUB_CMDLINE_LINUX="$a"'
} >"$R/etc/default/grub"
run "$VFIOKIT" 60 --root "$R" cmdline set --dry-run x=1
expect_match hardening-grub/doubling "/etc/default/grub:2[0-9]: a would be longer than 1 MiB" "$rc $err"
[ $rc -eq 1 ] || fail hardening-grub/doubling-exit "exit $rc, expected 1"

# 32,000 tokens for the lint, each key once: one finding (too long), in
# well under the 5 s and more a scan of the line per token took.
for ((i = 0; i < 32000; i++)); do printf 'a%d=1 ' "$i"; done >"$TMP/cmdline"
run "$VFIOKIT" 60 cmdline lint --file "$TMP/cmdline"
if [ $rc -eq 3 ] && grep -q ': 1 problem (1 error, 0 warnings)$' <<<"$out" && [ "$ms" -lt 3000 ]; then
	pass "hardening-grub/lint-32000 ($ms ms)"
else
	fail hardening-grub/lint-32000 "exit $rc after $ms ms: ${out: -200} ${err:0:200}"
fi

# The same 12,000 ids in vfio-pci.ids and pci-stub.ids: found in one look
# each, not by reading the other list again for every id.
ids=$(for ((i = 0; i < 12000; i++)); do printf '%04x:%04x,' $((0x1000 + i / 1000)) $((i % 1000)); done)
printf 'vfio-pci.ids=%s pci-stub.ids=%s\n' "${ids%,}" "${ids%,}" >"$TMP/cmdline"
run "$VFIOKIT" 60 cmdline lint --file "$TMP/cmdline"
if [ $rc -eq 3 ] && grep -q 'error: 1000:0000,1000:0001,.* is in both vfio-pci.ids and pci-stub.ids' <<<"$out" &&
	[ "$ms" -lt 3000 ]; then
	pass "hardening-grub/lint-ids-both-12000 ($ms ms)"
else
	fail hardening-grub/lint-ids-both-12000 "exit $rc after $ms ms: ${out:0:200} ${err:0:200}"
fi
