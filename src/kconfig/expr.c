// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kconfig expressions: parsing (scripts/kconfig/parser.y's grammar),
 * tristate evaluation (expr.c's expr_calc_value) and printing.
 *
 *   expr := expr "||" expr | expr "&&" expr | "!" expr | "(" expr ")"
 *         | symbol [("=" | "!=" | "<" | "<=" | ">" | ">=") symbol]
 *
 * "!" binds tighter than the comparisons, which bind tighter than "&&",
 * which binds tighter than "||". Comparisons take symbols only, so
 * "!A = B" is "!(A = B)", as in the kernel.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shared/macro.h"
#include "internal.h"

static const char *const keywords[] = {
	"bool",		"boolean",    "choice",	 "comment",   "config",	  "def_bool",
	"def_tristate", "default",    "depends", "endchoice", "endif",	  "endmenu",
	"help",		"hex",	      "if",	 "imply",     "int",	  "mainmenu",
	"menu",		"menuconfig", "modules", "on",	      "optional", "prompt",
	"range",	"select",     "source",	 "string",    "tristate", "visible",
};

static bool is_keyword(const char *s)
{
	if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '-'))
		return false; /* symbols are upper case, keywords are not */
	for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
		if (streq(s, keywords[i]))
			return true;
	return false;
}

static _printf_(2, 3) struct vk_kexpr *parse_error(struct kparse *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return NULL;
}

const char *ktok_text(const struct ktoken *t)
{
	static const char *const ops[] = {
		[KT_EOL] = "end of line",
		[KT_NOT] = "!",
		[KT_AND] = "&&",
		[KT_OR] = "||",
		[KT_EQ] = "=",
		[KT_NE] = "!=",
		[KT_LT] = "<",
		[KT_LE] = "<=",
		[KT_GT] = ">",
		[KT_GE] = ">=",
		[KT_OPEN] = "(",
		[KT_CLOSE] = ")",
	};

	if (t->type == KT_WORD || t->type == KT_STRING)
		return t->s;
	return ops[t->type];
}

/* The depth of the deeper of l and r (either may be NULL). */
static unsigned int deeper(const struct vk_kexpr *l, const struct vk_kexpr *r)
{
	unsigned int a = l ? l->depth : 0, b = r ? r->depth : 0;

	return a > b ? a : b;
}

struct vk_kexpr *kexpr_new(struct vk_kconfig *kc, enum vk_kexpr_op op, struct vk_kexpr *l,
			   struct vk_kexpr *r)
{
	struct vk_kexpr *e = karena_alloc(&kc->arena, sizeof(*e));

	if (!e)
		return NULL;
	e->op = op;
	e->left = l;
	e->right = r;
	e->depth = 1 + deeper(l, r);
	return e;
}

/* l op r, a node the nodes are shared in: never changed after the parse. */
static int join(struct vk_kconfig *kc, enum vk_kexpr_op op, const struct vk_kexpr *l,
		const struct vk_kexpr *r, const struct vk_kexpr **out)
{
	if (deeper(l, r) >= VK_KEXPR_MAX_DEPTH)
		return -E2BIG;
	*out = kexpr_new(kc, op, (struct vk_kexpr *)l, (struct vk_kexpr *)r);
	return *out ? 0 : -ENOMEM;
}

int kexpr_and(struct vk_kconfig *kc, const struct vk_kexpr *l, const struct vk_kexpr *r,
	      const struct vk_kexpr **out)
{
	*out = l ? l : r;
	if (!l || !r || l == r)
		return 0;
	return join(kc, VK_KE_AND, l, r, out);
}

int kexpr_or(struct vk_kconfig *kc, const struct vk_kexpr *l, const struct vk_kexpr *r,
	     const struct vk_kexpr **out)
{
	*out = l;
	if (!l || !r) {
		*out = NULL;
		return 0;
	}
	if (l == r)
		return 0;
	return join(kc, VK_KE_OR, l, r, out);
}

static bool is_number(const char *s)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s[2])
		return strspn(s + 2, "0123456789abcdefABCDEF") == strlen(s + 2);
	if (*s == '-')
		s++;
	return *s && strspn(s, "0123456789") == strlen(s);
}

static bool is_tristate_const(const char *s)
{
	return (s[0] == 'y' || s[0] == 'm' || s[0] == 'n') && !s[1];
}

struct vk_kexpr *kexpr_symbol(struct kparse *p, const struct ktoken *t)
{
	struct vk_kexpr *e;
	bool sym;

	if (t->type != KT_WORD && t->type != KT_STRING)
		return parse_error(p, "expected a symbol, found '%s'", ktok_text(t));
	if (t->type == KT_WORD && is_keyword(t->s))
		return parse_error(p, "expected a symbol, found keyword '%s'", t->s);
	if (t->type == KT_WORD && !*t->s)
		return parse_error(p, "expected a symbol");
	sym = t->type == KT_WORD && !t->opaque && !is_tristate_const(t->s) && !is_number(t->s);
	e = kexpr_new(p->kc, sym ? VK_KE_SYMBOL : VK_KE_CONST, NULL, NULL);
	if (!e)
		return NULL;
	e->name = kintern_str(p->kc, t->s);
	if (!e->name)
		return NULL;
	if (sym && p->register_syms && !ksym_get(p->kc, e->name))
		return NULL;
	return e;
}

static struct vk_kexpr *parse_or(struct kparse *p);

static struct vk_kexpr *too_deep(struct kparse *p)
{
	return parse_error(p, "expression nested deeper than %d levels", VK_KEXPR_MAX_DEPTH);
}

static struct vk_kexpr *parse_unary(struct kparse *p)
{
	const struct ktoken *t = &p->tok[p->i];
	struct vk_kexpr *e, *r;
	enum vk_kexpr_op op;

	switch (t->type) {
	case KT_NOT:
	case KT_OPEN:
		/* Each level recurses here: bounded, whatever the input. */
		if (p->nest >= VK_KEXPR_MAX_DEPTH)
			return too_deep(p);
		p->i++;
		p->nest++;
		e = t->type == KT_NOT ? parse_unary(p) : parse_or(p);
		p->nest--;
		if (!e)
			return NULL;
		if (t->type == KT_NOT)
			return kexpr_new(p->kc, VK_KE_NOT, e, NULL);
		if (p->tok[p->i].type != KT_CLOSE)
			return parse_error(p, "expected ')', found '%s'", ktok_text(&p->tok[p->i]));
		p->i++;
		return e;
	default:
		break;
	}
	e = kexpr_symbol(p, t);
	if (!e)
		return NULL;
	p->i++;
	switch (p->tok[p->i].type) {
	case KT_EQ:
		op = VK_KE_EQ;
		break;
	case KT_NE:
		op = VK_KE_NE;
		break;
	case KT_LT:
		op = VK_KE_LT;
		break;
	case KT_LE:
		op = VK_KE_LE;
		break;
	case KT_GT:
		op = VK_KE_GT;
		break;
	case KT_GE:
		op = VK_KE_GE;
		break;
	default:
		return e;
	}
	p->i++;
	r = kexpr_symbol(p, &p->tok[p->i]);
	if (!r)
		return NULL;
	p->i++;
	return kexpr_new(p->kc, op, e, r);
}

/*
 * The operands of "A op B op C ...", joined into a balanced tree as they
 * come: a binary counter, whose bit k set in count means one entry that
 * holds 2^k operands (the largest first). A chain of any length is then
 * log2(length) deep; && and || are associative, so the value and the
 * printed text stay the same. Small: a frame of it per nesting level.
 */
struct chain {
	struct vk_kexpr *e[32]; /* a file of 16 MiB has fewer than 2^32 operands */
	uint32_t count;
	unsigned int n;
};

static bool chain_add(struct kparse *p, struct chain *c, enum vk_kexpr_op op, struct vk_kexpr *e)
{
	for (uint32_t k = c->count; k & 1; k >>= 1)
		if (!(e = kexpr_new(p->kc, op, c->e[--c->n], e)))
			return false;
	c->e[c->n++] = e;
	c->count++;
	return true;
}

static struct vk_kexpr *chain_end(struct kparse *p, struct chain *c, enum vk_kexpr_op op)
{
	struct vk_kexpr *e = c->e[--c->n];

	while (e && c->n)
		e = kexpr_new(p->kc, op, c->e[--c->n], e);
	return e;
}

/* Operands (parse_unary, or parse_and for ||) joined by op. */
static struct vk_kexpr *parse_chain(struct kparse *p, enum ktok tok, enum vk_kexpr_op op,
				    struct vk_kexpr *(*operand)(struct kparse *p))
{
	struct chain c = { .n = 0 };
	struct vk_kexpr *e;

	for (;;) {
		if (c.count == UINT32_MAX)
			return parse_error(p, "more than %u operands of '%s'", c.count,
					   ktok_text(&p->tok[p->i - 1]));
		e = operand(p);
		if (!e || !chain_add(p, &c, op, e))
			return NULL;
		if (p->tok[p->i].type != tok)
			return chain_end(p, &c, op);
		p->i++;
	}
}

static struct vk_kexpr *parse_and(struct kparse *p)
{
	return parse_chain(p, KT_AND, VK_KE_AND, parse_unary);
}

static struct vk_kexpr *parse_or(struct kparse *p)
{
	return parse_chain(p, KT_OR, VK_KE_OR, parse_and);
}

struct vk_kexpr *kexpr_parse(struct kparse *p)
{
	struct vk_kexpr *e;

	if (p->err && p->errlen)
		p->err[0] = '\0';
	p->nest = 0;
	e = parse_or(p);
	return e && e->depth > VK_KEXPR_MAX_DEPTH ? too_deep(p) : e;
}

/* ---- evaluation ---- */

static enum vk_tri tri_of(const char *v)
{
	if (!v)
		return VK_TRI_N;
	if (streq(v, "y"))
		return VK_TRI_Y;
	if (streq(v, "m"))
		return VK_TRI_M;
	return VK_TRI_N;
}

static const char *tri_name(enum vk_tri t)
{
	return t == VK_TRI_Y ? "y" : t == VK_TRI_M ? "m" : "n";
}

struct eval {
	const struct vk_kconfig *kc;
	vk_kvalue_fn value;
	void *userdata;
};

/* The type a symbol has; without a tree, what its value looks like. */
static enum vk_ktype sym_type(const struct eval *ev, const char *name)
{
	const struct ksym *s;
	const char *v;

	if (ev->kc) {
		s = ksym_lookup(ev->kc, name);
		return s ? s->pub.type : VK_KTYPE_UNKNOWN;
	}
	v = ev->value(name, ev->userdata);
	return !v || tri_of(v) != VK_TRI_N || streq(v, "n") ? VK_KTYPE_TRISTATE : VK_KTYPE_STRING;
}

static enum vk_tri sym_tri(const struct eval *ev, const char *name)
{
	enum vk_tri t;

	switch (sym_type(ev, name)) {
	case VK_KTYPE_BOOL:
		t = tri_of(ev->value(name, ev->userdata));
		return t == VK_TRI_N ? VK_TRI_N : VK_TRI_Y;
	case VK_KTYPE_TRISTATE:
		return tri_of(ev->value(name, ev->userdata));
	default:
		return VK_TRI_N;
	}
}

static bool modules_on(const struct eval *ev)
{
	const char *name = ev->kc && ev->kc->modules ? ev->kc->modules : "MODULES";

	return tri_of(ev->value(name, ev->userdata)) != VK_TRI_N;
}

/* An unquoted number is a symbol name to kconfig: one the tree defines
 * ("config 8272" on powerpc) has its own value. */
static bool number_symbol(const struct eval *ev, const struct vk_kexpr *e)
{
	const struct ksym *s;

	if (!ev->kc || !is_number(e->name))
		return false;
	s = ksym_lookup(ev->kc, e->name);
	return s && s->pub.file;
}

/* The string value of a comparison operand, and the type it compares as. */
static const char *operand(const struct eval *ev, const struct vk_kexpr *e, enum vk_ktype *type)
{
	const char *v;

	if (e->op == VK_KE_CONST && !number_symbol(ev, e)) {
		*type = is_tristate_const(e->name) ? VK_KTYPE_TRISTATE : VK_KTYPE_UNKNOWN;
		return e->name;
	}
	*type = sym_type(ev, e->name);
	switch (*type) {
	case VK_KTYPE_BOOL:
	case VK_KTYPE_TRISTATE:
		return tri_name(sym_tri(ev, e->name));
	case VK_KTYPE_STRING:
	case VK_KTYPE_INT:
	case VK_KTYPE_HEX:
		v = ev->value(e->name, ev->userdata);
		return v ? v : "";
	default:
		return e->name; /* a symbol nobody defines is its own name */
	}
}

enum num_kind { K_STRING, K_SIGNED, K_UNSIGNED };

union num {
	long long s;
	unsigned long long u;
};

/* scripts/kconfig/expr.c's expr_parse_string(). */
static enum num_kind parse_num(const char *str, enum vk_ktype type, union num *val)
{
	char *tail;
	enum num_kind kind;

	errno = 0;
	switch (type) {
	case VK_KTYPE_BOOL:
	case VK_KTYPE_TRISTATE:
		val->s = streq(str, "n") ? 0 : streq(str, "m") ? 1 : streq(str, "y") ? 2 : -1;
		return K_SIGNED;
	case VK_KTYPE_INT:
		val->s = strtoll(str, &tail, 10);
		kind = K_SIGNED;
		break;
	case VK_KTYPE_HEX:
		val->u = strtoull(str, &tail, 16);
		kind = K_UNSIGNED;
		break;
	default:
		val->s = strtoll(str, &tail, 0);
		kind = K_SIGNED;
		break;
	}
	return !errno && !*tail && tail > str && isxdigit((unsigned char)tail[-1]) ? kind
										   : K_STRING;
}

static enum vk_tri compare(const struct eval *ev, const struct vk_kexpr *e)
{
	enum vk_ktype t1, t2;
	const char *s1 = operand(ev, e->left, &t1), *s2 = operand(ev, e->right, &t2);
	enum num_kind k1 = K_STRING, k2 = K_STRING;
	union num v1 = { 0 }, v2 = { 0 };
	int res;

	if (t1 != VK_KTYPE_STRING || t2 != VK_KTYPE_STRING) {
		k1 = parse_num(s1, t1, &v1);
		k2 = parse_num(s2, t2, &v2);
	}
	if (k1 == K_STRING || k2 == K_STRING)
		res = strcmp(s1, s2);
	else if (k1 == K_UNSIGNED || k2 == K_UNSIGNED)
		res = (v1.u > v2.u) - (v1.u < v2.u);
	else
		res = (v1.s > v2.s) - (v1.s < v2.s);
	switch (e->op) {
	case VK_KE_EQ:
		return res == 0 ? VK_TRI_Y : VK_TRI_N;
	case VK_KE_NE:
		return res != 0 ? VK_TRI_Y : VK_TRI_N;
	case VK_KE_LT:
		return res < 0 ? VK_TRI_Y : VK_TRI_N;
	case VK_KE_LE:
		return res <= 0 ? VK_TRI_Y : VK_TRI_N;
	case VK_KE_GT:
		return res > 0 ? VK_TRI_Y : VK_TRI_N;
	case VK_KE_GE:
		return res >= 0 ? VK_TRI_Y : VK_TRI_N;
	default:
		return VK_TRI_N;
	}
}

static enum vk_tri eval(const struct eval *ev, const struct vk_kexpr *e)
{
	enum vk_tri l, r;

	switch (e->op) {
	case VK_KE_SYMBOL:
		return sym_tri(ev, e->name);
	case VK_KE_CONST:
		if (number_symbol(ev, e))
			return sym_tri(ev, e->name);
		if (streq(e->name, "y"))
			return VK_TRI_Y;
		if (streq(e->name, "m"))
			return modules_on(ev) ? VK_TRI_M : VK_TRI_N;
		return VK_TRI_N;
	case VK_KE_NOT:
		return VK_TRI_Y - eval(ev, e->left);
	case VK_KE_AND:
		l = eval(ev, e->left);
		if (l == VK_TRI_N)
			return VK_TRI_N;
		r = eval(ev, e->right);
		return l < r ? l : r;
	case VK_KE_OR:
		l = eval(ev, e->left);
		if (l == VK_TRI_Y)
			return VK_TRI_Y;
		r = eval(ev, e->right);
		return l > r ? l : r;
	default:
		return compare(ev, e);
	}
}

enum vk_tri vk_kexpr_eval(const struct vk_kconfig *kc, const struct vk_kexpr *e, vk_kvalue_fn value,
			  void *userdata)
{
	struct eval ev = { .kc = kc, .value = value, .userdata = userdata };

	return e ? eval(&ev, e) : VK_TRI_Y;
}

/* ---- printing ---- */

struct out {
	char *buf;
	size_t size, n;
};

static void put(struct out *o, const char *s)
{
	size_t len = strlen(s);

	if (o->n + 1 < o->size) {
		size_t room = o->size - 1 - o->n;
		size_t k = len < room ? len : room;

		memcpy(o->buf + o->n, s, k);
		o->buf[o->n + k] = '\0';
	}
	o->n += len;
}

static int prec(const struct vk_kexpr *e)
{
	switch (e->op) {
	case VK_KE_OR:
		return 1;
	case VK_KE_AND:
		return 2;
	case VK_KE_SYMBOL:
	case VK_KE_CONST:
	case VK_KE_NOT:
		return 5;
	default:
		return 4; /* comparisons */
	}
}

static void format(struct out *o, const struct vk_kexpr *e, int ctx)
{
	static const char *const cmp[] = {
		[VK_KE_EQ] = " = ",  [VK_KE_NE] = " != ", [VK_KE_LT] = " < ",
		[VK_KE_LE] = " <= ", [VK_KE_GT] = " > ",  [VK_KE_GE] = " >= ",
	};
	bool paren = prec(e) < ctx;

	if (o->n >= o->size)
		return; /* the buffer is full: the rest would not show */
	if (paren)
		put(o, "(");
	switch (e->op) {
	case VK_KE_SYMBOL:
		put(o, e->name);
		break;
	case VK_KE_CONST:
		if (is_tristate_const(e->name) || is_number(e->name) ||
		    (e->name[0] == '$' && e->name[1] == '(')) {
			put(o, e->name);
		} else {
			put(o, "\"");
			for (const char *c = e->name; *c; c++) {
				char ch[3] = { '\\', *c, '\0' };

				put(o, (*c == '"' || *c == '\\') ? ch : ch + 1);
			}
			put(o, "\"");
		}
		break;
	case VK_KE_NOT:
		put(o, "!");
		format(o, e->left, 5);
		break;
	case VK_KE_AND:
		format(o, e->left, 2);
		put(o, " && ");
		format(o, e->right, 2);
		break;
	case VK_KE_OR:
		format(o, e->left, 1);
		put(o, " || ");
		format(o, e->right, 1);
		break;
	default:
		format(o, e->left, 5);
		put(o, cmp[e->op]);
		format(o, e->right, 5);
		break;
	}
	if (paren)
		put(o, ")");
}

void vk_kexpr_format(const struct vk_kexpr *e, char *buf, size_t size)
{
	struct out o = { .buf = buf, .size = size };

	if (!size)
		return;
	buf[0] = '\0';
	format(&o, e ? e : &(struct vk_kexpr){ .op = VK_KE_CONST, .name = "y" }, 0);
}
