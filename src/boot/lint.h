/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What is wrong with a kernel command line for VFIO passthrough: a table
 * of rules (lint.c), each with what it finds, why it matters, the fix and
 * where in the kernel the fact comes from. The host facts some rules need
 * (CPU and IOMMU vendors, the boot GPU, simpledrm, the running kernel's
 * Intel IOMMU default) are read under the context's root.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/ctx.h"
#include "cmdline.h"

enum vk_cpu {
	VK_CPU_UNKNOWN,
	VK_CPU_INTEL,
	VK_CPU_AMD, /* AMD and Hygon: both use the AMD IOMMU driver */
};

struct vk_lint_gpu {
	char addr[16];
	unsigned int vendor, device, subvendor, subdevice, class_code; /* class: 24 bits */
};

struct vk_lint_host {
	enum vk_cpu cpu; /* for the CPU's own things: kvm-intel/kvm-amd, profiles */
	/* Whose IOMMU: from the firmware's ACPI table (DMAR: Intel, IVRS:
	 * AMD); without one a guess from the CPU, and iommu_guess is set. */
	enum vk_cpu iommu;
	bool iommu_guess;
	/* The running kernel turns the Intel IOMMU on by itself
	 * (CONFIG_INTEL_IOMMU_DEFAULT_ON=y or ..._INTGPU_OFF=y): 1; its config
	 * says not: 0; its config cannot be read: -1. */
	int intel_iommu_default_on;
	struct vk_lint_gpu *boot_gpus; /* PCI devices with boot_vga = 1 */
	size_t n_boot_gpus;
	int simpledrm; /* built into the kernel: 1, a module or absent: 0, unknown: -1 */
};

/* Read the host facts under ctx's root; what cannot be read stays
 * unknown. Returns 0 or -ENOMEM. */
int vk_lint_host_read(const struct vk_ctx *ctx, struct vk_lint_host *host);
void vk_lint_host_clear(struct vk_lint_host *host);
const char *vk_cpu_name(enum vk_cpu v); /* "intel", "amd", NULL */

/* Does this host need intel_iommu=on: an Intel IOMMU (or a guess of one)
 * and a kernel not known to turn it on by itself. */
bool vk_lint_host_wants_intel_iommu_on(const struct vk_lint_host *host);

enum vk_severity {
	VK_SEV_NOTE, /* worth knowing; not a problem */
	VK_SEV_WARNING,
	VK_SEV_ERROR, /* wrong: no effect, or the opposite of what is meant */
};

const char *vk_severity_name(enum vk_severity s);

struct vk_lint_run;

struct vk_lint_rule {
	const char *id; /* "iommu-value" */
	enum vk_severity severity;
	const char *summary;   /* one line, for the rule list */
	const char *reference; /* where the fact comes from */
	/* Look at the token at index arg; add findings. 0 or -ENOMEM. */
	int (*check)(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t arg);
	/*
	 * A rule about the words one option takes (check_words): the key,
	 * the words (NULL-terminated, prefix-matched one comma-separated item
	 * at a time), and the finding for an item no word matches. Texts are
	 * templates: {raw} the token, {key}, {bad} the item, {list}. When
	 * the item starts with a digit and number_message is set, that one
	 * and number_fix are used instead.
	 */
	const char *key;
	const char *const *words;
	const char *list; /* the words as the messages name them */
	const char *message, *fix;
	const char *number_message, *number_fix;
};

struct vk_finding {
	const struct vk_lint_rule *rule;
	size_t arg;    /* index of the token in the command line */
	char *message; /* what is wrong */
	char *fix;     /* what to do */
};

struct vk_findings {
	struct vk_finding *v;
	size_t n, cap;
};

/* Check the kernel's part of cl. Findings come in token order. Returns 0
 * or -ENOMEM. */
int vk_lint_check(const struct vk_cmdline *cl, const struct vk_lint_host *host,
		  struct vk_findings *out);
void vk_findings_clear(struct vk_findings *f);

/* Findings that are problems (warnings and errors, not notes). */
size_t vk_findings_problems(const struct vk_findings *f);

/* The rule table, for documentation and --list-rules. */
const struct vk_lint_rule *vk_lint_rules(size_t *n);

/*
 * A vfio-pci.ids / pci-stub.ids item: vendor:device[:subvendor[:subdevice
 * [:class[:class_mask]]]], hex, 1 to 8 digits each, as the drivers'
 * sscanf() reads it; missing sub-ids match any, class_mask 0 ignores the
 * class. Returns 0 or -EINVAL.
 */
struct vk_pci_id_match {
	unsigned int vendor, device, subvendor, subdevice, class_code, class_mask;
};
int vk_pci_id_match_parse(const char *s, size_t len, struct vk_pci_id_match *m);
bool vk_pci_id_matches(const struct vk_pci_id_match *m, const struct vk_lint_gpu *dev);
