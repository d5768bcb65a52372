#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Fuzz the kernel command line token model and the /etc/default/grub
# parser and editor (tests/fuzz/fuzz-cmdline.c, libFuzzer) for a bounded
# time: VFIOKIT_FUZZ_SECONDS, 20 by default. The seeds are
# tests/fuzz/corpus/ and the GRUB corpus; what the run finds stays in a
# temporary directory. Inputs up to 64 KiB, so that deep nesting and long
# chains of variables are reached. A crash fails the test and prints the
# input; every input that ever failed is kept in tests/fuzz/corpus/.
source "$(dirname "$0")/../lib.sh"

CLANG=${CLANG:-clang}
seconds=${VFIOKIT_FUZZ_SECONDS:-20}
if ! command -v "$CLANG" >/dev/null; then
	skip fuzz/cmdline "clang is not installed (tests/install-deps.sh test installs it)"
	exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
bin=$TOP/build-fuzz/fuzz-cmdline
srcs=("$TOP/tests/fuzz/fuzz-cmdline.c" "$TOP"/src/boot/grub-*.c "$TOP/src/boot/cmdline.c")
mkdir -p "$TOP/build-fuzz"
if [ ! -x "$bin" ] || [ -n "$(find "${srcs[@]}" "$TOP"/src/boot/*.h -newer "$bin")" ]; then
	if ! "$CLANG" -g -O1 -std=gnu11 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined -I"$TOP/src" -o "$bin" "${srcs[@]}" 2>"$TMP/cc"; then
		if grep -q 'fuzzer' "$TMP/cc"; then
			skip fuzz/cmdline "$CLANG has no libFuzzer runtime (Debian: libclang-rt-dev)"
		else
			fail fuzz/cmdline "the fuzz target does not build"
			sed 's/^/    /' "$TMP/cc" | head -n 20
		fi
		exit 0
	fi
fi
mkdir -p "$TMP/new"
"$bin" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=1024 -timeout=10 -artifact_prefix="$TMP/" \
	-print_final_stats=1 "$TMP/new" "$TOP/tests/fuzz/corpus" "$TOP/tests/grub-corpus" \
	>"$TMP/log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/log")
if [ $rc -eq 0 ] && [ "${runs:-0}" -gt 0 ]; then
	pass "fuzz/cmdline ($runs inputs in $seconds s)"
else
	fail fuzz/cmdline "libFuzzer stopped (exit $rc) after ${runs:-0} inputs"
	grep -E 'ERROR|SUMMARY|#[0-9]+ 0x.* in (vk_|fuzz_|LLVMFuzzer)' "$TMP/log" | head -n 20 | sed 's/^/    /'
	for f in "$TMP"/crash-* "$TMP"/oom-* "$TMP"/timeout-* "$TMP"/leak-*; do
		[ -e "$f" ] || continue
		echo "    input ($(basename "$f")), base64:"
		base64 -w 76 "$f" | sed 's/^/      /'
	done
fi
