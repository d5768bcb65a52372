// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit verify's checks of the devices chosen with --device: present,
 * its IOMMU group claimed as a whole, /dev/vfio/N, a reset method, and not
 * one the host needs (the boot GPU, the root disk's controller, the NIC of
 * the default route).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../flow/claims.h"
#include "../modules/alias.h"
#include "../pci/groups.h"
#include "../pci/host.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/write.h"
#include "verify.h"

/* Are the group's claimed endpoints all on pci-stub (none on vfio-pci)? */
static bool stub_only(const struct vk_group *g)
{
	bool stub = false;

	for (size_t i = 0; i < g->n_devs; i++) {
		const char *drv = g->devs[i].driver;

		if (vk_dev_state(&g->devs[i]) != VK_DEV_CLAIMED)
			continue;
		if (!drv || !streq(drv, "pci-stub"))
			return false;
		stub = true;
	}
	return stub;
}

static void check_group(const struct vk_ctx *ctx, struct vk_kmod *km, const struct vk_group *g,
			struct vk_verify *v)
{
	char what[128], bad[768] = "", path[64];
	size_t used = 0;
	struct stat st;

	snprintf(what, sizeof(what), "IOMMU group %lu bound to vfio-pci or pci-stub", g->id);
	for (size_t i = 0; i < g->n_devs; i++) {
		const struct vk_pci_dev *d = &g->devs[i];
		enum vk_dev_state s = vk_dev_state(d);
		char name[256], future[128] = "", drv[64];

		if (s == VK_DEV_CLAIMED || s == VK_DEV_BRIDGE || used > sizeof(bad) - 128)
			continue;
		vk_pci_dev_name(d, name, sizeof(name));
		if (vk_dev_future_driver(ctx, km, d, drv, sizeof(drv)))
			snprintf(future, sizeof(future),
				 " (udev loads %s for it at the next boot or hotplug)", drv);
		used += (size_t)snprintf(bad + used, sizeof(bad) - used, "%s%s (%s) %s%s%s",
					 used ? "; " : "", d->addr, name,
					 s == VK_DEV_FREE      ? "has no driver"
					 : s == VK_DEV_UNKNOWN ? "cannot be read"
							       : "is bound to ",
					 s == VK_DEV_HOST ? d->driver : "", future);
	}
	if (!*bad)
		vk_verify_add(v, "devices", VK_RESULT_PASS, what, NULL);
	else
		vk_verify_addf(v, "devices", VK_RESULT_FAIL, what,
			       "%s: a guest gets the whole group, bind every endpoint in it to "
			       "vfio-pci",
			       bad);

	snprintf(what, sizeof(what), "/dev/vfio/%lu present", g->id);
	snprintf(path, sizeof(path), "%s/%lu", VK_PATH_DEV_VFIO, g->id);
	if (fstatat(ctx->rootfd, vk_rel(path), &st, 0) == 0)
		vk_verify_add(v, "devices", VK_RESULT_PASS, what, NULL);
	else if (!*bad && stub_only(g))
		vk_verify_add(v, "devices", VK_RESULT_PASS, what,
			      "not yet: pci-stub holds the group, and vfio-pci makes the node "
			      "when it is bound (libvirt's managed='yes' does that)");
	else
		vk_verify_addf(v, "devices", VK_RESULT_FAIL, what,
			       "%s%s: %s: vfio-pci has not claimed the group", ctx->prefix, path,
			       strerror(errno));
}

static void check_dev(const struct vk_ctx *ctx, const struct vk_pci_dev *d,
		      const struct vk_addrs *root, const struct vk_addrs *nic, struct vk_verify *v)
{
	char what[128], path[128], methods[256];
	ssize_t r;

	snprintf(what, sizeof(what), "%s reset method", d->addr);
	snprintf(path, sizeof(path), "%s/%s/reset_method", VK_PATH_PCI_DEVICES, d->addr);
	r = vk_read_file(ctx->rootfd, vk_rel(path), methods, sizeof(methods));
	if (r > 0)
		vk_verify_add(v, "devices", VK_RESULT_PASS, what, methods);
	else if (r == 0 || r == -ENOENT) {
		char reset[128];

		snprintf(reset, sizeof(reset), "%s/%s/reset", VK_PATH_PCI_DEVICES, d->addr);
		if (r == -ENOENT && fstatat(ctx->rootfd, vk_rel(reset), &(struct stat){}, 0) == 0)
			vk_verify_add(v, "devices", VK_RESULT_PASS, what,
				      "resettable (the kernel does not list how)");
		else
			vk_verify_add(v, "devices", VK_RESULT_WARN, what,
				      "the kernel knows no way to reset it (no FLR, PM or bus "
				      "reset): a guest may find it in a dirty state after its "
				      "first boot");
	} else {
		vk_verify_addf(v, "devices", VK_RESULT_UNKNOWN, what, "%s%s: %s", ctx->prefix, path,
			       strerror((int)-r));
	}

	snprintf(what, sizeof(what), "%s is not the boot GPU", d->addr);
	if (d->boot_vga)
		vk_verify_add(v, "devices", VK_RESULT_WARN, what,
			      "it is the boot VGA device, the firmware's and the host console's: "
			      "only for a host with another GPU or none");
	else
		vk_verify_add(v, "devices", VK_RESULT_PASS, what, NULL);

	snprintf(what, sizeof(what), "%s does not hold the root file system", d->addr);
	if (root->err)
		vk_verify_add(v, "devices", VK_RESULT_UNKNOWN, what, root->why);
	else if (vk_addrs_has(root, d->addr))
		vk_verify_add(v, "devices", VK_RESULT_FAIL, what,
			      "the root file system's disk hangs on it: the host cannot run "
			      "without it");
	else
		vk_verify_add(v, "devices", VK_RESULT_PASS, what, *root->why ? root->why : NULL);

	snprintf(what, sizeof(what), "%s is not the default-route NIC", d->addr);
	if (nic->err)
		vk_verify_add(v, "devices", VK_RESULT_UNKNOWN, what, nic->why);
	else if (vk_addrs_has(nic, d->addr))
		vk_verify_add(v, "devices", VK_RESULT_FAIL, what,
			      "the default route goes through it: the host loses its network");
	else
		vk_verify_add(v, "devices", VK_RESULT_PASS, what, NULL);
}

/* A device the host needs that a claim catches, on the running command
 * line or in what the next boot reads: a FAIL for each. */
static void check_host_claims(const struct vk_ctx *ctx, struct vk_verify *v)
{
	struct vk_claims cs;

	if (vk_claims_of_host(ctx, VK_CLAIMS_RUNNING | VK_CLAIMS_BOOT | VK_CLAIMS_MODPROBE, &cs) <
	    0) {
		v->err = -ENOMEM;
		return;
	}
	for (size_t i = 0; i < cs.n; i++) {
		const struct vk_claim *c = &cs.v[i];
		char what[128];

		snprintf(what, sizeof(what), "%s is claimed by no %s id", c->addr, c->driver);
		vk_verify_addf(v, "devices", VK_RESULT_FAIL, what,
			       "%s%s:%u: %s catches it, and it %s: take that id out (a claim by "
			       "id takes every device of that model; claim the guest's by "
			       "address)",
			       ctx->prefix, c->file, c->line, c->arg, c->role);
	}
	vk_claims_clear(&cs);
}

void vk_verify_devices(const struct vk_ctx *ctx, const struct vk_verify_opts *o,
		       struct vk_verify *v)
{
	struct vk_groups gs = {};
	struct vk_pci *pci = NULL;
	struct vk_addrs root = {}, nic = {};
	struct vk_kmod *km = NULL;
	bool *group_done = NULL;
	char why[256];
	int r;

	check_host_claims(ctx, v);
	if (!o->n_devices)
		return;
	r = vk_pci_new(ctx, &pci);
	if (r >= 0)
		r = vk_groups_load(ctx, pci, &gs);
	if (r < 0) {
		v->err = r == -ENOMEM ? r : v->err;
		vk_verify_addf(v, "devices", VK_RESULT_UNKNOWN, "IOMMU groups", "%s", strerror(-r));
		goto out;
	}
	group_done = calloc(gs.n_groups + 1, sizeof(*group_done));
	if (!group_done) {
		v->err = -ENOMEM;
		goto out;
	}
	vk_root_disk_addrs(ctx, &root);
	vk_route_nic_addrs(ctx, &nic);
	if (vk_kmod_open_target(ctx, &km, why, sizeof(why)) == -ENOMEM)
		v->err = -ENOMEM;
	for (size_t i = 0; i < o->n_devices; i++) {
		char what[128];
		size_t found = 0;

		snprintf(what, sizeof(what), "device %s present", o->devices[i]);
		for (size_t k = 0; k < gs.n_groups; k++)
			for (size_t j = 0; j < gs.groups[k].n_devs; j++) {
				const struct vk_pci_dev *d = &gs.groups[k].devs[j];
				char name[256];

				if (!vk_pci_dev_matches(d, o->devices[i]))
					continue;
				found++;
				vk_pci_dev_name(d, name, sizeof(name));
				vk_verify_addf(v, "devices", VK_RESULT_PASS, what,
					       "%s %s, IOMMU group %lu", d->addr, name,
					       gs.groups[k].id);
				if (!group_done[k])
					check_group(ctx, km, &gs.groups[k], v);
				group_done[k] = true;
				check_dev(ctx, d, &root, &nic, v);
			}
		if (found)
			continue;
		if (!gs.n_groups)
			vk_verify_add(v, "devices", VK_RESULT_FAIL, what,
				      "there are no IOMMU groups (see the iommu checks)");
		else
			vk_verify_add(v, "devices", VK_RESULT_FAIL, what,
				      "no device in any IOMMU group matches it: check the id or "
				      "the address (vfiokit groups)");
	}
out:
	vk_kmod_free(km);
	free(group_done);
	vk_groups_clear(&gs);
	vk_pci_free(pci);
}
