/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's device quirks that change IOMMU groups, as data: which
 * devices the kernel treats as isolated (ACS) although config space does
 * not say so, and which devices DMA with another requester ID (DMA
 * aliases). The ids are facts taken from one kernel release's
 * drivers/pci/quirks.c (vk_predict_quirks_release); what each kind means
 * is modelled in src/pci/predict.c.
 */
#pragma once

#include <stddef.h>

#define VK_ANY_ID 0xffffffffu

/* How a device the kernel knows better than its ACS capability is judged. */
enum vk_acs_quirk {
	VK_ACSQ_AMD_SB,	     /* AMD/ATI southbridge functions: isolated with an IVRS table */
	VK_ACSQ_MF_ENDPOINT, /* multifunction endpoint without peer-to-peer */
	VK_ACSQ_RCIEP,	     /* Intel root complex integrated endpoints */
	VK_ACSQ_ISOLATED,    /* root ports without the capability that isolate anyway */
	VK_ACSQ_INTEL_PCH,   /* Intel PCH root ports: isolated once the kernel sets RCBA */
	VK_ACSQ_INTEL_SPT,   /* Intel Sunrise/Union Point root ports: ACS in dwords */
	VK_ACSQ_CAVIUM,	     /* Cavium ThunderX root ports */
	VK_ACSQ_ROOT_PORT,   /* root ports of a vendor: isolated (Annapurna Labs) */
	VK_ACSQ_ZHAOXIN,     /* Zhaoxin root and downstream ports */
	VK_ACSQ_WANGXUN,     /* Wangxun NICs */
};

struct vk_acs_quirk_row {
	unsigned int vendor, device; /* device VK_ANY_ID: every device of the vendor */
	enum vk_acs_quirk kind;
};

/* How a device's DMA requester ID differs from its address. */
enum vk_alias_quirk {
	VK_ALIASQ_FUNC0,      /* uses function 0 of its slot */
	VK_ALIASQ_FUNC1,      /* uses function 1 of its slot */
	VK_ALIASQ_FIXED,      /* uses a fixed devfn on its bus (arg) */
	VK_ALIASQ_BRIDGE,     /* a PCIe-to-PCI bridge without a PCIe capability */
	VK_ALIASQ_MIC,	      /* Intel MIC x200: three fixed devfns */
	VK_ALIASQ_VCA,	      /* Intel VCA: functions 0-4 of every slot */
	VK_ALIASQ_ALL,	      /* PLX NTB: every devfn of its bus */
	VK_ALIASQ_XLATE_ROOT, /* the IOMMU sits at this bridge: aliases stop here */
	VK_ALIASQ_FROM_MMIO,  /* Switchtec NTB: aliases read from its registers */
};

struct vk_alias_quirk_row {
	unsigned int vendor, device, subvendor, subdevice; /* VK_ANY_ID: any */
	enum vk_alias_quirk kind;
	unsigned int arg;
};

extern const struct vk_acs_quirk_row vk_acs_quirks[];
extern const size_t vk_n_acs_quirks;
extern const struct vk_alias_quirk_row vk_alias_quirks[];
extern const size_t vk_n_alias_quirks;

/* Device-id lists of the kinds that match within a vendor's ids: each a
 * list of inclusive ranges, ended by { 0, 0 }. */
struct vk_id_range {
	unsigned int lo, hi;
};
extern const struct vk_id_range vk_intel_pch_acs_ids[];
extern const struct vk_id_range vk_intel_spt_acs_ids[];
extern const struct vk_id_range vk_cavium_acs_ids[];
extern const struct vk_id_range vk_zhaoxin_acs_ids[];
extern const struct vk_id_range vk_wangxun_acs_ids[];
