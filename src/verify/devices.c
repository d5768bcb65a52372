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
#include <sys/sysmacros.h>

#include <blkid.h>

#include "../pci/groups.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/write.h"
#include "verify.h"

#define MAX_ADDRS 16

/* PCI addresses a host function hangs on, found in sysfs paths. */
struct addrs {
	char a[MAX_ADDRS][VK_PCI_ADDR_LEN];
	size_t n;
	int err; /* 0: known; else why it could not be told (-errno) */
	char why[256];
};

/* Add every "dddd:bb:dd.f" component of the sysfs path p. */
static void addrs_from_path(struct addrs *s, const char *p)
{
	char copy[PATH_MAX], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", p);
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		struct vk_pci_addr a;

		if (strlen(c) != VK_PCI_ADDR_LEN - 1 || vk_pci_addr_parse(c, &a) < 0)
			continue;
		if (s->n < MAX_ADDRS)
			snprintf(s->a[s->n++], VK_PCI_ADDR_LEN, "%s", c);
	}
}

static bool addrs_has(const struct addrs *s, const char *addr)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->a[i], addr))
			return true;
	return false;
}

/* The block device's sysfs directory and those of its slaves (dm, md),
 * one level down. */
static void block_dev_addrs(const struct vk_ctx *ctx, const char *devdir, struct addrs *s,
			    int depth)
{
	_cleanup_free_ char *full = vk_ctx_path(ctx, devdir);
	_cleanup_free_ char **names = NULL;
	char real[PATH_MAX], slaves[PATH_MAX];
	size_t n = 0;

	if (!full || !realpath(full, real)) {
		s->err = full ? -errno : -ENOMEM;
		snprintf(s->why, sizeof(s->why), "%s: %s", full ? full : devdir, strerror(-s->err));
		return;
	}
	addrs_from_path(s, real);
	if (depth > 3)
		return;
	/* A partition's slaves are its disk's. */
	snprintf(slaves, sizeof(slaves), "%s/slaves", devdir);
	if (vk_list_dir(ctx->rootfd, vk_rel(slaves), &names, &n) < 0) {
		snprintf(slaves, sizeof(slaves), "%s/../slaves", devdir);
		if (vk_list_dir(ctx->rootfd, vk_rel(slaves), &names, &n) < 0)
			n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		char sub[PATH_MAX + 256];

		snprintf(sub, sizeof(sub), "%s/%s", slaves, names[i]);
		block_dev_addrs(ctx, sub, s, depth + 1);
	}
}

/* File systems in memory or on the network: no local disk under them. */
static bool is_memory_fs(const char *fstype)
{
	static const char *const names[] = { "rootfs", "tmpfs", "ramfs", "nfs",
					     "nfs4",   "cifs",	"9p",	 "virtiofs" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (streq(fstype, names[i]))
			return true;
	return false;
}

/* The PCI functions under the root file system: its device number from
 * mountinfo (or the source's), then /sys/dev/block/MAJ:MIN. */
static void root_disk_addrs(const struct vk_ctx *ctx, struct addrs *s)
{
	struct vk_file f;
	unsigned int maj = 0, min = 0;
	char source[PATH_MAX] = "", fstype[64] = "", devdir[128];
	bool found = false;
	int r = vk_file_load(ctx->rootfd, VK_PATH_PROC_MOUNTINFO, 1 << 20, &f);

	if (r == 0 && !f.exists)
		r = -ENOENT;
	if (r < 0) {
		s->err = r;
		snprintf(s->why, sizeof(s->why), "%s%s: %s", ctx->prefix, VK_PATH_PROC_MOUNTINFO,
			 strerror(-r));
		vk_file_clear(&f);
		return;
	}
	for (char *save = NULL, *l = strtok_r(f.data, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		unsigned int ma, mi;
		char mnt[PATH_MAX], src[PATH_MAX];
		const char *sep = strstr(l, " - ");

		if (sscanf(l, "%*u %*u %u:%u %*s %4095s", &ma, &mi, mnt) != 3 || !streq(mnt, "/"))
			continue;
		found = true; /* the last mount on / is the one seen */
		maj = ma;
		min = mi;
		if (sep && sscanf(sep, " - %63s %4095s", fstype, src) == 2)
			snprintf(source, sizeof(source), "%s", src);
	}
	vk_file_clear(&f);
	if (!found) {
		s->err = -ENOENT;
		snprintf(s->why, sizeof(s->why), "%s%s: no mount on /", ctx->prefix,
			 VK_PATH_PROC_MOUNTINFO);
		return;
	}
	if (maj == 0 && is_memory_fs(fstype)) {
		snprintf(s->why, sizeof(s->why), "the root file system is %s, on no disk", fstype);
		return;
	}
	if (maj == 0) { /* btrfs and the like: an anonymous number; use the source */
		struct stat st;

		/* On the running system, libblkid also resolves LABEL=, UUID=
		 * and /dev/disk/by-* names to the device node. */
		if (*source && !*ctx->prefix) {
			char *dev = blkid_evaluate_spec(source, NULL);

			if (dev) {
				snprintf(source, sizeof(source), "%s", dev);
				free(dev);
			}
		}
		if (!*source || fstatat(ctx->rootfd, vk_rel(source), &st, 0) < 0 ||
		    !S_ISBLK(st.st_mode)) {
			s->err = -ENODEV;
			snprintf(s->why, sizeof(s->why),
				 "the root file system (%.160s) is not on a block device that can "
				 "be told",
				 *source ? source : "?");
			return;
		}
		maj = major(st.st_rdev);
		min = minor(st.st_rdev);
	}
	snprintf(devdir, sizeof(devdir), "%s/%u:%u", VK_PATH_SYS_DEV_BLOCK, maj, min);
	block_dev_addrs(ctx, devdir, s, 0);
}

/* The PCI functions behind the interfaces of the IPv4 default route. */
static void route_nic_addrs(const struct vk_ctx *ctx, struct addrs *s)
{
	struct vk_file f;
	int r = vk_file_load(ctx->rootfd, VK_PATH_PROC_NET_ROUTE, 1 << 20, &f);

	if (r == 0 && !f.exists)
		r = -ENOENT;
	if (r < 0) {
		s->err = r;
		snprintf(s->why, sizeof(s->why), "%s%s: %s", ctx->prefix, VK_PATH_PROC_NET_ROUTE,
			 strerror(-r));
		vk_file_clear(&f);
		return;
	}
	for (char *save = NULL, *l = strtok_r(f.data, "\n", &save); l;
	     l = strtok_r(NULL, "\n", &save)) {
		char iface[64], dest[16], mask[16], dev[256], real[PATH_MAX];
		_cleanup_free_ char *full = NULL;

		if (sscanf(l, "%63s %15s %*s %*s %*s %*s %*s %15s", iface, dest, mask) != 3 ||
		    !streq(dest, "00000000") || !streq(mask, "00000000"))
			continue;
		snprintf(dev, sizeof(dev), "%s/%s/device", VK_PATH_SYS_CLASS_NET, iface);
		full = vk_ctx_path(ctx, dev);
		if (full && realpath(full, real))
			addrs_from_path(s, real);
	}
	vk_file_clear(&f);
}

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

static void check_group(const struct vk_ctx *ctx, const struct vk_group *g, struct vk_verify *v)
{
	char what[128], bad[768] = "", path[64];
	size_t used = 0;
	struct stat st;

	snprintf(what, sizeof(what), "IOMMU group %lu bound to vfio-pci or pci-stub", g->id);
	for (size_t i = 0; i < g->n_devs; i++) {
		const struct vk_pci_dev *d = &g->devs[i];
		enum vk_dev_state s = vk_dev_state(d);
		char name[256];

		if (s == VK_DEV_CLAIMED || s == VK_DEV_BRIDGE || used > sizeof(bad) - 128)
			continue;
		vk_pci_dev_name(d, name, sizeof(name));
		used += (size_t)snprintf(bad + used, sizeof(bad) - used, "%s%s (%s) %s%s",
					 used ? "; " : "", d->addr, name,
					 s == VK_DEV_FREE      ? "has no driver"
					 : s == VK_DEV_UNKNOWN ? "cannot be read"
							       : "is bound to ",
					 s == VK_DEV_HOST ? d->driver : "");
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
		      const struct addrs *root, const struct addrs *nic, struct vk_verify *v)
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
	else if (addrs_has(root, d->addr))
		vk_verify_add(v, "devices", VK_RESULT_FAIL, what,
			      "the root file system's disk hangs on it: the host cannot run "
			      "without it");
	else
		vk_verify_add(v, "devices", VK_RESULT_PASS, what, *root->why ? root->why : NULL);

	snprintf(what, sizeof(what), "%s is not the default-route NIC", d->addr);
	if (nic->err)
		vk_verify_add(v, "devices", VK_RESULT_UNKNOWN, what, nic->why);
	else if (addrs_has(nic, d->addr))
		vk_verify_add(v, "devices", VK_RESULT_FAIL, what,
			      "the default route goes through it: the host loses its network");
	else
		vk_verify_add(v, "devices", VK_RESULT_PASS, what, NULL);
}

void vk_verify_devices(const struct vk_ctx *ctx, const struct vk_verify_opts *o,
		       struct vk_verify *v)
{
	struct vk_groups gs = {};
	struct vk_pci *pci = NULL;
	struct addrs root = {}, nic = {};
	bool *group_done = NULL;
	int r;

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
	root_disk_addrs(ctx, &root);
	route_nic_addrs(ctx, &nic);
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
					check_group(ctx, &gs.groups[k], v);
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
	free(group_done);
	vk_groups_clear(&gs);
	vk_pci_free(pci);
}
