/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Claims already on the system that catch a device the host needs: a
 * vfio-pci.ids= or pci-stub.ids= item on the kernel command line (the
 * running one, /etc/default/grub, /etc/kernel/cmdline) or an
 * "options vfio-pci ids=" line in modprobe.d whose id matches the boot
 * VGA device, the root file system's disk controller or the NIC of the
 * default route. vfiokit plan removes those vfiokit wrote (its own
 * modprobe.d file, or an item the journal's copy of the file from before
 * lacks) and refuses the user's; vfiokit verify fails on any.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../pci/device.h"
#include "../shared/ctx.h"

enum {
	VK_CLAIMS_BOOT = 1 << 0,     /* /etc/default/grub, /etc/kernel/cmdline */
	VK_CLAIMS_MODPROBE = 1 << 1, /* the modprobe.d directories */
	VK_CLAIMS_RUNNING = 1 << 2,  /* /proc/cmdline */
};

struct vk_claim {
	char *file;	   /* system path: "/etc/default/grub" */
	unsigned int line; /* where the item is written, 1-based */
	char driver[16];   /* "vfio-pci" or "pci-stub" */
	char *item;	   /* the id as written: "1234:1111" */
	/* As written, that item alone: "vfio-pci.ids=1234:1111" (the command
	 * line's form, the one vfiokit cmdline remove takes), or
	 * "options vfio-pci ids=1234:1111" in modprobe.d */
	char *arg;
	char addr[VK_PCI_ADDR_LEN]; /* the host's device it matches */
	const char *role;	    /* why the host needs it (vk_host_role()) */
	bool ours;		    /* vfiokit wrote it */
};

struct vk_claims {
	struct vk_claim *v;
	size_t n;
};

/* The claims in the places of where (VK_CLAIMS_*) that catch a device the
 * host needs, in file order. 0 or -ENOMEM; what cannot be read is skipped. */
int vk_claims_of_host(const struct vk_ctx *ctx, unsigned int where, struct vk_claims *out);
void vk_claims_clear(struct vk_claims *c);
