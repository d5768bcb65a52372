// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "../shared/macro.h"
#include "profiles.h"

static const char *get_str(const config_setting_t *s, const char *key)
{
	const char *v = NULL;

	config_setting_lookup_string(s, key, &v);
	return v;
}

static bool get_bool(const config_setting_t *s, const char *key, bool dflt)
{
	int v = dflt;

	config_setting_lookup_bool(s, key, &v);
	return v;
}

static int entry_error(const config_setting_t *s, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s:%u: %s", config_setting_source_file(s),
		 config_setting_source_line(s), what);
	return -EINVAL;
}

static int load_profiles(struct vk_profiles *p, const config_t *cfg, char *err, size_t errlen)
{
	const config_setting_t *list = config_lookup(cfg, "profiles");
	int n = list ? config_setting_length(list) : 0;

	p->profiles = calloc(n ? (size_t)n : 1, sizeof(*p->profiles));
	if (!p->profiles)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned int)i);
		struct vk_profile *pr = &p->profiles[p->n_profiles++];
		const char *of;

		pr->name = get_str(e, "name");
		pr->file = get_str(e, "file");
		pr->vendor = get_str(e, "vendor");
		pr->about = get_str(e, "about");
		if (!pr->name || !pr->file)
			return entry_error(e, "a profile needs a name and a file", err, errlen);
		of = get_str(e, "vendor_of");
		if (of && !streq(of, "cpu") && !streq(of, "iommu"))
			return entry_error(e, "vendor_of is \"cpu\" or \"iommu\"", err, errlen);
		pr->iommu = of && streq(of, "iommu");
		if (!pr->vendor)
			pr->vendor = "any";
		pr->in_auto = get_bool(e, "auto", true);
		pr->per_cpu = get_bool(e, "per_cpu", false);
	}
	return 0;
}

bool vk_profile_applies(const struct vk_profile *p, const char *cpu, const char *iommu)
{
	const char *vendor = p->iommu ? iommu : cpu;

	return streq(p->vendor, "any") || (vendor && streq(p->vendor, vendor));
}

static int load_notes(struct vk_profiles *p, const config_t *cfg, char *err, size_t errlen)
{
	const config_setting_t *list = config_lookup(cfg, "symbols");
	int n = list ? config_setting_length(list) : 0;

	p->notes = calloc(n ? (size_t)n : 1, sizeof(*p->notes));
	if (!p->notes)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, (unsigned int)i);
		const config_setting_t *alt = config_setting_get_member(e, "alternatives");
		struct vk_symnote *sn = &p->notes[p->n_notes++];

		sn->name = get_str(e, "name");
		sn->added = get_str(e, "added");
		sn->removed = get_str(e, "removed");
		sn->patch = get_str(e, "patch");
		sn->note = get_str(e, "note");
		sn->module_only = get_str(e, "module_only");
		sn->essential = get_str(e, "essential");
		if (!sn->name)
			return entry_error(e, "a symbol entry needs a name", err, errlen);
		if (!alt)
			continue;
		sn->n_alternatives = (size_t)config_setting_length(alt);
		sn->alternatives = calloc(sn->n_alternatives + 1, sizeof(char *));
		if (!sn->alternatives)
			return -ENOMEM;
		for (size_t k = 0; k < sn->n_alternatives; k++)
			sn->alternatives[k] = config_setting_get_string_elem(alt, (int)k);
	}
	return 0;
}

int vk_profiles_load(const char *dir, struct vk_profiles *p, char *err, size_t errlen)
{
	_cleanup_free_ char *path = NULL;
	config_t *cfg;
	int r;

	memset(p, 0, sizeof(*p));
	if (asprintf(&path, "%s/profiles.conf", dir) < 0 || !(p->dir = strdup(dir)))
		return -ENOMEM;
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg)
		return -ENOMEM;
	config_init(cfg);
	p->cfg = cfg;
	if (!config_read_file(cfg, path)) {
		if (config_error_type(cfg) == CONFIG_ERR_FILE_IO) {
			snprintf(err, errlen, "%s: cannot read the profile index", path);
			return -ENOENT;
		}
		snprintf(err, errlen, "%s:%d: %s",
			 config_error_file(cfg) ? config_error_file(cfg) : path,
			 config_error_line(cfg), config_error_text(cfg));
		return -EINVAL;
	}
	r = load_profiles(p, cfg, err, errlen);
	if (r == 0)
		r = load_notes(p, cfg, err, errlen);
	return r;
}

void vk_profiles_clear(struct vk_profiles *p)
{
	for (size_t i = 0; i < p->n_notes; i++)
		free(p->notes[i].alternatives);
	free(p->notes);
	free(p->profiles);
	free(p->dir);
	if (p->cfg) {
		config_destroy(p->cfg);
		free(p->cfg);
	}
	memset(p, 0, sizeof(*p));
}

const struct vk_profile *vk_profiles_find(const struct vk_profiles *p, const char *name)
{
	for (size_t i = 0; i < p->n_profiles; i++)
		if (streq(p->profiles[i].name, name))
			return &p->profiles[i];
	return NULL;
}

const struct vk_symnote *vk_profiles_note(const struct vk_profiles *p, const char *sym)
{
	for (size_t i = 0; i < p->n_notes; i++)
		if (streq(p->notes[i].name, sym))
			return &p->notes[i];
	return NULL;
}
