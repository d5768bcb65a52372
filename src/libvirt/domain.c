// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit libvirt xml's domain: built or merged with libxml2 (see
 * domain.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "../pci/groups.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "domain.h"

static int cmp_addr(const void *a, const void *b)
{
	const struct vk_pci_addr *x = &((const struct vk_guest_fn *)a)->a;
	const struct vk_pci_addr *y = &((const struct vk_guest_fn *)b)->a;
	unsigned int kx[4] = { x->domain, x->bus, x->dev, x->func };
	unsigned int ky[4] = { y->domain, y->bus, y->dev, y->func };

	for (int i = 0; i < 4; i++)
		if (kx[i] != ky[i])
			return kx[i] < ky[i] ? -1 : 1;
	return 0;
}

int vk_guest_functions(const struct vk_ctx *ctx, const struct vk_conf_target *t, size_t n,
		       struct vk_guest_fn **out, size_t *n_out, char *err, size_t errlen)
{
	struct vk_pci *pci = NULL;
	struct vk_groups gs = {};
	struct vk_guest_fn *v = NULL;
	size_t k = 0, cap = 0;
	int r;

	*out = NULL;
	*n_out = 0;
	r = vk_pci_new(ctx, &pci);
	if (r == 0)
		r = vk_groups_load(ctx, pci, &gs);
	if (r < 0) {
		snprintf(err, errlen, "cannot read the PCI devices: %s", strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct vk_group *g = vk_groups_find(&gs, t[i].addr);

		if (!g) {
			snprintf(err, errlen,
				 "%s is in no IOMMU group: turn the IOMMU on first (vfiokit "
				 "plan, apply, then reboot)",
				 t[i].addr);
			r = -ENOENT;
			goto out;
		}
		for (size_t j = 0; j < g->n_devs; j++) {
			const struct vk_pci_dev *d = &g->devs[j];

			if (vk_pci_dev_is_bridge(d))
				continue;
			if (k == cap) {
				struct vk_guest_fn *nv;

				cap = cap ? 2 * cap : 8;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv) {
					r = -ENOMEM;
					goto out;
				}
				v = nv;
			}
			v[k++] = (struct vk_guest_fn){ .a = d->a,
						       .gpu = (d->class_id >> 8) == 0x03 };
		}
	}
	if (k) {
		size_t u = 0;

		qsort(v, k, sizeof(*v), cmp_addr);
		for (size_t i = 0; i < k; i++)
			if (!u || cmp_addr(&v[u - 1], &v[i]))
				v[u++] = v[i];
		k = u;
	}
	*out = TAKE_PTR(v);
	*n_out = k;
out:
	free(v);
	vk_groups_clear(&gs);
	if (pci)
		vk_pci_free(pci);
	return r;
}

/* ---- XML helpers ---- */

#define X(s) ((const xmlChar *)(s))

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && streq((const char *)c->name, name))
			return c;
	return NULL;
}

/* Drop every child element called name. */
static void drop(xmlNodePtr parent, const char *name)
{
	xmlNodePtr c, next;

	for (c = parent->children; c; c = next) {
		next = c->next;
		if (c->type == XML_ELEMENT_NODE && streq((const char *)c->name, name)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
}

static xmlNodePtr add(xmlNodePtr parent, const char *name, const char *text)
{
	xmlNodePtr n = xmlNewChild(parent, NULL, X(name), text ? X(text) : NULL);

	if (!n)
		abort(); /* libxml2 returns NULL only when out of memory */
	return n;
}

static void attr(xmlNodePtr n, const char *name, const char *fmt, ...) _printf_(3, 4);
static void attr(xmlNodePtr n, const char *name, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	xmlSetProp(n, X(name), X(buf));
}

static void comment(xmlNodePtr parent, const char *text)
{
	xmlAddChild(parent, xmlNewComment(X(text)));
}

/* Drop the comments an earlier run put in parent. */
static void drop_comments(xmlNodePtr parent)
{
	xmlNodePtr c, next;

	for (c = parent->children; c; c = next) {
		next = c->next;
		if (c->type == XML_COMMENT_NODE && c->content &&
		    !strncmp((const char *)c->content, " vfiokit:", 9)) {
			xmlUnlinkNode(c);
			xmlFreeNode(c);
		}
	}
}

/* An attribute as a number (0x.. or decimal), or -1. */
static long num_attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, X(name));
	char *end;
	long r;

	if (!v)
		return -1;
	r = strtol((const char *)v, &end, 0);
	if (*end || end == (char *)v)
		r = -1;
	xmlFree(v);
	return r;
}

/* ---- what is read from the host ---- */

/* Reserved hugepages in MiB, from /proc/meminfo; 0 when none. */
static unsigned long hugepages_mib(const struct vk_ctx *ctx)
{
	char buf[8192];
	unsigned long total = 0, size_kib = 0;
	const char *p;

	if (vk_read_file(ctx->rootfd, vk_rel(VK_PATH_PROC_MEMINFO), buf, sizeof(buf)) < 0)
		return 0;
	if ((p = strstr(buf, "HugePages_Total:")))
		total = strtoul(p + strlen("HugePages_Total:"), NULL, 10);
	if ((p = strstr(buf, "Hugepagesize:")))
		size_kib = strtoul(p + strlen("Hugepagesize:"), NULL, 10);
	return total * size_kib / 1024;
}

/* Whether a QEMU firmware descriptor (*.json) is installed. */
static bool have_firmware_descriptor(const struct vk_ctx *ctx)
{
	static const char *const dirs[] = { VK_PATH_QEMU_FIRMWARE, VK_PATH_ETC_QEMU_FIRMWARE };

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		_cleanup_free_ char **names = NULL;
		size_t n = 0;

		if (vk_list_dir(ctx->rootfd, vk_rel(dirs[i]), &names, &n) < 0)
			continue;
		for (size_t k = 0; k < n; k++) {
			size_t len = strlen(names[k]);

			if (len > 5 && streq(names[k] + len - 5, ".json"))
				return true;
		}
	}
	return false;
}

/* ---- the pieces ---- */

static void put_cpus(xmlNodePtr dom, const struct vk_pinning *pin)
{
	_cleanup_free_ char *host = vk_cpulist_format(pin->host_cpus, pin->n_host_cpus);
	xmlNodePtr n, tune, cpu;

	drop(dom, "vcpu");
	drop(dom, "iothreads");
	drop(dom, "cputune");
	drop(dom, "cpu");
	{
		char buf[32];

		snprintf(buf, sizeof(buf), "%zu", pin->n_vcpus);
		n = add(dom, "vcpu", buf);
		attr(n, "placement", "static");
	}
	add(dom, "iothreads", "1");
	tune = add(dom, "cputune", NULL);
	for (size_t i = 0; i < pin->n_vcpus; i++) {
		n = add(tune, "vcpupin", NULL);
		attr(n, "vcpu", "%zu", i);
		attr(n, "cpuset", "%u", pin->vcpu_cpu[i]);
	}
	n = add(tune, "emulatorpin", NULL);
	attr(n, "cpuset", "%s", host ? host : "");
	n = add(tune, "iothreadpin", NULL);
	attr(n, "iothread", "1");
	attr(n, "cpuset", "%s", host ? host : "");
	cpu = add(dom, "cpu", NULL);
	attr(cpu, "mode", "host-passthrough");
	attr(cpu, "check", "none");
	n = add(cpu, "topology", NULL);
	attr(n, "sockets", "1");
	attr(n, "dies", "1");
	attr(n, "cores", "%u", pin->cores);
	attr(n, "threads", "%u", pin->threads);
}

/* Whether have holds want: its attributes, its text when it has no
 * elements, and its elements, the k-th of a name in want as the k-th of
 * that name in have. What libvirt adds (check, migratable) may be more. */
static bool covers(xmlNodePtr have, xmlNodePtr want)
{
	bool leaf = true, ok = true;

	for (xmlAttrPtr a = want->properties; a && ok; a = a->next) {
		xmlChar *w = xmlGetProp(want, a->name), *h = xmlGetProp(have, a->name);

		ok = w && h && streq((const char *)w, (const char *)h);
		xmlFree(w);
		xmlFree(h);
	}
	for (xmlNodePtr c = want->children; c && ok; c = c->next) {
		xmlNodePtr h = have->children;
		size_t k = 0;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		leaf = false;
		for (xmlNodePtr p = want->children; p != c; p = p->next)
			k += p->type == XML_ELEMENT_NODE && xmlStrEqual(p->name, c->name);
		for (; h; h = h->next)
			if (h->type == XML_ELEMENT_NODE && xmlStrEqual(h->name, c->name) && !k--)
				break;
		ok = h && covers(h, c);
	}
	if (ok && leaf) {
		xmlChar *w = xmlNodeGetContent(want), *h = xmlNodeGetContent(have);

		ok = streq(w ? (const char *)w : "", h ? (const char *)h : "");
		xmlFree(w);
		xmlFree(h);
	}
	return ok;
}

/* Whether dom's vcpu, iothreads, cputune and cpu are those of pin. */
static bool cpus_present(xmlNodePtr dom, const struct vk_pinning *pin)
{
	static const char *const pieces[] = { "vcpu", "iothreads", "cputune", "cpu" };
	xmlNodePtr want = xmlNewNode(NULL, X("domain"));
	bool ok = true;

	put_cpus(want, pin);
	for (size_t i = 0; i < ARRAY_SIZE(pieces) && ok; i++) {
		xmlNodePtr h = child(dom, pieces[i]);

		ok = h && covers(h, child(want, pieces[i]));
	}
	xmlFreeNode(want);
	return ok;
}

static void put_features(xmlNodePtr dom, const struct vk_domain_opts *o, struct vk_notes *notes)
{
	static const char *const on[] = { "relaxed", "vapic", "spinlocks", "vpindex",
					  "runtime", "synic", "stimer",	   "frequencies" };
	xmlNodePtr f = child(dom, "features"), hv, n, vendor = NULL;

	if (!f)
		f = add(dom, "features", NULL);
	drop_comments(f);
	if (!child(f, "acpi"))
		add(f, "acpi", NULL);
	if (!child(f, "apic"))
		add(f, "apic", NULL);
	if ((hv = child(f, "hyperv")) && (vendor = child(hv, "vendor_id")))
		xmlUnlinkNode(vendor);
	drop(f, "hyperv");
	hv = add(f, "hyperv", NULL);
	attr(hv, "mode", "custom");
	for (size_t i = 0; i < ARRAY_SIZE(on); i++) {
		n = add(hv, on[i], NULL);
		attr(n, "state", "on");
		if (streq(on[i], "spinlocks"))
			attr(n, "retries", "8191");
	}
	if (o->nvidia_legacy) {
		xmlFreeNode(vendor);
		n = add(hv, "vendor_id", NULL);
		attr(n, "state", "on");
		attr(n, "value", "vfiokit");
		drop(f, "kvm");
		n = add(add(f, "kvm", NULL), "hidden", NULL);
		attr(n, "state", "on");
		comment(f, " vfiokit: nvidia-legacy: <kvm><hidden> and vendor_id hide the "
			   "hypervisor from NVIDIA drivers before 465 ");
		vk_notes_add(notes, VK_NOTE_INFO,
			     "--nvidia-legacy: <kvm><hidden> and the Hyper-V vendor_id are set; "
			     "only NVIDIA drivers before 465 need them");
	} else if (vendor || child(f, "kvm")) {
		if (vendor)
			xmlAddChild(hv, vendor);
		vk_notes_add(notes, VK_NOTE_INFO,
			     "the domain's own <kvm> and vendor_id settings are kept; only NVIDIA "
			     "drivers before 465 need them");
	} else {
		comment(f,
			" vfiokit: <kvm><hidden> and vendor_id left out: only NVIDIA drivers "
			"before 465 need them (vfiokit libvirt xml adds them with nvidia-legacy) ");
		vk_notes_add(notes, VK_NOTE_INFO,
			     "<kvm><hidden> and the Hyper-V vendor_id are left out: only NVIDIA "
			     "drivers before 465 need them (--nvidia-legacy adds them)");
	}
}

static void put_os(const struct vk_ctx *ctx, xmlNodePtr dom, struct vk_notes *notes)
{
	xmlNodePtr os = child(dom, "os"), n;

	if (!os) {
		os = add(dom, "os", NULL);
		n = add(os, "type", "hvm");
		attr(n, "arch", "x86_64");
		attr(n, "machine", "q35");
	}
	drop_comments(os);
	if (child(os, "loader")) {
		vk_notes_add(notes, VK_NOTE_INFO,
			     "the domain names its own firmware loader: <os> is left as it is");
	} else {
		attr(os, "firmware", "efi");
	}
	if (!have_firmware_descriptor(ctx)) {
		comment(os, " vfiokit: no QEMU firmware descriptor in /usr/share/qemu/firmware: "
			    "libvirt cannot pick OVMF until one is installed ");
		vk_notes_add(notes, VK_NOTE_WARN,
			     "no QEMU firmware descriptor (*.json) in %s or %s: libvirt picks "
			     "OVMF for firmware='efi' from them; install sys-firmware/edk2 "
			     "(Gentoo) or ovmf (Debian)",
			     VK_PATH_QEMU_FIRMWARE, VK_PATH_ETC_QEMU_FIRMWARE);
	}
}

static void put_memory(const struct vk_ctx *ctx, xmlNodePtr dom, const struct vk_domain_opts *o,
		       bool fresh, struct vk_notes *notes)
{
	unsigned long huge = hugepages_mib(ctx), mem = o->memory_mib;
	xmlNodePtr m;

	if (fresh) {
		m = add(dom, "memory", NULL);
		attr(m, "unit", "MiB");
		{
			char buf[32];

			snprintf(buf, sizeof(buf), "%lu", o->memory_mib);
			xmlNodeAddContent(m, X(buf));
		}
	} else if ((m = child(dom, "memory"))) {
		xmlChar *unit = xmlGetProp(m, X("unit"));
		xmlChar *text = xmlNodeGetContent(m);
		unsigned long v = text ? strtoul((const char *)text, NULL, 10) : 0;
		const char *u = unit ? (const char *)unit : "KiB";

		mem = streq(u, "KiB") || streq(u, "k")	 ? v / 1024
		      : streq(u, "GiB") || streq(u, "G") ? v * 1024
		      : streq(u, "MiB") || streq(u, "M") ? v
							 : v / (1024 * 1024);
		xmlFree(unit);
		xmlFree(text);
	}
	if (!huge)
		return;
	m = child(dom, "memoryBacking");
	if (!m)
		m = add(dom, "memoryBacking", NULL);
	if (!child(m, "hugepages"))
		add(m, "hugepages", NULL);
	if (mem > huge)
		vk_notes_add(notes, VK_NOTE_WARN,
			     "the guest's %lu MiB do not fit in the %lu MiB of hugepages reserved: "
			     "it will not start until more are reserved (vm.nr_hugepages)",
			     mem, huge);
}

/* Whether slot (0-31) of bus 0 is taken by an address in the devices,
 * and which PCI controller indexes (buses) are taken. */
static void used_slots(xmlNodePtr devices, bool used[32], bool index_used[256])
{
	for (xmlNodePtr d = devices->children; d; d = d->next) {
		if (d->type != XML_ELEMENT_NODE)
			continue;
		if (streq((const char *)d->name, "controller")) {
			xmlChar *type = xmlGetProp(d, X("type"));
			long idx = num_attr(d, "index");

			if (type && streq((const char *)type, "pci") && idx >= 0 && idx < 256)
				index_used[idx] = true;
			xmlFree(type);
		}
		for (xmlNodePtr a = d->children; a; a = a->next) {
			xmlChar *type;
			long bus, slot;

			if (a->type != XML_ELEMENT_NODE || !streq((const char *)a->name, "address"))
				continue;
			type = xmlGetProp(a, X("type"));
			bus = num_attr(a, "bus");
			slot = num_attr(a, "slot");
			if (type && streq((const char *)type, "pci") && bus == 0 && slot >= 0 &&
			    slot < 32)
				used[slot] = true;
			xmlFree(type);
		}
	}
}

/* Whether an element of devices has a PCI address on bus. */
static bool bus_used(xmlNodePtr devices, long bus)
{
	for (xmlNodePtr d = devices->children; d; d = d->next) {
		xmlNodePtr a = d->type == XML_ELEMENT_NODE ? child(d, "address") : NULL;

		if (a && num_attr(a, "bus") == bus)
			return true;
	}
	return false;
}

/* Drop the pcie-root-port with index bus when nothing sits behind it. */
static void drop_port(xmlNodePtr devices, long bus)
{
	if (bus <= 0 || bus_used(devices, bus))
		return;
	for (xmlNodePtr d = devices->children; d; d = d->next) {
		xmlChar *model;
		bool port;

		if (d->type != XML_ELEMENT_NODE || !streq((const char *)d->name, "controller") ||
		    num_attr(d, "index") != bus)
			continue;
		model = xmlGetProp(d, X("model"));
		port = model && streq((const char *)model, "pcie-root-port");
		xmlFree(model);
		if (port) {
			xmlUnlinkNode(d);
			xmlFreeNode(d);
		}
		return;
	}
}

/* Whether d is a hostdev whose source is one of fns. */
static bool hostdev_of(xmlNodePtr d, const struct vk_guest_fn *fns, size_t n)
{
	xmlNodePtr src, a;

	if (d->type != XML_ELEMENT_NODE || !streq((const char *)d->name, "hostdev") ||
	    !(src = child(d, "source")) || !(a = child(src, "address")))
		return false;
	for (size_t i = 0; i < n; i++)
		if (num_attr(a, "domain") == (long)fns[i].a.domain &&
		    num_attr(a, "bus") == (long)fns[i].a.bus &&
		    num_attr(a, "slot") == (long)fns[i].a.dev &&
		    num_attr(a, "function") == (long)fns[i].a.func)
			return true;
	return false;
}

/* Whether every one of fns has a hostdev in devices. */
static bool hostdevs_present(xmlNodePtr devices, const struct vk_guest_fn *fns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		xmlNodePtr d = devices->children;

		while (d && !hostdev_of(d, &fns[i], 1))
			d = d->next;
		if (!d)
			return false;
	}
	return true;
}

/* Drop hostdevs whose source is one of fns, and the root ports they leave
 * empty: they are added again, so that a second merge changes nothing. */
static void drop_hostdevs(xmlNodePtr devices, const struct vk_guest_fn *fns, size_t n)
{
	xmlNodePtr d, next;

	for (d = devices->children; d; d = next) {
		xmlNodePtr guest;
		long bus;

		next = d->next;
		if (!hostdev_of(d, fns, n))
			continue;
		guest = child(d, "address");
		bus = guest ? num_attr(guest, "bus") : -1;
		xmlUnlinkNode(d);
		xmlFreeNode(d);
		drop_port(devices, bus);
	}
}

static void pci_address(xmlNodePtr parent, unsigned int domain, unsigned int bus, unsigned int slot,
			unsigned int func, bool multifunction)
{
	xmlNodePtr a = add(parent, "address", NULL);

	attr(a, "type", "pci");
	attr(a, "domain", "0x%04x", domain);
	attr(a, "bus", "0x%02x", bus);
	attr(a, "slot", "0x%02x", slot);
	attr(a, "function", "0x%x", func);
	if (multifunction)
		attr(a, "multifunction", "on");
}

static bool is_q35(xmlNodePtr dom)
{
	xmlNodePtr os = child(dom, "os"), type = os ? child(os, "type") : NULL;
	xmlChar *m = type ? xmlGetProp(type, X("machine")) : NULL;
	bool q35 = !m || strstr((const char *)m, "q35");

	xmlFree(m);
	return q35;
}

/* The hostdevs: one guest slot per host slot, its functions as they are;
 * with keep, none when every one is there already. */
static int put_hostdevs(xmlNodePtr dom, const struct vk_guest_fn *fns, size_t n, bool keep,
			char *err, size_t errlen)
{
	xmlNodePtr devices = child(dom, "devices");
	bool used[32] = { [0] = true, [1] = true, [0x1f] = true };
	/* Index 0 is the root bus; a gap left by a dropped port is taken
	 * first, or libvirt would fill it with a port of its own. */
	bool index_used[256] = { [0] = true };
	bool q35 = is_q35(dom);
	unsigned int slot = 0x10;

	if (!devices)
		devices = add(dom, "devices", NULL);
	if (keep && hostdevs_present(devices, fns, n))
		return 0;
	drop_hostdevs(devices, fns, n);
	used_slots(devices, used, index_used);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		unsigned int bus = 0, gslot;

		while (j + 1 < n && fns[j + 1].a.domain == fns[i].a.domain &&
		       fns[j + 1].a.bus == fns[i].a.bus && fns[j + 1].a.dev == fns[i].a.dev)
			j++;
		while (slot < 0x1f && used[slot])
			slot++;
		if (slot >= 0x1f) {
			for (slot = 2; slot < 0x1f && used[slot]; slot++)
				;
			if (slot >= 0x1f) {
				snprintf(err, errlen, "no free slot on the guest's PCI bus 0");
				return -ENOSPC;
			}
		}
		used[slot] = true;
		if (q35) {
			xmlNodePtr c = add(devices, "controller", NULL);

			for (bus = 1; bus < 255 && index_used[bus]; bus++)
				;
			index_used[bus] = true;
			attr(c, "type", "pci");
			attr(c, "index", "%u", bus);
			attr(c, "model", "pcie-root-port");
			pci_address(c, 0, 0, slot, 0, false);
			gslot = 0;
		} else {
			gslot = slot;
		}
		for (size_t k = i; k <= j; k++) {
			xmlNodePtr h = add(devices, "hostdev", NULL), src;

			attr(h, "mode", "subsystem");
			attr(h, "type", "pci");
			attr(h, "managed", "yes");
			attr(add(h, "driver", NULL), "name", "vfio");
			src = add(h, "source", NULL);
			{
				xmlNodePtr a = add(src, "address", NULL);

				attr(a, "domain", "0x%04x", fns[k].a.domain);
				attr(a, "bus", "0x%02x", fns[k].a.bus);
				attr(a, "slot", "0x%02x", fns[k].a.dev);
				attr(a, "function", "0x%x", fns[k].a.func);
			}
			pci_address(h, 0, bus, gslot, fns[k].a.func, k == i && j > i);
		}
		i = j + 1;
	}
	return 0;
}

static void put_tail(xmlNodePtr dom)
{
	xmlNodePtr clock = add(dom, "clock", NULL), n;

	attr(clock, "offset", "localtime");
	n = add(clock, "timer", NULL);
	attr(n, "name", "hypervclock");
	attr(n, "present", "yes");
	add(dom, "on_poweroff", "destroy");
	add(dom, "on_reboot", "restart");
	add(dom, "on_crash", "destroy");
	n = add(dom, "pm", NULL);
	attr(add(n, "suspend-to-mem", NULL), "enabled", "no");
	attr(add(n, "suspend-to-disk", NULL), "enabled", "no");
}

int vk_domain_xml(const struct vk_ctx *ctx, const struct vk_domain_opts *o,
		  const struct vk_guest_fn *fns, size_t n_fns, const struct vk_pinning *pin,
		  char **xml, struct vk_notes *notes, char *err, size_t errlen)
{
	xmlDocPtr doc;
	xmlNodePtr dom;
	xmlChar *out = NULL;
	int len = 0, r;

	if (o->base) {
		doc = xmlReadMemory(o->base, (int)o->base_len, o->base_shown, NULL,
				    XML_PARSE_NOBLANKS | XML_PARSE_NONET | XML_PARSE_NOERROR |
					    XML_PARSE_NOWARNING);
		if (!doc) {
			const xmlError *e = xmlGetLastError();

			snprintf(err, errlen, "%s:%d: %s", o->base_shown, e ? e->line : 0,
				 e && e->message ? e->message : "not well-formed XML\n");
			err[strcspn(err, "\n")] = '\0';
			return -EINVAL;
		}
		dom = xmlDocGetRootElement(doc);
		if (!dom || !streq((const char *)dom->name, "domain")) {
			snprintf(err, errlen, "%s:%d: not a libvirt domain (its root is <%s>)",
				 o->base_shown, dom ? dom->line : 1,
				 dom ? (const char *)dom->name : "nothing");
			xmlFreeDoc(doc);
			return -EINVAL;
		}
	} else {
		doc = xmlNewDoc(X("1.0"));
		dom = xmlNewNode(NULL, X("domain"));
		xmlDocSetRootElement(doc, dom);
		attr(dom, "type", "kvm");
		add(dom, "name", o->name);
	}
	if (!o->apply) {
		put_memory(ctx, dom, o, !o->base, notes);
		put_cpus(dom, pin);
		put_os(ctx, dom, notes);
		put_features(dom, o, notes);
		if (!o->base)
			put_tail(dom);
	} else if (pin && !cpus_present(dom, pin)) {
		put_cpus(dom, pin);
	}
	r = put_hostdevs(dom, fns, n_fns, o->apply, err, errlen);
	if (r == 0) {
		xmlDocDumpFormatMemoryEnc(doc, &out, &len, "UTF-8", 1);
		/* without the XML declaration, as virsh dumpxml prints a domain */
		const char *body = out ? strstr((const char *)out, "<domain") : NULL;

		*xml = body ? strdup(body) : NULL;
		if (!*xml)
			r = -ENOMEM;
	}
	xmlFree(out);
	xmlFreeDoc(doc);
	return r;
}
