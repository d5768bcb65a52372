/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Editing /etc/vfiokit.conf in place for vfiokit claim and release: the
 * device entries are found by their byte ranges and only those bytes
 * change, so the user's comments and layout stay (libconfig's own writer
 * would drop them). Every edit is read back with libconfig and refused
 * unless it gives exactly the change asked for.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../pci/groups.h"

/* A device entry to add: name = { id = "spec"; }; or, by_address,
 * name = { address = "spec"; claim = "override"; }; */
struct vk_conf_add {
	const char *name;
	const char *spec;
	bool by_address;
};

/*
 * A setting name that says what d is: "gpu", "gpu_audio" (the sound
 * function of a graphics card), "usb", "net", "storage", "audio",
 * "bridge", else "dev"; with "_2", "_3" ... when an earlier one of taken
 * (n names) has it. Writes it to buf.
 */
void vk_conf_device_name(const struct vk_groups *gs, const struct vk_pci_dev *d,
			 const char *const *taken, size_t n, char *buf, size_t size);

/*
 * The text of the configuration text (len bytes) with add's entry: a
 * commented-out line of the devices group that holds it (as vfiokit init
 * writes them) is uncommented, else the entry goes last in the group (a
 * devices group is added when there is none). shown names the file in
 * err. Returns 0 with *out (malloc'd, *out_len bytes), -EINVAL with err
 * ("file:line: ...") when the file does not read or the result would not
 * read back as exactly the old devices plus this one, or -ENOMEM. used
 * (used_size bytes) is the entry's name: add's, or the uncommented line's.
 */
int vk_conf_edit_add(const char *text, size_t len, const char *shown, const struct vk_conf_add *add,
		     char *used, size_t used_size, char **out, size_t *out_len, char *err,
		     size_t errlen);

/*
 * The same, without the device entry named name: a line that holds only
 * it is commented out (so that claim can bring it back), else its bytes
 * are removed. -ENOENT when there is no such entry.
 */
int vk_conf_edit_remove(const char *text, size_t len, const char *shown, const char *name,
			char **out, size_t *out_len, char *err, size_t errlen);
