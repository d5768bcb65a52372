// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit init: a commented starter /etc/vfiokit.conf from the IOMMU
 * groups of this machine, every device commented out for the user to
 * choose.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "flow/conf-edit.h"
#include "flow/config.h"
#include "kconfig/tree.h"
#include "modules/alias.h"
#include "pci/groups.h"
#include "pci/host.h"
#include "pci/iommu.h"
#include "shared/exit.h"
#include "log.h"
#include "shared/macro.h"
#include "shared/paths.h"
#include "shared/strv.h"
#include "shared/write.h"

struct opts {
	bool force, dry_run;
};

static void help(void)
{
	printf("Usage: vfiokit [--root DIR] init [--dry-run] [--force]\n"
	       "\n"
	       "Write a starter " VK_PATH_VFIOKIT_CONF " from the IOMMU groups 'vfiokit groups'\n"
	       "finds: every device is there as a comment, with its group (isolated, ready),\n"
	       "its subsystem, its driver and the kernel modules that could claim it; what a\n"
	       "guest can use is offered as a setting, and what the host needs is marked.\n"
	       "'vfiokit claim' chooses the ones for the guest (or uncomment them), then run\n"
	       "'vfiokit plan'.\n"
	       "An existing file is left alone unless --force (it is kept as\n"
	       "" VK_PATH_VFIOKIT_CONF VK_BACKUP_SUFFIX ").\n"
	       "\n"
	       "Options:\n"
	       "  -n, --dry-run  show the file instead of writing it\n"
	       "  -f, --force    replace an existing file\n"
	       "  -h, --help     show this help\n"
	       "\n"
	       "Exit status: 0 written; 1 error or the file exists; 2 usage error.\n");
}

/* How many functions of gs have d's vendor:device id? */
static size_t same_model(const struct vk_groups *gs, const struct vk_pci_dev *d)
{
	size_t n = 0;

	for (size_t i = 0; i < gs->n_groups; i++)
		for (size_t k = 0; k < gs->groups[i].n_devs; k++)
			n += gs->groups[i].devs[k].vendor_id == d->vendor_id &&
			     gs->groups[i].devs[k].device_id == d->device_id;
	return n;
}

/* What the host runs on, and the module index for the drivers. */
struct host {
	const struct vk_ctx *ctx;
	struct vk_kmod *km;
	struct vk_addrs root, nic;
};

static void put_group(FILE *f, const struct host *h, const struct vk_groups *gs,
		      const struct vk_group *g, char ***names, size_t *n_names)
{
	fprintf(f, "\n\t# IOMMU group %lu: %s\n", g->id,
		!g->isolated ? "not isolated: a device in it stays with the host, so none of "
			       "it can be handed over"
		: g->ready   ? "isolated and ready: it can be handed over (every device in it "
			       "goes together)"
			     : "isolated: it can be handed over once vfio-pci holds it (every "
			       "device in it goes together)");
	for (size_t i = 0; i < g->n_devs; i++) {
		const struct vk_pci_dev *d = &g->devs[i];
		char name[64], desc[512], sub[512], mods[256], warn[512];
		const struct vk_pci_dev *by;
		const char *why;

		vk_conf_device_name(gs, d, (const char *const *)*names, *n_names, name,
				    sizeof(name));
		vk_strv_push(names, n_names, name);
		vk_pci_dev_describe(d, desc, sizeof(desc));
		fprintf(f, "\t# %s: %s%s%s%s\n", d->addr, desc, d->driver ? ", driver " : "",
			d->driver ? d->driver : "", d->boot_vga ? ", the boot VGA device" : "");
		if (vk_pci_dev_subsys(d, sub, sizeof(sub)))
			fprintf(f, "\t#   subsystem: %s\n", sub);
		vk_dev_drivers_text(h->ctx, h->km, d, mods, sizeof(mods));
		if (*mods)
			fprintf(f, "\t#   kernel modules: %s\n", mods);
		if (vk_dev_future_warning(h->ctx, h->km, d, warn, sizeof(warn)))
			fprintf(f, "\t#   warning: %s\n", warn);
		switch (vk_dev_offer(g, d, &h->root, &h->nic, &by)) {
		case VK_OFFER_BRIDGE:
			fputs("\t#   (a bridge: it stays with the host)\n", f);
			continue;
		case VK_OFFER_HOST:
			fprintf(f, "\t#   (it %s)\n", vk_dev_host_only(d, &h->root, &h->nic));
			continue;
		case VK_OFFER_GROUP:
			continue;
		case VK_OFFER_YES:
			break;
		}
		if ((why = vk_host_role(d, &h->root, &h->nic)))
			fprintf(f,
				"\t#   the host needs it: it %s; plan refuses it unless "
				"--allow-host-device\n",
				why);
		if (same_model(gs, d) > 1)
			fprintf(f, "\t# %s = { address = \"%s\"; claim = \"override\"; };\n", name,
				d->addr);
		else
			fprintf(f, "\t# %s = { id = \"%04x:%04x\"; };\n", name, d->vendor_id,
				d->device_id);
	}
}

/* text as comment lines of f, at most 72 columns. */
static void put_comment(FILE *f, const char *text)
{
	while (*text) {
		size_t n = strlen(text), cut = n;

		if (n > 68) {
			cut = 68;
			while (cut && text[cut] != ' ')
				cut--;
			if (!cut)
				cut = 68;
		}
		fprintf(f, "\t# %.*s\n", (int)cut, text);
		text += cut;
		while (*text == ' ')
			text++;
	}
}

static char *render(const struct vk_ctx *ctx, const struct host *h, const struct vk_groups *gs)
{
	char *buf = NULL, **names = NULL;
	size_t len = 0, n_names = 0;
	FILE *f = open_memstream(&buf, &len);
	bool tree = faccessat(ctx->rootfd, vk_rel(VK_PATH_KERNEL_SRC "/.config"), F_OK, 0) == 0;
	_cleanup_free_ char *src = vk_ctx_path(ctx, VK_PATH_KERNEL_SRC);
	char pkg[128] = "";
	/* A tree Gentoo's dist-kernel installed is the package's, not a source tree. */
	bool dist = src && vk_tree_dist_kernel(src, pkg, sizeof(pkg)) > 0;

	if (!f)
		return NULL;
	fputs("# vfiokit's configuration: the devices to hand to KVM guests and how the\n"
	      "# host is set up for it. 'vfiokit plan' shows the changes, 'vfiokit apply'\n"
	      "# makes them, 'vfiokit undo' takes them back. See vfiokit.conf(5).\n"
	      "# Written by 'vfiokit init' from this machine's IOMMU groups.\n"
	      "\n"
	      "# How the kernel command line is set: \"auto\", \"grub\" (/etc/default/grub)\n"
	      "# or \"kernel-cmdline\" (/etc/kernel/cmdline).\n"
	      "boot = \"auto\";\n"
	      "\n"
	      "# The kernel to configure: its source directory (after genkernel or\n"
	      "# make localyesconfig), \"dist\" for Gentoo's dist-kernel, or \"none\".\n",
	      f);
	if (dist)
		fprintf(f,
			"# %s belongs to %s (its dist-kernel marker):\n"
			"# options go to %s for its next build.\n",
			VK_PATH_KERNEL_SRC, pkg, VK_PATH_DIST_KERNEL_CONFIG);
	fprintf(f, "kernel = \"%s\";\n", dist ? "dist" : tree ? VK_PATH_KERNEL_SRC : "none");
	fputs("\n"
	      "# The kconfig profiles to merge: \"auto\" picks them by CPU vendor.\n"
	      "profiles = [ \"auto\" ];\n"
	      "\n"
	      "# More kernel arguments. iommu=pt leaves the host's own devices out of\n"
	      "# the IOMMU's translation.\n"
	      "arguments = [ \"iommu=pt\" ];\n"
	      "\n"
	      "# kvm ignore_msrs=1: guests that read unknown MSRs (Windows, some games)\n"
	      "# keep running.\n"
	      "ignore_msrs = false;\n"
	      "\n"
	      "# The devices: uncomment each one to hand over. By id, every device of\n"
	      "# that model is claimed at boot; claim = \"pci-stub\" uses pci-stub instead\n"
	      "# of vfio-pci. For one card of two alike (a host and a guest GPU of one\n"
	      "# model) use its address: gpu = { address = \"0000:01:00.0\"; claim =\n"
	      "# \"override\"; };\n"
	      "devices = {",
	      f);
	for (size_t i = 0; i < gs->n_groups; i++)
		put_group(f, h, gs, &gs->groups[i], &names, &n_names);
	vk_strv_free(names, n_names);
	if (!gs->n_groups) {
		struct vk_iommu_status st;
		const char *why;

		vk_iommu_status(ctx, &st);
		why = vk_iommu_explain(&st);
		fputs("\n", f);
		put_comment(f, "No IOMMU groups yet, so no device to offer. Why:");
		put_comment(f, why ? why : "the kernel shows none");
		put_comment(f, "The IOMMU comes first: 'vfiokit plan' and 'vfiokit apply' with no "
			       "device set up exactly that (the kernel's IOMMU options and its "
			       "command line). Reboot, then run 'vfiokit init --force' again.");
	}
	fputs("};\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int cmd_init(struct vk_ctx *ctx, int argc, char **argv)
{
	_cleanup_free_ char *text = NULL, *shown = vk_ctx_path(ctx, VK_PATH_VFIOKIT_CONF);
	struct vk_groups gs = {};
	struct vk_pci *pci = NULL;
	struct host h = { .ctx = ctx };
	struct vk_file f = {};
	struct opts o = {};
	char why[256];
	int r;

	r = vk_cmd_parse_force("init", help, argc, argv, &o.dry_run, &o.force);
	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	vk_root_disk_addrs(ctx, &h.root);
	vk_route_nic_addrs(ctx, &h.nic);
	if (!shown || vk_pci_new(ctx, &pci) < 0 || vk_groups_load(ctx, pci, &gs) < 0 ||
	    vk_kmod_open_target(ctx, &h.km, why, sizeof(why)) == -ENOMEM ||
	    !(text = render(ctx, &h, &gs))) {
		vk_err("out of memory");
		r = VK_EXIT_ERROR;
		goto out;
	}
	for (size_t i = 0; i < gs.n_errors; i++)
		vk_warn("%s", gs.errors[i]);
	if (o.dry_run) {
		fputs(text, stdout);
		goto out;
	}
	r = vk_file_load(ctx->rootfd, VK_PATH_VFIOKIT_CONF, 1 << 20, &f);
	if (r < 0) {
		vk_err("%s: %s", shown, strerror(-r));
		r = VK_EXIT_ERROR;
		goto out;
	}
	if (f.exists && !o.force) {
		vk_err("%s exists: edit it, or give --force to replace it (it is kept as %s%s)",
		       shown, shown, VK_BACKUP_SUFFIX);
		r = VK_EXIT_ERROR;
		goto out;
	}
	{
		struct vk_write w = { .rootfd = ctx->rootfd,
				      .prefix = ctx->prefix,
				      .shown = shown,
				      .verbosity = ctx->verbosity };

		r = vk_cmd_write(&w, &f, text, strlen(text), NULL);
	}
	if (r == 0 && ctx->verbosity >= 0) {
		char list[256], plan[256];

		printf("Choose the devices for the guest (or uncomment their lines in %s):\n"
		       "  %s      lists them\n"
		       "  %s N    hands device N over\n"
		       "then '%s' shows what that changes.\n",
		       shown, vk_ctx_hint(ctx, "claim", list, sizeof(list)), list,
		       vk_ctx_hint(ctx, "plan", plan, sizeof(plan)));
	}
out:
	vk_kmod_free(h.km);
	vk_file_clear(&f);
	vk_groups_clear(&gs);
	vk_pci_free(pci);
	return r;
}
