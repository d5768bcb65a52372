/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What vfiokit plan, apply and undo share: the configuration's devices
 * checked against the host, and the commands to run once files changed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/change.h"
#include "../shared/ctx.h"
#include "config.h"

/*
 * Refuse targets the host runs on: the boot VGA device, the functions under
 * the root file system's disk, the default route's NIC, and whatever
 * shares an IOMMU group with one of them. Each finding is an error note,
 * or with allow a warning. Returns the number of refusals (0 with allow).
 */
size_t vk_flow_host_devices(const struct vk_ctx *ctx, const struct vk_conf_target *t, size_t n,
			    bool allow, struct vk_notes *notes);

/* "ADDR[ shares IOMMU group N with X, which] ROLE" (other is the part in
 * brackets, or ""), as an error note that says what to do, or with allow
 * as a warning; unsure: ROLE says what could not be checked. */
void vk_flow_host_note(struct vk_notes *notes, bool allow, bool unsure, const char *addr,
		       const char *other, const char *role);

/* What to run after these files (system paths) changed: grub-mkconfig,
 * the initramfs (with generator, what made the target kernel's image as
 * read from it: "dracut", "genkernel", ...; NULL when unknown), the kernel
 * build, then the reboot (and vfiokit verify when verify is set). A
 * vector the caller frees with vk_strv_free(); 0 or -ENOMEM. */
int vk_flow_next_steps(const struct vk_ctx *ctx, const char *const *paths, size_t n,
		       const char *generator, bool verify, char ***steps, size_t *n_steps);
