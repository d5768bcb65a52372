/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vfiokit's kconfig profiles: plain fragments (profiles/NAME.config) and
 * the libconfig index profiles/profiles.conf that says what each is for,
 * which CPU vendor it is for, and what changed between kernel versions for
 * the symbols they use.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct vk_profile {
	const char *name, *file, *vendor, *about;
	bool in_auto; /* "auto" takes it (auto = false: only when named) */
	bool per_cpu; /* its request is chosen per CPU (src/kconfig/cpu.h) */
	/* vendor is the IOMMU's (the firmware's DMAR or IVRS table), not the
	 * CPU's: profiles.conf's vendor_of = "iommu" */
	bool iommu;
};

struct vk_symnote {
	const char *name;
	const char *added, *removed; /* "6.2", or NULL */
	const char *patch;	     /* only in trees with this patch, or NULL */
	const char *note;	     /* one sentence for the user, or NULL */
	const char *module_only;     /* why y does not serve for m, or NULL */
	const char *essential;	     /* why passthrough needs it, or NULL */
	const char **alternatives;   /* in order of preference */
	size_t n_alternatives;
};

struct vk_profiles {
	char *dir;
	struct vk_profile *profiles;
	size_t n_profiles;
	struct vk_symnote *notes;
	size_t n_notes;
	void *cfg; /* libconfig's config_t, owning the strings */
};

/* Is p for this machine: for any vendor, or for the vendor of its CPU
 * (cpu) or, for an IOMMU profile, of its IOMMU (iommu)? A NULL vendor is
 * not known and matches nothing. */
bool vk_profile_applies(const struct vk_profile *p, const char *cpu, const char *iommu);

/* Read DIR/profiles.conf. -EINVAL with "file:line: what" in err for
 * libconfig's syntax errors and for entries without a name or file. */
int vk_profiles_load(const char *dir, struct vk_profiles *p, char *err, size_t errlen);
void vk_profiles_clear(struct vk_profiles *p);

const struct vk_profile *vk_profiles_find(const struct vk_profiles *p, const char *name);
const struct vk_symnote *vk_profiles_note(const struct vk_profiles *p, const char *sym);
