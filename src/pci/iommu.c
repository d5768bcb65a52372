// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/system.h"
#include "iommu.h"

static size_t count_entries(int rootfd, const char *abs)
{
	_cleanup_free_ char **names = NULL;
	size_t n = 0;

	if (vk_list_dir(rootfd, vk_rel(abs), &names, &n) < 0)
		return 0;
	return n;
}

static bool has_table(int rootfd, const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", vk_rel(VK_PATH_ACPI_TABLES), name);
	return fstatat(rootfd, path, &st, 0) == 0;
}

/* A whole whitespace-separated word of the command line. */
static bool has_word(const char *line, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = line; (p = strstr(p, word)); p += len)
		if ((p == line || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
			return true;
	return false;
}

int vk_iommu_status(const struct vk_ctx *ctx, struct vk_iommu_status *st)
{
	char cmdline[4096];
	struct stat sb;

	memset(st, 0, sizeof(*st));
	if (has_table(ctx->rootfd, "DMAR"))
		st->acpi_table = "DMAR";
	else if (has_table(ctx->rootfd, "IVRS"))
		st->acpi_table = "IVRS";
	st->n_units = count_entries(ctx->rootfd, VK_PATH_CLASS_IOMMU);
	st->n_groups = count_entries(ctx->rootfd, VK_PATH_IOMMU_GROUPS);
	st->have_pci = fstatat(ctx->rootfd, vk_rel(VK_PATH_PCI_DEVICES), &sb, 0) == 0;
	if (vk_read_file(ctx->rootfd, vk_rel(VK_PATH_PROC_CMDLINE), cmdline, sizeof(cmdline)) >=
	    0) {
		st->cmdline_intel_on = has_word(cmdline, "intel_iommu=on");
		st->cmdline_off = has_word(cmdline, "iommu=off") ||
				  has_word(cmdline, "intel_iommu=off") ||
				  has_word(cmdline, "amd_iommu=off");
	}
	return 0;
}

const char *vk_iommu_vendor(const struct vk_ctx *ctx, bool *guess)
{
	*guess = false;
	if (has_table(ctx->rootfd, "DMAR"))
		return "intel";
	if (has_table(ctx->rootfd, "IVRS"))
		return "amd";
	*guess = true;
	return vk_cpu_vendor(ctx);
}

const char *vk_iommu_explain(const struct vk_iommu_status *st)
{
	if (st->n_groups > 0)
		return NULL;
	if (!st->have_pci)
		return "no PCI devices in sysfs (/sys/bus/pci/devices): is sysfs mounted, "
		       "and is --root the top of a system tree?";
	if (!st->acpi_table)
		return "the firmware provides no DMAR (Intel VT-d) or IVRS (AMD-Vi) ACPI table: "
		       "the IOMMU is turned off in the firmware setup, or the machine has none. "
		       "Turn on VT-d or AMD-Vi (often called \"IOMMU\") in the firmware setup.";
	if (st->cmdline_off)
		return "the firmware provides an IOMMU table but the kernel command line turns "
		       "the IOMMU off (iommu=off, intel_iommu=off or amd_iommu=off): remove it.";
	if (streq(st->acpi_table, "DMAR") && !st->cmdline_intel_on)
		return "the firmware provides the Intel DMAR table but the kernel made no IOMMU "
		       "groups: add intel_iommu=on to the kernel command line (needed unless the "
		       "kernel has CONFIG_INTEL_IOMMU_DEFAULT_ON=y).";
	if (streq(st->acpi_table, "DMAR"))
		return "the firmware provides the Intel DMAR table and intel_iommu=on is set, but "
		       "the kernel made no IOMMU groups: it is built without CONFIG_INTEL_IOMMU.";
	return "the firmware provides the AMD IVRS table but the kernel made no IOMMU groups: "
	       "it is built without CONFIG_AMD_IOMMU.";
}
