// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VFIO probe (see probe.h): the kernel's own answers to what QEMU asks
 * first, each one a verify line with the kernel's words in its detail.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vfio.h>

#include "../shared/macro.h"
#include "../shared/paths.h"
#include "probe.h"

/* iommufd and the VFIO device cdev (Linux 6.6), for headers that predate
 * them; the numbers and layouts are kernel ABI. */
#define VK_VFIO_DEVICE_BIND_IOMMUFD	 _IO(VFIO_TYPE, VFIO_BASE + 18)
#define VK_VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#define VK_IOMMU_IOAS_ALLOC		 _IO(';', 0x81)

struct vk_vfio_bind_iommufd {
	uint32_t argsz, flags;
	int32_t iommufd;
	uint32_t out_devid;
};

struct vk_vfio_attach_pt {
	uint32_t argsz, flags, pt_id;
};

struct vk_iommu_ioas_alloc {
	uint32_t size, flags, out_ioas_id;
};

/* ---- the real calls ---- */

static int real_open(void *data, const char *path)
{
	const struct vk_ctx *ctx = data;
	struct stat st;
	int fd = openat(ctx->rootfd, vk_rel(path), O_RDWR | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode)) {
		close(fd);
		return -ENOTTY;
	}
	return fd;
}

static int real_ioctl(void *data _unused_, int fd, unsigned long req, void *arg)
{
	int r = ioctl(fd, req, arg);

	return r < 0 ? -errno : r;
}

static void real_close(void *data _unused_, int fd)
{
	close(fd);
}

void vk_vfio_ops_real(const struct vk_ctx *ctx, struct vk_vfio_ops *ops)
{
	*ops = (struct vk_vfio_ops){ real_open, real_ioctl, real_close, (void *)ctx };
}

/* ---- the trace ---- */

static const struct {
	unsigned long req;
	const char *name;
} ioctls[] = {
	{ VFIO_GET_API_VERSION, "VFIO_GET_API_VERSION" },
	{ VFIO_CHECK_EXTENSION, "VFIO_CHECK_EXTENSION" },
	{ VFIO_SET_IOMMU, "VFIO_SET_IOMMU" },
	{ VFIO_GROUP_GET_STATUS, "VFIO_GROUP_GET_STATUS" },
	{ VFIO_GROUP_SET_CONTAINER, "VFIO_GROUP_SET_CONTAINER" },
	{ VFIO_GROUP_GET_DEVICE_FD, "VFIO_GROUP_GET_DEVICE_FD" },
	{ VFIO_DEVICE_GET_INFO, "VFIO_DEVICE_GET_INFO" },
	{ VFIO_DEVICE_GET_REGION_INFO, "VFIO_DEVICE_GET_REGION_INFO" },
	{ VFIO_DEVICE_GET_IRQ_INFO, "VFIO_DEVICE_GET_IRQ_INFO" },
	{ VK_VFIO_DEVICE_BIND_IOMMUFD, "VFIO_DEVICE_BIND_IOMMUFD" },
	{ VK_VFIO_DEVICE_ATTACH_IOMMUFD_PT, "VFIO_DEVICE_ATTACH_IOMMUFD_PT" },
	{ VK_IOMMU_IOAS_ALLOC, "IOMMU_IOAS_ALLOC" },
};

const char *vk_vfio_ioctl_name(unsigned long req)
{
	for (size_t i = 0; i < ARRAY_SIZE(ioctls); i++)
		if (ioctls[i].req == req)
			return ioctls[i].name;
	return NULL;
}

unsigned long vk_vfio_ioctl_req(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ioctls); i++)
		if (streq(ioctls[i].name, name))
			return ioctls[i].req;
	return 0;
}

void vk_vfio_trace_in(unsigned long req, const void *arg, char *buf, size_t size)
{
	*buf = '\0';
	if (req == VFIO_CHECK_EXTENSION || req == VFIO_SET_IOMMU)
		snprintf(buf, size, "type=%lu", (unsigned long)(uintptr_t)arg);
	else if (req == VFIO_GROUP_SET_CONTAINER)
		snprintf(buf, size, "container=%d", *(const int *)arg);
	else if (req == VFIO_GROUP_GET_DEVICE_FD)
		snprintf(buf, size, "device=%s", (const char *)arg);
	else if (req == VFIO_DEVICE_GET_REGION_INFO)
		snprintf(buf, size, "index=%u", ((const struct vfio_region_info *)arg)->index);
	else if (req == VFIO_DEVICE_GET_IRQ_INFO)
		snprintf(buf, size, "index=%u", ((const struct vfio_irq_info *)arg)->index);
	else if (req == VK_VFIO_DEVICE_BIND_IOMMUFD)
		snprintf(buf, size, "iommufd=%d",
			 ((const struct vk_vfio_bind_iommufd *)arg)->iommufd);
	else if (req == VK_VFIO_DEVICE_ATTACH_IOMMUFD_PT)
		snprintf(buf, size, "pt=%u", ((const struct vk_vfio_attach_pt *)arg)->pt_id);
}

void vk_vfio_trace_out(unsigned long req, const void *arg, char *buf, size_t size)
{
	*buf = '\0';
	if (req == VFIO_GROUP_GET_STATUS) {
		snprintf(buf, size, "flags=0x%x", ((const struct vfio_group_status *)arg)->flags);
	} else if (req == VFIO_DEVICE_GET_INFO) {
		const struct vfio_device_info *i = arg;

		snprintf(buf, size, "flags=0x%x regions=%u irqs=%u", i->flags, i->num_regions,
			 i->num_irqs);
	} else if (req == VFIO_DEVICE_GET_REGION_INFO) {
		const struct vfio_region_info *i = arg;

		snprintf(buf, size, "flags=0x%x size=%" PRIu64, i->flags, (uint64_t)i->size);
	} else if (req == VFIO_DEVICE_GET_IRQ_INFO) {
		const struct vfio_irq_info *i = arg;

		snprintf(buf, size, "flags=0x%x count=%u", i->flags, i->count);
	} else if (req == VK_VFIO_DEVICE_BIND_IOMMUFD) {
		snprintf(buf, size, "devid=%u",
			 ((const struct vk_vfio_bind_iommufd *)arg)->out_devid);
	} else if (req == VK_IOMMU_IOAS_ALLOC) {
		snprintf(buf, size, "ioas=%u",
			 ((const struct vk_iommu_ioas_alloc *)arg)->out_ioas_id);
	}
}

int vk_vfio_trace_parse_out(unsigned long req, const char *out, void *arg)
{
	unsigned int a, b, c;
	uint64_t size;

	if (req == VFIO_GROUP_GET_STATUS && sscanf(out, "flags=0x%x", &a) == 1)
		((struct vfio_group_status *)arg)->flags = a;
	else if (req == VFIO_DEVICE_GET_INFO &&
		 sscanf(out, "flags=0x%x regions=%u irqs=%u", &a, &b, &c) == 3)
		*(struct vfio_device_info *)arg = (struct vfio_device_info){
			.argsz = sizeof(struct vfio_device_info),
			.flags = a,
			.num_regions = b,
			.num_irqs = c,
		};
	else if (req == VFIO_DEVICE_GET_REGION_INFO &&
		 sscanf(out, "flags=0x%x size=%" SCNu64, &a, &size) == 2) {
		((struct vfio_region_info *)arg)->flags = a;
		((struct vfio_region_info *)arg)->size = size;
	} else if (req == VFIO_DEVICE_GET_IRQ_INFO &&
		   sscanf(out, "flags=0x%x count=%u", &a, &b) == 2) {
		((struct vfio_irq_info *)arg)->flags = a;
		((struct vfio_irq_info *)arg)->count = b;
	} else if (req == VK_VFIO_DEVICE_BIND_IOMMUFD && sscanf(out, "devid=%u", &a) == 1)
		((struct vk_vfio_bind_iommufd *)arg)->out_devid = a;
	else if (req == VK_IOMMU_IOAS_ALLOC && sscanf(out, "ioas=%u", &a) == 1)
		((struct vk_iommu_ioas_alloc *)arg)->out_ioas_id = a;
	else if (*out)
		return -EINVAL;
	return 0;
}

static void trace_result(FILE *out, int r)
{
	if (r < 0)
		fprintf(out, "%d # %s", r, strerror(-r));
	else
		fprintf(out, "%d", r);
}

static int traced_open(void *data, const char *path)
{
	struct vk_vfio_tracer *t = data;
	int r = t->inner.open(t->inner.data, path);

	fprintf(t->out, "open %s = ", path);
	trace_result(t->out, r);
	fputc('\n', t->out);
	return r;
}

static int traced_ioctl(void *data, int fd, unsigned long req, void *arg)
{
	struct vk_vfio_tracer *t = data;
	char in[128], out[128];
	const char *name = vk_vfio_ioctl_name(req);
	int r;

	vk_vfio_trace_in(req, arg, in, sizeof(in));
	r = t->inner.ioctl(t->inner.data, fd, req, arg);
	fprintf(t->out, "ioctl %d %s%s%s = ", fd, name ? name : "?", *in ? " " : "", in);
	trace_result(t->out, r);
	if (r >= 0) {
		vk_vfio_trace_out(req, arg, out, sizeof(out));
		fprintf(t->out, "%s%s", *out ? " " : "", out);
	}
	fputc('\n', t->out);
	return r;
}

static void traced_close(void *data, int fd)
{
	struct vk_vfio_tracer *t = data;

	t->inner.close(t->inner.data, fd);
	fprintf(t->out, "close %d\n", fd);
}

void vk_vfio_ops_traced(struct vk_vfio_tracer *t, struct vk_vfio_ops *ops)
{
	*ops = (struct vk_vfio_ops){ traced_open, traced_ioctl, traced_close, t };
}

/* ---- the probe ---- */

#define GROUP "devices"

struct probe {
	const struct vk_vfio_ops *ops;
	const struct vk_probe_opts *o;
	struct vk_verify *v;
	unsigned long iommu_type; /* VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU or 0 */
};

static int p_open(struct probe *p, const char *path)
{
	return p->ops->open(p->ops->data, path);
}

static int p_ioctl(struct probe *p, int fd, unsigned long req, void *arg)
{
	return p->ops->ioctl(p->ops->data, fd, req, arg);
}

static void p_close(struct probe *p, int *fd)
{
	if (*fd >= 0)
		p->ops->close(p->ops->data, *fd);
	*fd = -1;
}

/* Why a device node could not be opened, as an UNKNOWN or FAIL line. */
static void open_failed(struct probe *p, const char *what, const char *path, int r,
			const char *missing)
{
	if (r == -EACCES || r == -EPERM)
		vk_verify_addf(p->v, GROUP, VK_RESULT_UNKNOWN, what,
			       "%s: %s: opening it needs root, run vfiokit verify as root", path,
			       strerror(-r));
	else if (r == -ENOTTY)
		vk_verify_addf(p->v, GROUP, VK_RESULT_UNKNOWN, what,
			       "%s is not a device node (a captured tree): nothing to ask", path);
	else if (r == -ENOENT)
		vk_verify_addf(p->v, GROUP, VK_RESULT_UNKNOWN, what, "%s: %s: %s", path,
			       strerror(-r), missing);
	else
		vk_verify_addf(p->v, GROUP, VK_RESULT_UNKNOWN, what, "%s: %s", path, strerror(-r));
}

/* The container: API version and an IOMMU model. false when none can be
 * opened (one UNKNOWN line says why, and nothing more can be asked). */
static bool probe_container(struct probe *p)
{
	const char *path = VK_PATH_DEV_VFIO_CONTAINER,
		   *what = "VFIO container " VK_PATH_DEV_VFIO_CONTAINER;
	int fd = p_open(p, path), r;

	if (fd < 0) {
		open_failed(p, what, path, fd, "the vfio module is not loaded (modprobe vfio-pci)");
		return false;
	}
	r = p_ioctl(p, fd, VFIO_GET_API_VERSION, NULL);
	if (r != VFIO_API_VERSION) {
		vk_verify_addf(p->v, GROUP, VK_RESULT_FAIL, what,
			       "VFIO_GET_API_VERSION: %s%d, where QEMU needs %d",
			       r < 0 ? strerror(-r) : "", r < 0 ? 0 : r, VFIO_API_VERSION);
		p_close(p, &fd);
		return false;
	}
	vk_verify_addf(p->v, GROUP, VK_RESULT_PASS, what, "API version %d", r);

	what = "VFIO IOMMU backend";
	if (p_ioctl(p, fd, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU) > 0)
		p->iommu_type = VFIO_TYPE1v2_IOMMU;
	else if (p_ioctl(p, fd, VFIO_CHECK_EXTENSION, (void *)(uintptr_t)VFIO_TYPE1_IOMMU) > 0)
		p->iommu_type = VFIO_TYPE1_IOMMU;
	if (p->iommu_type)
		vk_verify_addf(p->v, GROUP, VK_RESULT_PASS, what, "%s",
			       p->iommu_type == VFIO_TYPE1v2_IOMMU ? "type1v2" : "type1");
	else
		vk_verify_add(p->v, GROUP, VK_RESULT_FAIL, what,
			      "VFIO_CHECK_EXTENSION: no type1 IOMMU model, the module "
			      "vfio_iommu_type1 is not loaded (QEMU says \"No available IOMMU "
			      "models\"): modprobe vfio_iommu_type1, and load it at boot with "
			      "vfio-pci (vfiokit modules check)");
	p_close(p, &fd);
	return true;
}

static const char *const irq_names[] = { "INTx", "MSI", "MSI-X" };

/* The device's info through its descriptor: reset support, BARs, the VGA
 * region, interrupts. */
static void device_info(struct probe *p, const char *addr, int dev)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char what[128], text[512];
	size_t used = 0;
	int r;

	snprintf(what, sizeof(what), "%s opens through VFIO", addr);
	r = p_ioctl(p, dev, VFIO_DEVICE_GET_INFO, &info);
	if (r < 0) {
		vk_verify_addf(p->v, GROUP, VK_RESULT_FAIL, what, "VFIO_DEVICE_GET_INFO: %s",
			       strerror(-r));
		return;
	}
	used += (size_t)snprintf(text + used, sizeof(text) - used,
				 "%u regions, BARs:", info.num_regions);
	for (unsigned int i = 0; i < info.num_regions && i <= VFIO_PCI_VGA_REGION_INDEX; i++) {
		struct vfio_region_info reg = { .argsz = sizeof(reg), .index = i };

		if (p_ioctl(p, dev, VFIO_DEVICE_GET_REGION_INFO, &reg) < 0 || !reg.size)
			continue;
		if (i <= VFIO_PCI_BAR5_REGION_INDEX) {
			uint64_t size = reg.size;
			const char *unit = size >= 1 << 20 ? "MiB" : size >= 1024 ? "KiB" : "bytes";

			size >>= size >= 1 << 20 ? 20 : size >= 1024 ? 10 : 0;
			used += (size_t)snprintf(text + used, sizeof(text) - used,
						 " %u (%" PRIu64 " %s)", i, size, unit);
		} else if (i == VFIO_PCI_VGA_REGION_INDEX)
			used += (size_t)snprintf(text + used, sizeof(text) - used,
						 ", a VGA region (legacy VGA ranges)");
		if (used >= sizeof(text))
			break;
	}
	for (unsigned int i = 0; i < info.num_irqs && i < ARRAY_SIZE(irq_names); i++) {
		struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = i };

		if (used < sizeof(text) && p_ioctl(p, dev, VFIO_DEVICE_GET_IRQ_INFO, &irq) >= 0)
			used += (size_t)snprintf(text + used, sizeof(text) - used, "%s %s %u",
						 i ? "," : "; interrupts:", irq_names[i],
						 irq.count);
	}
	vk_verify_add(p->v, GROUP, VK_RESULT_PASS, what, text);

	snprintf(what, sizeof(what), "%s reset through VFIO", addr);
	if (info.flags & VFIO_DEVICE_FLAGS_RESET)
		vk_verify_add(p->v, GROUP, VK_RESULT_PASS, what, "VFIO_DEVICE_FLAGS_RESET");
	else
		vk_verify_add(p->v, GROUP, VK_RESULT_WARN, what,
			      "VFIO_DEVICE_GET_INFO: no reset: the guest finds the device as the "
			      "last user left it; power-cycle the host between guests");
}

/* Whether to open the device; a line says why not when it is known to fail
 * reset. */
static bool may_open(struct probe *p, const struct vk_probe_dev *d)
{
	char what[128];

	if (!p->o->open_devices)
		return false;
	if (!d->no_reset || p->o->force)
		return true;
	snprintf(what, sizeof(what), "%s opens through VFIO", d->addr);
	vk_verify_addf(p->v, GROUP, VK_RESULT_WARN, what,
		       "not opened: opening it resets it, and %s; --force-probe opens it anyway",
		       d->no_reset);
	return false;
}

static void probe_group_devices(struct probe *p, const struct vk_probe_group *g, int group)
{
	for (size_t i = 0; i < g->n_devs; i++) {
		const struct vk_probe_dev *d = &g->devs[i];
		char what[128];
		int dev;

		if (!may_open(p, d))
			continue;
		dev = p_ioctl(p, group, VFIO_GROUP_GET_DEVICE_FD, (void *)d->addr);
		snprintf(what, sizeof(what), "%s opens through VFIO", d->addr);
		if (dev == -EBUSY)
			vk_verify_add(p->v, GROUP, VK_RESULT_WARN, what,
				      "VFIO_GROUP_GET_DEVICE_FD: in use by another process (a "
				      "running guest?)");
		else if (dev < 0)
			vk_verify_addf(p->v, GROUP, VK_RESULT_FAIL, what,
				       "VFIO_GROUP_GET_DEVICE_FD: %s", strerror(-dev));
		else
			device_info(p, d->addr, dev);
		p_close(p, &dev);
	}
}

static void probe_group(struct probe *p, const struct vk_probe_group *g)
{
	char what[128], path[64];
	struct vfio_group_status st = { .argsz = sizeof(st) };
	int group, container, r;

	snprintf(path, sizeof(path), "%s/%lu", VK_PATH_DEV_VFIO, g->id);
	snprintf(what, sizeof(what), "VFIO group %lu opens", g->id);
	group = p_open(p, path);
	if (group == -EBUSY) {
		vk_verify_addf(p->v, GROUP, VK_RESULT_WARN, what,
			       "%s: in use: another process holds it open (a running guest?); "
			       "no second guest can take it until that one stops",
			       path);
		return;
	}
	if (group == -ENOENT && g->stub) {
		vk_verify_addf(p->v, GROUP, VK_RESULT_WARN, what,
			       "%s: none while pci-stub holds the group: QEMU's -device vfio-pci "
			       "cannot take it until it is bound to vfio-pci (libvirt's "
			       "managed='yes' does that)",
			       path);
		return;
	}
	if (group < 0) {
		open_failed(p, what, path, group, "vfio-pci has not claimed the group");
		return;
	}
	vk_verify_add(p->v, GROUP, VK_RESULT_PASS, what, NULL);

	snprintf(what, sizeof(what), "VFIO group %lu viable", g->id);
	r = p_ioctl(p, group, VFIO_GROUP_GET_STATUS, &st);
	if (r < 0) {
		vk_verify_addf(p->v, GROUP, VK_RESULT_FAIL, what, "VFIO_GROUP_GET_STATUS: %s",
			       strerror(-r));
		goto out;
	}
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		vk_verify_add(p->v, GROUP, VK_RESULT_FAIL, what,
			      "VFIO_GROUP_GET_STATUS: not viable, a device of the group is bound "
			      "to a host driver (QEMU says \"group is not viable\"): bind every "
			      "endpoint of the group to vfio-pci");
		goto out;
	}
	vk_verify_add(p->v, GROUP, VK_RESULT_PASS, what, NULL);

	snprintf(what, sizeof(what), "VFIO group %lu attaches to a container", g->id);
	container = p_open(p, VK_PATH_DEV_VFIO_CONTAINER);
	if (container < 0) {
		vk_verify_addf(p->v, GROUP, VK_RESULT_UNKNOWN, what, "%s: %s",
			       VK_PATH_DEV_VFIO_CONTAINER, strerror(-container));
		goto out;
	}
	r = p_ioctl(p, group, VFIO_GROUP_SET_CONTAINER, &container);
	if (r < 0)
		vk_verify_addf(p->v, GROUP, VK_RESULT_FAIL, what, "VFIO_GROUP_SET_CONTAINER: %s",
			       strerror(-r));
	else if (!p->iommu_type)
		vk_verify_add(p->v, GROUP, VK_RESULT_FAIL, what,
			      "no IOMMU model to set (see the VFIO IOMMU backend line): QEMU "
			      "fails with \"failed to setup container\"");
	else if ((r = p_ioctl(p, container, VFIO_SET_IOMMU, (void *)(uintptr_t)p->iommu_type)) < 0)
		vk_verify_addf(p->v, GROUP, VK_RESULT_FAIL, what,
			       "VFIO_SET_IOMMU: %s (QEMU says \"failed to setup container\")",
			       strerror(-r));
	else {
		vk_verify_add(p->v, GROUP, VK_RESULT_PASS, what, NULL);
		probe_group_devices(p, g, group);
	}
	p_close(p, &container);
out:
	p_close(p, &group);
}

/* The cdev: /dev/iommu and /dev/vfio/devices/vfioX open; with --probe,
 * bind it to iommufd (that opens the device) and attach it to an IOAS. */
static void probe_cdev(struct probe *p, const struct vk_probe_dev *d)
{
	char what[192], path[160];
	int iommufd, dev, r;
	struct vk_vfio_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vk_iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct vk_vfio_attach_pt attach = { .argsz = sizeof(attach) };

	iommufd = p_open(p, VK_PATH_DEV_IOMMU);
	if (iommufd < 0) {
		if (iommufd == -ENOENT)
			vk_verify_addf(p->v, GROUP, VK_RESULT_FAIL, "iommufd " VK_PATH_DEV_IOMMU,
				       "%s: %s: the module iommufd is not loaded, and the device "
				       "has no VFIO group: modprobe iommufd",
				       VK_PATH_DEV_IOMMU, strerror(-iommufd));
		else
			open_failed(p, "iommufd " VK_PATH_DEV_IOMMU, VK_PATH_DEV_IOMMU, iommufd,
				    "");
		return;
	}
	vk_verify_add(p->v, GROUP, VK_RESULT_PASS, "iommufd " VK_PATH_DEV_IOMMU, NULL);

	snprintf(path, sizeof(path), "%s/%s", VK_PATH_DEV_VFIO_DEVICES, d->cdev);
	snprintf(what, sizeof(what), "VFIO device %s opens", path);
	dev = p_open(p, path);
	if (dev < 0) {
		open_failed(p, what, path, dev, "vfio-pci has not claimed the device");
		goto out;
	}
	if (!may_open(p, d)) {
		if (!p->o->open_devices)
			vk_verify_add(p->v, GROUP, VK_RESULT_PASS, what,
				      "binding it to iommufd opens the device, which resets it: "
				      "vfiokit verify --probe does that");
		goto out;
	}
	bind.iommufd = iommufd;
	r = p_ioctl(p, dev, VK_VFIO_DEVICE_BIND_IOMMUFD, &bind);
	if (r == -EBUSY) {
		vk_verify_add(p->v, GROUP, VK_RESULT_WARN, what,
			      "VFIO_DEVICE_BIND_IOMMUFD: in use: another process holds it (a "
			      "running guest?)");
		goto out;
	}
	if (r < 0) {
		vk_verify_addf(p->v, GROUP, VK_RESULT_FAIL, what, "VFIO_DEVICE_BIND_IOMMUFD: %s",
			       strerror(-r));
		goto out;
	}
	r = p_ioctl(p, iommufd, VK_IOMMU_IOAS_ALLOC, &ioas);
	if (r >= 0) {
		attach.pt_id = ioas.out_ioas_id;
		r = p_ioctl(p, dev, VK_VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach);
	}
	if (r < 0) {
		vk_verify_addf(p->v, GROUP, VK_RESULT_FAIL, what, "%s: %s",
			       attach.pt_id ? "VFIO_DEVICE_ATTACH_IOMMUFD_PT" : "IOMMU_IOAS_ALLOC",
			       strerror(-r));
		goto out;
	}
	vk_verify_addf(p->v, GROUP, VK_RESULT_PASS, what, "bound to iommufd, attached to IOAS %u",
		       ioas.out_ioas_id);
	device_info(p, d->addr, dev);
out:
	p_close(p, &dev);
	p_close(p, &iommufd);
}

/* Through the device's cdev: the group has no node, the device has one. */
static bool by_cdev(const struct vk_probe_group *g)
{
	return g->no_node && g->n_devs && g->devs[0].cdev;
}

void vk_vfio_probe(const struct vk_vfio_ops *ops, const struct vk_probe_group *groups,
		   size_t n_groups, const struct vk_probe_opts *o, struct vk_verify *v)
{
	struct probe p = { .ops = ops, .o = o, .v = v };
	bool container = false, asked = false;

	for (size_t i = 0; i < n_groups; i++) {
		const struct vk_probe_group *g = &groups[i];

		if (by_cdev(g)) {
			for (size_t j = 0; j < g->n_devs; j++)
				if (g->devs[j].cdev)
					probe_cdev(&p, &g->devs[j]);
			continue;
		}
		if (!asked)
			container = probe_container(&p);
		asked = true;
		/* No node and no pci-stub: the group line has said so. */
		if (container && (!g->no_node || g->stub))
			probe_group(&p, g);
	}
}
