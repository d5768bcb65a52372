/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PCI devices through libpci: identity, class, names from pci.ids, the
 * bound driver. libpci reads sysfs under the context's root (its
 * "sysfs.path" parameter) and its fatal errors are caught and turned into
 * a message on the device, so one broken device never ends the report.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "../shared/ctx.h"

struct vk_pci;

struct vk_pci_addr {
	unsigned int domain, bus, dev, func;
};

#define VK_PCI_ADDR_LEN sizeof("dddd:bb:dd.f")

struct vk_pci_dev {
	char addr[VK_PCI_ADDR_LEN]; /* 0000:00:02.0 */
	struct vk_pci_addr a;
	unsigned int vendor_id, device_id;
	unsigned int subsys_vendor_id, subsys_device_id;
	unsigned int class_id; /* base class << 8 | subclass */
	unsigned int prog_if, revision;
	char *vendor, *device, *class_name; /* names from pci.ids, NULL if unknown */
	/* The subsystem's names from pci.ids (its vendor; the device entry
	 * under this vendor:device, else the generic one), NULL if unknown. */
	char *subsys_vendor, *subsys_device;
	char *driver; /* bound driver, NULL when none */
	bool boot_vga;
	bool have_ident; /* ids, class and names were read */
	char *error;	 /* why the device could not be read in full, or NULL */
};

int vk_pci_new(const struct vk_ctx *ctx, struct vk_pci **out);
void vk_pci_free(struct vk_pci *pci);

/* Read the device at addr ("dddd:bb:dd.f"). Returns 0 (a read error is
 * left in dev->error) or a negative errno (-ENOMEM, -EINVAL: bad address). */
int vk_pci_dev_read(struct vk_pci *pci, const char *addr, struct vk_pci_dev *dev);
void vk_pci_dev_clear(struct vk_pci_dev *dev);

/*
 * Read dev's config space through libpci into buf[size] (size 4096 for all
 * of it): the largest of 4096, 256 and 64 bytes that can be read, or 0
 * when none. A user other than root reads only the first 64 bytes; a
 * conventional PCI device and a machine without extended config access
 * have 256. Returns that count or a negative errno.
 */
int vk_pci_config_read(struct vk_pci *pci, const struct vk_pci_dev *dev, unsigned char *buf,
		       size_t size);

/* "0000:01:00.0" or "01:00.0"; 0 or -EINVAL. */
int vk_pci_addr_parse(const char *s, struct vk_pci_addr *a);
/* "vvvv:dddd" (hex); 0 or -EINVAL. */
int vk_pci_id_parse(const char *s, unsigned int *vendor, unsigned int *device);

/* Does spec ("vvvv:dddd" or a PCI address) name dev? */
bool vk_pci_dev_matches(const struct vk_pci_dev *dev, const char *spec);

/* "Vendor Device" as lspci names it ("Vendor Device", "Device" when
 * pci.ids knows neither). */
void vk_pci_dev_name(const struct vk_pci_dev *dev, char *buf, size_t size);
/* lspci -nn's line without the address: "Class [cccc]: Vendor Device
 * [vvvv:dddd] (rev rr)". */
void vk_pci_dev_describe(const struct vk_pci_dev *dev, char *buf, size_t size);

/* lspci -vnn's "Subsystem:" without the label: "Red Hat, Inc. QEMU
 * Virtual Machine [1af4:1100]", "Vendor Device [vvvv:dddd]" when pci.ids
 * knows only the vendor, "Device [vvvv:dddd]" when it knows neither; the
 * ids alone ("0000:0000") when the device has no subsystem (lspci shows
 * no line then). Returns false in that last case. */
bool vk_pci_dev_subsys(const struct vk_pci_dev *dev, char *buf, size_t size);

/* Function Level Reset as the device's config space advertises it: 1 when
 * it has FLR, 0 when not, *cap naming the capability that says so ("PCIe",
 * "PCI Advanced Features"); -ENODATA when it has neither capability, -EIO
 * when its config space cannot be read. */
int vk_pci_dev_flr(struct vk_pci *pci, const struct vk_pci_dev *dev, const char **cap);

/* PCI-to-PCI and CardBus bridges (root ports included): they may stay on
 * their own driver when the endpoints of their group are passed through. */
bool vk_pci_dev_is_bridge(const struct vk_pci_dev *dev);
/* vfio-pci, its vendor variants (*_vfio_pci) and pci-stub. */
bool vk_pci_driver_is_vfio(const char *driver);
