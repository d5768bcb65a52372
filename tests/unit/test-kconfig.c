// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the Kconfig tree reader (src/kconfig/kconfig.c): small
 * trees written into a temporary directory, read back, and expressions
 * evaluated against made-up .config values.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "kconfig/kconfig.h"
#include "scratch.h"

struct fixture {
	char dir[PATH_MAX];
	struct vk_kconfig *kc;
	char err[512];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	scratch_make(f->dir, sizeof(f->dir), "vk-kconfig");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vk_kconfig_free(f->kc);
	scratch_remove(f->dir);
	free(f);
	return 0;
}

static void put(struct fixture *f, const char *rel, const char *text)
{
	scratch_put(f->dir, rel, text);
}

static int load(struct fixture *f)
{
	vk_kconfig_free(f->kc);
	f->kc = NULL;
	f->err[0] = '\0';
	return vk_kconfig_load(f->dir, "x86", &f->kc, f->err, sizeof(f->err));
}

static void load_ok(struct fixture *f)
{
	int r = load(f);

	if (r < 0)
		fail_msg("load failed: %d: %s", r, f->err);
}

/* Loading must fail with -EINVAL and a message starting "where: " and
 * containing what. */
static void load_fails(struct fixture *f, const char *where, const char *what)
{
	int r = load(f);

	if (r != -EINVAL)
		fail_msg("expected -EINVAL, got %d (%s)", r, f->err);
	if (strncmp(f->err, where, strlen(where)) != 0 || f->err[strlen(where)] != ':' ||
	    !strstr(f->err, what))
		fail_msg("expected '%s: ...%s...', got '%s'", where, what, f->err);
}

static const struct vk_ksym *sym(struct fixture *f, const char *name)
{
	const struct vk_ksym *s = vk_kconfig_find(f->kc, name);

	if (!s)
		fail_msg("no symbol %s", name);
	return s;
}

static const char *fmt(const struct vk_kexpr *e)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	vk_kexpr_format(e, buf[i], sizeof(buf[i]));
	return buf[i];
}

/* Every construct of the language, in one file. */
static void constructs(void **state)
{
	struct fixture *f = *state;
	const struct vk_ksym *s;

	put(f, "Kconfig",
	    "# SPDX comment\n"
	    "mainmenu \"Linux/$(ARCH) Kernel Configuration\"\n"
	    "\n"
	    "cc-option = $(success,$(CC) -Werror $(1) -c -x c /dev/null -o /dev/null)\n"
	    "LEVEL := 3\n"
	    "LEVEL += more\n"
	    "$(error-if,$(failure,true),never printed)\n"
	    "\n"
	    "config MODULES\n"
	    "\tbool \"Enable loadable module support\"\n"
	    "\tmodules\n"
	    "\n"
	    "config BOOL_SYM\n"
	    "\tbool \"A bool\" if EXPERT # a comment after the prompt\n"
	    "\tdepends on A\n"
	    "\tdepends on B || \\\n"
	    "\t\t   C\n"
	    "\tdefault y if D\n"
	    "\thelp\n"
	    "\t  Help text is not parsed: config FAKE\n"
	    "\n"
	    "\t    still help, deeper: depends on NOPE\n"
	    "\t  endmenu\n"
	    "\n"
	    "config TRI_SYM\n"
	    "\ttristate\n"
	    "\tprompt \"Tri prompt\"\n"
	    "\t---help---\n"
	    "\t  old-style help\n"
	    "config STR_SYM\n"
	    "\tstring \"A \\\"quoted\\\" string\"\n"
	    "\tdefault \"$(LEVEL)\"\n"
	    "config INT_SYM\n"
	    "\tint \"An int\"\n"
	    "\trange 1 64 if BOOL_SYM\n"
	    "\tdefault 16\n"
	    "config HEX_SYM\n"
	    "\thex\n"
	    "\tdefault 0x1000\n"
	    "config DEF_B\n"
	    "\tdef_bool $(cc-option,-mfoo)\n"
	    "config DEF_T\n"
	    "\tdef_tristate m if TRI_SYM\n"
	    "\toption env=\"FOO\"\n"
	    "config NEW_SYM\n"
	    "\tbool\n"
	    "\ttransitional\n"
	    "menuconfig MENU_SYM\n"
	    "\tbool \"Menu symbol\"\n"
	    "\timply TRI_SYM\n"
	    "comment \"A comment\"\n"
	    "\tdepends on MENU_SYM\n"
	    "config LAST\n"
	    "\tbool 'single quoted'\n"
	    "\thelp\n"
	    "\t  help at the end of the file, without a newline");
	load_ok(f);
	assert_int_equal(vk_kconfig_n_files(f->kc), 1);
	assert_string_equal(vk_kconfig_modules(f->kc), "MODULES");

	s = sym(f, "BOOL_SYM");
	assert_int_equal(s->type, VK_KTYPE_BOOL);
	assert_string_equal(s->file, "Kconfig");
	assert_int_equal(s->line, 13);
	assert_true(s->has_prompt);
	assert_string_equal(fmt(s->depends), "A && (B || C)");
	assert_string_equal(fmt(s->visible), "A && (B || C) && EXPERT");
	assert_null(s->choice);

	/* Help text and what follows it. */
	assert_null(vk_kconfig_find(f->kc, "FAKE"));
	assert_null(vk_kconfig_find(f->kc, "NOPE"));
	s = sym(f, "TRI_SYM");
	assert_int_equal(s->type, VK_KTYPE_TRISTATE);
	assert_int_equal(s->line, 25);
	assert_true(s->has_prompt);
	assert_null(s->depends);
	assert_null(s->visible);
	assert_int_equal(s->n_implied_by, 1);
	assert_string_equal(s->implied_by[0].by->name, "MENU_SYM");

	assert_int_equal(sym(f, "STR_SYM")->type, VK_KTYPE_STRING);
	assert_true(sym(f, "STR_SYM")->has_prompt);
	assert_int_equal(sym(f, "INT_SYM")->type, VK_KTYPE_INT);
	s = sym(f, "HEX_SYM");
	assert_int_equal(s->type, VK_KTYPE_HEX);
	assert_false(s->has_prompt);
	s = sym(f, "DEF_B");
	assert_int_equal(s->type, VK_KTYPE_BOOL);
	assert_false(s->has_prompt);
	assert_int_equal(sym(f, "DEF_T")->type, VK_KTYPE_TRISTATE);
	assert_int_equal(sym(f, "NEW_SYM")->type, VK_KTYPE_BOOL);
	assert_int_equal(sym(f, "MENU_SYM")->type, VK_KTYPE_BOOL);
	assert_true(sym(f, "LAST")->has_prompt);
	assert_int_equal(sym(f, "LAST")->line, 53);

	/* Symbols only named in expressions: in the table, not defined. */
	s = sym(f, "EXPERT");
	assert_int_equal(s->type, VK_KTYPE_UNKNOWN);
	assert_null(s->file);
	assert_int_equal(s->line, 0);
	for (size_t i = 0; i < vk_kconfig_n_syms(f->kc); i++) {
		s = vk_kconfig_sym(f->kc, i);
		assert_non_null(s);
		if (s->file)
			assert_int_not_equal(s->type, VK_KTYPE_UNKNOWN);
	}
	assert_null(vk_kconfig_sym(f->kc, vk_kconfig_n_syms(f->kc)));
}

/* "if", "menu" and "choice" dependencies reach the entries inside. */
static void propagation(void **state)
{
	struct fixture *f = *state;
	const struct vk_ksym *s;

	put(f, "Kconfig",
	    "if OUTER\n"
	    "menu \"Menu\"\n"
	    "\tdepends on M1\n"
	    "\tvisible if V1\n"
	    "config IN_MENU\n"
	    "\ttristate \"in menu\" if P1\n"
	    "\tdepends on OWN\n"
	    "config HIDDEN_IN_MENU\n"
	    "\tbool\n"
	    "if INNER || X\n"
	    "config IN_IF\n"
	    "\tbool \"in if\"\n"
	    "endif # INNER\n"
	    "menu \"Nested\"\n"
	    "\tvisible if V2\n"
	    "config NESTED\n"
	    "\tbool \"nested\"\n"
	    "endmenu\n"
	    "endmenu\n"
	    "config AFTER_MENU\n"
	    "\tbool \"after\"\n"
	    "endif\n"
	    "config TOP\n"
	    "\tbool \"top\"\n");
	load_ok(f);
	s = sym(f, "IN_MENU");
	assert_string_equal(fmt(s->depends), "OUTER && M1 && OWN");
	assert_string_equal(fmt(s->visible), "OUTER && M1 && OWN && P1 && V1");
	s = sym(f, "HIDDEN_IN_MENU");
	assert_string_equal(fmt(s->depends), "OUTER && M1");
	assert_false(s->has_prompt);
	assert_null(s->visible);
	s = sym(f, "IN_IF");
	assert_string_equal(fmt(s->depends), "OUTER && M1 && (INNER || X)");
	assert_string_equal(fmt(s->visible), "OUTER && M1 && (INNER || X) && V1");
	s = sym(f, "NESTED");
	assert_string_equal(fmt(s->depends), "OUTER && M1");
	assert_string_equal(fmt(s->visible), "OUTER && M1 && V2 && V1");
	assert_string_equal(fmt(sym(f, "AFTER_MENU")->depends), "OUTER");
	assert_null(sym(f, "TOP")->depends);
	assert_null(sym(f, "TOP")->visible);
}

static void choices(void **state)
{
	struct fixture *f = *state;
	const struct vk_ksym *a, *b, *c, *d;
	const struct vk_kchoice *ch;

	put(f, "Kconfig",
	    "menu \"CPU\"\n"
	    "\tdepends on X86\n"
	    "choice\n"
	    "\tprompt \"Processor family\"\n"
	    "\tdepends on !UML\n"
	    "\tdefault GENERIC\n"
	    "\thelp\n"
	    "\t  Pick one.\n"
	    "config MK8\n"
	    "\tbool \"AMD Opteron/Athlon64\"\n"
	    "config MCORE2\n"
	    "\tbool \"Core 2\"\n"
	    "\tdepends on !X86_32\n"
	    "if X86_64\n"
	    "config GENERIC\n"
	    "\tprompt \"Generic\"\n"
	    "endif\n"
	    "endchoice\n"
	    "endmenu\n"
	    "choice TRI_CHOICE\n"
	    "\ttristate \"A tristate choice\"\n"
	    "\toptional\n"
	    "config T1\n"
	    "\ttristate \"t1\"\n"
	    "endchoice\n"
	    "config OUTSIDE\n"
	    "\tbool \"outside\"\n");
	load_ok(f);
	assert_int_equal(vk_kconfig_n_choices(f->kc), 2);
	ch = vk_kconfig_choice(f->kc, 0);
	assert_non_null(ch);
	assert_null(vk_kconfig_choice(f->kc, 2));
	assert_string_equal(ch->prompt, "Processor family");
	assert_string_equal(ch->file, "Kconfig");
	assert_int_equal(ch->line, 3);
	assert_string_equal(fmt(ch->depends), "X86 && !UML");
	assert_int_equal(ch->n_members, 3);
	a = sym(f, "MK8");
	b = sym(f, "MCORE2");
	c = sym(f, "GENERIC");
	assert_ptr_equal(ch->members[0], a);
	assert_ptr_equal(ch->members[1], b);
	assert_ptr_equal(ch->members[2], c);
	assert_ptr_equal(a->choice, ch);
	assert_ptr_equal(c->choice, ch);
	/* A member without a type gets the choice's. */
	assert_int_equal(c->type, VK_KTYPE_BOOL);
	assert_string_equal(fmt(a->depends), "X86 && !UML");
	assert_string_equal(fmt(b->depends), "X86 && !UML && !X86_32");
	assert_string_equal(fmt(c->depends), "X86 && !UML && X86_64");
	d = sym(f, "T1");
	assert_non_null(d->choice);
	assert_ptr_equal(d->choice, vk_kconfig_choice(f->kc, 1));
	assert_null(d->choice->depends);
	assert_null(sym(f, "OUTSIDE")->choice);
}

static void reverse(void **state)
{
	struct fixture *f = *state;
	const struct vk_ksym *s;

	put(f, "Kconfig",
	    "config VFIO\n"
	    "\ttristate \"VFIO\"\n"
	    "\tselect IOMMU_API\n"
	    "\tselect VFIO_IOMMU_TYPE1 if MMU && (X86 || ARM64)\n"
	    "\timply VFIO_HELPER if !EXPERT\n"
	    "config VFIO_PCI\n"
	    "\ttristate \"VFIO PCI\"\n"
	    "\tselect VFIO_IOMMU_TYPE1\n"
	    "config VFIO_IOMMU_TYPE1\n"
	    "\ttristate\n"
	    "config 8272\n"
	    "\tbool\n"
	    "config PQ2\n"
	    "\tbool \"PQ2\"\n"
	    "\tselect 8272\n");
	load_ok(f);
	s = sym(f, "VFIO_IOMMU_TYPE1");
	assert_false(s->has_prompt);
	assert_int_equal(s->n_selected_by, 2);
	assert_string_equal(s->selected_by[0].by->name, "VFIO");
	assert_string_equal(fmt(s->selected_by[0].cond), "MMU && (X86 || ARM64)");
	assert_string_equal(s->selected_by[0].file, "Kconfig");
	assert_int_equal(s->selected_by[0].line, 4);
	assert_ptr_equal(s->selected_by[1].by, sym(f, "VFIO_PCI"));
	assert_null(s->selected_by[1].cond);
	assert_int_equal(s->selected_by[1].line, 8);
	assert_int_equal(s->n_implied_by, 0);
	s = sym(f, "IOMMU_API");
	assert_null(s->file); /* selected, never defined here */
	assert_int_equal(s->n_selected_by, 1);
	s = sym(f, "VFIO_HELPER");
	assert_int_equal(s->n_implied_by, 1);
	assert_string_equal(fmt(s->implied_by[0].cond), "!EXPERT");
	assert_int_equal(s->implied_by[0].line, 5);
	assert_int_equal(sym(f, "VFIO")->n_selected_by, 0);
	/* Numbers are names too ("config 8272" on powerpc). */
	s = sym(f, "8272");
	assert_int_equal(s->type, VK_KTYPE_BOOL);
	assert_int_equal(s->n_selected_by, 1);
	assert_string_equal(s->selected_by[0].by->name, "PQ2");
}

/* A symbol defined in several places: dependencies ORed, the first
 * definition's place, a prompt from any of them. */
static void multiple_definitions(void **state)
{
	struct fixture *f = *state;
	const struct vk_ksym *s;

	put(f, "Kconfig",
	    "if ARCH_A\n"
	    "config MULTI\n"
	    "\tbool\n"
	    "\tdepends on FOO\n"
	    "endif\n"
	    "config MULTI\n"
	    "\tbool \"multi\"\n"
	    "\tdepends on BAR\n"
	    "config ONCE_FREE\n"
	    "\tbool\n"
	    "\tdepends on FOO\n"
	    "config ONCE_FREE\n"
	    "\tbool \"free\"\n"
	    "config ONCE_FREE\n"
	    "\tbool\n"
	    "\tdepends on BAZ\n"
	    "config TYPED_TWICE\n"
	    "\ttristate\n"
	    "config TYPED_TWICE\n"
	    "\tbool\n");
	load_ok(f);
	s = sym(f, "MULTI");
	assert_int_equal(s->line, 2);
	assert_true(s->has_prompt);
	assert_string_equal(fmt(s->depends), "ARCH_A && FOO || BAR");
	assert_string_equal(fmt(s->visible), "BAR");
	s = sym(f, "ONCE_FREE");
	assert_null(s->depends); /* one definition has no dependency */
	assert_null(s->visible);
	assert_true(s->has_prompt);
	/* The first type wins, as in kconfig. */
	assert_int_equal(sym(f, "TYPED_TWICE")->type, VK_KTYPE_TRISTATE);
}

static void sources(void **state)
{
	struct fixture *f = *state;
	const struct vk_ksym *s;

	setenv("VK_TEST_SUBDIR", "drivers", 1);
	put(f, "Kconfig",
	    "source \"arch/$(SRCARCH)/Kconfig\"\n"
	    "menu \"Drivers\"\n"
	    "\tdepends on HAS_DRIVERS\n"
	    "source \"$(VK_TEST_SUBDIR)/Kconfig\"\n"
	    "endmenu\n"
	    "osource \"missing/Kconfig\"\n"
	    "source \"./lib/../lib//Kconfig\"\n");
	put(f, "arch/x86/Kconfig", "config X86\n\tdef_bool y\n");
	put(f, "drivers/Kconfig",
	    "rsource \"vfio/Kconfig\"\n"
	    "orsource \"none/Kconfig\"\n"
	    "orsource \"vfio/Kconfig.extra\"\n");
	put(f, "drivers/vfio/Kconfig", "config VFIO\n\ttristate \"vfio\"\n");
	put(f, "drivers/vfio/Kconfig.extra", "\n\nconfig VFIO_EXTRA\n\tbool\n");
	put(f, "lib/Kconfig", "source \"$(srctree)/lib/Kconfig.more\"\nconfig LIB\n\tbool\n");
	put(f, "lib/Kconfig.more", "config MORE\n\tbool\n");
	load_ok(f);
	assert_int_equal(vk_kconfig_n_files(f->kc), 7);
	assert_string_equal(sym(f, "X86")->file, "arch/x86/Kconfig");
	s = sym(f, "VFIO");
	assert_string_equal(s->file, "drivers/vfio/Kconfig");
	assert_int_equal(s->line, 1);
	assert_string_equal(fmt(s->depends), "HAS_DRIVERS");
	s = sym(f, "VFIO_EXTRA");
	assert_string_equal(s->file, "drivers/vfio/Kconfig.extra");
	assert_int_equal(s->line, 3);
	assert_string_equal(sym(f, "LIB")->file, "lib/Kconfig");
	assert_string_equal(sym(f, "MORE")->file, "lib/Kconfig.more");

	/* Another architecture. */
	vk_kconfig_free(f->kc);
	f->kc = NULL;
	setenv("VK_TEST_SUBDIR", "drivers", 1);
	put(f, "arch/arm64/Kconfig", "config ARM64\n\tdef_bool y\n");
	assert_int_equal(vk_kconfig_load(f->dir, "arm64", &f->kc, f->err, sizeof(f->err)), 0);
	unsetenv("VK_TEST_SUBDIR");
	assert_non_null(sym(f, "ARM64")->file);
	assert_null(vk_kconfig_find(f->kc, "X86"));
}

static void source_errors(void **state)
{
	struct fixture *f = *state;

	/* No tree at all. */
	assert_int_equal(load(f), -ENOENT);
	assert_non_null(strstr(f->err, "Kconfig"));

	put(f, "Kconfig", "config A\n\tbool\n\nsource \"drivers/Kconfig\"\n");
	load_fails(f, "Kconfig:4", "drivers/Kconfig");
	put(f, "drivers/Kconfig", "source \"drivers/sub/Kconfig\"\n");
	put(f, "drivers/sub/Kconfig", "\n\nrsource \"../Kconfig\"\n");
	load_fails(f, "drivers/sub/Kconfig:3", "recursive inclusion of 'drivers/Kconfig'");
	put(f, "drivers/sub/Kconfig", "source drivers\n");
	load_fails(f, "drivers/sub/Kconfig:1", "file name in quotes");
	/* Blocks end in the file that opened them. */
	put(f, "drivers/sub/Kconfig", "menu \"m\"\n");
	load_fails(f, "drivers/sub/Kconfig:1", "'menu' without 'endmenu'");
	put(f, "Kconfig", "if A\nsource \"drivers/Kconfig\"\n");
	put(f, "drivers/Kconfig", "config B\n\tbool\nendif\n");
	load_fails(f, "drivers/Kconfig:3", "in a different file");
}

static void syntax_errors(void **state)
{
	struct fixture *f = *state;

	put(f, "Kconfig", "config A\n\tbool\n\tfrobnicate\n");
	load_fails(f, "Kconfig:3", "unknown statement 'frobnicate'");
	put(f, "Kconfig", "config A\n\tbool \"a\"\nendmenu\n");
	load_fails(f, "Kconfig:3", "'endmenu' without 'menu'");
	put(f, "Kconfig", "menu \"m\"\nif X\nendmenu\n");
	load_fails(f, "Kconfig:3", "within the 'if' block of Kconfig:2");
	put(f, "Kconfig", "\n\nif X\nconfig A\n\tbool\n");
	load_fails(f, "Kconfig:3", "'if' without 'endif'");
	put(f, "Kconfig", "choice\n\tprompt \"c\"\nconfig A\n\tbool \"a\"\n");
	load_fails(f, "Kconfig:1", "'choice' without 'endchoice'");
	put(f, "Kconfig", "config A\n\tbool\n\tdepends on B &&\n");
	load_fails(f, "Kconfig:3", "expected a symbol, found 'end of line'");
	put(f, "Kconfig", "config A\n\tbool\n\tdepends on (B || C\n");
	load_fails(f, "Kconfig:3", "expected ')'");
	put(f, "Kconfig", "config A\n\tbool\n\tdepends on B C\n");
	load_fails(f, "Kconfig:3", "unexpected 'C'");
	put(f, "Kconfig", "config A\n\tbool\n\tdepends on B & C\n");
	load_fails(f, "Kconfig:3", "unexpected character '&'");
	put(f, "Kconfig", "config A\n\tbool \"unterminated\n");
	load_fails(f, "Kconfig:2", "unterminated string");
	put(f, "Kconfig", "select B\n");
	load_fails(f, "Kconfig:1", "'select' outside of a config");
	put(f, "Kconfig", "menu \"m\"\n\tselect B\nendmenu\n");
	load_fails(f, "Kconfig:2", "not valid in a menu");
	put(f, "Kconfig", "config if\n\tbool\n");
	load_fails(f, "Kconfig:1", "keyword 'if'");
	put(f, "Kconfig", "config A\n\tbool\n\tselect y\n");
	load_fails(f, "Kconfig:3", "constant 'y'");
	put(f, "Kconfig", "config A\n\tbool\n\thelp text\n");
	load_fails(f, "Kconfig:3", "unexpected 'text'");
	/* A continued line is reported where it starts. */
	put(f, "Kconfig", "config A\n\tbool\n\n\tdepends on B || \\\n\t\tC D\n");
	load_fails(f, "Kconfig:4", "unexpected 'D'");
	put(f, "Kconfig", "config A\n\tbool\n\tdefault $(shell,echo\n");
	load_fails(f, "Kconfig:3", "missing ')'");
	put(f, "Kconfig", "X = $(X)\nconfig A\n\tbool \"$(X)\"\n");
	load_fails(f, "Kconfig:3", "recursive variable");
}

/* Expressions: precedence ! > comparisons > && > ||, parentheses. */
static void expressions(void **state)
{
	struct fixture *f = *state;
	const struct vk_kexpr *e;
	char err[256];

	put(f, "Kconfig", "config A\n\tbool\n");
	load_ok(f);
#define PARSE(text) assert_int_equal(vk_kconfig_parse_expr(f->kc, text, &e, err, sizeof(err)), 0)
	PARSE("A || B && C");
	assert_int_equal(e->op, VK_KE_OR);
	assert_int_equal(e->right->op, VK_KE_AND);
	assert_string_equal(fmt(e), "A || B && C");
	PARSE("A && B || C");
	assert_int_equal(e->op, VK_KE_OR);
	assert_int_equal(e->left->op, VK_KE_AND);
	PARSE("(A || B) && C");
	assert_int_equal(e->op, VK_KE_AND);
	assert_string_equal(fmt(e), "(A || B) && C");
	PARSE("!A && B");
	assert_int_equal(e->op, VK_KE_AND);
	assert_int_equal(e->left->op, VK_KE_NOT);
	PARSE("!(A && B)");
	assert_int_equal(e->op, VK_KE_NOT);
	assert_string_equal(fmt(e), "!(A && B)");
	/* Comparisons take symbols: "!A = B" is "!(A = B)", as in kconfig. */
	PARSE("!A = B");
	assert_int_equal(e->op, VK_KE_NOT);
	assert_int_equal(e->left->op, VK_KE_EQ);
	assert_string_equal(fmt(e), "!(A = B)");
	PARSE("A = y || B != \"x86\" && C < 10");
	assert_int_equal(e->op, VK_KE_OR);
	assert_int_equal(e->left->op, VK_KE_EQ);
	assert_int_equal(e->right->op, VK_KE_AND);
	assert_int_equal(e->right->left->op, VK_KE_NE);
	assert_int_equal(e->right->right->op, VK_KE_LT);
	assert_int_equal(e->right->left->right->op, VK_KE_CONST);
	assert_string_equal(e->right->left->right->name, "x86");
	assert_string_equal(fmt(e), "A = y || B != \"x86\" && C < 10");
	PARSE("A <= 0x10 && B >= -1 && C > D");
	assert_string_equal(fmt(e), "A <= 0x10 && B >= -1 && C > D");
	assert_int_equal(e->left->left->right->op, VK_KE_CONST);
	assert_int_equal(e->right->right->op, VK_KE_SYMBOL);
	PARSE("A && (B || (C && !D))");
	assert_string_equal(fmt(e), "A && (B || C && !D)");
	PARSE("(A || B) || (C || D)");
	assert_string_equal(fmt(e), "A || B || C || D");
	PARSE("!!A");
	assert_string_equal(fmt(e), "!!A");
	PARSE("m && y && n");
	assert_int_equal(e->left->left->op, VK_KE_CONST);
	PARSE("\"a \\\"b\\\"\" = S");
	assert_string_equal(e->left->name, "a \"b\"");
	assert_string_equal(fmt(e), "\"a \\\"b\\\"\" = S");
	/* Symbols named only here do not join the tree. */
	assert_null(vk_kconfig_find(f->kc, "D"));
#undef PARSE
#define BAD(text, what)                                                                    \
	do {                                                                               \
		assert_int_equal(vk_kconfig_parse_expr(f->kc, text, &e, err, sizeof(err)), \
				 -EINVAL);                                                 \
		assert_null(e);                                                            \
		if (!strstr(err, what))                                                    \
			fail_msg("'%s': expected '%s' in '%s'", text, what, err);          \
	} while (0)
	BAD("A &&", "expected a symbol");
	BAD("(A", "expected ')'");
	BAD("A B", "unexpected 'B'");
	BAD("&& A", "expected a symbol, found '&&'");
	BAD("A = (B)", "expected a symbol, found '('");
	BAD("A = B = C", "unexpected '='");
	BAD("", "expected a symbol");
	BAD("A | B", "unexpected character '|'");
	BAD("if", "keyword 'if'");
#undef BAD
	{
		char small[8];

		vk_kexpr_format(NULL, small, sizeof(small));
		assert_string_equal(small, "y");
		assert_int_equal(vk_kconfig_parse_expr(f->kc, "LONGNAME && OTHER", &e, NULL, 0), 0);
		vk_kexpr_format(e, small, sizeof(small));
		assert_string_equal(small, "LONGNAM");
	}
}

/* A .config's values: { name, value } pairs, ending with { NULL }. */
struct kv {
	const char *name, *value;
};

static const char *value_of(const char *name, void *userdata)
{
	for (const struct kv *p = userdata; p->name; p++)
		if (strcmp(p->name, name) == 0)
			return p->value;
	return NULL;
}

/* The table of kconfig's evaluation rules. */
static void evaluation(void **state)
{
	struct fixture *f = *state;
	static const struct kv vm[] = {
		{ "MODULES", "y" }, { "T_Y", "y" },    { "T_M", "m" },	  { "T_N", "n" },
		{ "B_Y", "y" },	    { "B_M", "m" },    { "I16", "16" },	  { "H", "0x1f" },
		{ "S", "x86" },	    { "S_NUM", "10" }, { "S_NUM9", "9" }, { "8272", "y" },
		{ NULL },
	};
	static const struct kv vn[] = { { "T_M", "m" }, { "T_Y", "y" }, { NULL } };
	static const struct {
		const char *expr;
		enum vk_tri with, without;
	} table[] = {
		{ "T_Y", VK_TRI_Y, VK_TRI_Y },
		{ "T_M", VK_TRI_M, VK_TRI_M },
		{ "T_N", VK_TRI_N, VK_TRI_N },
		{ "T_UNSET", VK_TRI_N, VK_TRI_N },
		{ "UNDEFINED", VK_TRI_N, VK_TRI_N },
		{ "B_Y", VK_TRI_Y, VK_TRI_N },
		/* A bool is y or n: m counts as y. */
		{ "B_M", VK_TRI_Y, VK_TRI_N },
		{ "!T_M", VK_TRI_M, VK_TRI_M },
		{ "!T_Y", VK_TRI_N, VK_TRI_N },
		{ "!T_UNSET", VK_TRI_Y, VK_TRI_Y },
		/* AND is the minimum: a dependency at m caps at m. */
		{ "T_Y && T_M", VK_TRI_M, VK_TRI_M },
		{ "T_M && B_Y", VK_TRI_M, VK_TRI_N },
		{ "T_Y && T_N", VK_TRI_N, VK_TRI_N },
		{ "T_M || T_N", VK_TRI_M, VK_TRI_M },
		{ "T_M || T_Y", VK_TRI_Y, VK_TRI_Y },
		{ "T_M || !T_M", VK_TRI_M, VK_TRI_M },
		/* The constant m is m only with modules. */
		{ "m", VK_TRI_M, VK_TRI_N },
		{ "!m", VK_TRI_M, VK_TRI_Y },
		{ "T_Y && m", VK_TRI_M, VK_TRI_N },
		{ "y", VK_TRI_Y, VK_TRI_Y },
		{ "n", VK_TRI_N, VK_TRI_N },
		{ "!n", VK_TRI_Y, VK_TRI_Y },
		/* Comparisons: y or n, never m. */
		{ "T_M = m", VK_TRI_Y, VK_TRI_Y },
		{ "T_M != m", VK_TRI_N, VK_TRI_N },
		{ "T_M = y", VK_TRI_N, VK_TRI_N },
		{ "T_UNSET = n", VK_TRI_Y, VK_TRI_Y },
		{ "B_M = y", VK_TRI_Y, VK_TRI_N },
		{ "T_M < y", VK_TRI_Y, VK_TRI_Y },
		{ "T_M >= m", VK_TRI_Y, VK_TRI_Y },
		{ "T_Y > T_M", VK_TRI_Y, VK_TRI_Y },
		{ "I16 = 16", VK_TRI_Y, VK_TRI_N },
		{ "I16 > 9", VK_TRI_Y, VK_TRI_N },
		/* Unset: the empty string, which compares as a string. */
		{ "I16 <= 0x10", VK_TRI_Y, VK_TRI_Y },
		{ "H = 31", VK_TRI_Y, VK_TRI_N },
		{ "H > 0x1e", VK_TRI_Y, VK_TRI_N },
		{ "S = \"x86\"", VK_TRI_Y, VK_TRI_N },
		{ "S != \"arm64\"", VK_TRI_Y, VK_TRI_Y },
		{ "S < \"y\"", VK_TRI_Y, VK_TRI_Y },
		/* Two string symbols compare as strings even when they read as
		 * numbers; a string and a constant as numbers when both can. */
		{ "S_NUM > S_NUM9", VK_TRI_N, VK_TRI_N },
		{ "S_NUM > \"9\"", VK_TRI_Y, VK_TRI_N },
		{ "S_NUM = 10", VK_TRI_Y, VK_TRI_N },
		{ "I_UNSET = \"\"", VK_TRI_Y, VK_TRI_Y },
		{ "UNDEFINED = \"UNDEFINED\"", VK_TRI_Y, VK_TRI_Y },
		/* Non-tristate symbols are n in logic. */
		{ "S", VK_TRI_N, VK_TRI_N },
		{ "I16 || T_M", VK_TRI_M, VK_TRI_M },
		/* A number is a name when the tree defines it (powerpc's 8272). */
		{ "8272", VK_TRI_Y, VK_TRI_N },
		{ "8272 = y", VK_TRI_Y, VK_TRI_N },
		{ "16 = 16", VK_TRI_Y, VK_TRI_Y },
		{ "16", VK_TRI_N, VK_TRI_N },
		/* An unexpanded macro call is n. */
		{ "$(cc-option,-mfoo)", VK_TRI_N, VK_TRI_N },
		{ "!(T_M && (T_Y || T_N)) && y", VK_TRI_M, VK_TRI_M },
	};
	const struct vk_kexpr *e;
	char err[256];

	put(f, "Kconfig",
	    "config MODULES\n\tbool \"modules\"\n\tmodules\n"
	    "config T_Y\n\ttristate \"t\"\nconfig T_M\n\ttristate \"t\"\n"
	    "config T_N\n\ttristate \"t\"\nconfig T_UNSET\n\ttristate \"t\"\n"
	    "config B_Y\n\tbool \"b\"\nconfig B_M\n\tbool \"b\"\n"
	    "config I16\n\tint \"i\"\nconfig I_UNSET\n\tint \"i\"\nconfig H\n\thex \"h\"\n"
	    "config S\n\tstring \"s\"\nconfig S_NUM\n\tstring \"s\"\n"
	    "config S_NUM9\n\tstring \"s\"\nconfig 8272\n\tbool\n");
	load_ok(f);
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		enum vk_tri with, without;

		if (vk_kconfig_parse_expr(f->kc, table[i].expr, &e, err, sizeof(err)) < 0)
			fail_msg("'%s': %s", table[i].expr, err);
		with = vk_kexpr_eval(f->kc, e, value_of, (void *)vm);
		without = vk_kexpr_eval(f->kc, e, value_of, (void *)vn);
		if (with != table[i].with || without != table[i].without)
			fail_msg("'%s': got %d/%d, expected %d/%d", table[i].expr, with, without,
				 table[i].with, table[i].without);
	}
	assert_int_equal(vk_kexpr_eval(f->kc, NULL, value_of, (void *)vn), VK_TRI_Y);
	/* Without a tree every symbol is a tristate (B_M is m, !m is m),
	 * or a string when its value says so. */
	assert_int_equal(vk_kconfig_parse_expr(f->kc, "T_M && !B_M", &e, err, sizeof(err)), 0);
	assert_int_equal(vk_kexpr_eval(f->kc, e, value_of, (void *)vm), VK_TRI_N);
	assert_int_equal(vk_kexpr_eval(NULL, e, value_of, (void *)vm), VK_TRI_M);
	assert_int_equal(vk_kconfig_parse_expr(f->kc, "S = \"x86\" && T_M", &e, err, sizeof(err)),
			 0);
	assert_int_equal(vk_kexpr_eval(NULL, e, value_of, (void *)vm), VK_TRI_M);
}

/* The symbol marked "modules" (here under another name) decides m. */
static void modules_symbol(void **state)
{
	struct fixture *f = *state;
	static const struct kv v[] = { { "MODULES", "y" }, { NULL } };
	static const struct kv v2[] = { { "MY_MODULES", "y" }, { NULL } };
	const struct vk_kexpr *e;

	put(f, "Kconfig", "config MY_MODULES\n\tbool \"modules\"\n\toption modules\n");
	load_ok(f);
	assert_string_equal(vk_kconfig_modules(f->kc), "MY_MODULES");
	assert_int_equal(vk_kconfig_parse_expr(f->kc, "m", &e, NULL, 0), 0);
	assert_int_equal(vk_kexpr_eval(f->kc, e, value_of, (void *)v), VK_TRI_N);
	assert_int_equal(vk_kexpr_eval(f->kc, e, value_of, (void *)v2), VK_TRI_M);
}

/* Preprocessor variables and macros in values. */
static void macros(void **state)
{
	struct fixture *f = *state;
	const struct vk_ksym *s;

	setenv("VK_TEST_ENV", "ENV_DEP", 1);
	put(f, "Kconfig",
	    "dep-of = $(1)_$(2)\n"
	    "simple := FROM_SIMPLE\n"
	    "later = $(simple)\n"
	    "simple := CHANGED\n"
	    "shell-out := $(shell,uname -r)\n"
	    "config A\n"
	    "\tbool \"a\"\n"
	    "\tdepends on $(dep-of,FOO,BAR) && $(VK_TEST_ENV) && $(later)\n"
	    "config B\n"
	    "\tbool\n"
	    "\tdepends on $(cc-option,-mfoo) || !$(shell-out)\n"
	    "config C\n"
	    "\tstring\n"
	    "\tdefault \"$(filename):$(lineno) $(shell,echo hi) $(UNSET_VK_VARIABLE)\"\n");
	load_ok(f);
	unsetenv("VK_TEST_ENV");
	s = sym(f, "A");
	assert_string_equal(fmt(s->depends), "FOO_BAR && ENV_DEP && CHANGED");
	assert_int_equal(sym(f, "FOO_BAR")->type, VK_KTYPE_UNKNOWN);
	s = sym(f, "B");
	assert_string_equal(fmt(s->depends), "$(cc-option,-mfoo) || !$(shell-out)");
	assert_int_equal(s->depends->left->op, VK_KE_CONST);
	assert_int_equal(sym(f, "C")->type, VK_KTYPE_STRING);
}

/* "X := $(X)" expands the right side first, where X is still undefined:
 * empty, as in the kernel (it once crashed on a variable without value). */
static void recursive_simple_assignment(void **state)
{
	struct fixture *f = *state;

	put(f, "Kconfig",
	    "f:=$(f)\n"
	    "g := G$(g)\n"
	    "config A\n"
	    "\tbool\n"
	    "\tdepends on B$(f) && $(g)\n");
	load_ok(f);
	assert_string_equal(fmt(sym(f, "A")->depends), "B && G");
	put(f, "Kconfig", "f = $(f)\nconfig A\n\tbool \"$(f)\"\n");
	load_fails(f, "Kconfig:3", "recursive variable reference");
}

/* A macro that doubles per line stops at the cap, naming the line. */
static void macro_cap(void **state)
{
	struct fixture *f = *state;
	char text[2048] = "x := ab\n";

	for (int i = 0; i < 25; i++)
		strcat(text, "x := $(x)$(x)\n");
	put(f, "Kconfig", text);
	load_fails(f, "Kconfig:21", "macro expansion larger than 1024 KiB");
	/* Doubling what expands to nothing: the number of references. */
	snprintf(text, sizeof(text), "x0 :=\n");
	for (int i = 1; i <= 40; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "x%d = $(x%d)$(x%d)\n",
			 i, i - 1, i - 1);
	strcat(text, "config A\n\tbool \"$(x40)\"\n");
	put(f, "Kconfig", text);
	load_fails(f, "Kconfig:43", "more than 1048576 references");
}

static const char *all_y(const char *name, void *userdata)
{
	return "y";
}

/* head, n copies of unit (a '#' in it: the copy's index), tail. */
static char *repeat(const char *head, const char *unit, int n, const char *tail)
{
	size_t cap = strlen(head) + strlen(tail) + (size_t)n * (strlen(unit) + 12) + 1, len;
	char *s = malloc(cap);

	assert_non_null(s);
	len = snprintf(s, cap, "%s", head);
	for (int i = 0; i < n; i++)
		for (const char *u = unit; *u; u++)
			len += *u == '#' ? snprintf(s + len, cap - len, "%d", i)
					 : snprintf(s + len, cap - len, "%c", *u);
	snprintf(s + len, cap - len, "%s", tail);
	return s;
}

/* Kconfig: head, open n times, middle, close n times. */
static void put_nested(struct fixture *f, const char *head, const char *open, int n,
		       const char *middle, const char *close)
{
	char *a = repeat(head, open, n, middle), *b = repeat(a, close, n, "\n");

	put(f, "Kconfig", b);
	free(a);
	free(b);
}

/* Deep input: refused with file:line at the limit, not a crashed stack;
 * long chains of one operator accepted, shallow. */
static void depth_limits(void **state)
{
	static const char ab[] = "config A\n\tbool\nconfig B\n\tbool\n\tdepends on ";
	struct fixture *f = *state;
	const struct vk_kexpr *e;
	char *text, buf[64];

	/* 1,000 levels of parentheses, of ifs and of "!": read. */
	put_nested(f, ab, "(A && ", 1000, "B", ")");
	load_ok(f);
	assert_true(sym(f, "B")->depends->depth > 1000);
	assert_int_equal(vk_kexpr_eval(f->kc, sym(f, "B")->depends, all_y, NULL), VK_TRI_Y);
	put_nested(f, "config A\n\tbool\n", "if A\n", 1000, "config B\n\tbool \"b\"\n", "endif\n");
	load_ok(f);
	assert_int_equal(sym(f, "B")->depends->depth, 1000);
	assert_int_equal(vk_kexpr_eval(f->kc, sym(f, "B")->visible, all_y, NULL), VK_TRI_Y);
	put_nested(f, ab, "!", 1000, "A", "");
	load_ok(f);
	assert_int_equal(vk_kexpr_eval(f->kc, sym(f, "B")->depends, all_y, NULL), VK_TRI_Y);

	/* 100,000: refused. */
	put_nested(f, ab, "(", 100000, "A", ")");
	load_fails(f, "Kconfig:5", "nested deeper than 4096 levels");
	put_nested(f, ab, "!", 100000, "A", "");
	load_fails(f, "Kconfig:5", "nested deeper than 4096 levels");
	put_nested(f, "config A\n\tbool\n", "if A\n", 100000, "config B\n\tbool\n", "endif\n");
	load_fails(f, "Kconfig:4099", "conditions nested deeper than 4096 levels");

	/* A chain of 100,000 terms: accepted, shallow, evaluated, printed. */
	text = repeat("config A\n\tbool\n\tdepends on B", " && S#", 100000, "\n");
	put(f, "Kconfig", text);
	load_ok(f);
	e = sym(f, "A")->depends;
	assert_true(e->depth <= 2 * 17 + 1);
	assert_int_equal(vk_kexpr_eval(f->kc, e, all_y, NULL), VK_TRI_N); /* S are untyped */
	vk_kexpr_format(e, buf, sizeof(buf));
	assert_string_equal(buf, "B && S0 && S1 && S2 && S3 && S4 && S5 && S6 && S7 && S8 && S9 &");
	free(text);
	text = repeat("B", " || S#", 100000, "");
	assert_int_equal(vk_kconfig_parse_expr(f->kc, text, &e, buf, sizeof(buf)), 0);
	assert_true(e->depth <= 2 * 17 + 1);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(constructs, setup, teardown),
		cmocka_unit_test_setup_teardown(propagation, setup, teardown),
		cmocka_unit_test_setup_teardown(choices, setup, teardown),
		cmocka_unit_test_setup_teardown(reverse, setup, teardown),
		cmocka_unit_test_setup_teardown(multiple_definitions, setup, teardown),
		cmocka_unit_test_setup_teardown(sources, setup, teardown),
		cmocka_unit_test_setup_teardown(source_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(syntax_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(expressions, setup, teardown),
		cmocka_unit_test_setup_teardown(evaluation, setup, teardown),
		cmocka_unit_test_setup_teardown(modules_symbol, setup, teardown),
		cmocka_unit_test_setup_teardown(macros, setup, teardown),
		cmocka_unit_test_setup_teardown(recursive_simple_assignment, setup, teardown),
		cmocka_unit_test_setup_teardown(macro_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(depth_limits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
