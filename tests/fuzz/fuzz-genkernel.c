// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the genkernel.conf editor (src/modules/conf.c):
 * the edited file holds the assignment, keeps every byte before the line
 * it replaces, and a second edit changes nothing.
 */
#include "fuzz.h"
#include "modules/conf.h"

static const char want[] = "AMODULES_vfio=\"vfio vfio_iommu_type1 vfio_pci\"";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *out = NULL, *again = NULL;
	size_t len = 0, len2 = 0;
	const char *at;
	int r;

	if (size > FUZZ_MAX)
		return 0;
	r = vk_genkernel_conf_edit((const char *)data, size, "vfio vfio_iommu_type1 vfio_pci", &out,
				   &len);
	if (r < 0)
		abort();
	if (r == 0)
		return 0;
	/* What comes before the assignment is the file's, byte for byte (all
	 * of it, then a comment, when the assignment is new). */
	at = memmem(out, len, want, sizeof(want) - 1);
	if (!at || memcmp(out, data, (size_t)(at - out) < size ? (size_t)(at - out) : size))
		abort();
	if (vk_genkernel_conf_edit(out, len, "vfio vfio_iommu_type1 vfio_pci", &again, &len2) != 0)
		abort(); /* a second run changes it again */
	free(out);
	return 0;
}
