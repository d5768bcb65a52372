/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The target kernel's Kconfig tree: every symbol with its type, where it is
 * defined, whether the user can set it (a prompt), what it depends on, who
 * selects or implies it and which choice it belongs to; and tristate
 * evaluation of Kconfig expressions against a .config's values.
 *
 * It reads the language as scripts/kconfig does (source, rsource, osource,
 * menu, if, choice, config, menuconfig, types, prompts with "if", depends
 * on, select, imply, default, def_bool, def_tristate, visible if, help),
 * but evaluates nothing at load time: the kernel's own "make olddefconfig"
 * stays the authority on final values.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum vk_ktype {
	VK_KTYPE_UNKNOWN, /* referenced, never given a type */
	VK_KTYPE_BOOL,
	VK_KTYPE_TRISTATE,
	VK_KTYPE_STRING,
	VK_KTYPE_INT,
	VK_KTYPE_HEX,
};

enum vk_tri {
	VK_TRI_N = 0,
	VK_TRI_M = 1,
	VK_TRI_Y = 2,
};

enum vk_kexpr_op {
	VK_KE_SYMBOL, /* name: a symbol */
	VK_KE_CONST,  /* name: a literal: y, m, n, a number, a string */
	VK_KE_NOT,    /* !left */
	VK_KE_AND,    /* left && right */
	VK_KE_OR,     /* left || right */
	VK_KE_EQ,     /* left = right (both SYMBOL or CONST) */
	VK_KE_NE,
	VK_KE_LT,
	VK_KE_LE,
	VK_KE_GT,
	VK_KE_GE,
};

struct vk_kexpr {
	enum vk_kexpr_op op;
	struct vk_kexpr *left, *right;
	const char *name;   /* VK_KE_SYMBOL and VK_KE_CONST */
	unsigned int depth; /* 1 for a leaf; never more than VK_KEXPR_MAX_DEPTH */
};

/* How deep an expression may nest, conditions of the if blocks around it
 * included: what evaluating and printing one may recurse. A chain of one
 * operator ("A && B && C ...") is kept shallow, however long. */
#define VK_KEXPR_MAX_DEPTH 4096

struct vk_ksym;

/* "select SYM if COND" or "imply SYM if COND", seen from SYM. */
struct vk_krev {
	const struct vk_ksym *by;    /* the symbol whose block has the select */
	const struct vk_kexpr *cond; /* its "if", NULL for none */
	const char *file;
	unsigned int line;
};

struct vk_kchoice {
	const char *prompt;
	const char *file;
	unsigned int line;
	const struct vk_ksym **members; /* in order of definition */
	size_t n_members;
	const struct vk_kexpr *depends; /* NULL: none */
};

struct vk_ksym {
	const char *name; /* without CONFIG_ */
	enum vk_ktype type;
	/* First definition, relative to the tree; NULL (line 0) for a
	 * symbol that is only named (in depends on, select, ...), never
	 * defined: another architecture's, or one this tree does not have. */
	const char *file;
	unsigned int line;
	bool has_prompt; /* some definition has a prompt: the user can set it */
	/* Visibility of the prompt ("prompt ... if", "visible if" of the menus
	 * around it), ANDed with depends; NULL when always visible or when
	 * there is no prompt. */
	const struct vk_kexpr *visible;
	/* Direct dependencies: "depends on" ANDed with the enclosing if, menu
	 * and choice dependencies; several definitions are ORed, as kconfig
	 * does. NULL: none. */
	const struct vk_kexpr *depends;
	const struct vk_krev *selected_by;
	size_t n_selected_by;
	const struct vk_krev *implied_by;
	size_t n_implied_by;
	const struct vk_kchoice *choice; /* NULL unless a choice member */
};

struct vk_kconfig;

/*
 * Read srctree/Kconfig (srctree/Kconfig missing: -ENOENT). srcarch is
 * what $(SRCARCH) expands to ("x86"); other $(VAR) come from the
 * environment as in the kernel's Makefile ($(ARCH) is srcarch when the
 * environment has none), and macro functions such as $(shell,...) in
 * values are not run: they stay in expressions as constants. On a syntax
 * error or a missing sourced file, returns -EINVAL with "file:line: what"
 * in err (file relative to srctree).
 */
int vk_kconfig_load(const char *srctree, const char *srcarch, struct vk_kconfig **out, char *err,
		    size_t errlen);
void vk_kconfig_free(struct vk_kconfig *kc);

const struct vk_ksym *vk_kconfig_find(const struct vk_kconfig *kc, const char *name);
/* The symbol when this tree defines it (a config or menuconfig block),
 * else NULL: vk_kconfig_find() also returns symbols that are only named. */
const struct vk_ksym *vk_kconfig_defined(const struct vk_kconfig *kc, const char *name);
size_t vk_kconfig_n_syms(const struct vk_kconfig *kc);
const struct vk_ksym *vk_kconfig_sym(const struct vk_kconfig *kc, size_t i);
/* The number of distinct files read (osource of a missing file: none). */
size_t vk_kconfig_n_files(const struct vk_kconfig *kc);
size_t vk_kconfig_n_choices(const struct vk_kconfig *kc);
const struct vk_kchoice *vk_kconfig_choice(const struct vk_kconfig *kc, size_t i);
/* The symbol marked "modules" (option modules in older trees), or
 * "MODULES" when none is. */
const char *vk_kconfig_modules(const struct vk_kconfig *kc);

/* Parse text as a Kconfig expression ("VFIO_PCI && !VFIO_PCI_VGA"),
 * kept with kc and freed with it. Symbols it names are not added to the
 * tree. -EINVAL with the reason in err for a syntax error. */
int vk_kconfig_parse_expr(struct vk_kconfig *kc, const char *text, const struct vk_kexpr **out,
			  char *err, size_t errlen);

/* The value a .config gives a symbol: "y", "m", a number or a string
 * without quotes; NULL when it is unset ("is not set" or absent). */
typedef const char *(*vk_kvalue_fn)(const char *name, void *userdata);

/*
 * Evaluate e as kconfig does: an unset bool/tristate is n, "m" is m only
 * for tristate symbols (a bool at m counts as y), comparisons give y or n.
 * NULL e is y.
 *
 * - A symbol of type string, int or hex, or one the tree does not define,
 *   is n as an operand of !, && and ||. In comparisons a bool/tristate
 *   compares as n < m < y; otherwise both sides compare as numbers (int
 *   as decimal, hex as hex) when both read as numbers, unless both are
 *   string symbols, and as strings if not. An unset int/hex/string is
 *   the empty string; a symbol the tree does not define is its own name,
 *   as an unquoted number is.
 * - The constant m is m only when the modules symbol (see
 *   vk_kconfig_modules()) is set, and n otherwise: kconfig rewrites every
 *   bare m in a dependency to "m && MODULES". Inside a comparison
 *   ("FOO = m") it is only the string m.
 * - !m is m; && is the minimum and || the maximum (n < m < y).
 * - An unexpanded macro call (a constant "$(cc-option,...)") is n: its
 *   result depends on the toolchain, which the .config records in the
 *   symbols that use it.
 * - The values are taken as the callback gives them: a tristate at m
 *   stays m even when modules are off.
 * kc may be NULL: every symbol is then a tristate, or a string when its
 * value is neither y, m nor n.
 */
enum vk_tri vk_kexpr_eval(const struct vk_kconfig *kc, const struct vk_kexpr *e, vk_kvalue_fn value,
			  void *userdata);

/* e in Kconfig syntax ("PCI && (X86 || ARM64)"), minimal parentheses. */
void vk_kexpr_format(const struct vk_kexpr *e, char *buf, size_t size);
