/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IOMMU groups the kernel will make, predicted from what config space
 * shows before the IOMMU is on: the PCI topology, the ACS capability of
 * each port and multifunction device, PCIe-to-PCI bridges (everything
 * below one is a single requester), DMA aliases and the kernel's own
 * device quirks (src/pci/predict-quirks.c, data from one kernel release).
 *
 * The prediction never reads /sys/kernel/iommu_groups or /sys/class/iommu:
 * only sysfs's PCI devices (their config files and links), the kernel
 * command line and whether the firmware has an IVRS table.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/ctx.h"
#include "device.h"
#include "groups.h"

struct vk_predict_group {
	struct vk_group g; /* id: the group's number in address order */
	char **reasons;	   /* why its devices share it: a bridge, missing ACS, an alias */
	size_t n_reasons;
	char **depends; /* what the answer depends on that config space cannot show */
	size_t n_depends;
	char **changes; /* what would change it */
	size_t n_changes;
	bool unknown; /* a device's config space could not be read in full */
};

struct vk_prediction {
	struct vk_predict_group *groups; /* in address order of their first device */
	size_t n_groups;
	char **notes; /* about the whole prediction: quirk table, command line */
	size_t n_notes;
	char **errors; /* entries that could not be read: "path: why" */
	size_t n_errors;
	bool unknown; /* some group is unknown */
};

/* Options that change the model, for tests and for the documented
 * out-of-tree override; the defaults (all false) predict a stock kernel. */
struct vk_predict_opts {
	bool acs_override_downstream;	 /* pcie_acs_override=downstream */
	bool acs_override_multifunction; /* pcie_acs_override=multifunction */
};

/* Predict the groups of every PCI device under the context's root.
 * Returns 0 or a negative errno (-ENOMEM); unreadable entries are kept in
 * out->errors. */
int vk_predict(const struct vk_ctx *ctx, struct vk_pci *pci, const struct vk_predict_opts *opts,
	       struct vk_prediction *out);
void vk_prediction_clear(struct vk_prediction *p);

/* The release of the kernel whose quirk tables are used. */
extern const char vk_predict_quirks_release[];
