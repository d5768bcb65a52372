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
#include "../pci/reset.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/write.h"
#include "probe.h"
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

/* What a guest restart relies on: the kernel's reset methods, FLR as the
 * config space advertises it, and the devices known to fail reset. */
static void check_reset(const struct vk_ctx *ctx, struct vk_pci *pci, const struct vk_pci_dev *d,
			struct vk_verify *v)
{
	char what[128], path[128], methods[256] = "";
	const char *quirk = vk_pci_reset_quirk(d->vendor_id, d->device_id), *cap;
	ssize_t r;
	int flr;

	snprintf(what, sizeof(what), "%s reset method", d->addr);
	snprintf(path, sizeof(path), "%s/%s/reset_method", VK_PATH_PCI_DEVICES, d->addr);
	r = vk_read_file(ctx->rootfd, vk_rel(path), methods, sizeof(methods));
	if (r > 0 && quirk && strncmp(methods, "device_specific", 15) != 0)
		vk_verify_addf(v, "devices", VK_RESULT_WARN, what,
			       "%s: an AMD %s GPU, whose own reset is known to fail (the guest's "
			       "second start hangs, or the host does): build and load the "
			       "vendor-reset module (github.com/gnif/vendor-reset), then echo "
			       "device_specific > %s (a udev rule keeps it across boots)",
			       methods, quirk, path);
	else if (r > 0 && quirk)
		vk_verify_addf(v, "devices", VK_RESULT_PASS, what,
			       "%s: vendor-reset's method for this AMD %s GPU", methods, quirk);
	else if (r > 0 && streq(methods, "bus"))
		vk_verify_add(v, "devices", VK_RESULT_WARN, what,
			      "bus only: resetting it resets every device behind the same "
			      "bridge, so give all of them to the same guest");
	else if (r > 0)
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

	snprintf(what, sizeof(what), "%s Function Level Reset", d->addr);
	flr = vk_pci_dev_flr(pci, d, &cap);
	if (flr == 1)
		vk_verify_addf(v, "devices", VK_RESULT_PASS, what,
			       "advertised in its %s capability", cap);
	else if (flr == 0)
		vk_verify_addf(v, "devices", VK_RESULT_PASS, what,
			       "not advertised in its %s capability: a guest restart relies on "
			       "the reset method above",
			       cap);
	else if (flr == -ENODATA)
		vk_verify_add(v, "devices", VK_RESULT_PASS, what,
			      "no PCIe or Advanced Features capability: a guest restart relies on "
			      "the reset method above");
	else
		vk_verify_addf(v, "devices", VK_RESULT_UNKNOWN, what,
			       "%s%s/%s/config: cannot be read (as root it can)", ctx->prefix,
			       VK_PATH_PCI_DEVICES, d->addr);
}

static void check_dev(const struct vk_ctx *ctx, struct vk_pci *pci, const struct vk_pci_dev *d,
		      const struct vk_addrs *root, const struct vk_addrs *nic, struct vk_verify *v)
{
	char what[128];

	check_reset(ctx, pci, d, v);

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

/* The device's VFIO cdev ("vfio0" of <addr>/vfio-dev/), or NULL. */
static char *vfio_cdev(const struct vk_ctx *ctx, const char *addr)
{
	char path[128], **names = NULL, *cdev = NULL;
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/%s/vfio-dev", vk_rel(VK_PATH_PCI_DEVICES), addr);
	if (vk_list_dir(ctx->rootfd, path, &names, &n) == 0 && n)
		cdev = strdup(names[0]);
	free(names);
	return cdev;
}

/* Ask the kernel what QEMU asks (probe.c) about the groups marked chosen,
 * for their chosen devices. */
static void probe(const struct vk_ctx *ctx, const struct vk_verify_opts *o,
		  const struct vk_groups *gs, bool *const *chosen, struct vk_verify *v)
{
	struct vk_probe_opts po = { .open_devices = o->probe, .force = o->force_probe };
	struct vk_probe_group *pg = calloc(gs->n_groups, sizeof(*pg));
	struct vk_probe_dev *pd = NULL;
	struct vk_vfio_ops real;
	size_t n = 0, total = 0, nd = 0;

	for (size_t k = 0; k < gs->n_groups; k++)
		total += gs->groups[k].n_devs;
	pd = calloc(total + 1, sizeof(*pd));
	if (!pg || !pd) {
		v->err = -ENOMEM;
		goto out;
	}
	for (size_t k = 0; k < gs->n_groups; k++) {
		const struct vk_group *g = &gs->groups[k];
		char path[64];
		struct vk_probe_group *p = &pg[n];

		if (!chosen[k])
			continue;
		p->id = g->id;
		p->stub = stub_only(g);
		snprintf(path, sizeof(path), "%s/%lu", VK_PATH_DEV_VFIO, g->id);
		p->no_node = fstatat(ctx->rootfd, vk_rel(path), &(struct stat){}, 0) < 0;
		p->devs = &pd[nd];
		for (size_t j = 0; j < g->n_devs; j++) {
			const struct vk_pci_dev *d = &g->devs[j];

			if (!chosen[k][j])
				continue;
			pd[nd].addr = d->addr;
			pd[nd].cdev = vfio_cdev(ctx, d->addr);
			pd[nd].no_reset = vk_pci_reset_quirk(d->vendor_id, d->device_id)
						  ? "it is an AMD GPU known to fail reset"
						  : NULL;
			nd++;
			p->n_devs++;
		}
		n++;
	}
	vk_vfio_ops_real(ctx, &real);
	vk_vfio_probe(o->vfio_ops ? o->vfio_ops : &real, pg, n, &po, v);
out:
	for (size_t i = 0; pd && i < nd; i++)
		free((char *)pd[i].cdev);
	free(pd);
	free(pg);
}

void vk_verify_devices(const struct vk_ctx *ctx, const struct vk_verify_opts *o,
		       struct vk_verify *v)
{
	struct vk_groups gs = {};
	struct vk_pci *pci = NULL;
	struct vk_addrs root = {}, nic = {};
	struct vk_kmod *km = NULL;
	bool **chosen = NULL;
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
	chosen = calloc(gs.n_groups + 1, sizeof(*chosen));
	if (!chosen) {
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
				if (!chosen[k]) {
					check_group(ctx, km, &gs.groups[k], v);
					chosen[k] = calloc(gs.groups[k].n_devs, sizeof(**chosen));
					if (!chosen[k]) {
						v->err = -ENOMEM;
						goto out;
					}
				}
				chosen[k][j] = true;
				check_dev(ctx, pci, d, &root, &nic, v);
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
	probe(ctx, o, &gs, chosen, v);
out:
	vk_kmod_free(km);
	for (size_t k = 0; chosen && k < gs.n_groups; k++)
		free(chosen[k]);
	free(chosen);
	vk_groups_clear(&gs);
	vk_pci_free(pci);
}
