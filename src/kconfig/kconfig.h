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
	const char *name; /* VK_KE_SYMBOL and VK_KE_CONST */
};

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
	const char *file; /* first definition, relative to the tree */
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
 * environment as in the kernel's Makefile, and macro functions such as
 * $(shell,...) in values are not run. On a syntax error, returns -EINVAL
 * with "file:line: what" in err.
 */
int vk_kconfig_load(const char *srctree, const char *srcarch, struct vk_kconfig **out, char *err,
		    size_t errlen);
void vk_kconfig_free(struct vk_kconfig *kc);

const struct vk_ksym *vk_kconfig_find(const struct vk_kconfig *kc, const char *name);
size_t vk_kconfig_n_syms(const struct vk_kconfig *kc);
const struct vk_ksym *vk_kconfig_sym(const struct vk_kconfig *kc, size_t i);
size_t vk_kconfig_n_files(const struct vk_kconfig *kc);

/* The value a .config gives a symbol: "y", "m", a number or a string
 * without quotes; NULL when it is unset ("is not set" or absent). */
typedef const char *(*vk_kvalue_fn)(const char *name, void *userdata);

/* Evaluate e as kconfig does: an unset bool/tristate is n, "m" is m only
 * for tristate symbols (a bool at m counts as y), comparisons give y or n.
 * NULL e is y. */
enum vk_tri vk_kexpr_eval(const struct vk_kconfig *kc, const struct vk_kexpr *e, vk_kvalue_fn value,
			  void *userdata);

/* e in Kconfig syntax ("PCI && (X86 || ARM64)"), minimal parentheses. */
void vk_kexpr_format(const struct vk_kexpr *e, char *buf, size_t size);
