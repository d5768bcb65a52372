#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark the Kconfig tree reader: read a whole kernel tree for x86
# (every file, every symbol) with src/kconfig built by cc -O2.
#
#   bench/kconfig-parse.sh [RUNS] [SERIES]     (default 21 runs of 6.12)
#
# The tree comes from tests/kernel-source.sh (downloaded once, cached).
# Prints the median and the fastest of RUNS reads in one process (after
# one warm-up read, so the files are in the page cache), the peak RSS of
# a process that reads the tree once, the number of files and symbols,
# and whether each target is met. Exits 0 whatever the numbers; 1 only
# when the benchmark could not run.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$TOP/bench/lib.sh"

TARGET_MS=150
TARGET_KIB=$((64 * 1024))
SOURCES=(src/kconfig/kconfig.c src/kconfig/lexer.c src/kconfig/expr.c src/shared/strmap.c)

# The timing program: kconfig-parse TREE ARCH RUNS prints one line per
# read ("ms N.NNN"), then "files N", "symbols N", "defined N",
# "maxrss_kib N".
write_main() {
	cat >"$1" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "kconfig/kconfig.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	int runs = argc > 3 ? atoi(argv[3]) : 1;
	size_t files = 0, syms = 0, defined = 0;
	struct rusage ru;
	char err[512];

	for (int i = 0; i < runs; i++) {
		struct vk_kconfig *kc;
		double t0 = now_ms();
		int r = vk_kconfig_load(argv[1], argv[2], &kc, err, sizeof(err));
		double t1 = now_ms();

		if (r < 0) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		printf("ms %.3f\n", t1 - t0);
		files = vk_kconfig_n_files(kc);
		syms = vk_kconfig_n_syms(kc);
		defined = 0;
		for (size_t j = 0; j < syms; j++)
			defined += vk_kconfig_sym(kc, j)->file != NULL;
		vk_kconfig_free(kc);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("files %zu\nsymbols %zu\ndefined %zu\nmaxrss_kib %ld\n", files, syms, defined,
	       ru.ru_maxrss);
	return 0;
}
EOF
}

main() {
	local runs=${1:-21} series=${2:-6.12} tree bin out median fastest kib
	case $runs in '' | *[!0-9]* | 0) die "RUNS must be a positive number" ;; esac
	command -v cc >/dev/null || die "no C compiler (cc)"
	tree=$("$TOP/tests/kernel-source.sh" "$series") || die "no $series tree (tests/kernel-source.sh $series)"
	WORK=$(mktemp -d) || die "mktemp failed"
	trap 'rm -rf "$WORK"' EXIT
	write_main "$WORK/main.c"
	bin=$WORK/kconfig-parse
	(cd "$TOP" && cc -std=gnu11 -D_GNU_SOURCE -O2 -Isrc -o "$bin" "$WORK/main.c" "${SOURCES[@]}") ||
		die "cannot build the timing program"

	# One warm-up read (page cache), then the measured ones.
	"$bin" "$tree" x86 1 >/dev/null || die "cannot read $tree"
	out=$("$bin" "$tree" x86 "$runs") || die "cannot read $tree"
	median=$(sed -n 's/^ms //p' <<<"$out" | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] }')
	fastest=$(sed -n 's/^ms //p' <<<"$out" | sort -n | head -n 1)
	# Peak RSS of a process that reads the tree once.
	kib=$("$bin" "$tree" x86 1 | sed -n 's/^maxrss_kib //p')

	printf 'tree %s, x86: %s files, %s symbols (%s defined); %s runs\n' \
		"${tree#"$(vk_cache)"/}" "$(sed -n 's/^files //p' <<<"$out")" \
		"$(sed -n 's/^symbols //p' <<<"$out")" "$(sed -n 's/^defined //p' <<<"$out")" "$runs"
	printf '%-28s %9s ms\n' "read the tree, median" "$median"
	printf '%-28s %9.1f ms\n' "read the tree, fastest" "$fastest"
	printf '%-28s %9s KiB\n' "peak RSS (one read)" "$kib"
	printf 'target median < %s ms: %s\n' "$TARGET_MS" \
		"$(below "$median" "$TARGET_MS")"
	printf 'target peak RSS < %s MiB: %s\n' $((TARGET_KIB / 1024)) \
		"$(below "$kib" "$TARGET_KIB")"
}

main "$@"
