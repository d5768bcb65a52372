// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rules of 'vfiokit cmdline lint'. Each row of rules[] at the end of
 * this file is one rule: its id, how bad it is, what it checks, where the
 * fact comes from in the kernel, and the function that looks at a token;
 * a rule about the words an option takes also holds the key, the words
 * and the texts of its finding.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../kconfig/running.h"
#include "../pci/device.h"
#include "../pci/iommu.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/system.h"
#include "../shared/write.h"
#include "lint.h"

/* Longest x86 command line the kernel keeps (COMMAND_LINE_SIZE). */
#define X86_COMMAND_LINE_SIZE 2048

struct vk_lint_run {
	const struct vk_cmdline *cl;
	const struct vk_lint_host *host;
	struct vk_findings *out;
	/* What rules would otherwise rescan the line for, once per token:
	 * the kernel's tokens sorted by key (then index), and for each token
	 * the one before and after it with the same key (-1: none). */
	size_t *by_key, n_by_key;
	ssize_t *prev, *next;
	bool sysfb_blacklist; /* initcall_blacklist=sysfb_init is there */
	size_t length;	      /* of the whole line */
	size_t last;	      /* the kernel's last token */
};

/* ---- host facts --------------------------------------------------------- */

const char *vk_cpu_name(enum vk_cpu v)
{
	return v == VK_CPU_INTEL ? "intel" : v == VK_CPU_AMD ? "amd" : NULL;
}

static enum vk_cpu cpu_of(const char *v)
{
	return !v ? VK_CPU_UNKNOWN : streq(v, "intel") ? VK_CPU_INTEL : VK_CPU_AMD;
}

/* A line "NAME=y" in a kernel config's text. */
static bool config_yes(const char *text, const char *name)
{
	size_t len = strlen(name);

	for (const char *p = text; (p = strstr(p, name)); p += len)
		if ((p == text || p[-1] == '\n') && !strncmp(p + len, "=y", 2) &&
		    (p[len + 2] == '\n' || !p[len + 2]))
			return true;
	return false;
}

static int read_intel_iommu_default_on(const struct vk_ctx *ctx)
{
	_cleanup_free_ char *text = NULL, *name = NULL;
	size_t len;

	if (vk_kconfig_read_running(ctx, &text, &len, &name) < 0)
		return -1;
	return config_yes(text, "CONFIG_INTEL_IOMMU_DEFAULT_ON") ||
	       config_yes(text, "CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF");
}

bool vk_lint_host_wants_intel_iommu_on(const struct vk_lint_host *host)
{
	return host->iommu == VK_CPU_INTEL && host->intel_iommu_default_on != 1;
}

static int read_boot_gpus(const struct vk_ctx *ctx, struct vk_lint_host *host)
{
	_cleanup_free_ char **names = NULL;
	struct vk_pci *pci = NULL;
	size_t n = 0;
	int r = 0;

	if (vk_list_dir(ctx->rootfd, vk_rel(VK_PATH_PCI_DEVICES), &names, &n) < 0)
		return 0;
	for (size_t i = 0; i < n && r >= 0; i++) {
		char path[256], buf[8];
		struct vk_pci_dev dev;
		struct vk_lint_gpu *g;

		snprintf(path, sizeof(path), "%s/%s/boot_vga", vk_rel(VK_PATH_PCI_DEVICES),
			 names[i]);
		if (vk_read_file(ctx->rootfd, path, buf, sizeof(buf)) < 0 || !streq(buf, "1"))
			continue;
		if (!pci && (r = vk_pci_new(ctx, &pci)) < 0)
			break;
		if (vk_pci_dev_read(pci, names[i], &dev) < 0 || !dev.have_ident) {
			vk_pci_dev_clear(&dev);
			continue;
		}
		g = reallocarray(host->boot_gpus, host->n_boot_gpus + 1, sizeof(*g));
		if (!g) {
			r = -ENOMEM;
		} else {
			host->boot_gpus = g;
			g += host->n_boot_gpus++;
			snprintf(g->addr, sizeof(g->addr), "%s", dev.addr);
			g->vendor = dev.vendor_id;
			g->device = dev.device_id;
			g->subvendor = dev.subsys_vendor_id;
			g->subdevice = dev.subsys_device_id;
			g->class_code = dev.class_id << 8 | dev.prog_if;
		}
		vk_pci_dev_clear(&dev);
	}
	vk_pci_free(pci);
	return r;
}

/* Is simpledrm built into the running kernel? modules.builtin says, else
 * the kernel's config in /boot. */
static int read_simpledrm(const struct vk_ctx *ctx)
{
	struct vk_file f;
	char kver[256], path[512];
	int r = -1;

	if (vk_read_file(ctx->rootfd, vk_rel(VK_PATH_PROC_OSRELEASE), kver, sizeof(kver)) <= 0 ||
	    strchr(kver, '/'))
		return -1;
	snprintf(path, sizeof(path), "%s/%s/modules.builtin", VK_PATH_LIB_MODULES, kver);
	if (vk_file_load(ctx->rootfd, path, 16 << 20, &f) == 0 && f.exists) {
		const char *p = f.data;

		r = 0;
		while ((p = strstr(p, "/simpledrm.ko"))) {
			p += strlen("/simpledrm.ko");
			if (*p == '\n' || !*p) {
				r = 1;
				break;
			}
		}
		vk_file_clear(&f);
		return r;
	}
	vk_file_clear(&f); /* a missing file still holds its path */
	snprintf(path, sizeof(path), "%s/config-%s", VK_PATH_BOOT, kver);
	if (vk_file_load(ctx->rootfd, path, 16 << 20, &f) == 0) {
		if (f.exists)
			r = strstr(f.data, "\nCONFIG_DRM_SIMPLEDRM=y\n") ? 1 : 0;
		vk_file_clear(&f);
	}
	return r;
}

int vk_lint_host_read(const struct vk_ctx *ctx, struct vk_lint_host *host)
{
	memset(host, 0, sizeof(*host));
	host->cpu = cpu_of(vk_cpu_vendor(ctx));
	host->iommu = cpu_of(vk_iommu_vendor(ctx, &host->iommu_guess));
	host->intel_iommu_default_on = read_intel_iommu_default_on(ctx);
	host->simpledrm = read_simpledrm(ctx);
	return read_boot_gpus(ctx, host);
}

void vk_lint_host_clear(struct vk_lint_host *host)
{
	free(host->boot_gpus);
	memset(host, 0, sizeof(*host));
}

/* ---- PCI id lists ------------------------------------------------------- */

#define PCI_ANY 0xffffffffu

int vk_pci_id_match_parse(const char *s, size_t len, struct vk_pci_id_match *m)
{
	unsigned int *fields[] = { &m->vendor,	  &m->device,	  &m->subvendor,
				   &m->subdevice, &m->class_code, &m->class_mask };
	size_t i = 0, nf = 0;

	*m = (struct vk_pci_id_match){ PCI_ANY, PCI_ANY, PCI_ANY, PCI_ANY, 0, 0 };
	while (nf < ARRAY_SIZE(fields)) {
		size_t start = i;
		unsigned int v = 0;

		while (i < len && strchr("0123456789abcdefABCDEF", s[i]) && s[i]) {
			unsigned char c = (unsigned char)s[i];

			v = v << 4 | (unsigned int)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
			i++;
		}
		if (i == start || i - start > 8)
			return -EINVAL;
		*fields[nf++] = v;
		if (i == len)
			break;
		if (s[i] != ':')
			return -EINVAL;
		i++;
	}
	return nf >= 2 && i == len ? 0 : -EINVAL;
}

bool vk_pci_id_matches(const struct vk_pci_id_match *m, const struct vk_lint_gpu *d)
{
	return (m->vendor == PCI_ANY || m->vendor == d->vendor) &&
	       (m->device == PCI_ANY || m->device == d->device) &&
	       (m->subvendor == PCI_ANY || m->subvendor == d->subvendor) &&
	       (m->subdevice == PCI_ANY || m->subdevice == d->subdevice) &&
	       !((m->class_code ^ d->class_code) & m->class_mask);
}

/* ---- findings ----------------------------------------------------------- */

const char *vk_severity_name(enum vk_severity s)
{
	return s == VK_SEV_ERROR ? "error" : s == VK_SEV_WARNING ? "warning" : "note";
}

void vk_findings_clear(struct vk_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].message);
		free(f->v[i].fix);
	}
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

size_t vk_findings_problems(const struct vk_findings *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].rule->severity != VK_SEV_NOTE;
	return n;
}

/* Add a finding, taking message and fix (NULL when out of memory). */
static int add(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t arg, char *message,
	       char *fix)
{
	struct vk_finding *v;

	if (!message || !fix)
		goto nomem;
	if (run->out->n == run->out->cap) {
		size_t cap = run->out->cap ? run->out->cap * 2 : 16;

		v = reallocarray(run->out->v, cap, sizeof(*v));
		if (!v)
			goto nomem;
		run->out->v = v;
		run->out->cap = cap;
	}
	run->out->v[run->out->n++] = (struct vk_finding){ rule, arg, message, fix };
	return 0;
nomem:
	free(message);
	free(fix);
	return -ENOMEM;
}

static char *fmt(const char *format, ...) _printf_(1, 2);
static char *fmt(const char *format, ...)
{
	va_list ap;
	char *s;

	va_start(ap, format);
	if (vasprintf(&s, format, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static const struct vk_cmdline_arg *arg_at(const struct vk_lint_run *run, size_t i)
{
	return &run->cl->args[i];
}

static bool is(const struct vk_cmdline_arg *a, const char *key)
{
	return vk_cmdline_key_eq(a->key, key);
}

/* ---- the checks --------------------------------------------------------- */

/* The first item of a comma list that no word is a prefix of, or NULL. */
static const char *unknown_word(const char *value, const char *const *words, size_t *len)
{
	for (const char *p = value; *p;) {
		size_t l = strcspn(p, ",");
		bool ok = false;

		for (size_t i = 0; words[i] && !ok; i++)
			ok = !strncmp(p, words[i], strlen(words[i]));
		if (!ok && l) {
			*len = l;
			return p;
		}
		p += l;
		while (*p == ',')
			p++;
	}
	return NULL;
}

/* intel_iommu= with an AMD IOMMU, amd_iommu= with an Intel one. */
static bool wrong_vendor(const struct vk_lint_run *run, const struct vk_cmdline_arg *a)
{
	return (is(a, "intel_iommu") && run->host->iommu == VK_CPU_AMD) ||
	       (is(a, "amd_iommu") && run->host->iommu == VK_CPU_INTEL);
}

static int check_vendor(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t i)
{
	const struct vk_cmdline_arg *a = arg_at(run, i);
	bool amd = run->host->iommu == VK_CPU_AMD;

	if (!wrong_vendor(run, a))
		return 0;
	return add(
		run, rule, i,
		fmt("%s is for %s IOMMUs and this host's is %s: the kernel's %s driver never "
		    "reads it",
		    a->raw, amd ? "Intel" : "AMD",
		    run->host->iommu_guess
			    ? (amd ? "AMD (a guess from the CPU: the firmware shows no DMAR or "
				     "IVRS table)"
				   : "Intel (a guess from the CPU: the firmware shows no DMAR or "
				     "IVRS table)")
			    : (amd ? "AMD (the firmware's IVRS table)"
				   : "Intel (the firmware's DMAR table)"),
		    amd ? "AMD-Vi" : "Intel VT-d"),
		fmt(amd ? "remove it; the AMD IOMMU is on whenever the firmware provides an "
			  "IVRS table (enable IOMMU/AMD-Vi in the firmware setup)"
			: "remove it; on Intel the IOMMU needs intel_iommu=on (unless the kernel "
			  "has CONFIG_INTEL_IOMMU_DEFAULT_ON=y)"));
}

/* intel_iommu=on where the running kernel turns the Intel IOMMU on itself. */
static int check_intel_default(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t i)
{
	const struct vk_cmdline_arg *a = arg_at(run, i);

	if (!is(a, "intel_iommu") || !a->value || strcmp(a->value, "on") ||
	    run->host->intel_iommu_default_on != 1 || wrong_vendor(run, a) || run->next[i] >= 0)
		return 0;
	return add(run, rule, i,
		   fmt("%s is redundant: the running kernel has CONFIG_INTEL_IOMMU_DEFAULT_ON=y "
		       "(or ..._INTGPU_OFF=y) and turns the Intel IOMMU on by itself",
		       a->raw),
		   fmt("nothing to do; keep it for kernels built without that option, or "
		       "remove it"));
}

/* A rule's text template with {raw}, {key}, {bad} and {list} filled in. */
static char *expand(const char *tmpl, const struct vk_lint_rule *rule,
		    const struct vk_cmdline_arg *a, const char *bad, size_t len)
{
	char *s = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&s, &size);

	if (!f)
		return NULL;
	for (const char *p = tmpl; *p; p++) {
		if (!strncmp(p, "{raw}", 5))
			fputs(a->raw, f);
		else if (!strncmp(p, "{key}", 5))
			fputs(rule->key, f);
		else if (!strncmp(p, "{bad}", 5))
			fwrite(bad, 1, len, f);
		else if (!strncmp(p, "{list}", 6))
			fputs(rule->list, f);
		else {
			fputc(*p, f);
			continue;
		}
		p = strchr(p, '}');
	}
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static int check_words(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t i)
{
	const struct vk_cmdline_arg *a = arg_at(run, i);
	const char *bad;
	size_t len = 0;

	if (!is(a, rule->key) || wrong_vendor(run, a))
		return 0;
	if (!a->value || !*a->value)
		return add(run, rule, i, fmt("%s has no value: the kernel ignores it", a->raw),
			   expand("remove it, or give one of: {list}", rule, a, "", 0));
	bad = unknown_word(a->value, rule->words, &len);
	if (!bad)
		return 0;
	if (rule->number_message && bad[0] >= '0' && bad[0] <= '9')
		return add(run, rule, i, expand(rule->number_message, rule, a, bad, len),
			   expand(rule->number_fix, rule, a, bad, len));
	return add(run, rule, i, expand(rule->message, rule, a, bad, len),
		   expand(rule->fix, rule, a, bad, len));
}

/* Module parameters written without their module's name. */
static const struct {
	const char *param, *module;
} bare_params[] = {
	{ "ignore_msrs", "kvm" },	    { "report_ignored_msrs", "kvm" },
	{ "halt_poll_ns", "kvm" },	    { "disable_vga", "vfio-pci" },
	{ "disable_idle_d3", "vfio-pci" },  { "nointxmask", "vfio-pci" },
	{ "disable_denylist", "vfio-pci" }, { "allow_unsafe_interrupts", "vfio_iommu_type1" },
};

static int check_bare_param(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t i)
{
	const struct vk_cmdline_arg *a = arg_at(run, i);

	for (size_t t = 0; t < ARRAY_SIZE(bare_params); t++) {
		const char *m = bare_params[t].module, *p = bare_params[t].param;
		const char *v = a->value ? a->value : "1";

		if (!is(a, p))
			continue;
		return add(
			run, rule, i,
			fmt("%s has no module name: the kernel does not know '%s', hands it to "
			    "init as an environment variable, and %s never sees it",
			    a->raw, a->key, m),
			fmt("write %s.%s=%s instead (or 'options %s %s=%s' in /etc/modprobe.d/); "
			    "after the reboot /sys/module/%s/parameters/%s shows the value",
			    m, p, v, m, p, v, m, p));
	}
	return 0;
}

static bool is_ids(const struct vk_cmdline_arg *a)
{
	return is(a, "vfio-pci.ids") || is(a, "pci-stub.ids");
}

/* The driver name of an ids key as written in messages. */
static const char *ids_driver(const struct vk_cmdline_arg *a)
{
	return is(a, "vfio-pci.ids") ? "vfio-pci" : "pci-stub";
}

static int check_ids_malformed(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t i)
{
	const struct vk_cmdline_arg *a = arg_at(run, i);
	int r;

	if (!is_ids(a) || !a->value)
		return 0;
	for (const char *p = a->value; *p;) {
		size_t l = strcspn(p, ",");
		struct vk_pci_id_match m;

		if (l && vk_pci_id_match_parse(p, l, &m) < 0) {
			r = add(run, rule, i,
				fmt("%s: '%.*s' is not vendor:device[:subvendor[:subdevice[:class"
				    "[:class_mask]]]] in hex; %s skips it (\"invalid id string\") "
				    "and "
				    "the device stays with its host driver",
				    a->key, (int)l, p, ids_driver(a)),
				fmt("write the ids as 'lspci -nn' shows them in brackets, e.g. "
				    "10de:1c03, separated by commas"));
			if (r < 0)
				return r;
		}
		p += l + (p[l] == ',');
	}
	return 0;
}

static bool kernel_arg(const struct vk_cmdline_arg *a)
{
	return !a->init && !a->dashdash;
}

/* strcmp() with '-' and '_' alike. */
static int key_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;

		if (x != y || !x)
			return (unsigned char)x - (unsigned char)y;
	}
}

static int cmp_by_key(const void *x, const void *y, void *data)
{
	const struct vk_cmdline *cl = data;
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int c = key_cmp(cl->args[i].key, cl->args[j].key);

	return c ? c : i < j ? -1 : i > j;
}

/* Index of the kernel's last token with key, or -1. */
static ssize_t last_of(const struct vk_lint_run *run, const char *key)
{
	size_t lo = 0, hi = run->n_by_key;

	/* The first token whose key sorts after key; the one before it. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_cmp(run->cl->args[run->by_key[mid]].key, key) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && !key_cmp(run->cl->args[run->by_key[lo - 1]].key, key))
		return (ssize_t)run->by_key[lo - 1];
	return -1;
}

static bool has_item(const char *value, const char *word, bool prefix);

static int index_tokens(struct vk_lint_run *run)
{
	const struct vk_cmdline *cl = run->cl;
	size_t n = cl->n_args ? cl->n_args : 1;

	run->by_key = calloc(n, sizeof(*run->by_key));
	run->prev = calloc(n, sizeof(*run->prev));
	run->next = calloc(n, sizeof(*run->next));
	if (!run->by_key || !run->prev || !run->next)
		return -ENOMEM;
	for (size_t i = 0; i < cl->n_args; i++) {
		const struct vk_cmdline_arg *a = &cl->args[i];

		run->prev[i] = run->next[i] = -1;
		run->length += strlen(a->lead) + strlen(a->raw);
		if (!kernel_arg(a))
			continue;
		run->last = i;
		run->by_key[run->n_by_key++] = i;
		if (is(a, "initcall_blacklist") && a->value &&
		    has_item(a->value, "sysfb_init", false))
			run->sysfb_blacklist = true;
	}
	qsort_r(run->by_key, run->n_by_key, sizeof(*run->by_key), cmp_by_key, (void *)cl);
	for (size_t k = 1; k < run->n_by_key; k++) {
		size_t i = run->by_key[k - 1], j = run->by_key[k];

		if (!key_cmp(cl->args[i].key, cl->args[j].key)) {
			run->next[i] = (ssize_t)j;
			run->prev[j] = (ssize_t)i;
		}
	}
	return 0;
}

static void run_clear(struct vk_lint_run *run)
{
	free(run->by_key);
	free(run->prev);
	free(run->next);
}

/* Is token i the last with its key, the one that counts? */
static bool is_effective(const struct vk_lint_run *run, size_t i)
{
	return run->next[i] < 0;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* The vendor:device pairs of an ids list, sorted; NULL when out of memory. */
static uint64_t *id_pairs(const char *value, size_t *n)
{
	uint64_t *v = calloc(strlen(value) / 2 + 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (const char *q = value; *q;) {
		size_t k = strcspn(q, ",");
		struct vk_pci_id_match m;

		if (k && vk_pci_id_match_parse(q, k, &m) == 0)
			v[(*n)++] = (uint64_t)m.vendor << 32 | m.device;
		q += k + (q[k] == ',');
	}
	qsort(v, *n, sizeof(*v), cmp_u64);
	return v;
}

static int check_ids_both(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t i)
{
	const struct vk_cmdline_arg *a = arg_at(run, i);
	_cleanup_free_ uint64_t *others = NULL;
	char common[512] = "";
	size_t used = 0, n_others;
	ssize_t j;

	if (!is_ids(a) || !a->value || !is_effective(run, i))
		return 0;
	/* Reported once, on whichever of the two comes later. */
	j = last_of(run, is(a, "vfio-pci.ids") ? "pci-stub.ids" : "vfio-pci.ids");
	if (j < 0 || (size_t)j > i || !run->cl->args[j].value)
		return 0;
	others = id_pairs(run->cl->args[j].value, &n_others);
	if (!others)
		return -ENOMEM;
	for (const char *p = a->value; *p;) {
		size_t l = strcspn(p, ",");
		struct vk_pci_id_match m;
		uint64_t key;

		if (l && vk_pci_id_match_parse(p, l, &m) == 0 && used + l + 2 < sizeof(common)) {
			key = (uint64_t)m.vendor << 32 | m.device;
			if (bsearch(&key, others, n_others, sizeof(*others), cmp_u64))
				used += (size_t)snprintf(common + used, sizeof(common) - used,
							 "%s%.*s", used ? "," : "", (int)l, p);
		}
		p += l + (p[l] == ',');
	}
	if (!used)
		return 0;
	return add(run, rule, i,
		   fmt("%s is in both vfio-pci.ids and pci-stub.ids: whichever driver loads first "
		       "takes the device, so which one holds it changes with the kernel's module "
		       "order",
		       common),
		   fmt("list it in vfio-pci.ids only and remove it from pci-stub.ids "
		       "('vfiokit cmdline remove pci-stub.ids=%s')",
		       common));
}

static int check_ids_boot_gpu(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t i)
{
	const struct vk_cmdline_arg *a = arg_at(run, i);

	if (!is_ids(a) || !a->value || !run->host->n_boot_gpus)
		return 0;
	for (const char *p = a->value; *p;) {
		size_t l = strcspn(p, ",");
		struct vk_pci_id_match m;

		if (l && vk_pci_id_match_parse(p, l, &m) == 0) {
			for (size_t g = 0; g < run->host->n_boot_gpus; g++) {
				const struct vk_lint_gpu *d = &run->host->boot_gpus[g];

				if (!vk_pci_id_matches(&m, d))
					continue;
				return add(
					run, rule, i,
					fmt("%s: '%.*s' matches %s [%04x:%04x], the boot GPU that "
					    "shows the host's console: %s takes it at boot and the "
					    "host is left without its display",
					    a->key, (int)l, p, d->addr, d->vendor, d->device,
					    ids_driver(a)),
					fmt("if the guest's card is another model, remove '%.*s'; "
					    "if "
					    "both cards are the same model, ids cannot tell them "
					    "apart: bind the guest's card by address with "
					    "driver_override instead",
					    (int)l, p));
			}
		}
		p += l + (p[l] == ',');
	}
	return 0;
}

/* Keys that may rightly be given more than once. */
static const char *const repeatable[] = {
	"console", "initcall_blacklist", "modprobe.blacklist", "memmap", "hugepagesz", "hugepages",
	"video",   "earlycon",		 "netconsole",
};

static int check_twice(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t i)
{
	const struct vk_cmdline_arg *a = arg_at(run, i), *first;
	ssize_t j = run->prev[i];

	if (j < 0)
		return 0;
	for (size_t t = 0; t < ARRAY_SIZE(repeatable); t++)
		if (is(a, repeatable[t]))
			return 0;
	first = &run->cl->args[j];
	if (strchr(a->key, '.'))
		return add(
			run, rule, i,
			fmt("%s is given again (after %s): a module parameter keeps only its last "
			    "value, so the earlier one has no effect",
			    a->raw, first->raw),
			fmt(vk_cmdline_key_is_list(a->key)
				    ? "give the key once with every item in one comma list "
				      "('vfiokit cmdline set' merges them)"
				    : "keep the one you mean and remove the other"));
	return add(run, rule, i,
		   fmt("%s is given again (after %s): which one counts depends on the parameter's "
		       "parser, for most the last",
		       a->raw, first->raw),
		   fmt("keep the one you mean and remove the other"));
}

/* Does the comma list value hold an item that starts with word? */
static bool has_item(const char *value, const char *word, bool prefix)
{
	size_t wl = strlen(word);

	for (const char *p = value; *p;) {
		size_t l = strcspn(p, ",");

		if ((prefix ? l >= wl : l == wl) && !strncmp(p, word, wl))
			return true;
		p += l + (p[l] == ',');
	}
	return false;
}

static int check_passthrough(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t i)
{
	const struct vk_cmdline_arg *a = arg_at(run, i);
	bool pt = false;

	if (!a->value)
		return 0;
	if (is(a, "iommu"))
		pt = has_item(a->value, "pt", true);
	else if (is(a, "iommu.passthrough"))
		pt = streq(a->value, "1") || streq(a->value, "y") || streq(a->value, "Y") ||
		     streq(a->value, "on");
	if (!pt)
		return 0;
	return add(run, rule, i,
		   fmt("%s trades isolation for speed: the devices the host keeps do DMA without "
		       "IOMMU translation, so they are not fenced off from memory; devices given "
		       "to guests through VFIO stay isolated",
		       a->raw),
		   fmt("keep it if the host's own I/O speed matters more than fencing its devices; "
		       "remove it for full isolation"));
}

static int check_efifb(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t i)
{
	const struct vk_cmdline_arg *a = arg_at(run, i);
	const char *fix = "add initcall_blacklist=sysfb_init (it needs a kernel with "
			  "CONFIG_KALLSYMS=y) so that no boot framebuffer holds the card";

	if (!is(a, "video") || !a->value || strncmp(a->value, "efifb:", 6) ||
	    !strstr(a->value + 6, "off") || run->sysfb_blacklist || run->host->simpledrm == 0)
		return 0;
	if (run->host->simpledrm < 0)
		return add(run, rule, i,
			   fmt("%s turns off efifb only; if simpledrm is built into the kernel "
			       "(vfiokit could not tell), it still takes the boot framebuffer and "
			       "holds the card's memory",
			       a->raw),
			   fmt("%s", fix));
	return add(run, rule, i,
		   fmt("%s does not stop simpledrm, which is built into this kernel: it takes the "
		       "boot framebuffer and holds the card's memory",
		       a->raw),
		   fmt("%s", fix));
}

static int check_acs_override(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t i)
{
	const struct vk_cmdline_arg *a = arg_at(run, i);

	if (!is(a, "pcie_acs_override"))
		return 0;
	return add(run, rule, i,
		   fmt("%s works only with the out-of-tree ACS override patch; mainline kernels "
		       "ignore it, and where it works it splits IOMMU groups the hardware does not "
		       "isolate",
		       a->raw),
		   fmt("keep it only on a patched kernel and knowing that the devices it separates "
		       "can still reach each other"));
}

static int check_length(struct vk_lint_run *run, const struct vk_lint_rule *rule, size_t i)
{
	size_t len = run->length;

	if (i != run->last || len < X86_COMMAND_LINE_SIZE)
		return 0;
	return add(run, rule, i,
		   fmt("the command line is %zu bytes long: an x86 kernel keeps %d and cuts the "
		       "rest",
		       len, X86_COMMAND_LINE_SIZE - 1),
		   fmt("shorten it: remove what has no effect"));
}

/* ---- the table ---------------------------------------------------------- */

static const struct vk_lint_rule rules[] = {
	{
		.id = "iommu-vendor",
		.severity = VK_SEV_ERROR,
		.summary = "intel_iommu= with an AMD IOMMU, amd_iommu= with an Intel one (the "
			   "firmware's IVRS or DMAR table says which; without one, the CPU)",
		.reference = "drivers/iommu/intel/iommu.c intel_iommu_setup(), "
			     "drivers/iommu/amd/init.c parse_amd_iommu_options()",
		.check = check_vendor,
	},
	{
		.id = "iommu-value",
		.severity = VK_SEV_ERROR,
		.summary = "iommu= with a value no keyword matches (iommu=1: a number only sizes "
			   "the AMD GART)",
		.reference = "arch/x86/kernel/pci-dma.c iommu_setup(), "
			     "arch/x86/kernel/amd_gart_64.c gart_parse_options()",
		.check = check_words,
		.key = "iommu",
		.words =
			(const char *const[]){
				"off", "force", "noforce", "biomerge", "panic", "nopanic", "merge",
				"nomerge", "soft", "pt", "nopt", "usedac",
				/* handed on to the AMD GART driver (gart_parse_options()) */
				"fullflush", "nofullflush", "noagp", "noaperture", "allowed",
				"memaper", NULL },
		.list = "off, force, noforce, biomerge, panic, nopanic, merge, nomerge, soft, pt, "
			"nopt, usedac",
		.message = "{raw}: '{bad}' is not a {key}= keyword: the kernel ignores it",
		.fix = "remove it or use one of: {list}",
		.number_message =
			"{raw} does not turn the IOMMU on: no iommu= keyword matches '{bad}', and "
			"a number only sets the size of the old AMD GART aperture",
		.number_fix = "remove it; on Intel turn the IOMMU on with intel_iommu=on, on AMD "
			      "it is on whenever the firmware provides an IVRS table",
	},
	{
		.id = "amd-iommu-value",
		.severity = VK_SEV_ERROR,
		.summary = "amd_iommu= with a value it does not take (amd_iommu=on)",
		.reference = "drivers/iommu/amd/init.c parse_amd_iommu_options(), "
			     "Documentation/admin-guide/kernel-parameters.txt",
		.check = check_words,
		.key = "amd_iommu",
		.words = (const char *const[]){ "fullflush", "off", "force_isolation",
						"force_enable", "pgtbl_v1", "pgtbl_v2",
						"irtcachedis", "nohugepages", "v2_pgsizes_only",
						NULL },
		.list = "fullflush, off, force_isolation, force_enable, pgtbl_v1, pgtbl_v2, "
			"irtcachedis, nohugepages, v2_pgsizes_only",
		.message = "{raw}: '{bad}' is not an amd_iommu option; the kernel logs \"AMD-Vi: "
			   "Unknown option - '{bad}'\" and ignores it",
		.fix = "remove it: the AMD IOMMU is on whenever the firmware provides an IVRS "
		       "table (amd_iommu= takes only: {list})",
	},
	{
		.id = "intel-iommu-value",
		.severity = VK_SEV_ERROR,
		.summary = "intel_iommu= with a value it does not take",
		.reference = "drivers/iommu/intel/iommu.c intel_iommu_setup(), "
			     "Documentation/admin-guide/kernel-parameters.txt",
		.check = check_words,
		.key = "intel_iommu",
		.words = (const char *const[]){ "on", "off", "igfx_off", "strict", "sp_off",
						"sm_on", "sm_off", "tboot_noforce", NULL },
		.list = "on, off, igfx_off, strict, sp_off, sm_on, sm_off, tboot_noforce",
		.message = "{raw}: '{bad}' is not a {key}= keyword: the kernel ignores it",
		.fix = "remove it or use one of: {list}",
	},
	{
		.id = "intel-iommu-default-on",
		.severity = VK_SEV_NOTE,
		.summary = "intel_iommu=on where the running kernel's config turns the Intel "
			   "IOMMU on by itself",
		.reference = "drivers/iommu/intel/Kconfig INTEL_IOMMU_DEFAULT_ON, "
			     "drivers/iommu/intel/iommu.c dmar_disabled",
		.check = check_intel_default,
	},
	{
		.id = "bare-module-param",
		.severity = VK_SEV_ERROR,
		.summary = "a module parameter without its module's name (ignore_msrs=1 for "
			   "kvm.ignore_msrs=1)",
		.reference = "init/main.c unknown_bootoption(), "
			     "Documentation/admin-guide/kernel-parameters.rst (module parameters "
			     "are <module>.<param>)",
		.check = check_bare_param,
	},
	{
		.id = "ids-malformed",
		.severity = VK_SEV_ERROR,
		.summary = "a vfio-pci.ids or pci-stub.ids item that is not vendor:device[:...] in "
			   "hex",
		.reference = "drivers/vfio/pci/vfio_pci.c vfio_pci_fill_ids(), "
			     "drivers/pci/pci-stub.c pci_stub_init()",
		.check = check_ids_malformed,
	},
	{
		.id = "ids-boot-gpu",
		.severity = VK_SEV_ERROR,
		.summary = "vfio-pci.ids or pci-stub.ids takes the host's boot GPU",
		.reference = "drivers/vfio/pci/vfio_pci.c vfio_pci_fill_ids() (ids match every "
			     "device of the model), /sys/bus/pci/devices/*/boot_vga",
		.check = check_ids_boot_gpu,
	},
	{
		.id = "ids-both",
		.severity = VK_SEV_ERROR,
		.summary = "the same ids in pci-stub.ids and vfio-pci.ids",
		.reference = "drivers/pci/pci-stub.c, drivers/vfio/pci/vfio_pci.c: both claim by "
			     "id, the first driver to load wins",
		.check = check_ids_both,
	},
	{
		.id = "key-twice",
		.severity = VK_SEV_WARNING,
		.summary = "a parameter given more than once",
		.reference = "kernel/params.c parse_args() (a module parameter is set once per "
			     "occurrence, the last stays)",
		.check = check_twice,
	},
	{
		.id = "efifb-simpledrm",
		.severity = VK_SEV_WARNING,
		.summary = "video=efifb:off without initcall_blacklist=sysfb_init where simpledrm "
			   "is built in",
		.reference = "drivers/firmware/sysfb.c sysfb_init(), "
			     "drivers/gpu/drm/tiny/simpledrm.c, init/main.c initcall_blacklist()",
		.check = check_efifb,
	},
	{
		.id = "iommu-passthrough",
		.severity = VK_SEV_NOTE,
		.summary = "iommu=pt or iommu.passthrough=1: a trade-off",
		.reference = "drivers/iommu/iommu.c iommu_set_def_domain_type(), "
			     "Documentation/admin-guide/kernel-parameters.txt (iommu.passthrough)",
		.check = check_passthrough,
	},
	{
		.id = "acs-override",
		.severity = VK_SEV_NOTE,
		.summary = "pcie_acs_override= needs an out-of-tree patch",
		.reference = "not in mainline: drivers/pci/quirks.c has no pcie_acs_override",
		.check = check_acs_override,
	},
	{
		.id = "too-long",
		.severity = VK_SEV_ERROR, /* what is cut has no effect */
		.summary = "longer than an x86 kernel keeps",
		.reference = "arch/x86/include/uapi/asm/setup.h COMMAND_LINE_SIZE",
		.check = check_length,
	},
};

const struct vk_lint_rule *vk_lint_rules(size_t *n)
{
	*n = ARRAY_SIZE(rules);
	return rules;
}

int vk_lint_check(const struct vk_cmdline *cl, const struct vk_lint_host *host,
		  struct vk_findings *out)
{
	struct vk_lint_run run = { .cl = cl, .host = host, .out = out };
	int e;

	memset(out, 0, sizeof(*out));
	e = index_tokens(&run);
	for (size_t i = 0; i < cl->n_args && e >= 0; i++) {
		if (!kernel_arg(&cl->args[i]))
			continue;
		for (size_t r = 0; r < ARRAY_SIZE(rules) && e >= 0; r++)
			e = rules[r].check(&run, &rules[r], i);
	}
	run_clear(&run);
	if (e < 0)
		vk_findings_clear(out);
	return e < 0 ? e : 0;
}
