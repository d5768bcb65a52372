#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Tier 3: the Kconfig reader (src/kconfig/kconfig.c) against real kernel
# trees, Debian's linux-source-6.1 and linux-source-6.12, read for x86.
#
#   tests/real/kconfig-tree.sh [6.1|6.12 ...]
#
# VFIOKIT_KERNEL_SRC_6_1 / VFIOKIT_KERNEL_SRC_6_12 set to a tree's path:
# that tree is used instead of Debian's.
#
# 1. kconfig-tree/SERIES/...: build-asan/test-kconfig-tree (cmocka, from
#    tests/unit/test-kconfig-tree.c) checks known facts of each tree; its
#    TAP report becomes PASS/FAIL/SKIP lines here.
# 2. kconfig-tree/SERIES/vs-kernel: the same tree read by the kernel's own
#    scripts/kconfig parser (built from the tree's sources) and
#    by ours, compared symbol by symbol: type, prompt, choice membership,
#    every select and imply with its file:line, and the value of every
#    dependency and visibility expression under random .config values.
#    Expressions holding a $(...) macro call are left out: the kernel runs
#    them, we do not. Needs gcc, make, flex and bison.
#
# The trees come from tests/kernel-source.sh (downloaded once, cached).
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"

BIN=${VK_TESTDIR:-$TOP/build-asan}/test-kconfig-tree
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

series_list=("$@")
[ ${#series_list[@]} -gt 0 ] || series_list=(6.1 6.12)

declare -A tree_of why_not

# fetch SERIES: the tree's path into tree_of[SERIES], or the reason into
# why_not[SERIES] after printing SKIP (cannot be done here) or FAIL.
fetch() {
	local series=$1 out rc var=VFIOKIT_KERNEL_SRC_${1//./_}
	if [ -n "${!var:-}" ]; then # a tree of one's own
		if [ -f "${!var}/Kconfig" ]; then
			tree_of[$series]=${!var}
		else
			why_not[$series]="$var=${!var} holds no Kconfig"
			fail "kconfig-tree/$series" "${why_not[$series]}"
		fi
		return
	fi
	out=$("$TOP/tests/kernel-source.sh" "$series" 2>"$TMP/fetch.err")
	rc=$?
	if [ $rc -eq 0 ] && [ -d "$out" ]; then
		tree_of[$series]=$out
		return
	fi
	why_not[$series]=$(tail -n 1 "$TMP/fetch.err")
	if [ $rc -eq 77 ]; then
		skip "kconfig-tree/$series" "${why_not[$series]}"
	else
		fail "kconfig-tree/$series" "tests/kernel-source.sh $series: ${why_not[$series]}"
		sed 's/^/    /' "$TMP/fetch.err" | tail -n 10
	fi
}

# facts: run the cmocka binary over the fetched trees.
facts() {
	local out rc series var
	if [ ! -x "$BIN" ]; then
		fail kconfig-tree "$BIN is not built (run 'make test-binaries')"
		return
	fi
	unset VFIOKIT_KERNEL_SRC_6_1 VFIOKIT_KERNEL_SRC_6_12
	for series in "${!tree_of[@]}"; do
		var=VFIOKIT_KERNEL_SRC_${series//./_}
		export "$var=${tree_of[$series]}"
	done
	out=$(CMOCKA_MESSAGE_OUTPUT=TAP "$BIN" 2>&1)
	rc=$?
	printf '%s\n' "$out" | while IFS= read -r line; do
		case $line in
		"ok "*" - "*) pass "kconfig-tree/${line#* - }" ;;
		"not ok "*" # SKIP "*)
			name=${line#* # SKIP }
			series=${name%%/*}
			skip "kconfig-tree/$name" "${why_not[$series]:-not asked for on the command line}"
			;;
		"not ok "*" - "*) fail "kconfig-tree/${line#* - }" "assertion failed (see below)" ;;
		"# "*" files, "*) printf '    %s\n' "${line#\# }" ;;
		esac
	done
	if [ $rc -ne 0 ]; then
		printf '%s\n' "$out" | grep -v -e '^ok ' -e '^1\.\.' | sed 's/^/    /' | head -n 40
		printf '%s\n' "$out" | grep -q '^not ok [0-9]* - ' ||
			fail kconfig-tree "$BIN exited $rc"
	fi
}

# The differential harness: links the kernel's parser objects with our
# sources. NEW_KCONFIG: the 6.10+ internals.
write_harness() {
	cat >"$TMP/vs-kernel.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lkc.h"
#ifdef NEW_KCONFIG
#include "internal.h"
#define FOR_ALL(sym) for_all_symbols(sym)
#define DEFINED(sym) (!list_empty(&(sym)->menus))
#define PROP_FILE(prop) (prop)->filename
#define FOR_MENUS(sym, menu, prop) list_for_each_entry(menu, &(sym)->menus, link)
#else
#define FOR_ALL(sym)                                  \
	for (int i_ = 0; i_ < SYMBOL_HASHSIZE; i_++) \
		for (sym = symbol_hash[i_]; sym; sym = sym->next)
static int defined_old(struct symbol *sym)
{
	struct property *p;

	for_all_properties(sym, p, P_SYMBOL)
		return 1;
	return 0;
}
#define DEFINED(sym) defined_old(sym)
#define PROP_FILE(prop) (prop)->file->name
#define FOR_MENUS(sym, menu, prop) for_all_properties(sym, prop, P_SYMBOL) if ((menu = prop->menu))
#endif
#include "kconfig/kconfig.h"

static const char *value(const char *name, void *userdata)
{
	struct symbol *s = sym_find(name);

	if (!s)
		return NULL;
	if (s->type == S_BOOLEAN || s->type == S_TRISTATE)
		return s->curr.tri == yes ? "y" : s->curr.tri == mod ? "m" : NULL;
	return s->curr.val;
}

static int type_of(enum symbol_type t)
{
	switch (t) {
	case S_BOOLEAN: return VK_KTYPE_BOOL;
	case S_TRISTATE: return VK_KTYPE_TRISTATE;
	case S_INT: return VK_KTYPE_INT;
	case S_HEX: return VK_KTYPE_HEX;
	case S_STRING: return VK_KTYPE_STRING;
	default: return VK_KTYPE_UNKNOWN;
	}
}

int main(int argc, char **argv)
{
	static const char *nums[] = { "0", "1", "2", "16", "0x10", "64", "4096" };
	static const char *strs[] = { "", "x86", "y", "abc" };
	struct vk_kconfig *kc;
	struct symbol *sym, *s2;
	char err[512], buf[8192];
	int rounds = atoi(argv[2]), bad = 0, n = 0, evals = 0, dbad = 0, vbad = 0;

	if (vk_kconfig_load(argv[1], "x86", &kc, err, sizeof(err)) < 0) {
		printf("vfiokit: %s\n", err);
		return 1;
	}
	conf_parse("Kconfig");
	FOR_ALL(sym) {
		const struct vk_ksym *m;
		struct property *prop;
		int prompt = 0;

		if (!sym->name || (sym->flags & SYMBOL_CONST))
			continue;
		n++;
		m = vk_kconfig_find(kc, sym->name);
		if (!m) {
			if (DEFINED(sym) && ++bad)
				printf("%s: missing\n", sym->name);
			continue;
		}
		if (type_of(sym->type) != (int)m->type && ++bad)
			printf("%s: type %d, kernel %d\n", sym->name, m->type, type_of(sym->type));
		for_all_prompts(sym, prop)
			prompt = 1;
		if (prompt != m->has_prompt && ++bad)
			printf("%s: prompt %d, kernel %d\n", sym->name, m->has_prompt, prompt);
		if (sym_is_choice_value(sym) != (m->choice != NULL) && ++bad)
			printf("%s: choice member differs\n", sym->name);
		if (!DEFINED(sym) != !m->file && ++bad)
			printf("%s: defined differs\n", sym->name);
	}
	FOR_ALL(s2) {
		struct property *prop;

		if (!s2->name)
			continue;
		for (prop = s2->prop; prop; prop = prop->next) {
			const struct vk_ksym *m;
			const struct vk_krev *rv;
			size_t k, cnt;

			if (prop->type != P_SELECT && prop->type != P_IMPLY)
				continue;
			m = vk_kconfig_find(kc, prop->expr->left.sym->name);
			cnt = !m ? 0 : prop->type == P_SELECT ? m->n_selected_by : m->n_implied_by;
			rv = !m ? NULL : prop->type == P_SELECT ? m->selected_by : m->implied_by;
			for (k = 0; k < cnt; k++)
				if (!strcmp(rv[k].by->name, s2->name) &&
				    !strcmp(rv[k].file, PROP_FILE(prop)) && (int)rv[k].line == prop->lineno)
					break;
			if (k == cnt && ++bad)
				printf("%s -> %s (%s:%d): missing\n", s2->name,
				       prop->expr->left.sym->name, PROP_FILE(prop), prop->lineno);
		}
	}
	srand(1);
	for (int r = 0; r < rounds; r++) {
		FOR_ALL(sym) {
			if (sym->flags & SYMBOL_CONST)
				continue;
			if (sym->type == S_BOOLEAN)
				sym->curr.tri = rand() % 2 ? yes : no;
			else if (sym->type == S_TRISTATE)
				sym->curr.tri = rand() % 3;
			else if (sym->type == S_INT || sym->type == S_HEX)
				sym->curr.val = nums[rand() % 7];
			else if (sym->type == S_STRING)
				sym->curr.val = strs[rand() % 4];
			if (sym->type != S_UNKNOWN)
				sym->flags |= SYMBOL_VALID;
		}
#ifdef NEW_KCONFIG
		expr_invalidate_all();
#endif
		FOR_ALL(sym) {
			const struct vk_ksym *m;
			struct menu *menu;
			struct property *prop, *mp;
			tristate kd = no, kv = no;
			int any = 0, anyv = 0;

			if (!sym->name || (sym->flags & SYMBOL_CONST) || !DEFINED(sym))
				continue;
#ifndef NEW_KCONFIG
			/* Before 6.10 members depend on the choice symbol's value. */
			if (sym_is_choice_value(sym))
				continue;
#endif
			m = vk_kconfig_find(kc, sym->name);
			FOR_MENUS(sym, menu, mp) {
				tristate t = expr_calc_value(menu->dep);
				kd = t > kd ? t : kd;
				any = 1;
			}
			for_all_prompts(sym, prop) {
				tristate t = expr_calc_value(prop->visible.expr);
				kv = t > kv ? t : kv;
				anyv = 1;
			}
			evals++;
			vk_kexpr_format(m->depends, buf, sizeof(buf));
			if (any && !strstr(buf, "$(") &&
			    (int)vk_kexpr_eval(kc, m->depends, value, NULL) != (int)kd && ++dbad < 10)
				printf("%s: depends on %s: %d, kernel %d\n", sym->name, buf,
				       vk_kexpr_eval(kc, m->depends, value, NULL), kd);
			vk_kexpr_format(m->visible, buf, sizeof(buf));
			if (anyv && !strstr(buf, "$(") &&
			    (int)vk_kexpr_eval(kc, m->visible, value, NULL) != (int)kv && ++vbad < 10)
				printf("%s: visible if %s: %d, kernel %d\n", sym->name, buf,
				       vk_kexpr_eval(kc, m->visible, value, NULL), kv);
		}
	}
	printf("%d symbols: %d differ; %d evaluations: %d dependencies and %d visibilities differ\n",
	       n, bad, evals, dbad, vbad);
	vk_kconfig_free(kc);
	return bad || dbad || vbad;
}
EOF
}

# build_kernel_kconfig SRC OUT: the objects of scripts/kconfig's parser
# (its Makefile's common-objs) from the sources in SRC, into OUT.
build_kernel_kconfig() {
	local src=$1 out=$2 f cflags=(-O1 -w -I"$1" -I"$1/../include" -I"$2")
	bison -o "$out/parser.tab.c" --defines="$out/parser.tab.h" -t -l "$src/parser.y" &&
		flex -o"$out/lexer.lex.c" -L "$src/lexer.l" || return 1
	for f in confdata expr menu preprocess symbol util; do
		gcc "${cflags[@]}" -c -o "$out/$f.o" "$src/$f.c" || return 1
	done
	for f in lexer.lex parser.tab; do
		gcc "${cflags[@]}" -c -o "$out/$f.o" "$out/$f.c" || return 1
	done
}

# vs_kernel SERIES: the differential check of one tree.
vs_kernel() {
	local series=$1 tree=${tree_of[$1]} obj def=() out tool
	local name="kconfig-tree/$series/vs-kernel"
	for tool in gcc make flex bison; do
		if ! command -v $tool >/dev/null; then
			skip "$name" "$tool is not installed (tests/install-deps.sh test installs it)"
			return
		fi
	done
	# The kernel's parser, built from the tree's scripts/kconfig as its
	# Makefile does, here (the cached tree is shared: build nothing in it).
	obj=$TMP/kconfig-$series
	if ! { mkdir -p "$obj" && build_kernel_kconfig "$tree/scripts/kconfig" "$obj"; } \
		>"$TMP/build.log" 2>&1; then
		fail "$name" "cannot build $series's scripts/kconfig"
		tail -n 20 "$TMP/build.log" | sed 's/^/    /'
		return
	fi
	grep -q expr_invalidate_all "$tree/scripts/kconfig/internal.h" 2>/dev/null &&
		def=(-DNEW_KCONFIG)
	[ -f "$TMP/vs-kernel.c" ] || write_harness
	if ! gcc -std=gnu11 -D_GNU_SOURCE -O1 "${def[@]}" -w -I"$tree/scripts/kconfig" \
		-I"$tree/scripts/include" -I"$obj" -I"$TOP/src" \
		-o "$TMP/vs-kernel-$series" "$TMP/vs-kernel.c" \
		"$obj"/*.o \
		"$TOP"/src/kconfig/kconfig.c "$TOP"/src/kconfig/lexer.c \
		"$TOP"/src/kconfig/expr.c "$TOP"/src/shared/strmap.c >"$TMP/cc.log" 2>&1; then
		fail "$name" "the harness does not build against $series"
		head -n 20 "$TMP/cc.log" | sed 's/^/    /'
		return
	fi
	if out=$(cd "$tree" && env SRCARCH=x86 ARCH=x86 srctree=. CC=gcc LD=ld \
		"$TMP/vs-kernel-$series" "$tree" 20 2>"$TMP/run.err"); then
		pass "$name"
		printf '    %s\n' "$(tail -n 1 <<<"$out")"
	else
		fail "$name" "the kernel's parser and ours disagree"
		{ printf '%s\n' "$out"; cat "$TMP/run.err"; } | tail -n 25 | sed 's/^/    /'
	fi
}

for series in "${series_list[@]}"; do
	fetch "$series"
done
facts
for series in "${series_list[@]}"; do
	[ -n "${tree_of[$series]:-}" ] && vs_kernel "$series"
done
exit 0
