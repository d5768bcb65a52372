/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The VFIO probe: what QEMU does first with a device, asked of the kernel
 * itself. Open the container /dev/vfio/vfio, ask for the API version and an
 * IOMMU backend, open the group /dev/vfio/N, ask whether it is viable,
 * attach it to the container and set the IOMMU model, close everything.
 * These steps change nothing. Opening the device itself (its info, regions
 * and interrupts) makes vfio-pci reset it: that step runs only when asked.
 * On kernels with iommufd and without the group interface, the device's
 * cdev /dev/vfio/devices/vfioX and /dev/iommu take the group's place.
 *
 * Every system call goes through struct vk_vfio_ops, so that tests replay
 * the kernel's answers recorded in a real boot (tests/unit/probe/).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../shared/ctx.h"
#include "verify.h"

struct vk_vfio_ops {
	/* A device node by its absolute path ("/dev/vfio/vfio"): a descriptor
	 * or a negative errno; -ENOTTY when the path is not a character
	 * device (a captured tree). */
	int (*open)(void *data, const char *path);
	/* ioctl(2): its result (>= 0) or a negative errno. */
	int (*ioctl)(void *data, int fd, unsigned long req, void *arg);
	void (*close)(void *data, int fd);
	void *data;
};

/* The real calls, with every path taken under ctx's root. */
void vk_vfio_ops_real(const struct vk_ctx *ctx, struct vk_vfio_ops *ops);

/* ops that hand each call to inner and write it with the kernel's answer
 * to out, one line a call (the format tests/unit/probe/ replays). */
struct vk_vfio_tracer {
	struct vk_vfio_ops inner;
	FILE *out;
};
void vk_vfio_ops_traced(struct vk_vfio_tracer *t, struct vk_vfio_ops *ops);

/* The trace's words for one ioctl: the name of req (NULL when the probe
 * does not use it), what goes in ("index=0") and what came out
 * ("flags=0x1"), and back: the request of a name (0 when unknown), and
 * out read into arg (0 or -EINVAL). */
const char *vk_vfio_ioctl_name(unsigned long req);
unsigned long vk_vfio_ioctl_req(const char *name);
void vk_vfio_trace_in(unsigned long req, const void *arg, char *buf, size_t size);
void vk_vfio_trace_out(unsigned long req, const void *arg, char *buf, size_t size);
int vk_vfio_trace_parse_out(unsigned long req, const char *out, void *arg);

/* One IOMMU group to probe, and its devices. */
struct vk_probe_dev {
	const char *addr;     /* 0000:00:02.0 */
	const char *cdev;     /* "vfio0" under /dev/vfio/devices, or NULL */
	const char *no_reset; /* why it is known to fail reset, or NULL */
};

struct vk_probe_group {
	unsigned long id;
	bool stub;    /* pci-stub holds it: no /dev/vfio/N until vfio-pci does */
	bool no_node; /* /dev/vfio/N is not there */
	const struct vk_probe_dev *devs;
	size_t n_devs;
};

struct vk_probe_opts {
	bool open_devices; /* verify --probe */
	bool force;	   /* verify --force-probe: even those that fail reset */
};

/* Probe the groups, adding one verify line per answer ("devices" group). */
void vk_vfio_probe(const struct vk_vfio_ops *ops, const struct vk_probe_group *groups,
		   size_t n_groups, const struct vk_probe_opts *o, struct vk_verify *v);
