#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Run every libFuzzer target in tests/fuzz/ (built by `make fuzz-build`
# with clang, -fsanitize=fuzzer,address,undefined) for a bounded time:
# VFIOKIT_FUZZ_SECONDS each, 15 by default; two at a time (the machine's
# two cores). Seeds are real files (the GRUB corpus, profiles/*.config,
# tests/kconfig/, captured files) and tests/fuzz/corpus*/, where every
# input that ever failed is kept; what a run finds stays in a temporary
# directory. Inputs up to 64 KiB. A failure prints the input in base64:
# add it to the target's corpus once fixed.
source "$(dirname "$0")/../lib.sh"

CLANG=${CLANG:-clang}
seconds=${VFIOKIT_FUZZ_SECONDS:-15}
if [ "${SANITIZE:-1}" = 0 ]; then
	skip fuzz "SANITIZE=0: the fuzz targets are sanitizer builds"
	exit 0
fi
if ! command -v "$CLANG" >/dev/null; then
	skip fuzz "clang is not installed (tests/install-deps.sh test installs it)"
	exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
if ! make -C "$TOP" -j2 --no-print-directory CLANG="$CLANG" fuzz-build >"$TMP/cc" 2>&1; then
	if grep -q 'fuzzer' "$TMP/cc" && ! grep -q 'error:.*tests/fuzz' "$TMP/cc"; then
		skip fuzz "$CLANG has no libFuzzer runtime (Debian: libclang-rt-dev)"
	else
		fail fuzz "the fuzz targets do not build"
		grep -E 'error' "$TMP/cc" | head -n 20 | sed 's/^/    /'
	fi
	exit 0
fi
# libconfig leaks a buffer on some syntax errors; not vfiokit's.
export LSAN_OPTIONS=suppressions=$TOP/tests/fuzz/lsan.supp
F=$TOP/tests/fuzz

# seeds TARGET: the directories and files it starts from.
seeds() {
	case $1 in
	cmdline) echo "$F/corpus $TOP/tests/grub-corpus" ;;
	dotconfig) echo "$F/corpus-dotconfig $TOP/profiles $TOP/tests/kconfig" ;;
	kernel-cmdline) echo "$F/corpus-kernel-cmdline $F/corpus $TOP/tests/kconfig" ;;
	diff) echo "$F/corpus-diff $TOP/tests/grub-corpus $TOP/profiles" ;;
	conf) echo "$F/corpus-conf $TOP/docs/vfiokit.conf.example" ;;
	conf-edit) echo "$F/corpus-conf-edit $F/corpus-conf $TOP/docs/vfiokit.conf.example $TOP/tests/cases/init-intel/stdout" ;;
	lint) echo "$F/corpus-lint $F/corpus" ;;
	*) echo "$F/corpus-$1" ;;
	esac
}

# run TARGET: fuzz it; its verdict in $TMP/TARGET.verdict.
run() {
	local t=$1 bin=$TOP/build-fuzz/fuzz-$1 rc runs s seeds=()
	mkdir -p "$TMP/$t"
	for s in $(seeds "$t"); do
		if [ -d "$s" ]; then
			seeds+=("$s")
		elif [ -f "$s" ]; then
			cp "$s" "$TMP/$t/" # libFuzzer takes directories
		fi
	done
	"$bin" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=1024 -timeout=10 \
		-artifact_prefix="$TMP/$t-" -print_final_stats=1 "$TMP/$t" "${seeds[@]}" \
		>"$TMP/$t.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$t.log")
	if [ $rc -eq 0 ] && [ "${runs:-0}" -gt 0 ]; then
		pass "fuzz/$t ($runs inputs in $seconds s)" >"$TMP/$t.verdict"
		return
	fi
	{
		fail "fuzz/$t" "libFuzzer stopped (exit $rc) after ${runs:-0} inputs"
		grep -E 'ERROR|SUMMARY|#[0-9]+ 0x.* in (vk_|fuzz_|LLVMFuzzer|patch|[a-z_]+ .*src/)' \
			"$TMP/$t.log" | head -n 20 | sed 's/^/    /'
		for s in "$TMP/$t"-crash-* "$TMP/$t"-oom-* "$TMP/$t"-timeout-* "$TMP/$t"-leak-*; do
			[ -e "$s" ] || continue
			echo "    input ($(basename "$s")), base64:"
			base64 -w 76 "$s" | sed 's/^/      /'
		done
	} >"$TMP/$t.verdict"
}

targets=()
for src in "$F"/fuzz-*.c; do
	t=${src##*/fuzz-}
	targets+=("${t%.c}")
done
for ((i = 0; i < ${#targets[@]}; i += 2)); do
	run "${targets[i]}" &
	[ $((i + 1)) -lt ${#targets[@]} ] && run "${targets[i + 1]}" &
	wait
done
for t in "${targets[@]}"; do
	cat "$TMP/$t.verdict"
done
