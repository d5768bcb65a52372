/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Facts about the system looked at: its CPU vendor, kernel versions. */
#pragma once

#include "ctx.h"

/* "amd" (AMD and Hygon), "intel" or NULL: the vendor_id of the first
 * processor in <root>/proc/cpuinfo. */
const char *vk_cpu_vendor(const struct vk_ctx *ctx);

/* The "cpu family" and "model" of the first processor in
 * <root>/proc/cpuinfo (decimal there). 0 or -errno (-ENODATA: no such
 * lines). */
int vk_cpu_family_model(const struct vk_ctx *ctx, unsigned int *family, unsigned int *model);

/* Compare kernel versions such as "6.1", "6.12.5", "6.1.0-56-amd64" on
 * MAJOR.MINOR: <0, 0 or >0. */
int vk_kver_cmp(const char *a, const char *b);
