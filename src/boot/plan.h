/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What vfiokit cmdline set and remove decide, without writing or printing:
 * the arguments as kernel tokens (with vfio-pci.ids= and, on Intel,
 * intel_iommu=on for the devices named), the boot method (detected when it
 * is not given, with the reason), and the new content of the file that
 * method keeps the command line in: /etc/default/grub (refused when a file
 * in /etc/default/grub.d/ sets the variable again), /etc/kernel/cmdline
 * (started from what kernel-install would use when it is missing) or
 * CONFIG_CMDLINE in the kernel's .config. The caller prints the notes and
 * writes the changes (src/cmd-cmdline.c), or takes the changes into a
 * transaction (vfiokit plan and apply).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/change.h"
#include "../shared/ctx.h"
#include "../shared/paths.h"
#include "cmdline.h"
#include "detect.h"

/* The largest files read: a command line, a GRUB configuration, a .config. */
#define VK_MAX_CMDLINE_FILE (1 << 20)
#define VK_MAX_GRUB_FILE    (16 << 20)
#define VK_MAX_DOTCONFIG    (16 << 20)
/* The .config whose CONFIG_CMDLINE is the built-in command line. */
#define VK_PATH_BUILTIN_DOTCONFIG VK_PATH_USR_SRC_LINUX "/.config"

struct vk_cmdline_req {
	enum vk_cmdline_op_kind kind; /* set or remove */
	enum vk_boot_method method;   /* VK_BOOT_AUTO: the one the host uses */
	bool all_entries;	      /* GRUB: GRUB_CMDLINE_LINUX, not ..._DEFAULT */
	bool grub_only;		      /* grub-mkconfig runs after (--mkconfig): GRUB only */
	const char *const *args;      /* kernel arguments: key or key=value */
	size_t n_args;
	const char *const *devices; /* vendor:device ids (an address is refused) */
	size_t n_devices;
	/* After those: list items to take out ("vfio-pci.ids=1234:1111"). */
	const char *const *removes;
	size_t n_removes;
	/* The user allows a device the host needs (--allow-host-device): the
	 * lint's findings about such a device warn instead of refusing. */
	bool allow_host;
	/* How the user chooses a boot method, for the error when none can be
	 * told; NULL: "--bootloader grub|kernel-cmdline". */
	const char *choose;
};

struct vk_cmdline_plan {
	enum vk_boot_method method; /* the one used */
	char why[512];		    /* why, when it was detected; "" when given */
	/* The request is wrong as given (-EINVAL): what, for a usage error
	 * ("'x y' is not a kernel argument (...)"). */
	char *usage;
	/* The file to change, with its new content; none when it already
	 * says so, and then unchanged is the line that says that. */
	struct vk_changes changes;
	char *unchanged;
	/* Findings in order: what was chosen (INFO: the boot method),
	 * NOTICE, WARN and ERROR, for before the change is written. */
	struct vk_notes notes;
	/* For after the change is written, not for a dry run: WARN first,
	 * then NEXT (what to do next: grub-mkconfig, make, ...). */
	struct vk_notes after;
	/* GRUB: /boot has an /etc/fstab entry but is not mounted, so that
	 * grub-mkconfig would write the root file system's /boot. */
	bool boot_unmounted;
	struct vk_boot_mount boot;
};

/*
 * Plan req on the system under ctx's root. 0 (out->changes holds the
 * change, or out->unchanged says there is none), -EINVAL when the request
 * is wrong as given (out->usage says what: an argument that is not a
 * kernel argument or one that GRUB would interpret, a device that is
 * neither an id nor an address, too many arguments, a method other than
 * GRUB with grub_only), -ENOMEM, or another negative errno when it cannot
 * be done: the ERROR notes say why (no such device, no boot method found,
 * a file that cannot be read or parsed, a grub.d file that overrides the
 * variable: one error for each). Prints nothing. out is the caller's to
 * clear with vk_cmdline_plan_clear(), whatever the result.
 */
int vk_cmdline_plan(const struct vk_ctx *ctx, const struct vk_cmdline_req *req,
		    struct vk_cmdline_plan *out);
void vk_cmdline_plan_clear(struct vk_cmdline_plan *p);
