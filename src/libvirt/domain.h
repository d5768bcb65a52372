/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pieces of a libvirt domain that vfiokit knows from the host: the
 * claimed functions as <hostdev>s behind pcie-root-ports, the vCPU pinning
 * and guest topology, EFI firmware, hugepages and the Hyper-V
 * enlightenments. Either a whole minimal domain or merged into a given
 * one (vfiokit libvirt xml).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../flow/config.h"
#include "../host/topology.h"
#include "../pci/device.h"
#include "../shared/change.h"
#include "../shared/ctx.h"

/* One function for the guest and, for its slot's first, how many share it. */
struct vk_guest_fn {
	struct vk_pci_addr a;
	bool gpu; /* class 03xx */
};

/*
 * Every function of the IOMMU groups the targets are in, except bridges,
 * in address order without repeats. 0; -ENOENT when a target is in no
 * group (err names it); -ENOMEM.
 */
int vk_guest_functions(const struct vk_ctx *ctx, const struct vk_conf_target *t, size_t n,
		       struct vk_guest_fn **out, size_t *n_out, char *err, size_t errlen);

struct vk_domain_opts {
	const char *name;	  /* of a new domain */
	unsigned long memory_mib; /* of a new domain */
	bool nvidia_legacy;	  /* <kvm><hidden> and vendor_id */
	const char *base;	  /* an existing domain's XML, or NULL */
	size_t base_len;
	const char *base_shown; /* its name in messages */
	/* libvirt apply: into base, only the hostdevs (and the CPUs when pin
	 * is not NULL); pieces already there as vfiokit would put them are
	 * kept as they are, in libvirt's own form, so that a second apply
	 * changes nothing. Without fns nor pin: base as it is, reformatted. */
	bool apply;
};

/*
 * The domain as XML text in *xml (freed by the caller). Notes say what was
 * left out and why (the NVIDIA hiding, a missing firmware descriptor,
 * hugepages that do not cover the memory). pin may be NULL only with
 * o->apply. 0; -EINVAL when base is not a
 * libvirt domain (err names the file and line); -ENOMEM.
 */
int vk_domain_xml(const struct vk_ctx *ctx, const struct vk_domain_opts *o,
		  const struct vk_guest_fn *fns, size_t n_fns, const struct vk_pinning *pin,
		  char **xml, struct vk_notes *notes, char *err, size_t errlen);
