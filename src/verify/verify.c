// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit verify's checks of the host: KVM, the IOMMU, the kernel command
 * line, the running kernel's configuration and the vfio modules. The
 * checks of the chosen devices are in devices.c, libvirt's in libvirt.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../boot/cmdline.h"
#include "../boot/lint.h"
#include "../kconfig/dotconfig.h"
#include "../kconfig/merge.h"
#include "../kconfig/plan.h"
#include "../kconfig/profiles.h"
#include "../kconfig/running.h"
#include "../pci/device.h"
#include "../pci/iommu.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/system.h"
#include "../shared/write.h"
#include "verify.h"

const char *const vk_verify_group_names[] = {
	"kvm", "iommu", "cmdline", "kconfig", "modules", "devices", "libvirt", NULL,
};

const char *vk_result_name(enum vk_result r)
{
	static const char *const names[] = { "PASS", "WARN", "FAIL", "UNKNOWN" };

	return names[r];
}

void vk_verify_add(struct vk_verify *v, const char *group, enum vk_result r, const char *what,
		   const char *detail)
{
	struct vk_check *c;

	if (v->n == v->alloc) {
		size_t alloc = v->alloc ? 2 * v->alloc : 32;
		struct vk_check *nv = realloc(v->v, alloc * sizeof(*nv));

		if (!nv) {
			v->err = -ENOMEM;
			return;
		}
		v->v = nv;
		v->alloc = alloc;
	}
	c = &v->v[v->n];
	c->group = group;
	c->result = r;
	c->what = strdup(what);
	c->detail = detail ? strdup(detail) : NULL;
	if (!c->what || (detail && !c->detail)) {
		free(c->what);
		free(c->detail);
		v->err = -ENOMEM;
		return;
	}
	v->n++;
}

void vk_verify_addf(struct vk_verify *v, const char *group, enum vk_result r, const char *what,
		    const char *fmt, ...)
{
	char detail[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	vk_verify_add(v, group, r, what, detail);
}

void vk_verify_clear(struct vk_verify *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].what);
		free(v->v[i].detail);
	}
	free(v->v);
	*v = (struct vk_verify){};
}

bool vk_verify_failed(const struct vk_verify *v)
{
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].result == VK_RESULT_FAIL)
			return true;
	return false;
}

int vk_verify_groups_parse(const char *list, unsigned int *groups, char **bad)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;

	*groups = 0;
	*bad = NULL;
	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;

		for (i = 0; vk_verify_group_names[i]; i++)
			if (streq(tok, vk_verify_group_names[i]))
				break;
		if (!vk_verify_group_names[i]) {
			*bad = strdup(tok);
			return -EINVAL;
		}
		*groups |= 1u << i;
	}
	if (!*groups) {
		*bad = strdup(list);
		return -EINVAL;
	}
	return 0;
}

/* A small file under the root, or NULL with errno set. */
static char *read_small(const struct vk_ctx *ctx, const char *abs, size_t max)
{
	struct vk_file f;
	char *s = NULL;
	int r = vk_file_load(ctx->rootfd, abs, max, &f);

	if (r == 0 && !f.exists)
		r = -ENOENT;
	if (r == 0)
		s = TAKE_PTR(f.data);
	vk_file_clear(&f);
	errno = -r;
	return s;
}

static bool exists(const struct vk_ctx *ctx, const char *abs)
{
	struct stat st;

	return fstatat(ctx->rootfd, vk_rel(abs), &st, 0) == 0;
}

/* ---- kvm --------------------------------------------------------------- */

/* The kernel's bool parameters read Y or N; the command line may say 1. */
static bool param_value_eq(const char *want, const char *have)
{
	static const char *const yes[] = { "1", "y", "Y", "on" }, *const no[] = { "0", "n", "N",
										  "off" };
	int w = -1, h = -1;

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (streq(want, yes[i]))
			w = 1;
		if (streq(want, no[i]))
			w = 0;
		if (streq(have, yes[i]))
			h = 1;
		if (streq(have, no[i]))
			h = 0;
	}
	return w >= 0 ? w == h : streq(want, have);
}

static const char *const kvm_mods[] = { "kvm", "kvm_intel", "kvm_amd" };

/* Index in kvm_mods of the module named name[0..len) ('-' and '_' alike),
 * or -1. */
static int kvm_mod(const char *name, size_t len)
{
	char k[64];

	snprintf(k, sizeof(k), "%.*s", (int)len, name);
	for (size_t m = 0; m < ARRAY_SIZE(kvm_mods); m++)
		if (vk_cmdline_key_eq(k, kvm_mods[m]))
			return (int)m;
	return -1;
}

/* Does /sys/module/MOD/parameters/PARAM read value? what names the setting
 * and where it was asked for. */
static void check_param(const struct vk_ctx *ctx, const char *what, int m, const char *param,
			const char *value, struct vk_verify *v)
{
	char path[512], have[256];
	int r;

	snprintf(path, sizeof(path), "%s/%s/parameters/%s", VK_PATH_SYS_MODULE, kvm_mods[m], param);
	for (char *p = path + strlen(VK_PATH_SYS_MODULE); *p; p++)
		if (*p == '-')
			*p = '_';
	r = (int)vk_read_file(ctx->rootfd, vk_rel(path), have, sizeof(have));
	if (r < 0) {
		if (!exists(ctx, VK_PATH_SYS_MODULE) || r != -ENOENT)
			vk_verify_addf(v, "kvm", VK_RESULT_UNKNOWN, what, "%s%s: %s", ctx->prefix,
				       path, strerror(-r));
		else
			vk_verify_addf(v, "kvm", VK_RESULT_FAIL, what,
				       "%s%s is missing: %s is not loaded, or has no parameter %s",
				       ctx->prefix, path, kvm_mods[m], param);
	} else if (param_value_eq(value, have)) {
		vk_verify_addf(v, "kvm", VK_RESULT_PASS, what, "%s", have);
	} else {
		vk_verify_addf(v, "kvm", VK_RESULT_FAIL, what,
			       "%s%s reads %s: the module was loaded before the setting, or "
			       "ignores it",
			       ctx->prefix, path, have);
	}
}

/* The kvm parameters asked for on the command line (kvm.ignore_msrs=1) and
 * in vfiokit's modprobe.d file (options kvm ignore_msrs=1). */
static void check_kvm_params(const struct vk_ctx *ctx, const struct vk_cmdline *cl,
			     struct vk_verify *v)
{
	_cleanup_free_ char *conf = read_small(ctx, VK_PATH_MODPROBE_VFIOKIT, 1 << 20);
	char *save = NULL;

	for (size_t i = 0; cl && i < cl->n_args; i++) {
		const struct vk_cmdline_arg *a = &cl->args[i];
		char what[256];
		const char *dot;
		int m;

		if (a->init || a->dashdash || !a->value || !(dot = strchr(a->key, '.')))
			continue;
		m = kvm_mod(a->key, (size_t)(dot - a->key));
		if (m < 0)
			continue;
		snprintf(what, sizeof(what), "%.200s took effect", a->raw);
		check_param(ctx, what, m, dot + 1, a->value, v);
	}
	for (char *l = conf ? strtok_r(conf, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *s2 = NULL, *word = strtok_r(l, " \t", &s2), *mod;
		int m;

		if (!word || !streq(word, "options") || !(mod = strtok_r(NULL, " \t", &s2)))
			continue;
		m = kvm_mod(mod, strlen(mod));
		if (m < 0)
			continue;
		for (char *o = strtok_r(NULL, " \t", &s2); o; o = strtok_r(NULL, " \t", &s2)) {
			char *eq = strchr(o, '='), what[256];

			if (!eq || *o == '#')
				break;
			*eq = '\0';
			snprintf(what, sizeof(what), "%.60s %.80s=%.80s (modprobe.d) took effect",
				 mod, o, eq + 1);
			check_param(ctx, what, m, o, eq + 1, v);
		}
	}
}

/* Whether /dev/kvm is there and opens: PASS, or why not in detail. */
static enum vk_result kvm_device(const struct vk_ctx *ctx, const char *vendor, bool virt,
				 char *detail, size_t size)
{
	struct stat st;
	int fd;

	*detail = '\0';
	if (fstatat(ctx->rootfd, vk_rel(VK_PATH_DEV_KVM), &st, 0) < 0) {
		snprintf(detail, size, "%s%s: %s: %s", ctx->prefix, VK_PATH_DEV_KVM,
			 strerror(errno),
			 !virt ? "the CPU offers no hardware virtualisation (an emulated "
				 "CPU has none)"
			 : vendor && streq(vendor, "amd")
				 ? "load kvm_amd; if it will not load, the firmware (or the "
				   "hypervisor this runs under) gives no usable AMD-V"
				 : "load kvm_intel; if it will not load, the firmware (or "
				   "the hypervisor this runs under) gives no usable VT-x");
		return VK_RESULT_FAIL;
	}
	if (!S_ISCHR(st.st_mode)) {
		snprintf(detail, size, "%s%s is not a character device", ctx->prefix,
			 VK_PATH_DEV_KVM);
		return VK_RESULT_FAIL;
	}
	fd = openat(ctx->rootfd, vk_rel(VK_PATH_DEV_KVM), O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(detail, size, "%s%s: %s%s", ctx->prefix, VK_PATH_DEV_KVM, strerror(errno),
			 errno == EACCES ? ": this user is not in the kvm group" : "");
		return errno == EACCES ? VK_RESULT_WARN : VK_RESULT_FAIL;
	}
	close(fd);
	return VK_RESULT_PASS;
}

static void check_kvm(const struct vk_ctx *ctx, const char *vendor, const struct vk_cmdline *cl,
		      struct vk_verify *v)
{
	_cleanup_free_ char *cpuinfo = read_small(ctx, VK_PATH_PROC_CPUINFO, 4 << 20);
	const char *what = "CPU hardware virtualisation (vmx/svm)";
	enum vk_result kvm;
	char detail[1024];
	bool virt = false;
	int err = errno;

	for (char *l = cpuinfo ? strstr(cpuinfo, "\nflags") : NULL; l && !virt;
	     l = strstr(l + 1, "\nflags")) {
		char *end = strchr(l + 1, '\n');

		if (end)
			*end = '\0';
		virt = strstr(l, " vmx") || strstr(l, " svm");
		if (end)
			*end = '\n';
	}
	/* A /dev/kvm that opens shows the CPU's virtualisation even where
	 * /proc/cpuinfo names no flag (some hypervisors hide it). */
	kvm = kvm_device(ctx, vendor, virt || !cpuinfo, detail, sizeof(detail));
	if (virt)
		vk_verify_add(v, "kvm", VK_RESULT_PASS, what, NULL);
	else if (kvm == VK_RESULT_PASS)
		vk_verify_addf(v, "kvm", VK_RESULT_PASS, what,
			       "shown by a usable %s%s; %s%s names no vmx or svm flag", ctx->prefix,
			       VK_PATH_DEV_KVM, ctx->prefix, VK_PATH_PROC_CPUINFO);
	else if (!cpuinfo)
		vk_verify_addf(v, "kvm", VK_RESULT_UNKNOWN, what, "%s%s: %s", ctx->prefix,
			       VK_PATH_PROC_CPUINFO, strerror(err));
	else
		vk_verify_add(v, "kvm", VK_RESULT_FAIL, what,
			      "no vmx or svm flag in /proc/cpuinfo: turn on VT-x or "
			      "AMD-V (SVM) in the firmware setup");
	vk_verify_add(v, "kvm", kvm, "/dev/kvm exists and is usable", *detail ? detail : NULL);
	check_kvm_params(ctx, cl, v);
}

/* ---- iommu ------------------------------------------------------------- */

/* "DMA-FQ" and the like of the first group that says. */
static int domain_type(const struct vk_ctx *ctx, char *buf, size_t size)
{
	_cleanup_free_ char **names = NULL;
	size_t n = 0;
	int r = vk_list_dir(ctx->rootfd, vk_rel(VK_PATH_IOMMU_GROUPS), &names, &n);

	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t i = 0; i < n && r < 0; i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s/type", VK_PATH_IOMMU_GROUPS, names[i]);
		r = (int)vk_read_file(ctx->rootfd, vk_rel(path), buf, size);
	}
	return r < 0 ? r : 0;
}

static void check_iommu(const struct vk_ctx *ctx, const struct vk_iommu_status *st,
			const char *klog, const char *klog_err, struct vk_verify *v)
{
	const char *what = "firmware IOMMU table (DMAR/IVRS)";
	_cleanup_free_ char *irq = NULL;
	char type[64];
	bool on = st->n_groups > 0;

	if (st->acpi_table)
		vk_verify_addf(v, "iommu", VK_RESULT_PASS, what, "%s", st->acpi_table);
	else if (!exists(ctx, VK_PATH_ACPI_TABLES))
		vk_verify_addf(v, "iommu", VK_RESULT_UNKNOWN, what,
			       "%s%s is missing: no ACPI, or sysfs is not mounted", ctx->prefix,
			       VK_PATH_ACPI_TABLES);
	else
		vk_verify_add(v, "iommu", VK_RESULT_FAIL, what,
			      "the firmware provides no DMAR or IVRS table: turn on VT-d or "
			      "AMD-Vi (IOMMU) in the firmware setup");

	what = "IOMMU enabled by the kernel";
	if (on)
		vk_verify_addf(v, "iommu", VK_RESULT_PASS, what, "%zu group%s, %zu unit%s",
			       st->n_groups, st->n_groups == 1 ? "" : "s", st->n_units,
			       st->n_units == 1 ? "" : "s");
	else if (!st->have_pci)
		vk_verify_add(v, "iommu", VK_RESULT_UNKNOWN, what, vk_iommu_explain(st));
	else
		vk_verify_add(v, "iommu", VK_RESULT_FAIL, what, vk_iommu_explain(st));

	what = "IOMMU interrupt remapping";
	irq = read_small(ctx, VK_PATH_PROC_INTERRUPTS, 1 << 20);
	if (!on && !st->have_pci)
		vk_verify_add(v, "iommu", VK_RESULT_UNKNOWN, what, "no PCI devices in sysfs");
	else if (!on)
		vk_verify_add(v, "iommu", VK_RESULT_FAIL, what,
			      "the IOMMU is off, and with it interrupt remapping");
	else if (irq && (strstr(irq, "IR-PCI-MSI") || strstr(irq, "IR-IO-APIC")))
		vk_verify_add(v, "iommu", VK_RESULT_PASS, what, NULL);
	else if (klog && (strstr(klog, "Enabled IRQ remapping") ||
			  strstr(klog, "Interrupt remapping enabled")))
		vk_verify_add(v, "iommu", VK_RESULT_PASS, what, NULL);
	else if (irq && strstr(irq, "PCI-MSI"))
		vk_verify_add(v, "iommu", VK_RESULT_FAIL, what,
			      "/proc/interrupts has MSI interrupts outside the IOMMU's remapping "
			      "(no IR-PCI-MSI): VFIO refuses such devices unless "
			      "vfio_iommu_type1.allow_unsafe_interrupts=1");
	else if (klog)
		vk_verify_add(v, "iommu", VK_RESULT_FAIL, what,
			      "the kernel log does not say it enabled interrupt remapping "
			      "(DMAR-IR or AMD-Vi)");
	else
		vk_verify_addf(v, "iommu", VK_RESULT_UNKNOWN, what,
			       "neither %s%s nor the kernel log can be read: %s", ctx->prefix,
			       VK_PATH_PROC_INTERRUPTS, klog_err);

	what = "IOMMU default domain type";
	if (!on) {
		vk_verify_add(v, "iommu", VK_RESULT_UNKNOWN, what, "no IOMMU groups");
	} else if (domain_type(ctx, type, sizeof(type)) < 0) {
		vk_verify_addf(v, "iommu", VK_RESULT_UNKNOWN, what,
			       "no %s%s/*/type (a kernel before 5.11?)", ctx->prefix,
			       VK_PATH_IOMMU_GROUPS);
	} else {
		bool pt = streq(type, "identity");

		vk_verify_addf(v, "iommu", VK_RESULT_PASS, what, "%s: %s",
			       pt ? "passthrough" : "translated", type);
	}
}

/* ---- cmdline ----------------------------------------------------------- */

/* Is item in the comma list value? */
static bool list_has(const char *value, const char *item)
{
	size_t n = strlen(item);

	for (const char *p = value; p && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		if (len >= n && !strncasecmp(p, item, n) && (len == n || p[n] == ':'))
			return true;
		p = c ? c + 1 : NULL;
	}
	return false;
}

static bool cmdline_has_id(const struct vk_cmdline *cl, const char *id)
{
	for (size_t i = 0; i < cl->n_args; i++) {
		const struct vk_cmdline_arg *a = &cl->args[i];

		if (!a->init && a->value &&
		    (vk_cmdline_key_eq(a->key, "vfio-pci.ids") ||
		     vk_cmdline_key_eq(a->key, "pci-stub.ids")) &&
		    list_has(a->value, id))
			return true;
	}
	return false;
}

/* The ids of the devices claimed by id, resolved to vendor:device. */
static size_t device_ids(const struct vk_ctx *ctx, const struct vk_verify_opts *o, char ids[][16],
			 size_t max)
{
	struct vk_pci *pci = NULL;
	size_t n = 0;

	for (size_t i = 0; i < o->n_id_devices && n < max; i++) {
		unsigned int ven, dev;
		struct vk_pci_addr a;
		char id[16] = "";

		if (vk_pci_id_parse(o->id_devices[i], &ven, &dev) == 0) {
			snprintf(id, sizeof(id), "%04x:%04x", ven, dev);
		} else if (vk_pci_addr_parse(o->id_devices[i], &a) == 0) {
			struct vk_pci_dev d = {};
			char addr[VK_PCI_ADDR_LEN];

			snprintf(addr, sizeof(addr), "%04x:%02x:%02x.%x", a.domain, a.bus, a.dev,
				 a.func);
			if ((pci || vk_pci_new(ctx, &pci) == 0) &&
			    vk_pci_dev_read(pci, addr, &d) == 0 && d.have_ident)
				snprintf(id, sizeof(id), "%04x:%04x", d.vendor_id, d.device_id);
			vk_pci_dev_clear(&d);
		}
		if (!*id)
			continue; /* absent: the devices checks say so */
		for (size_t k = 0; k < n; k++)
			if (streq(ids[k], id))
				*id = '\0';
		if (*id)
			snprintf(ids[n++], 16, "%s", id);
	}
	vk_pci_free(pci);
	return n;
}

static void check_unknown_params(const char *klog, const char *klog_err,
				 const struct vk_cmdline *cl, struct vk_verify *v)
{
	const char *what = "the kernel accepted every parameter";
	const char *tag = "Unknown kernel command line parameters \"";
	const char *p;
	bool any = false;

	if (!klog) {
		vk_verify_addf(v, "cmdline", VK_RESULT_UNKNOWN, what,
			       "the kernel log cannot be read: %s", klog_err);
		return;
	}
	for (p = strstr(klog, tag); p; p = strstr(p, tag)) {
		const char *end;

		p += strlen(tag);
		end = strchr(p, '"');
		if (!end)
			break;
		for (const char *w = p; w < end;) {
			size_t len = strcspn(w, " ");
			char tok[512], what2[600];

			if (len > (size_t)(end - w))
				len = (size_t)(end - w);
			if (len && len < sizeof(tok)) {
				snprintf(tok, sizeof(tok), "%.*s", (int)len, w);
				snprintf(what2, sizeof(what2), "the kernel accepted %s", tok);
				vk_verify_addf(
					v, "cmdline", VK_RESULT_FAIL, what2,
					"the kernel reported \"%s\" as unknown and passed it "
					"to init: it has no such parameter%s",
					tok,
					strchr(tok, '.') ? ""
							 : " (a module parameter needs the "
							   "module's name: MODULE.PARAM)");
				any = true;
			}
			w += len + 1;
		}
		p = end;
	}
	(void)cl;
	if (!any)
		vk_verify_add(v, "cmdline", VK_RESULT_PASS, what, NULL);
}

/* The rescue typed at the boot loader's prompt: module_blacklist= naming
 * vfio_pci keeps the kernel from loading it, whatever modprobe.d, the
 * initramfs or a softdep ask; empty vfio-pci.ids= and pci-stub.ids= after
 * the claims cancel them for a built-in vfio-pci or pci-stub. */
static void check_rescue(const struct vk_cmdline *cl, struct vk_verify *v)
{
	ssize_t i = vk_cmdline_find_last(cl, "module_blacklist");
	const char *val = i >= 0 ? cl->args[i].value : NULL;

	if (!val || !(list_has(val, "vfio_pci") || list_has(val, "vfio-pci")))
		return;
	vk_verify_addf(v, "cmdline", VK_RESULT_WARN, "vfiokit's claims in force",
		       "suspended for this boot: %s (the rescue) keeps vfio-pci from loading, so "
		       "the devices stay on their host drivers; boot without it to pass them "
		       "through, or run vfiokit undo",
		       cl->args[i].raw);
}

static void check_cmdline(const struct vk_ctx *ctx, const struct vk_verify_opts *o,
			  const struct vk_cmdline *cl, const char *cl_err,
			  const struct vk_iommu_status *st, const char *klog, const char *klog_err,
			  struct vk_verify *v)
{
	struct vk_lint_host host;
	struct vk_findings f = {};
	char ids[64][16];
	size_t n_ids;

	if (!cl) {
		vk_verify_addf(v, "cmdline", VK_RESULT_UNKNOWN, "the kernel command line",
			       "%s%s: %s", ctx->prefix, VK_PATH_PROC_CMDLINE, cl_err);
		return;
	}
	if (vk_lint_host_read(ctx, &host) < 0) {
		vk_lint_host_clear(&host);
		v->err = -ENOMEM;
		return;
	}
	check_rescue(cl, v);
	if (host.iommu == VK_CPU_INTEL) {
		const char *what = "kernel command line has intel_iommu=on";
		const char *why = host.iommu_guess ? " (an Intel IOMMU is a guess from the CPU: "
						     "the firmware shows no DMAR table)"
						   : "";
		ssize_t i = vk_cmdline_find_last(cl, "intel_iommu");
		const char *val = i >= 0 ? cl->args[i].value : NULL;

		if (val && list_has(val, "on"))
			vk_verify_add(v, "cmdline", VK_RESULT_PASS, what, NULL);
		else if (st->n_groups)
			vk_verify_add(v, "cmdline", VK_RESULT_PASS, what,
				      "not there, but this kernel turns the IOMMU on by default");
		else if (i < 0 && host.intel_iommu_default_on == 1)
			vk_verify_add(v, "cmdline", VK_RESULT_PASS, what,
				      "not needed: the running kernel has "
				      "CONFIG_INTEL_IOMMU_DEFAULT_ON=y");
		else if (i >= 0)
			vk_verify_addf(v, "cmdline", VK_RESULT_FAIL, what,
				       "%s keeps the IOMMU off: make it intel_iommu=on "
				       "(vfiokit cmdline set intel_iommu=on)%s",
				       cl->args[i].raw, why);
		else
			vk_verify_addf(v, "cmdline", VK_RESULT_FAIL, what,
				       "intel_iommu=on is missing and the IOMMU is off: add it "
				       "(vfiokit cmdline set intel_iommu=on)%s",
				       why);
	}
	n_ids = device_ids(ctx, o, ids, ARRAY_SIZE(ids));
	for (size_t k = 0; k < n_ids; k++) {
		char what[160];

		snprintf(what, sizeof(what), "kernel command line claims %.16s", ids[k]);
		if (cmdline_has_id(cl, ids[k]))
			vk_verify_add(v, "cmdline", VK_RESULT_PASS, what, NULL);
		else
			vk_verify_addf(v, "cmdline", VK_RESULT_WARN, what,
				       "no vfio-pci.ids or pci-stub.ids holds %s: add it "
				       "(vfiokit cmdline set --device %s), unless modprobe.d "
				       "binds it",
				       ids[k], ids[k]);
	}
	if (vk_lint_check(cl, &host, &f) < 0) {
		v->err = -ENOMEM;
	} else {
		size_t problems = 0;

		for (size_t i = 0; i < f.n; i++) {
			const struct vk_finding *fd = &f.v[i];
			char what[600];

			if (fd->rule->severity == VK_SEV_NOTE)
				continue;
			problems++;
			snprintf(what, sizeof(what), "kernel command line: %s",
				 cl->args[fd->arg].raw);
			vk_verify_addf(v, "cmdline",
				       fd->rule->severity == VK_SEV_ERROR ? VK_RESULT_FAIL
									  : VK_RESULT_WARN,
				       what, "%s%s%s", fd->message, fd->fix ? "; " : "",
				       fd->fix ? fd->fix : "");
		}
		if (!problems)
			vk_verify_add(v, "cmdline", VK_RESULT_PASS,
				      "kernel command line lint (vfiokit cmdline lint)", NULL);
	}
	vk_findings_clear(&f);
	vk_lint_host_clear(&host);
	check_unknown_params(klog, klog_err, cl, v);
}

/* ---- kconfig ----------------------------------------------------------- */

static void check_kconfig(const struct vk_ctx *ctx, const struct vk_verify_opts *o,
			  const char *vendor, struct vk_verify *v)
{
	const char *what = "running kernel's configuration";
	_cleanup_free_ char *text = NULL, *name = NULL;
	struct vk_profiles idx = {};
	struct vk_dotconfig conf = {};
	char err[512], ver[64] = "", osrel[64] = "";
	size_t len;
	bool guess;
	const char *iommu = vk_iommu_vendor(ctx, &guess);
	int r;

	r = vk_kconfig_read_running(ctx, &text, &len, &name);
	if (r == -EFBIG) {
		vk_verify_addf(v, "kconfig", VK_RESULT_UNKNOWN, what,
			       "%s: larger than %u MiB once inflated: not a kernel configuration",
			       name, VK_RUNNING_CONFIG_MAX >> 20);
		return;
	}
	if (r < 0) {
		bool gz = !name || strstr(name, VK_PATH_PROC_CONFIG_GZ);

		vk_verify_addf(v, "kconfig", VK_RESULT_UNKNOWN, what,
			       "no %s%s (CONFIG_IKCONFIG_PROC) and %s: %s", ctx->prefix,
			       VK_PATH_PROC_CONFIG_GZ,
			       gz ? "no kernel release to find /boot/config-RELEASE" : name,
			       strerror(-r));
		return;
	}
	r = vk_dotconfig_parse(name, text, len, false, &conf, err, sizeof(err));
	if (r < 0) {
		vk_verify_add(v, "kconfig", VK_RESULT_UNKNOWN, what,
			      r == -EINVAL ? err : strerror(-r));
		goto out;
	}
	r = vk_profiles_load(o->profiles_dir, &idx, err, sizeof(err));
	if (r < 0) {
		vk_verify_addf(v, "kconfig", VK_RESULT_UNKNOWN, what, "%s/profiles.conf: %s",
			       o->profiles_dir, r == -EINVAL ? err : strerror(-r));
		goto out;
	}
	if (!vk_dotconfig_version(&conf, ver, sizeof(ver)) &&
	    vk_read_file(ctx->rootfd, vk_rel(VK_PATH_PROC_OSRELEASE), osrel, sizeof(osrel)) > 0)
		snprintf(ver, sizeof(ver), "%s", osrel);
	for (size_t i = 0; i < idx.n_profiles; i++) {
		const struct vk_profile *p = &idx.profiles[i];
		/* The VFIO essentials fail; tuning profiles (bridge, cpu-*) warn. */
		bool essential = !strncmp(p->name, "iommu-", 6) || !strncmp(p->name, "kvm-", 4) ||
				 streq(p->name, "vfio");
		const char *const names[] = { p->name };
		struct vk_kconfig_req req = { .profiles_dir = o->profiles_dir,
					      .profiles = names,
					      .n_profiles = 1 };
		struct vk_kconfig_run run = {};
		char missing[512] = "", pwhat[128];
		size_t shown = 0;

		if (!p->in_auto || !vk_profile_applies(p, vendor, iommu))
			continue;
		snprintf(pwhat, sizeof(pwhat), "kernel config has profile %s", p->name);
		/* The same requests and judgement as kconfig check. */
		r = vk_kconfig_load_requests(ctx, &req, &run);
		if (r == 0)
			r = vk_kconfig_judge(&run, &conf, ver, true);
		if (r == -ENOMEM) {
			v->err = r;
			vk_kconfig_run_clear(&run);
			break;
		}
		if (r < 0) {
			const struct vk_note *n =
				run.notes.n ? &run.notes.v[run.notes.n - 1] : NULL;

			vk_verify_add(v, "kconfig", VK_RESULT_UNKNOWN, pwhat,
				      n ? n->text : strerror(-r));
		} else if (!run.n_failed) {
			vk_verify_add(v, "kconfig", VK_RESULT_PASS, pwhat, NULL);
		} else {
			for (size_t k = 0; k < run.reqs.n_reqs; k++) {
				const struct vk_kconfig_outcome *oc = &run.out[k];
				size_t used = strlen(missing);

				if (vk_verdict_ok(oc->verdict) || shown++ >= 8 ||
				    used >= sizeof(missing) - 64)
					continue;
				snprintf(missing + used, sizeof(missing) - used,
					 "%sCONFIG_%s=%s (is %s)", used ? ", " : "", oc->req->sym,
					 oc->req->value, oc->final ? oc->final : "not set");
			}
			vk_verify_addf(v, "kconfig", essential ? VK_RESULT_FAIL : VK_RESULT_WARN,
				       pwhat, "%s: %zu not as asked: %s%s", name, run.n_failed,
				       missing, run.n_failed > 8 ? ", ..." : "");
		}
		vk_kconfig_run_clear(&run);
	}
out:
	vk_profiles_clear(&idx);
	vk_dotconfig_clear(&conf);
}

/* ---- modules ----------------------------------------------------------- */

/* Is mod listed in <root>/proc/modules? */
static bool proc_modules_has(const struct vk_ctx *ctx, const char *mod)
{
	_cleanup_free_ char *text = read_small(ctx, VK_PATH_PROC_MODULES, 1 << 20);
	size_t n = strlen(mod);

	for (const char *l = text; l && *l;) {
		if (!strncmp(l, mod, n) && l[n] == ' ')
			return true;
		l = strchr(l, '\n');
		l = l ? l + 1 : NULL;
	}
	return false;
}

static void check_modules(const struct vk_ctx *ctx, struct vk_verify *v, const char *group,
			  const char *const *mods, size_t n)
{
	if (!exists(ctx, VK_PATH_SYS_MODULE)) {
		vk_verify_addf(v, group, VK_RESULT_UNKNOWN, "modules loaded", "%s%s: %s",
			       ctx->prefix, VK_PATH_SYS_MODULE, strerror(errno));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char path[128], what[128];

		snprintf(what, sizeof(what), "module %s loaded", mods[i]);
		snprintf(path, sizeof(path), "%s/%s", VK_PATH_SYS_MODULE, mods[i]);
		if (exists(ctx, path) || proc_modules_has(ctx, mods[i]))
			vk_verify_add(v, group, VK_RESULT_PASS, what, NULL);
		else
			vk_verify_addf(v, group, VK_RESULT_FAIL, what,
				       "no %s%s: load it (modprobe %s), or check the kernel "
				       "config",
				       ctx->prefix, path, mods[i]);
	}
}

/* ---- all --------------------------------------------------------------- */

int vk_verify_run(const struct vk_ctx *ctx, const struct vk_verify_opts *o, struct vk_verify *v)
{
	static const char *const vfio_mods[] = { "vfio", "vfio_pci", "vfio_iommu_type1" };
	_cleanup_free_ char *klog = NULL, *klog_src = NULL, *cmdline = NULL;
	struct vk_cmdline *cl = NULL;
	struct vk_iommu_status st;
	char klog_err[600], cl_err[128] = "";
	const char *vendor = vk_cpu_vendor(ctx); /* read once, for every check */
	int r;

	memset(v, 0, sizeof(*v));
	vk_iommu_status(ctx, &st);
	cmdline = read_small(ctx, VK_PATH_PROC_CMDLINE, 1 << 16);
	if (!cmdline)
		snprintf(cl_err, sizeof(cl_err), "%s", strerror(errno));
	else if (vk_cmdline_parse(cmdline, strlen(cmdline), &cl) < 0)
		snprintf(cl_err, sizeof(cl_err), "cannot be parsed");
	if (o->groups & (VK_CHECK_IOMMU | VK_CHECK_CMDLINE)) {
		r = vk_klog_read(ctx, &klog, &klog_src);
		if (r < 0)
			snprintf(klog_err, sizeof(klog_err), "%s: %s%s",
				 klog_src ? klog_src : "kernel log", strerror(-r),
				 r == -EPERM || r == -EACCES ? " (run as root)" : "");
	}
	if (o->groups & VK_CHECK_KVM) {
		const char *mods[] = { "kvm",
				       vendor && streq(vendor, "amd") ? "kvm_amd" : "kvm_intel" };

		check_kvm(ctx, vendor, cl, v);
		check_modules(ctx, v, "kvm", mods, ARRAY_SIZE(mods));
	}
	if (o->groups & VK_CHECK_IOMMU)
		check_iommu(ctx, &st, klog, klog_err, v);
	if (o->groups & VK_CHECK_CMDLINE)
		check_cmdline(ctx, o, cl, cl_err, &st, klog, klog_err, v);
	if (o->groups & VK_CHECK_KCONFIG)
		check_kconfig(ctx, o, vendor, v);
	if (o->groups & VK_CHECK_MODULES)
		check_modules(ctx, v, "modules", vfio_mods, ARRAY_SIZE(vfio_mods));
	if (o->groups & VK_CHECK_DEVICES)
		vk_verify_devices(ctx, o, v);
	if (o->groups & VK_CHECK_LIBVIRT)
		vk_verify_libvirt(ctx, v);
	vk_cmdline_free(cl);
	return v->err;
}
