/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's CPU topology as sysfs describes it (/sys/devices/system/cpu
 * and /sys/devices/system/node under the root): SMT siblings, cores, L3
 * cache domains, packages and NUMA nodes; and the pinning of a guest's
 * vCPUs that follows from it (vfiokit libvirt xml).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/change.h"
#include "../shared/ctx.h"

/* One physical core: the logical CPUs that are SMT siblings. */
struct vk_core {
	unsigned int package; /* physical_package_id */
	unsigned int core_id; /* core_id, as the kernel numbers it in its package */
	unsigned int l3;      /* index of its L3 domain in the topology (0.. n_l3-1) */
	int node;	      /* NUMA node, -1 when the host has none listed */
	unsigned int *cpus;   /* the siblings, ascending */
	size_t n_cpus;
};

struct vk_topology {
	struct vk_core *cores; /* ordered by their lowest CPU */
	size_t n_cores;
	size_t n_cpus;	      /* online logical CPUs */
	size_t n_l3;	      /* L3 domains (a package without an L3 counts as one) */
	size_t n_packages;    /* distinct physical_package_id values */
	unsigned int threads; /* SMT threads of the host's first core */
};

/*
 * Read the online CPUs under the root. 0; -ENOENT when there is no CPU
 * directory; -EINVAL when a file is unreadable or malformed (err names it
 * and says what is wrong); -ENOMEM.
 */
int vk_topology_load(const struct vk_ctx *ctx, struct vk_topology *t, char *err, size_t errlen);
void vk_topology_clear(struct vk_topology *t);

/* Parse a kernel CPU list ("0-3,8,10-11") into an ascending, duplicate-free
 * vector. 0, -EINVAL or -ENOMEM. */
int vk_cpulist_parse(const char *s, unsigned int **out, size_t *n);

/* A guest's vCPUs on host CPUs. */
struct vk_pinning {
	unsigned int *vcpu_cpu; /* vCPU i runs on host CPU vcpu_cpu[i] */
	size_t n_vcpus;
	unsigned int cores, threads; /* the guest's topology: one socket, one die */
	unsigned int package;	     /* the host package all vCPUs are in */
	size_t n_l3;		     /* L3 domains (and nodes) the vCPUs use: the fewest */
	unsigned int *host_cpus;     /* for the emulator and I/O threads */
	size_t n_host_cpus;
};

/*
 * Choose host CPUs for vcpus vCPUs (0: the default size, half of the host's
 * cores in one package). The rules: whole cores with all their siblings, the
 * fewest L3 domains (and NUMA nodes) that hold them, one package, and never
 * the host's first core (the core of its lowest CPU); emulator and I/O
 * threads go on the package's other CPUs, or the host's first core when the
 * guest fills its package. 0; -EINVAL when vcpus cannot be placed so (err
 * says why and what would fit); -ENOMEM. Notes say when the size spreads
 * over more L3 domains than a smaller one would.
 */
int vk_pin_plan(const struct vk_topology *t, unsigned int vcpus, struct vk_pinning *p,
		struct vk_notes *notes, char *err, size_t errlen);
void vk_pinning_clear(struct vk_pinning *p);

/* CPUs as a kernel CPU list ("0-3,8"); a new string or NULL (no memory). */
char *vk_cpulist_format(const unsigned int *cpus, size_t n);
