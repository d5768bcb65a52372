/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A defined domain's persistent configuration through libvirt's C library
 * (vfiokit libvirt apply, and undo of it). The library is optional at
 * build time (make LIBVIRT=0): such a build answers -ENOTSUP.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define VK_LIBVIRT_DEFAULT_URI "qemu:///system"

/* Whether this build has libvirt's C library. */
bool vk_virt_available(void);

/* The persistent (inactive) XML of the domain name at uri, in *xml (freed
 * by the caller). 0; -ENOENT: no such domain; -ENOTSUP: built without
 * libvirt; -EIO: libvirt's error in err. */
int vk_virt_domain_xml(const char *uri, const char *name, char **xml, char *err, size_t errlen);

/* Define xml (a whole domain) at uri: its persistent configuration. 0,
 * -ENOTSUP or -EIO with libvirt's error in err. */
int vk_virt_define(const char *uri, const char *xml, char *err, size_t errlen);
