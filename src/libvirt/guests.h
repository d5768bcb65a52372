/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libvirt-guests, the service that stops the guests when the host shuts
 * down: it suspends them unless told otherwise, and a guest that holds a
 * VFIO device cannot be saved. This planner sets the key each init system
 * reads to "shutdown", in the file that service reads (the same one vfiokit
 * verify checks):
 *   OpenRC (Gentoo's libvirt-guests script): LIBVIRT_SHUTDOWN="shutdown" in
 *     /etc/conf.d/libvirt-guests (its default is managedsave);
 *   libvirt's systemd unit: ON_SHUTDOWN=shutdown in /etc/default/libvirt-guests,
 *     or /etc/sysconfig/libvirt-guests where that exists (default suspend).
 */
#pragma once

#include "../shared/change.h"
#include "../shared/ctx.h"

/*
 * Plan the change into changes, with what was chosen in notes. Nothing when
 * libvirt is not installed under the root (no /etc/libvirt). 0, -EILSEQ
 * (changes->refused says why) or -ENOMEM; a file that cannot be read is a
 * WARN note and no change.
 */
int vk_libvirt_guests_plan(const struct vk_ctx *ctx, struct vk_changes *changes,
			   struct vk_notes *notes);
