/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What modules check reports: for a kernel, each module passthrough needs
 * (built in, a module with its dependencies and soft dependencies, or
 * missing; blacklisted; its options), and for each chosen device which
 * drivers match it and which of them will claim it first at boot.
 *
 * The verdict (vk_claim_decide) is a pure function of the facts
 * gathered, so it is tested on its own.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../boot/cmdline.h"
#include "../shared/ctx.h"
#include "kmod.h"

enum vk_mod_state {
	VK_MOD_MISSING,
	VK_MOD_BUILTIN,
	VK_MOD_MODULE,
};

enum vk_mod_need {
	VK_NEED_REQUIRED,    /* passthrough does not work without it */
	VK_NEED_RECOMMENDED, /* a usual guest setup wants it (networking, pci-stub) */
};

const char *vk_mod_state_name(enum vk_mod_state s); /* "missing", "built in", "module" */

struct vk_modreq {
	const char *name;
	enum vk_mod_need need;
	const char *purpose;
};

/*
 * The modules to check for kver on a CPU of vendor ("intel", "amd" or
 * NULL when unknown: then both KVM modules, as recommended). vfio_virqfd
 * only before 6.2 (folded into vfio), vfio_pci_core from 5.15.
 */
size_t vk_modules_needed(const char *kver, const char *cpu_vendor, struct vk_modreq *out,
			 size_t max);

struct vk_modinfo {
	char *name; /* '_' form */
	enum vk_mod_state state;
	char *path;  /* of a module, relative to the module directory */
	char **deps; /* a module's dependencies, in load order */
	size_t n_deps;
	char *dep_missing;  /* a dependency modules.dep names whose file is not there */
	char *note;	    /* why a module is missing though modules.dep names it */
	char **pre, **post; /* soft dependencies (modprobe.d, modules.softdep) */
	size_t n_pre, n_post;
	bool bl_conf;	   /* blacklisted in modprobe.d */
	bool bl_cmdline;   /* modprobe.blacklist= on the command line */
	char *opt_conf;	   /* options from modprobe.d, "" when none */
	char *opt_cmdline; /* options from the command line ("mod.x=y"), "" when none */
};

/* Ask libkmod (and the command line cl, may be NULL) about module name.
 * 0 or -ENOMEM. */
int vk_modinfo_query(struct vk_kmod *km, const struct vk_cmdline *cl, const char *name,
		     struct vk_modinfo *mi);
void vk_modinfo_clear(struct vk_modinfo *mi);

/* The options the command line gives module mod ("ids=10de:1c03"),
 * space-joined; new string ("" when none) or NULL. */
char *vk_cmdline_module_options(const struct vk_cmdline *cl, const char *mod);
/* Is mod in a modprobe.blacklist= of cl? */
bool vk_cmdline_module_blacklisted(const struct vk_cmdline *cl, const char *mod);

/* The value of the last "ids=" in an options string, or NULL (new string). */
char *vk_options_ids(const char *options);
/* Does the ids list ("10de:1c03,10de:10f1:...") name vendor:device? */
bool vk_ids_match(const char *ids, unsigned int vendor, unsigned int device);

/* ---- devices --------------------------------------------------------------- */

struct vk_drvmatch {
	char *name; /* '_' form */
	enum vk_mod_state state;
	bool blacklisted;	   /* modprobe.d or the command line: udev will not load it */
	bool softdep[2];	   /* modprobe.d: softdep <name> pre: vfio_pci / pci_stub */
	bool softdep_initramfs[2]; /* the same in the initramfs's modprobe.d */
	bool in_initramfs;	   /* its module file is in the initramfs */
};

/* vfio-pci or pci-stub, as the boot will meet it. */
struct vk_claimer {
	const char *name; /* "vfio-pci", "pci-stub" */
	enum vk_mod_state state;
	bool blacklisted;
	bool ids_cmdline;   /* the device's id in <name>.ids= on the command line */
	bool ids_conf;	    /* ... in "options <name> ids=" of modprobe.d */
	bool ids_initramfs; /* ... in the initramfs's modprobe.d */
	bool in_initramfs;  /* its module file is in the initramfs */
	char *early;	    /* how the initramfs loads it before udev, or NULL */
	char *service;	    /* the modules-load.d or conf.d file that loads it, or NULL */
};

enum vk_claim {
	VK_CLAIM_VFIO,	 /* vfio-pci binds first */
	VK_CLAIM_STUB,	 /* pci-stub binds first */
	VK_CLAIM_HOST,	 /* a host driver binds first */
	VK_CLAIM_NONE,	 /* no driver binds it */
	VK_CLAIM_UNSURE, /* both built in: the initcall order decides */
};

const char *vk_claim_name(enum vk_claim c); /* "vfio-pci", "pci-stub", "host", "none", "unsure" */

struct vk_verdict {
	enum vk_claim claim;
	char reason[1024];
	char fix[512]; /* "" when nothing is to be done */
};

/*
 * Who claims a device first at boot. drv are the drivers whose aliases
 * match it (vfio-pci and pci-stub excluded); c[0] is vfio-pci, c[1]
 * pci-stub; initramfs_known says whether an initramfs was read. id names
 * the device in the fixes: its "vendor:device", or its PCI address when
 * the user named that function alone (no command-line ids are offered).
 */
void vk_claim_decide(const struct vk_drvmatch *drv, size_t n_drv, const struct vk_claimer c[2],
		     bool initramfs_known, const char *id, struct vk_verdict *v);

/* The drivers whose aliases match modalias, in libkmod's order, vfio-pci,
 * its variants and pci-stub left out. 0 or -ENOMEM. */
int vk_modalias_drivers(struct vk_kmod *km, const struct vk_cmdline *cl, const char *modalias,
			struct vk_drvmatch **out, size_t *n);
void vk_drvmatch_free(struct vk_drvmatch *d, size_t n);

/* The modules-load.d or /etc/conf.d/modules file that loads mod at boot,
 * as a new string, or NULL. */
char *vk_boot_loads_module(const struct vk_ctx *ctx, const char *mod);
