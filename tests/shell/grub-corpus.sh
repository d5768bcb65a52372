#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The /etc/default/grub editor against the corpus in tests/grub-corpus/.
#
# Each NAME.grub there is an /etc/default/grub; NAME.expect says what
# 'vfiokit cmdline set' and then 'remove' must make of it:
#
#   options: --all-entries          (optional) options for both runs
#   set: ARG...                     the arguments of the set run
#   set GRUB_CMDLINE_LINUX_DEFAULT: VALUE    what the variable holds after,
#   set GRUB_CMDLINE_LINUX: VALUE            as dash and as bash see it
#   set lines: N...                 the lines of the input that change
#   set refused: ERE                instead: vfiokit refuses with this
#                                   message and changes nothing
#   remove: ...                     the same for the remove run, which
#                                   starts from what set left
#
# Every line not listed under "lines" must stay byte-identical, the old
# content must be in the backup, and a second run must change nothing.
#
#   tests/shell/grub-corpus.sh [--show] [NAME...]   --show prints what
#                                   vfiokit made of each file instead
source "$(dirname "$0")/../lib.sh"

CORPUS=$TOP/tests/grub-corpus
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
show=false
[ "${1:-}" = --show ] && show=true && shift

# value SHELL FILE VAR: what VAR holds once SHELL has sourced FILE in an
# empty environment, as grub-mkconfig does (it runs under /bin/sh).
value() {
	env -i "$1" -c '. "$1" >/dev/null 2>&1; eval "printf %s \"\${$2}\""' sh "$2" "$3"
}

# field FILE KEY: the text after "KEY:" (one space dropped), or nothing
# with status 1 when the file has no such line.
field() {
	local line
	line=$(grep -m1 -F -- "$2:" "$1" | grep -m1 -- "^$2:") || return 1
	line=${line#"$2":}
	printf '%s' "${line# }"
}

# changed_lines OLD NEW: numbers of the lines of OLD that are not in NEW.
changed_lines() {
	diff --old-line-format='%dn ' --new-line-format='' --unchanged-line-format='' "$1" "$2" |
		sed 's/ $//'
}

# step NAME EXPECT ROOT VERB: one run of set or remove and its checks.
step() {
	local name=$1 exp=$2 root=$3 verb=$4 file=$3/etc/default/grub
	local args opts refused want got rc sh var ok=true
	args=$(field "$exp" "$verb") || {
		fail "grub-corpus/$name/$verb" "$exp has no '$verb:' line"
		return
	}
	opts=$(field "$exp" options || true)
	cp -p "$file" "$TMP/before"
	# shellcheck disable=SC2086
	"$VFIOKIT" --root "$root" cmdline "$verb" --bootloader grub $opts $args \
		>"$TMP/out" 2>"$TMP/err"
	rc=$?
	if $show; then
		echo "== $name: $verb $args (exit $rc)"
		cat "$TMP/err"
		diff -u "$TMP/before" "$file" | tail -n +3
		for var in GRUB_CMDLINE_LINUX_DEFAULT GRUB_CMDLINE_LINUX; do
			echo "$verb $var: $(value dash "$file" $var)"
		done
		echo "$verb lines: $(changed_lines "$TMP/before" "$file")"
		return
	fi
	if refused=$(field "$exp" "$verb refused"); then
		if [ $rc -ne 1 ]; then
			fail "grub-corpus/$name/$verb" "exit $rc, expected a refusal (1): $(cat "$TMP/err")"
		elif ! grep -Eq -- "$refused" "$TMP/err"; then
			fail "grub-corpus/$name/$verb" "message does not match /$refused/: $(cat "$TMP/err")"
		elif ! cmp -s "$TMP/before" "$file" || [ -e "$file.vfiokit-bak" ]; then
			fail "grub-corpus/$name/$verb" "refused, yet the file changed"
		else
			pass "grub-corpus/$name/$verb-refused"
		fi
		return
	fi
	if [ $rc -ne 0 ]; then
		fail "grub-corpus/$name/$verb" "exit $rc: $(cat "$TMP/err")"
		return
	fi
	for var in GRUB_CMDLINE_LINUX_DEFAULT GRUB_CMDLINE_LINUX; do
		want=$(field "$exp" "$verb $var") || {
			fail "grub-corpus/$name/$verb" "$exp has no '$verb $var:' line"
			ok=false
			continue
		}
		for sh in dash bash; do
			got=$(value $sh "$file" $var)
			if [ "$got" != "$want" ]; then
				fail "grub-corpus/$name/$verb-$sh-$var" "holds '$got', expected '$want'"
				ok=false
			fi
		done
	done
	got=$(changed_lines "$TMP/before" "$file")
	want=$(field "$exp" "$verb lines" || true)
	if [ "$got" != "$want" ]; then
		fail "grub-corpus/$name/$verb-lines" "lines $got changed, expected ${want:-none}"
		diff -u "$TMP/before" "$file" | sed 's/^/    /' | head -n 30
		ok=false
	fi
	if ! cmp -s "$TMP/before" "$file" && ! cmp -s "$TMP/before" "$file.vfiokit-bak"; then
		fail "grub-corpus/$name/$verb-backup" "the backup is not the file as it was"
		ok=false
	fi
	# Twice is once.
	cp -p "$file" "$TMP/after"
	# shellcheck disable=SC2086
	"$VFIOKIT" --root "$root" cmdline "$verb" --bootloader grub $opts $args \
		>"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ $rc -ne 0 ] || ! cmp -s "$TMP/after" "$file" || ! grep -q 'nothing to change' "$TMP/out"; then
		fail "grub-corpus/$name/$verb-again" "a second run changed something (exit $rc)"
		diff -u "$TMP/after" "$file" | sed 's/^/    /' | head -n 20
		ok=false
	fi
	$ok && pass "grub-corpus/$name/$verb"
}

count=0
for src in "$CORPUS"/*.grub; do
	name=$(basename "$src" .grub)
	if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
		continue
	fi
	count=$((count + 1))
	exp=$CORPUS/$name.expect
	if [ ! -f "$exp" ]; then
		fail "grub-corpus/$name" "no $name.expect"
		continue
	fi
	root=$TMP/$name
	mkdir -p "$root/etc/default" "$root/boot/grub"
	cp "$src" "$root/etc/default/grub"
	step "$name" "$exp" "$root" set
	rm -f "$root/etc/default/grub.vfiokit-bak"
	step "$name" "$exp" "$root" remove
done
if [ $# -eq 0 ] && ! $show; then
	if [ "$count" -ge 30 ]; then
		pass grub-corpus/at-least-30-files
	else
		fail grub-corpus/at-least-30-files "only $count files"
	fi
fi
