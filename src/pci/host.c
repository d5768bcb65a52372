// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <blkid.h>

#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/write.h"
#include "host.h"

/* Add every "dddd:bb:dd.f" component of the sysfs path p. */
static void addrs_from_path(struct vk_addrs *s, const char *p)
{
	char copy[PATH_MAX], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", p);
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		struct vk_pci_addr a;

		if (strlen(c) != VK_PCI_ADDR_LEN - 1 || vk_pci_addr_parse(c, &a) < 0)
			continue;
		if (s->n < VK_MAX_ADDRS)
			snprintf(s->a[s->n++], VK_PCI_ADDR_LEN, "%s", c);
	}
}

const char *vk_host_role(const struct vk_pci_dev *d, const struct vk_addrs *root,
			 const struct vk_addrs *nic)
{
	if (d->boot_vga)
		return "is the boot VGA device, the firmware's and the host console's";
	if (vk_addrs_has(root, d->addr))
		return "drives the disk of the root file system";
	if (vk_addrs_has(nic, d->addr))
		return "is the NIC of the default route";
	return NULL;
}

bool vk_addrs_has(const struct vk_addrs *s, const char *addr)
{
	for (size_t i = 0; i < s->n; i++)
		if (streq(s->a[i], addr))
			return true;
	return false;
}

/* The block device's sysfs directory and those of its slaves (dm, md),
 * one level down. */
static void block_dev_addrs(const struct vk_ctx *ctx, const char *devdir, struct vk_addrs *s,
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
void vk_root_disk_addrs(const struct vk_ctx *ctx, struct vk_addrs *s)
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
void vk_route_nic_addrs(const struct vk_ctx *ctx, struct vk_addrs *s)
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
