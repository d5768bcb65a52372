/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * After the reboot: does the running system do what vfiokit set up? Each
 * check gives one result (PASS, WARN, FAIL, or UNKNOWN when what it needs
 * cannot be read) with a detail: what was found, or what to do. Checks
 * come in groups that --checks selects. Nothing here prints.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/ctx.h"

struct vk_vfio_ops;

enum vk_result {
	VK_RESULT_PASS,
	VK_RESULT_WARN,
	VK_RESULT_FAIL,
	VK_RESULT_UNKNOWN, /* could not be told: never counted as a pass */
};

/* The groups of checks, in the order they run. */
enum {
	VK_CHECK_KVM = 1 << 0,
	VK_CHECK_IOMMU = 1 << 1,
	VK_CHECK_CMDLINE = 1 << 2,
	VK_CHECK_KCONFIG = 1 << 3,
	VK_CHECK_MODULES = 1 << 4,
	VK_CHECK_DEVICES = 1 << 5,
	VK_CHECK_LIBVIRT = 1 << 6,
	VK_CHECK_ALL = (1 << 7) - 1,
};

struct vk_check {
	const char *group; /* "kvm", "iommu", ... */
	char *what;	   /* "IOMMU enabled by the kernel" */
	enum vk_result result;
	char *detail; /* PASS: what was found, or NULL; otherwise why and the fix */
};

struct vk_verify {
	struct vk_check *v;
	size_t n, alloc;
	int err; /* -ENOMEM when a result could not be stored */
};

struct vk_verify_opts {
	unsigned int groups;	    /* VK_CHECK_* */
	const char *const *devices; /* vendor:device ids or PCI addresses */
	size_t n_devices;
	/* Those of them claimed by id at boot (vfio-pci.ids=, pci-stub.ids=):
	 * not the ones bound through driver_override. */
	const char *const *id_devices;
	size_t n_id_devices;
	const char *profiles_dir; /* the kconfig profiles */
	/* The VFIO probe (probe.h): open each chosen device too (--probe),
	 * even those known to fail reset (--force-probe); the calls it makes,
	 * NULL for the real ones under the root. */
	bool probe, force_probe;
	const struct vk_vfio_ops *vfio_ops;
};

/* Run the checks. Returns 0 or -ENOMEM; every finding is in out. */
int vk_verify_run(const struct vk_ctx *ctx, const struct vk_verify_opts *opts,
		  struct vk_verify *out);
void vk_verify_clear(struct vk_verify *v);

/* "iommu,cmdline" into VK_CHECK_* bits; -EINVAL with *bad pointing at the
 * unknown name (a copy the caller frees). */
int vk_verify_groups_parse(const char *list, unsigned int *groups, char **bad);
/* Group names in order, NULL-terminated. */
extern const char *const vk_verify_group_names[];

const char *vk_result_name(enum vk_result r); /* "PASS", ... */

/* Counted results; true when any FAIL. */
bool vk_verify_failed(const struct vk_verify *v);

/* The kernel log: <root>/dev/kmsg when it is a character device (the live
 * kernel's), else a captured copy <root>/var/log/dmesg-capture. *text is
 * the messages, one a line, without the record prefixes; *source the file
 * read. 0 or a negative errno (-EPERM: reading it needs root). */
int vk_klog_read(const struct vk_ctx *ctx, char **text, char **source);

/* Internal: used by the checks in this directory. */
void vk_verify_add(struct vk_verify *v, const char *group, enum vk_result r, const char *what,
		   const char *detail);
void vk_verify_addf(struct vk_verify *v, const char *group, enum vk_result r, const char *what,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void vk_verify_devices(const struct vk_ctx *ctx, const struct vk_verify_opts *opts,
		       struct vk_verify *v);
void vk_verify_libvirt(const struct vk_ctx *ctx, struct vk_verify *v);
