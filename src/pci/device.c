// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <pci/pci.h>

#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "device.h"

struct vk_pci {
	struct pci_access *acc;
	const struct vk_ctx *ctx;
	char *sysfs_path;
	char *ids_path;
};

/*
 * libpci reports fatal errors through acc->error, which must not return.
 * Ours jumps back to the device being read; libpci has no user pointer on
 * the callback, so the landing point is per thread.
 */
static _Thread_local jmp_buf *pci_jump;
static _Thread_local char pci_msg[256];

static void PCI_NONRET pci_error(char *msg, ...)
{
	va_list ap;

	va_start(ap, msg);
	vsnprintf(pci_msg, sizeof(pci_msg), msg, ap);
	va_end(ap);
	if (pci_jump)
		longjmp(*pci_jump, 1);
	abort(); /* libpci failed outside vk_pci_dev_read(): a bug */
}

static void pci_quiet(char *msg _unused_, ...)
{
}

int vk_pci_new(const struct vk_ctx *ctx, struct vk_pci **out)
{
	struct vk_pci *pci = calloc(1, sizeof(*pci));
	struct stat st;

	if (!pci)
		return -ENOMEM;
	pci->ctx = ctx;
	pci->sysfs_path = vk_ctx_path(ctx, VK_PATH_SYS_BUS_PCI);
	pci->ids_path = vk_ctx_path(ctx, VK_PATH_PCI_IDS);
	pci->acc = pci_alloc();
	if (!pci->sysfs_path || !pci->ids_path || !pci->acc) {
		vk_pci_free(pci);
		return -ENOMEM;
	}
	pci->acc->error = pci_error;
	pci->acc->warning = pci_quiet;
	pci->acc->debug = pci_quiet;
	pci->acc->method = PCI_ACCESS_SYS_BUS_PCI;
	pci_set_param(pci->acc, "sysfs.path", pci->sysfs_path);
	/* Names come from the pci.ids of the tree looked at when it has one,
	 * else from the one libpci was built with. Never from udev's hwdb,
	 * which always describes the running host. */
	if (fstatat(ctx->rootfd, vk_rel(VK_PATH_PCI_IDS), &st, 0) == 0)
		pci_set_name_list_path(pci->acc, pci->ids_path, 0);
	pci_init(pci->acc);
	*out = pci;
	return 0;
}

void vk_pci_free(struct vk_pci *pci)
{
	if (!pci)
		return;
	if (pci->acc)
		pci_cleanup(pci->acc);
	free(pci->sysfs_path);
	free(pci->ids_path);
	free(pci);
}

int vk_pci_addr_parse(const char *s, struct vk_pci_addr *a)
{
	int n = -1;

	/* sscanf's %x would also take signs, blanks and "0x". */
	if (strspn(s, "0123456789abcdefABCDEF:.") != strlen(s))
		return -EINVAL;
	if (sscanf(s, "%x:%x:%x.%x%n", &a->domain, &a->bus, &a->dev, &a->func, &n) == 4 &&
	    n == (int)strlen(s))
		goto check;
	a->domain = 0;
	n = -1;
	if (sscanf(s, "%x:%x.%x%n", &a->bus, &a->dev, &a->func, &n) == 3 && n == (int)strlen(s))
		goto check;
	return -EINVAL;
check:
	if (a->domain > 0xffff || a->bus > 0xff || a->dev > 0x1f || a->func > 7)
		return -EINVAL;
	return 0;
}

int vk_pci_id_parse(const char *s, unsigned int *vendor, unsigned int *device)
{
	int n = -1;

	if (strspn(s, "0123456789abcdefABCDEF:") != strlen(s))
		return -EINVAL;
	if (sscanf(s, "%4x:%4x%n", vendor, device, &n) != 2 || n != (int)strlen(s) ||
	    strlen(s) != 9)
		return -EINVAL;
	return 0;
}

bool vk_pci_dev_is_bridge(const struct vk_pci_dev *dev)
{
	return dev->class_id == PCI_CLASS_BRIDGE_PCI || dev->class_id == PCI_CLASS_BRIDGE_CARDBUS;
}

bool vk_pci_driver_is_vfio(const char *driver)
{
	size_t len;

	if (!driver)
		return false;
	if (streq(driver, "vfio-pci") || streq(driver, "pci-stub"))
		return true;
	len = strlen(driver);
	return len > 9 && streq(driver + len - 9, "_vfio_pci");
}

/*
 * libpci reads "vendor" with strtol() and takes anything; a file holding
 * something other than one 16-bit hex number is reported. (The vendor is
 * the file every PCI function has and the one that says it is there.)
 */
static int check_id_file(struct vk_pci *pci, const char *addr, const char *name, char *err,
			 size_t errlen)
{
	char path[128], buf[64];
	unsigned long v;
	ssize_t r;

	snprintf(path, sizeof(path), "%s/%s/%s", vk_rel(VK_PATH_PCI_DEVICES), addr, name);
	r = vk_read_file(pci->ctx->rootfd, path, buf, sizeof(buf));
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror((int)-r));
		return (int)r;
	}
	if (strncmp(buf, "0x", 2) != 0 || vk_parse_ulong(buf + 2, 16, &v) < 0 || v > 0xffff) {
		snprintf(err, errlen, "%s: not a 16-bit hex id (0xNNNN)", path);
		return -EINVAL;
	}
	return 0;
}

/* The bound driver: the name the device's "driver" link points to. One
 * readlink, where libpci's PCI_FILL_DRIVER resolves the whole path. */
static int read_driver(struct vk_pci *pci, struct vk_pci_dev *dev, char *err, size_t errlen)
{
	char path[128], name[256];
	struct stat st;
	int r;

	snprintf(path, sizeof(path), "%s/%s/driver", vk_rel(VK_PATH_PCI_DEVICES), dev->addr);
	r = vk_read_link_name(pci->ctx->rootfd, path, name, sizeof(name));
	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	/* A link whose driver directory is gone: the driver is mid-unbind, or
	 * the tree is damaged. Say so rather than claim a binding. */
	if (fstatat(pci->ctx->rootfd, path, &st, 0) < 0) {
		snprintf(err, errlen, "%s: dangling link, the driver it names is not there", path);
		return -ENOENT;
	}
	dev->driver = strdup(name);
	return dev->driver ? 0 : -ENOMEM;
}

/* A name from pci.ids, or NULL when the database has none; ids a to d as
 * pci_lookup_name() wants them for flags (it ignores unused ones). */
static char *lookup(struct pci_access *acc, int flags, unsigned int a, unsigned int b,
		    unsigned int c, unsigned int d)
{
	char buf[256], *r;

	r = pci_lookup_name(acc, buf, sizeof(buf),
			    flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB, a, b, c, d);
	return r ? strdup(r) : NULL;
}

/* Does the device have a subsystem? lspci shows none for 0000 and ffff. */
static bool has_subsys(const struct vk_pci_dev *dev)
{
	return dev->subsys_vendor_id && dev->subsys_vendor_id != 0xffff;
}

int vk_pci_dev_read(struct vk_pci *pci, const char *addr, struct vk_pci_dev *dev)
{
	struct pci_dev *volatile p = NULL;
	char err[512] = "";
	jmp_buf jump;
	volatile int r = 0;

	memset(dev, 0, sizeof(*dev));
	if (vk_pci_addr_parse(addr, &dev->a) < 0)
		return -EINVAL;
	snprintf(dev->addr, sizeof(dev->addr), "%04x:%02x:%02x.%x", dev->a.domain, dev->a.bus,
		 dev->a.dev, dev->a.func);

	if (check_id_file(pci, dev->addr, "vendor", err, sizeof(err)) < 0)
		goto out;

	pci_jump = &jump;
	if (setjmp(jump)) {
		snprintf(err, sizeof(err), "%s/%s: libpci: %s", vk_rel(VK_PATH_PCI_DEVICES),
			 dev->addr, pci_msg);
		goto out;
	}
	p = pci_get_dev(pci->acc, (int)dev->a.domain, (int)dev->a.bus, (int)dev->a.dev,
			(int)dev->a.func);
	pci_fill_info(p, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS);
	dev->vendor_id = p->vendor_id;
	dev->device_id = p->device_id;
	dev->class_id = p->device_class;
	dev->prog_if = p->prog_if;
	dev->revision = p->rev_id;
	dev->subsys_vendor_id = p->subsys_vendor_id;
	dev->subsys_device_id = p->subsys_id;
	dev->vendor = lookup(pci->acc, PCI_LOOKUP_VENDOR, p->vendor_id, 0, 0, 0);
	dev->device = lookup(pci->acc, PCI_LOOKUP_DEVICE, p->vendor_id, p->device_id, 0, 0);
	dev->class_name = lookup(pci->acc, PCI_LOOKUP_CLASS, p->device_class, 0, 0, 0);
	/* The two halves of lspci's "Subsystem:" lookup. */
	if (has_subsys(dev)) {
		dev->subsys_vendor = lookup(pci->acc, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_VENDOR,
					    p->subsys_vendor_id, 0, 0, 0);
		dev->subsys_device =
			lookup(pci->acc, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, p->vendor_id,
			       p->device_id, p->subsys_vendor_id, p->subsys_id);
	}
	/* An unknown subclass comes back as the base class's name followed by
	 * " [cccc]"; keep the name only, the id is printed separately. */
	if (dev->class_name) {
		char *bracket = strstr(dev->class_name, " [");

		if (bracket)
			*bracket = '\0';
	}
	dev->have_ident = true;
	r = read_driver(pci, dev, err, sizeof(err));
	if (r == -ENOENT)
		r = 0;
out:
	pci_jump = NULL;
	if (p)
		pci_free_dev(p);
	if (!r) {
		char buf[8], path[128];

		snprintf(path, sizeof(path), "%s/%s/boot_vga", vk_rel(VK_PATH_PCI_DEVICES),
			 dev->addr);
		dev->boot_vga = vk_read_file(pci->ctx->rootfd, path, buf, sizeof(buf)) > 0 &&
				streq(buf, "1");
	}
	if (*err && !r) {
		dev->error = strdup(err);
		if (!dev->error)
			r = -ENOMEM;
	}
	return r;
}

int vk_pci_config_read(struct vk_pci *pci, const struct vk_pci_dev *dev, unsigned char *buf,
		       size_t size)
{
	static const size_t sizes[] = { 4096, 256, 64 };
	struct pci_dev *volatile p = NULL;
	volatile int got = 0;
	jmp_buf jump;

	pci_jump = &jump;
	if (setjmp(jump))
		goto out;
	p = pci_get_dev(pci->acc, (int)dev->a.domain, (int)dev->a.bus, (int)dev->a.dev,
			(int)dev->a.func);
	for (size_t i = 0; i < ARRAY_SIZE(sizes) && !got; i++)
		if (sizes[i] <= size && pci_read_block(p, 0, buf, (int)sizes[i]))
			got = (int)sizes[i];
out:
	pci_jump = NULL;
	if (p)
		pci_free_dev(p);
	return got;
}

bool vk_pci_dev_matches(const struct vk_pci_dev *dev, const char *spec)
{
	struct vk_pci_addr a;
	unsigned int v, d;

	if (vk_pci_id_parse(spec, &v, &d) == 0)
		return dev->vendor_id == v && dev->device_id == d;
	if (vk_pci_addr_parse(spec, &a) == 0)
		return !memcmp(&a, &dev->a, sizeof(a));
	return false;
}

void vk_pci_dev_name(const struct vk_pci_dev *dev, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s%s", dev->vendor ? dev->vendor : "", dev->vendor ? " " : "",
		 dev->device ? dev->device : "Device");
}

void vk_pci_dev_describe(const struct vk_pci_dev *dev, char *buf, size_t size)
{
	char name[512], rev[16] = "";

	vk_pci_dev_name(dev, name, sizeof(name));
	if (dev->revision)
		snprintf(rev, sizeof(rev), " (rev %02x)", dev->revision);
	snprintf(buf, size, "%s [%04x]: %s [%04x:%04x]%s",
		 dev->class_name ? dev->class_name : "Class", dev->class_id, name, dev->vendor_id,
		 dev->device_id, rev);
}

bool vk_pci_dev_subsys(const struct vk_pci_dev *dev, char *buf, size_t size)
{
	if (!has_subsys(dev)) {
		snprintf(buf, size, "%04x:%04x", dev->subsys_vendor_id, dev->subsys_device_id);
		return false;
	}
	snprintf(buf, size, "%s%s%s [%04x:%04x]", dev->subsys_vendor ? dev->subsys_vendor : "",
		 dev->subsys_vendor ? " " : "", dev->subsys_device ? dev->subsys_device : "Device",
		 dev->subsys_vendor_id, dev->subsys_device_id);
	return true;
}

void vk_pci_dev_clear(struct vk_pci_dev *dev)
{
	free(dev->vendor);
	free(dev->device);
	free(dev->subsys_vendor);
	free(dev->subsys_device);
	free(dev->class_name);
	free(dev->driver);
	free(dev->error);
	memset(dev, 0, sizeof(*dev));
}

int vk_pci_dev_flr(struct vk_pci *pci, const struct vk_pci_dev *dev, const char **cap)
{
	struct pci_dev *volatile p = NULL;
	jmp_buf jump;
	volatile int r = -ENODATA;
	struct pci_cap *c;

	*cap = NULL;
	pci_jump = &jump;
	if (setjmp(jump)) {
		r = -EIO;
		goto out;
	}
	p = pci_get_dev(pci->acc, (int)dev->a.domain, (int)dev->a.bus, (int)dev->a.dev,
			(int)dev->a.func);
	pci_fill_info(p, PCI_FILL_CAPS);
	c = pci_find_cap(p, PCI_CAP_ID_EXP, PCI_CAP_NORMAL);
	if (c) {
		*cap = "PCIe";
		r = !!(pci_read_long(p, c->addr + PCI_EXP_DEVCAP) & PCI_EXP_DEVCAP_FLRESET);
		goto out;
	}
	c = pci_find_cap(p, PCI_CAP_ID_AF, PCI_CAP_NORMAL);
	if (c) {
		*cap = "PCI Advanced Features";
		r = !!(pci_read_byte(p, c->addr + PCI_AF_CAP) & PCI_AF_CAP_FLR);
	}
out:
	pci_jump = NULL;
	if (p)
		pci_free_dev(p);
	return r;
}
