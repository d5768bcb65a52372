// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/system.h"
#include "cpu.h"
#include "plan.h"

/* AMD's Zen generations by family and model, as the kernel's
 * arch/x86/kernel/cpu/amd.c (bsp_init_amd) sorts them; Hygon's family
 * 18h is a Zen. */
static const struct {
	unsigned int family, first, last, gen;
} zen_models[] = {
	{ 0x17, 0x00, 0x2f, 1 }, { 0x17, 0x50, 0x5f, 1 }, { 0x17, 0x30, 0x4f, 2 },
	{ 0x17, 0x60, 0x7f, 2 }, { 0x17, 0x90, 0x91, 2 }, { 0x17, 0xa0, 0xaf, 2 },
	{ 0x18, 0x00, 0xff, 1 }, { 0x19, 0x00, 0x0f, 3 }, { 0x19, 0x20, 0x5f, 3 },
	{ 0x19, 0x10, 0x1f, 4 }, { 0x19, 0x60, 0xaf, 4 }, { 0x1a, 0x00, 0x2f, 5 },
	{ 0x1a, 0x40, 0x4f, 5 }, { 0x1a, 0x60, 0x7f, 5 },
};

int vk_zen_generation(unsigned int family, unsigned int model)
{
	if (family < 0x17)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(zen_models); i++)
		if (zen_models[i].family == family && model >= zen_models[i].first &&
		    model <= zen_models[i].last)
			return (int)zen_models[i].gen;
	return -1;
}

/* The generation a help or prompt line names ("Family 19h Zen 3
 * processors", "AMD Zen"), or 0 for a line that names none. */
static unsigned int zen_in(const char *line)
{
	for (const char *p = strstr(line, "Zen"); p; p = strstr(p + 1, "Zen")) {
		const char *q = p + 3;

		if (p > line && isalnum((unsigned char)p[-1]))
			continue;
		if (*q == ' ' && isdigit((unsigned char)q[1]))
			return (unsigned int)(q[1] - '0');
		if (!isalnum((unsigned char)*q))
			return 1;
	}
	return 0;
}

/* "MZEN", "MZEN2", ...: the patch's Zen members. */
static bool zen_member(const char *sym)
{
	return !strncmp(sym, "MZEN", 4) && strspn(sym + 4, "0123456789") == strlen(sym + 4);
}

void vk_zen_choice_scan(const char *text, struct vk_zen_choice *z)
{
	char cur[32] = "", dflt[64] = "";
	bool in_choice = false, zen_choice = false;

	memset(z, 0, sizeof(*z));
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512], a[64], b[64], c[64];
		const char *t;

		snprintf(line, sizeof(line), "%.*s",
			 (int)(len < sizeof(line) ? len : sizeof(line) - 1), p);
		p = nl ? nl + 1 : NULL;
		t = line + strspn(line, " \t");
		if (t == line) { /* a keyword at the start of the line */
			if (sscanf(line, "config %31s", cur) == 1)
				continue;
			cur[0] = '\0';
			if (!strncmp(line, "choice", 6) && !line[6 + strspn(line + 6, " \t")]) {
				in_choice = true;
				zen_choice = false;
				dflt[0] = '\0';
			} else if (!strncmp(line, "endchoice", 9)) {
				if (zen_choice)
					snprintf(z->dflt, sizeof(z->dflt), "%s", dflt);
				in_choice = false;
			}
			continue;
		}
		/* The choice's own default for x86_64, before its first member. */
		if (in_choice && !*cur) {
			int n = sscanf(t, "default %63s %63s %63s", a, b, c);

			if (n == 1 || (n == 3 && streq(b, "if") && streq(c, "X86_64")))
				snprintf(dflt, sizeof(dflt), "%s", a);
			continue;
		}
		if (!*cur || !zen_member(cur) || !zen_in(t))
			continue;
		zen_choice |= in_choice;
		if (z->n < VK_ZEN_MAX_MEMBERS && (!z->n || !streq(z->members[z->n - 1].sym, cur))) {
			snprintf(z->members[z->n].sym, sizeof(z->members[z->n].sym), "%s", cur);
			z->members[z->n++].gen = zen_in(t);
		}
	}
}

static const char *base_value(const char *name, void *data)
{
	return vk_dotconfig_value(data, name);
}

/* The member of sym's choice that base sets, or NULL. */
static const char *chosen(const struct vk_ksym *sym, const struct vk_dotconfig *base)
{
	const char *v = vk_dotconfig_value(base, "X86_NATIVE_CPU");

	if (v && streq(v, "y"))
		return "X86_NATIVE_CPU";
	for (size_t i = 0; sym && sym->choice && i < sym->choice->n_members; i++) {
		v = vk_dotconfig_value(base, sym->choice->members[i]->name);
		if (v && streq(v, "y"))
			return sym->choice->members[i]->name;
	}
	return NULL;
}

/* Does the tree define member i, with its dependencies met by base? */
static bool member_fits(const struct vk_kconfig_run *run, const struct vk_zen_choice *z, size_t i,
			const struct vk_dotconfig *base)
{
	const struct vk_ksym *m = vk_kconfig_defined(run->kc, z->members[i].sym);

	return m && vk_kexpr_eval(run->kc, m->depends, base_value, (void *)base) == VK_TRI_Y;
}

#define NOTE(run, ...) vk_notes_add(&(run)->notes, VK_NOTE_NOTICE, __VA_ARGS__)

int vk_kconfig_cpu_choose(const struct vk_ctx *ctx, struct vk_kconfig_run *run,
			  const struct vk_dotconfig *base, bool to_write)
{
	_cleanup_free_ char *kcpu = NULL, *text = NULL, *frag = NULL, *name = NULL;
	const char *vendor = vk_cpu_vendor(ctx), *have;
	unsigned int family = 0, model = 0;
	struct vk_zen_choice z;
	const struct vk_ksym *sym;
	size_t len = 0, pick = SIZE_MAX;
	bool unset;
	char err[512];
	int gen, r;

	if (!vendor || vk_cpu_family_model(ctx, &family, &model) < 0)
		return NOTE(run,
			    "cpu-zen: %s/proc/cpuinfo names no vendor, family and model: the "
			    "processor family is left as it is",
			    ctx->prefix);
	if (!streq(vendor, "amd"))
		return NOTE(run,
			    "cpu-zen: this is not an AMD processor (%s/proc/cpuinfo): the "
			    "processor family is left as it is",
			    ctx->prefix);
	gen = vk_zen_generation(family, model);
	if (gen <= 0)
		return NOTE(run,
			    "cpu-zen: AMD family %02xh model %02xh is %s: the processor "
			    "family is left as it is",
			    family, model, gen ? "not a Zen vfiokit knows" : "older than Zen");
	if (!run->kc || asprintf(&kcpu, "%s/arch/x86/Kconfig.cpu", run->kdir) < 0 ||
	    vk_kconfig_read(kcpu, &text, &len) < 0)
		memset(&z, 0, sizeof(z));
	else
		vk_zen_choice_scan(text, &z);
	if (!run->kc)
		return NOTE(run,
			    "cpu-zen: no kernel tree at %s to read the AMD Zen members "
			    "(MZEN..MZEN5) from; they come with gentoo-sources built with "
			    "USE=experimental: the processor family is left as it is",
			    run->kdir ? run->kdir : VK_PATH_KERNEL_SRC);
	if (!z.n)
		return NOTE(run,
			    "cpu-zen: %s has no AMD Zen members (MZEN..MZEN5): they come with "
			    "gentoo-sources built with USE=experimental (its CPU optimisation "
			    "patch); the processor family is left as it is",
			    kcpu);
	sym = vk_kconfig_defined(run->kc, z.members[0].sym);
	have = chosen(sym, base);
	if (have && !streq(have, z.dflt))
		return NOTE(run,
			    "cpu-zen: the processor family is chosen already (CONFIG_%s=y): "
			    "kept",
			    have);
	/* The newest member not newer than the CPU that this compiler builds;
	 * the newer ones it leaves out are said. */
	for (size_t i = 0; i < z.n; i++)
		if (z.members[i].gen <= (unsigned int)gen && member_fits(run, &z, i, base) &&
		    (pick == SIZE_MAX || z.members[i].gen > z.members[pick].gen))
			pick = i;
	for (size_t i = 0; i < z.n; i++) {
		const struct vk_ksym *m = vk_kconfig_defined(run->kc, z.members[i].sym);
		char dep[256];

		if (z.members[i].gen > (unsigned int)gen || member_fits(run, &z, i, base) ||
		    (pick != SIZE_MAX && z.members[i].gen <= z.members[pick].gen))
			continue;
		vk_kexpr_format(m->depends, dep, sizeof(dep));
		NOTE(run,
		     "cpu-zen: CONFIG_%s (Zen %u) needs %s, which this .config (its compiler) "
		     "does not meet",
		     z.members[i].sym, z.members[i].gen, dep);
	}
	if (pick == SIZE_MAX)
		return NOTE(run,
			    "cpu-zen: no Zen member of %s fits this Zen %d and compiler: the "
			    "processor family is left as it is",
			    kcpu, gen);
	/* kconfig keeps the last member a file sets: unset the default. */
	unset = to_write && have;
	if (asprintf(&name, "cpu-zen (AMD family %02xh model %02xh, Zen %d)", family, model, gen) <
		    0 ||
	    asprintf(&frag, "CONFIG_%s=y\n%s%s%s", z.members[pick].sym, unset ? "# CONFIG_" : "",
		     unset ? have : "", unset ? " is not set\n" : "") < 0 ||
	    run->n_frags >= ARRAY_SIZE(run->frags))
		return -ENOMEM;
	r = vk_dotconfig_parse(name, frag, strlen(frag), true, &run->frags[run->n_frags], err,
			       sizeof(err));
	run->n_frags++;
	if (r == 0)
		r = vk_requests_add(&run->reqs, &run->frags[run->n_frags - 1]);
	if (r == 0)
		r = vk_notes_add(&run->notes, VK_NOTE_INFO,
				 "cpu-zen: AMD family %02xh model %02xh is a Zen %d: CONFIG_%s=y "
				 "(%s)",
				 family, model, gen, z.members[pick].sym, kcpu);
	return r < 0 ? -ENOMEM : 0;
}
