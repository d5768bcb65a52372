// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shared/macro.h"
#include "../shared/system.h"
#include "explain.h"

#define MAX_DEPTH 4

const char *vk_explain_value(const char *name, void *userdata)
{
	return vk_dotconfig_value(userdata, name);
}

static enum vk_tri eval(const struct vk_explain *e, const struct vk_kexpr *x)
{
	return vk_kexpr_eval(e->kc, x, vk_explain_value, (void *)e->config);
}

/* One explanation being written: where to, and the symbols already
 * explained in it (a chain names each cause once). */
struct walk {
	const struct vk_explain *e;
	FILE *out;
	const char *seen[64]; /* explained, with their own causes */
	size_t n_seen;
};

/* One list of causes being written: separators, and the symbols it names
 * ("PCI && PCI", a dependency inherited twice, names it once). */
struct list {
	bool first;
	const char *names[16];
	size_t n;
};

static bool seen(struct walk *w, const char *name)
{
	for (size_t i = 0; i < w->n_seen; i++)
		if (streq(w->seen[i], name))
			return true;
	if (w->n_seen < ARRAY_SIZE(w->seen))
		w->seen[w->n_seen++] = name;
	return false;
}

static void why_sym(struct walk *w, const struct vk_ksym *s, int depth);

/*
 * The leaves of x that keep it below want: for AND each operand below
 * want, for OR every operand (any one would do), for NOT the symbol that
 * is set, for a comparison the symbols in it.
 */
static void leaves(struct walk *w, const struct vk_kexpr *x, enum vk_tri want, int depth,
		   struct list *l)
{
	const struct vk_explain *e = w->e;
	FILE *out = w->out;
	const struct vk_ksym *s;

	if (!x || eval(e, x) >= want)
		return;
	switch (x->op) {
	case VK_KE_AND:
	case VK_KE_OR:
		leaves(w, x->left, want, depth, l);
		leaves(w, x->right, want, depth, l);
		return;
	case VK_KE_SYMBOL:
		for (size_t i = 0; i < l->n; i++)
			if (streq(l->names[i], x->name))
				return;
		if (l->n < ARRAY_SIZE(l->names))
			l->names[l->n++] = x->name;
		s = vk_kconfig_find(e->kc, x->name);
		fprintf(out, "%sCONFIG_%s is %s", l->first ? "" : "; ", x->name,
			vk_explain_value(x->name, (void *)e->config) ?: "not set");
		l->first = false;
		if (s && depth < MAX_DEPTH && !seen(w, s->name))
			why_sym(w, s, depth + 1);
		return;
	case VK_KE_NOT: {
		char buf[256];

		vk_kexpr_format(x->left, buf, sizeof(buf));
		fprintf(out, "%s%s is set", l->first ? "" : "; ", buf);
		l->first = false;
		return;
	}
	default: {
		char buf[256];

		vk_kexpr_format(x, buf, sizeof(buf));
		fprintf(out, "%s%s is false", l->first ? "" : "; ", buf);
		l->first = false;
		return;
	}
	}
}

static void list_revs(FILE *out, const struct vk_krev *revs, size_t n)
{
	for (size_t i = 0; i < n && i < 6; i++)
		fprintf(out, "%sCONFIG_%s", i ? ", " : "", revs[i].by->name);
	if (n > 6)
		fprintf(out, " and %zu more", n - 6);
}

/* Why s (found n or m among the blockers) is what it is, in parentheses. */
static void why_sym(struct walk *w, const struct vk_ksym *s, int depth)
{
	const struct vk_explain *e = w->e;
	FILE *out = w->out;
	struct list causes = { .first = true };
	char buf[512];

	if (s->depends && eval(e, s->depends) == VK_TRI_N) {
		vk_kexpr_format(s->depends, buf, sizeof(buf));
		fprintf(out, " (it depends on %s: ", buf);
		leaves(w, s->depends, VK_TRI_M, depth, &causes);
		fputc(')', out);
	} else if (!s->has_prompt) {
		fputs(" (it has no prompt", out);
		if (s->n_selected_by) {
			fputs("; selected by ", out);
			list_revs(out, s->selected_by, s->n_selected_by);
		}
		fputc(')', out);
	} else if (s->visible && eval(e, s->visible) == VK_TRI_N) {
		vk_kexpr_format(s->visible, buf, sizeof(buf));
		fprintf(out, " (its prompt shows only if %s)", buf);
	} else if (!vk_explain_value(s->name, (void *)e->config)) {
		fprintf(out, " (set CONFIG_%s=y)", s->name);
	}
}

char *vk_explain_blockers(const struct vk_explain *e, const struct vk_ksym *sym)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct walk w = { .e = e, .out = out };
	struct list causes = { .first = true };

	if (!out)
		return NULL;
	leaves(&w, sym->depends, VK_TRI_Y, 0, &causes);
	if (causes.first && !sym->has_prompt && sym->n_selected_by) {
		fputs("it has no prompt; selected by ", out);
		list_revs(out, sym->selected_by, sym->n_selected_by);
	}
	if (fclose(out) != 0)
		return NULL;
	return text;
}

static void unknown(const struct vk_explain *e, FILE *out, const struct vk_request *r)
{
	const struct vk_symnote *n = e->idx ? vk_profiles_note(e->idx, r->sym) : NULL;

	fprintf(out, "no such symbol in this kernel (%s)",
		e->version ? e->version : "its version unknown");
	if (n && n->note)
		fprintf(out, ": %s", n->note);
	else if (n && n->removed && e->version && vk_kver_cmp(e->version, n->removed) >= 0)
		fprintf(out, ": removed in %s", n->removed);
	for (size_t i = 0; n && e->kc && i < n->n_alternatives; i++)
		if (vk_kconfig_defined(e->kc, n->alternatives[i])) {
			fprintf(out, "; this tree has CONFIG_%s instead", n->alternatives[i]);
			break;
		}
}

/* A member of sym's choice other than sym that is y, or NULL. */
static const struct vk_ksym *choice_winner(const struct vk_explain *e, const struct vk_ksym *sym)
{
	for (size_t i = 0; sym->choice && i < sym->choice->n_members; i++) {
		const struct vk_ksym *m = sym->choice->members[i];
		const char *v = vk_explain_value(m->name, (void *)e->config);

		if (m != sym && v && streq(v, "y"))
			return m;
	}
	return NULL;
}

/* Symbols that select sym and are on (with their select's condition),
 * printed to out unless it is NULL; returns how many. */
static size_t active_selectors(const struct vk_explain *e, FILE *out, const struct vk_ksym *sym)
{
	size_t n = 0;

	for (size_t i = 0; i < sym->n_selected_by; i++) {
		const struct vk_krev *rv = &sym->selected_by[i];
		const char *v = vk_explain_value(rv->by->name, (void *)e->config);

		if (!v || (rv->cond && eval(e, rv->cond) == VK_TRI_N))
			continue;
		if (out)
			fprintf(out, "%sCONFIG_%s=%s (%s:%u)", n ? ", " : "", rv->by->name, v,
				rv->file, rv->line);
		n++;
	}
	return n;
}

static void explain(const struct vk_explain *e, FILE *out, const struct vk_request *r)
{
	const struct vk_ksym *sym = vk_kconfig_defined(e->kc, r->sym), *winner;
	const char *final = vk_explain_value(r->sym, (void *)e->config);
	bool want_on = streq(r->value, "y") || streq(r->value, "m");
	struct walk w = { .e = e, .out = out };
	struct list causes = { .first = true };
	char buf[512];
	enum vk_tri dep;

	if (!sym) {
		unknown(e, out, r);
		return;
	}
	if (streq(r->value, "m") && sym->type == VK_KTYPE_BOOL) {
		fputs("m asked for a bool: it can only be y or n; ask for y", out);
		return;
	}
	if (want_on && (winner = choice_winner(e, sym))) {
		fprintf(out,
			"another member of the choice \"%s\" won: CONFIG_%s=y; a choice takes one "
			"member, ask for one only",
			sym->choice->prompt ? sym->choice->prompt : "", winner->name);
		return;
	}
	if (want_on && !sym->has_prompt) {
		fputs("it has no prompt and cannot be set directly", out);
		if (sym->n_selected_by) {
			fputs("; ask for a symbol that selects it: ", out);
			list_revs(out, sym->selected_by, sym->n_selected_by);
		}
		return;
	}
	dep = eval(e, sym->depends);
	if (want_on && dep == VK_TRI_N) {
		vk_kexpr_format(sym->depends, buf, sizeof(buf));
		fprintf(out, "depends on %s, which is n: ", buf);
		leaves(&w, sym->depends, VK_TRI_M, 0, &causes);
		return;
	}
	if (streq(r->value, "y") && dep == VK_TRI_M) {
		vk_kexpr_format(sym->depends, buf, sizeof(buf));
		fprintf(out, "capped at m: it depends on %s, and ", buf);
		leaves(&w, sym->depends, VK_TRI_Y, MAX_DEPTH, &causes);
		fputs("; make that y, or ask for m", out);
		return;
	}
	if (want_on && sym->visible && eval(e, sym->visible) == VK_TRI_N) {
		vk_kexpr_format(sym->visible, buf, sizeof(buf));
		fprintf(out, "its prompt shows only if %s: ", buf);
		leaves(&w, sym->visible, VK_TRI_M, 0, &causes);
		return;
	}
	if (streq(r->value, "m") && final && streq(final, "y") &&
	    !streq(vk_explain_value(vk_kconfig_modules(e->kc), (void *)e->config) ?: "n", "y")) {
		fprintf(out,
			"modules are off (CONFIG_%s is not set), so m became y; set CONFIG_%s=y "
			"for a module",
			vk_kconfig_modules(e->kc), vk_kconfig_modules(e->kc));
		return;
	}
	if (!want_on && final && active_selectors(e, NULL, sym)) {
		fprintf(out, "it is %s because it is selected by ", final);
		active_selectors(e, out, sym);
		fputs("; turn those off to turn it off", out);
		return;
	}
	if (!want_on && final && sym->visible && eval(e, sym->visible) == VK_TRI_N) {
		vk_kexpr_format(sym->visible, buf, sizeof(buf));
		fprintf(out, "its prompt shows only if %s, so its default (%s) applies: ", buf,
			final);
		leaves(&w, sym->visible, VK_TRI_M, 0, &causes);
		return;
	}
	if (!want_on && final && !sym->has_prompt) {
		fprintf(out, "it has no prompt, so its default (%s) applies", final);
		return;
	}
	fprintf(out, "kconfig made it %s (a default, a select or a range won)",
		final ? final : "not set");
}

char *vk_explain_request(const struct vk_explain *e, const struct vk_request *r)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	if (e->kc)
		explain(e, out, r);
	else
		fputs("no kernel tree to explain it from", out);
	if (fclose(out) != 0)
		return NULL;
	return text;
}
