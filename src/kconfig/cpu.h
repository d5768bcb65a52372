/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-CPU profile (cpu-zen): which member of the tree's processor
 * family choice matches the CPU in /proc/cpuinfo. The members and what
 * each is for come from the tree's own arch/x86/Kconfig.cpu (the AMD Zen
 * members MZEN..MZEN5 exist only with gentoo-sources' experimental CPU
 * optimisation patch); the family and model ranges of each Zen generation
 * are AMD's, as the kernel's arch/x86/kernel/cpu/amd.c sorts them.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/ctx.h"
#include "dotconfig.h"

#define VK_ZEN_MAX_MEMBERS 8

/* The Zen members of a tree's processor family choice. */
struct vk_zen_choice {
	struct {
		char sym[32];
		unsigned int gen; /* 1 for "Zen", N for "Zen N" in its help */
	} members[VK_ZEN_MAX_MEMBERS];
	size_t n;
	char dflt[64]; /* the choice's default on x86_64 ("GENERIC_CPU"), or "" */
};

/* The Zen generation of an AMD (or Hygon) family and model: 1..5; 0 for a
 * family before Zen (before 17h); -1 for a model or family not known to
 * be one. */
int vk_zen_generation(unsigned int family, unsigned int model);

/* Read the Zen members and the default of their choice from text, the
 * contents of arch/x86/Kconfig.cpu. z->n is 0 for a tree without them. */
void vk_zen_choice_scan(const char *text, struct vk_zen_choice *z);

struct vk_kconfig_run;

/*
 * For a run with a per_cpu profile: the request for the member that
 * matches the CPU, added as a fragment of its own, when base (the .config
 * the requests go into) has not chosen a processor family yet (the
 * choice's default member, or none); to_write (merge) also unsets that
 * default, as kconfig keeps the last member a file sets (check asks only
 * for the member). Otherwise, or for an Intel or a
 * pre-Zen AMD CPU, or a tree without the Zen members, a note and no
 * request. Needs run->kc and run->kdir. 0 or -ENOMEM.
 */
int vk_kconfig_cpu_choose(const struct vk_ctx *ctx, struct vk_kconfig_run *run,
			  const struct vk_dotconfig *base, bool to_write);
