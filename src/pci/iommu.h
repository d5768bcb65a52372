/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Is there an IOMMU at all: the firmware's ACPI table (Intel DMAR, AMD
 * IVRS), the kernel's IOMMU units and groups, and in plain words why
 * there are no groups when there are none.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/ctx.h"

struct vk_iommu_status {
	const char *acpi_table; /* "DMAR", "IVRS" or NULL */
	size_t n_units;		/* entries of /sys/class/iommu */
	size_t n_groups;	/* entries of /sys/kernel/iommu_groups */
	bool have_pci;		/* /sys/bus/pci/devices exists */
	bool cmdline_intel_on;	/* intel_iommu=on on /proc/cmdline */
	bool cmdline_off;	/* iommu=off, intel_iommu=off or amd_iommu=off */
};

int vk_iommu_status(const struct vk_ctx *ctx, struct vk_iommu_status *st);

/*
 * Whose IOMMU this is: "intel" with the firmware's DMAR table, "amd" with
 * its IVRS table. Without either (the IOMMU off in the firmware setup) a
 * guess from the CPU's vendor, and *guess is set; NULL when that is
 * unknown too. The CPU is only a guess: a guest on an AMD host may be
 * given an emulated Intel IOMMU.
 */
const char *vk_iommu_vendor(const struct vk_ctx *ctx, bool *guess);

/* Why there are no IOMMU groups and what to do, or NULL when there are. */
const char *vk_iommu_explain(const struct vk_iommu_status *st);
