// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit groups: every IOMMU group, its devices as lspci -nn names them,
 * and whether the group can be handed to a guest as a whole.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "modules/alias.h"
#include "pci/groups.h"
#include "pci/iommu.h"
#include "pci/predict.h"
#include "shared/exit.h"
#include "shared/json.h"
#include "log.h"
#include "shared/macro.h"
#include "shared/paths.h"
#include "shared/strv.h"

#define MAX_FILTERS 64

/* --class names: a base class (0xBB00 with mask 0xff00) or an exact class. */
static const struct {
	const char *name;
	unsigned int class_id, mask;
} class_filters[] = {
	{ "gpu", 0x0300, 0xff00 },     { "usb", 0x0c03, 0xffff },   { "net", 0x0200, 0xff00 },
	{ "storage", 0x0100, 0xff00 }, { "audio", 0x0401, 0xffff }, { "audio", 0x0403, 0xffff },
};

/* The kernel's module index, for the drivers that could claim a device;
 * km NULL when there is none. */
struct mods {
	const struct vk_ctx *ctx;
	struct vk_kmod *km;
	struct vk_addrs root, nic; /* what the host runs on */
};

/* "0000:00:1f.0 (LPC ...) is the chipset's ...": why d keeps its group
 * from being isolated, or false. */
static bool shared_text(const struct mods *m, const struct vk_pci_dev *d, char *buf, size_t size)
{
	const char *why = vk_dev_host_only(d, &m->root, &m->nic);
	char name[512];

	if (!why)
		return false;
	vk_pci_dev_name(d, name, sizeof(name));
	snprintf(buf, size, "%s (%s) %s, and a guest gets a whole group", d->addr, name, why);
	return true;
}

struct filters {
	const char *classes[MAX_FILTERS];
	size_t n_classes;
	const char *devices[MAX_FILTERS];
	bool device_seen[MAX_FILTERS];
	size_t n_devices;
	bool predict, compare;
};

static void help(void)
{
	printf("Usage: vfiokit [--root DIR] [--json] groups [--class CLASS] [--device ID|ADDR]\n"
	       "                                          [--predict [--compare]]\n"
	       "\n"
	       "List every IOMMU group with its devices (address, class, vendor and device\n"
	       "names as lspci -nn shows them, the subsystem as lspci -vnn names it, bound\n"
	       "driver, and the kernel modules that could claim it, as lspci -k). A guest\n"
	       "always gets a whole group; each group says two things:\n"
	       "  isolated  nothing in it must stay with the host: no function of the\n"
	       "            chipset (host bridge, ISA bridge, SMBus), not the root file\n"
	       "            system's disk controller, not the default route's NIC\n"
	       "  ready     every endpoint is bound to vfio-pci or pci-stub, or to no driver\n"
	       "            (bridges and root ports may stay on theirs): true after setup\n"
	       "A device with no driver that udev will give a host driver at the next boot\n"
	       "is named in a warning.\n"
	       "\n"
	       "Options:\n"
	       "  --class CLASS     only groups holding a device of this class:\n"
	       "                    gpu, usb, net, storage or audio (repeat or comma-separate)\n"
	       "  --device ID|ADDR  only the group of this device, by vendor:device id\n"
	       "                    (10de:1c03) or PCI address (0000:0f:00.0 or 0f:00.0);\n"
	       "                    may be repeated\n"
	       "  --predict         predict the groups the kernel will make once the IOMMU\n"
	       "                    is on, from config space alone (run as root), with\n"
	       "                    why devices share a group and what would change it\n"
	       "  --compare         with --predict: also read the kernel's groups and say\n"
	       "                    where they differ from the prediction\n"
	       "  -h, --help        show this help\n"
	       "\n"
	       "Exit status: 0 listed; 1 something could not be read (the rest is listed);\n"
	       "2 usage error; 3 no IOMMU groups at all (with the reason), or a --device\n"
	       "that is absent or whose group is not isolated (it cannot be handed over\n"
	       "whatever the setup); with --predict, 3 also when a group is unknown\n"
	       "(config space not readable) or, with --compare, when the kernel's groups\n"
	       "differ.\n"
	       "\n"
	       "Example: vfiokit groups --class gpu\n");
}

static bool class_known(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(class_filters); i++)
		if (streq(class_filters[i].name, name))
			return true;
	return false;
}

static bool class_matches(const char *name, const struct vk_pci_dev *d)
{
	for (size_t i = 0; i < ARRAY_SIZE(class_filters); i++)
		if (streq(class_filters[i].name, name) &&
		    (d->class_id & class_filters[i].mask) == class_filters[i].class_id)
			return true;
	return false;
}

/* A device is selected when it passes every kind of filter given. */
static bool dev_selected(struct filters *f, const struct vk_pci_dev *d)
{
	bool cls = f->n_classes == 0, dev = f->n_devices == 0;

	for (size_t i = 0; i < f->n_classes && !cls; i++)
		cls = class_matches(f->classes[i], d);
	for (size_t i = 0; i < f->n_devices; i++)
		if (vk_pci_dev_matches(d, f->devices[i])) {
			f->device_seen[i] = true;
			dev = true;
		}
	return cls && dev;
}

static bool group_selected(struct filters *f, const struct vk_group *g)
{
	bool any = false;

	for (size_t i = 0; i < g->n_devs; i++)
		any |= dev_selected(f, &g->devs[i]);
	return any;
}

static int parse_args(int argc, char **argv, struct filters *f)
{
	static const struct option options[] = {
		{ "class", required_argument, NULL, 'c' },
		{ "device", required_argument, NULL, 'd' },
		{ "predict", no_argument, NULL, 'p' },
		{ "compare", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			for (char *tok = strtok(optarg, ","); tok; tok = strtok(NULL, ",")) {
				if (!class_known(tok))
					return vk_usage_error(
						"groups: unknown class '%s' (gpu, usb, "
						"net, storage, audio)",
						tok);
				if (f->n_classes == MAX_FILTERS)
					return vk_usage_error("groups: too many --class filters");
				f->classes[f->n_classes++] = tok;
			}
			break;
		case 'd': {
			struct vk_pci_addr a;
			unsigned int v, d;

			if (vk_pci_id_parse(optarg, &v, &d) < 0 &&
			    vk_pci_addr_parse(optarg, &a) < 0)
				return vk_usage_error(
					"groups: '%s' is neither a vendor:device id "
					"(10de:1c03) nor a PCI address (0000:0f:00.0)",
					optarg);
			if (f->n_devices == MAX_FILTERS)
				return vk_usage_error("groups: too many --device filters");
			f->devices[f->n_devices++] = optarg;
			break;
		}
		case 'p':
			f->predict = true;
			break;
		case 'C':
			f->compare = true;
			break;
		case 'h':
			help();
			return -1;
		case ':':
			return vk_usage_error("groups: option '%s' needs an argument",
					      argv[optind - 1]);
		default:
			return vk_usage_error("groups: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return vk_usage_error("groups: unexpected argument '%s'", argv[optind]);
	if (f->compare && !f->predict)
		return vk_usage_error("groups: --compare needs --predict");
	return 0;
}

/* "is bound to e1000e" / "could not be read (...)": why d blocks its group. */
static void blocker_text(const struct vk_pci_dev *d, char *buf, size_t size)
{
	char name[512];

	vk_pci_dev_name(d, name, sizeof(name));
	if (d->error)
		snprintf(buf, size, "%s could not be read: %s", d->addr, d->error);
	else
		snprintf(buf, size, "%s (%s) is bound to %s, not vfio-pci or pci-stub", d->addr,
			 name, d->driver);
}

/* A "reason:" line (text) or string (JSON) per device that blocks g. */
static void print_blockers(const struct vk_group *g, struct vk_json *j)
{
	for (size_t k = 0; k < g->n_devs; k++) {
		enum vk_dev_state s = vk_dev_state(&g->devs[k]);
		char why[1024];

		if (s != VK_DEV_HOST && s != VK_DEV_UNKNOWN)
			continue;
		blocker_text(&g->devs[k], why, sizeof(why));
		if (j)
			vk_json_string(j, why);
		else
			printf("  not ready: %s\n", why);
	}
}

/* The "errors" key: each entry with the root's prefix. */
static void json_errors(struct vk_json *j, const struct vk_ctx *ctx, char *const *errors, size_t n)
{
	vk_json_key(j, "errors");
	vk_json_array_begin(j);
	for (size_t i = 0; i < n; i++) {
		char *msg = NULL;

		if (asprintf(&msg, "%s/%s", ctx->prefix, errors[i]) >= 0)
			vk_json_string(j, msg);
		free(msg);
	}
	vk_json_array_end(j);
}

static void print_text_dev(const struct mods *m, const struct vk_pci_dev *d)
{
	enum vk_dev_state s = vk_dev_state(d);
	char line[1024], mods[256], sub[512];

	if (!d->have_ident) {
		printf("  %s  (could not be read)\n", d->addr);
		return;
	}
	vk_pci_dev_describe(d, line, sizeof(line));
	printf("  %s  %s\n", d->addr, line);
	vk_pci_dev_subsys(d, sub, sizeof(sub));
	if (s == VK_DEV_UNKNOWN) {
		printf("  %*s  subsystem %s, driver unknown\n", (int)strlen(d->addr), "", sub);
		return;
	}
	printf("  %*s  subsystem %s, %s%s%s%s\n", (int)strlen(d->addr), "", sub,
	       d->driver ? "driver " : "no driver", d->driver ? d->driver : "",
	       s == VK_DEV_BRIDGE ? " (bridge: may stay)" : "",
	       d->boot_vga ? ", boot VGA (the host's console)" : "");
	vk_dev_drivers_text(m->ctx, m->km, d, mods, sizeof(mods));
	if (*mods)
		printf("  %*s  kernel modules: %s\n", (int)strlen(d->addr), "", mods);
}

static void print_text(const struct mods *m, const struct vk_groups *gs, struct filters *f,
		       size_t *shown, bool quiet)
{
	for (size_t i = 0; i < gs->n_groups; i++) {
		const struct vk_group *g = &gs->groups[i];

		if (!group_selected(f, g) || (quiet && g->isolated))
			continue;
		printf("%sIOMMU group %lu  %s%s, %s%s\n", (*shown)++ ? "\n" : "", g->id,
		       vk_sgr(!g->isolated ? VK_SGR_RED
			      : g->ready   ? VK_SGR_GREEN
					   : VK_SGR_YELLOW),
		       g->isolated ? "isolated" : "not isolated", g->ready ? "ready" : "not ready",
		       vk_sgr(VK_SGR_RESET));
		for (size_t j = 0; j < g->n_devs; j++)
			print_text_dev(m, &g->devs[j]);
		for (size_t j = 0; j < g->n_devs; j++) {
			char why[1024];

			if (shared_text(m, &g->devs[j], why, sizeof(why)))
				printf("  not isolated: %s\n", why);
		}
		print_blockers(g, NULL);
		for (size_t j = 0; j < g->n_devs; j++) {
			char why[1024];

			if (vk_dev_future_warning(m->ctx, m->km, &g->devs[j], why, sizeof(why)))
				printf("  warning: %s\n", why);
		}
		for (size_t j = 0; j < g->n_devs; j++)
			if (g->devs[j].boot_vga)
				printf("  note: %s is the boot VGA device: the firmware and the "
				       "host's "
				       "console use it; hand it over only if the host has another "
				       "GPU "
				       "or runs headless\n",
				       g->devs[j].addr);
	}
}

static void hex4(struct vk_json *j, const char *key, unsigned int v, int width)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%0*x", width, v);
	vk_json_kv_string(j, key, buf);
}

static void print_json_dev(const struct mods *m, struct vk_json *j, const struct vk_pci_dev *d)
{
	struct vk_dev_drivers dd = {};
	char future[64];

	vk_json_object_begin(j);
	vk_json_kv_string(j, "address", d->addr);
	hex4(j, "class", d->class_id, 4);
	vk_json_kv_string(j, "class_name", d->class_name);
	hex4(j, "vendor_id", d->vendor_id, 4);
	hex4(j, "device_id", d->device_id, 4);
	vk_json_kv_string(j, "vendor", d->vendor);
	vk_json_kv_string(j, "device", d->device);
	hex4(j, "revision", d->revision, 2);
	hex4(j, "subsystem_vendor_id", d->subsys_vendor_id, 4);
	hex4(j, "subsystem_device_id", d->subsys_device_id, 4);
	vk_json_kv_string(j, "subsystem_vendor", d->subsys_vendor);
	vk_json_kv_string(j, "subsystem_device", d->subsys_device);
	vk_json_kv_string(j, "driver", d->driver);
	vk_json_kv_string(j, "state", vk_dev_state_name(vk_dev_state(d)));
	vk_json_kv_bool(j, "bridge", vk_pci_dev_is_bridge(d));
	vk_json_kv_bool(j, "boot_vga", d->boot_vga);
	vk_json_kv_string(j, "error", d->error);
	vk_json_key(j, "modules");
	vk_json_array_begin(j);
	if (m->km && vk_dev_drivers(m->ctx, m->km, d->addr, &dd) == 0)
		for (size_t i = 0; i < dd.n; i++)
			vk_json_string(j, dd.v[i].name);
	vk_dev_drivers_clear(&dd);
	vk_json_array_end(j);
	vk_json_kv_string(j, "future_driver",
			  vk_dev_future_driver(m->ctx, m->km, d, future, sizeof(future)) ? future
											 : NULL);
	vk_json_object_end(j);
}

static void print_json(const struct mods *m, const struct vk_ctx *ctx, const struct vk_groups *gs,
		       const struct vk_iommu_status *st, struct filters *f, size_t *shown)
{
	struct vk_json j;

	vk_json_init(&j, stdout);
	vk_json_object_begin(&j);
	vk_json_key(&j, "iommu");
	vk_json_object_begin(&j);
	vk_json_kv_string(&j, "acpi_table", st->acpi_table);
	vk_json_kv_uint(&j, "units", st->n_units);
	vk_json_kv_uint(&j, "groups", st->n_groups);
	vk_json_kv_string(&j, "explanation", vk_iommu_explain(st));
	vk_json_object_end(&j);
	vk_json_key(&j, "groups");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < gs->n_groups; i++) {
		const struct vk_group *g = &gs->groups[i];

		if (!group_selected(f, g))
			continue;
		(*shown)++;
		vk_json_object_begin(&j);
		vk_json_kv_uint(&j, "group", g->id);
		vk_json_kv_bool(&j, "isolated", g->isolated);
		vk_json_kv_bool(&j, "ready", g->ready);
		vk_json_kv_bool(&j, "passable", g->passable);
		vk_json_key(&j, "devices");
		vk_json_array_begin(&j);
		for (size_t k = 0; k < g->n_devs; k++)
			print_json_dev(m, &j, &g->devs[k]);
		vk_json_array_end(&j);
		vk_json_key(&j, "reasons");
		vk_json_array_begin(&j);
		print_blockers(g, &j);
		vk_json_array_end(&j);
		vk_json_key(&j, "shared");
		vk_json_array_begin(&j);
		for (size_t k = 0; k < g->n_devs; k++) {
			char why[1024];

			if (shared_text(m, &g->devs[k], why, sizeof(why)))
				vk_json_string(&j, why);
		}
		vk_json_array_end(&j);
		vk_json_key(&j, "warnings");
		vk_json_array_begin(&j);
		for (size_t k = 0; k < g->n_devs; k++) {
			char why[1024];

			if (vk_dev_future_warning(m->ctx, m->km, &g->devs[k], why, sizeof(why)))
				vk_json_string(&j, why);
		}
		vk_json_array_end(&j);
		vk_json_object_end(&j);
	}
	vk_json_array_end(&j);
	json_errors(&j, ctx, gs->errors, gs->n_errors);
	vk_json_object_end(&j);
}

/* Exit status once the report is out: see help(). */
static int verdict(const struct vk_groups *gs, const struct filters *f)
{
	int rc = VK_EXIT_OK;

	for (size_t i = 0; i < f->n_devices; i++)
		if (!f->device_seen[i]) {
			vk_err("no device matches --device %s", f->devices[i]);
			rc = VK_EXIT_PROBLEMS;
		}
	for (size_t i = 0; i < gs->n_groups && f->n_devices; i++) {
		const struct vk_group *g = &gs->groups[i];

		for (size_t k = 0; k < g->n_devs; k++)
			for (size_t d = 0; d < f->n_devices; d++)
				if (!g->isolated && vk_pci_dev_matches(&g->devs[k], f->devices[d]))
					rc = VK_EXIT_PROBLEMS;
	}
	return gs->n_errors ? VK_EXIT_ERROR : rc;
}

/* --- groups --predict ---------------------------------------------------- */

static void print_lines(const char *label, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("  %s: %s\n", label, v[i]);
}

static const char *predict_verdict(const struct vk_predict_group *g)
{
	return g->unknown	? "unknown"
	       : !g->g.isolated ? (g->g.ready ? "not isolated, ready" : "not isolated, not ready")
	       : g->g.ready	? "isolated, ready"
				: "isolated, not ready";
}

static void print_predict_text(const struct mods *m, const struct vk_prediction *p,
			       char *const *diffs, size_t n_diffs, bool compare, struct filters *f,
			       size_t *shown)
{
	for (size_t i = 0; i < p->n_groups; i++) {
		const struct vk_predict_group *g = &p->groups[i];

		if (!group_selected(f, &g->g))
			continue;
		printf("%sPredicted IOMMU group %lu  %s\n", (*shown)++ ? "\n" : "", g->g.id,
		       predict_verdict(g));
		for (size_t j = 0; j < g->g.n_devs; j++)
			print_text_dev(m, &g->g.devs[j]);
		print_blockers(&g->g, NULL);
		print_lines("shared", g->reasons, g->n_reasons);
		print_lines("depends", g->depends, g->n_depends);
		print_lines("change", g->changes, g->n_changes);
	}
	if (*shown)
		printf("\n");
	for (size_t i = 0; i < p->n_notes; i++)
		printf("note: %s\n", p->notes[i]);
	if (!compare)
		return;
	if (!n_diffs)
		printf("The kernel's IOMMU groups are the predicted ones.\n");
	for (size_t i = 0; i < n_diffs; i++)
		printf("differs: %s\n", diffs[i]);
}

static void print_predict_json(const struct mods *m, const struct vk_prediction *p,
			       char *const *diffs, size_t n_diffs, bool compare, struct filters *f,
			       size_t *shown)
{
	struct vk_json j;

	vk_json_init(&j, stdout);
	vk_json_object_begin(&j);
	vk_json_kv_bool(&j, "predicted", true);
	vk_json_kv_bool(&j, "unknown", p->unknown);
	vk_json_key(&j, "notes");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < p->n_notes; i++)
		vk_json_string(&j, p->notes[i]);
	vk_json_array_end(&j);
	vk_json_key(&j, "groups");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < p->n_groups; i++) {
		const struct vk_predict_group *g = &p->groups[i];
		const struct {
			const char *key;
			char **v;
			size_t n;
		} lists[] = {
			{ "shared", g->reasons, g->n_reasons },
			{ "depends", g->depends, g->n_depends },
			{ "changes", g->changes, g->n_changes },
		};

		if (!group_selected(f, &g->g))
			continue;
		(*shown)++;
		vk_json_object_begin(&j);
		vk_json_kv_uint(&j, "group", g->g.id);
		vk_json_kv_bool(&j, "isolated", g->g.isolated);
		vk_json_kv_bool(&j, "ready", g->g.ready);
		vk_json_kv_bool(&j, "passable", g->g.passable);
		vk_json_kv_bool(&j, "unknown", g->unknown);
		vk_json_key(&j, "devices");
		vk_json_array_begin(&j);
		for (size_t k = 0; k < g->g.n_devs; k++)
			print_json_dev(m, &j, &g->g.devs[k]);
		vk_json_array_end(&j);
		vk_json_key(&j, "reasons");
		vk_json_array_begin(&j);
		print_blockers(&g->g, &j);
		vk_json_array_end(&j);
		for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
			vk_json_key(&j, lists[l].key);
			vk_json_array_begin(&j);
			for (size_t k = 0; k < lists[l].n; k++)
				vk_json_string(&j, lists[l].v[k]);
			vk_json_array_end(&j);
		}
		vk_json_object_end(&j);
	}
	vk_json_array_end(&j);
	if (compare) {
		vk_json_key(&j, "differences");
		vk_json_array_begin(&j);
		for (size_t i = 0; i < n_diffs; i++)
			vk_json_string(&j, diffs[i]);
		vk_json_array_end(&j);
	}
	json_errors(&j, m->ctx, p->errors, p->n_errors);
	vk_json_object_end(&j);
}

/* The kernel's group of addr, or 0 when it is in none. */
static unsigned long real_group_of(const struct vk_groups *gs, const char *addr)
{
	for (size_t i = 0; i < gs->n_groups; i++)
		for (size_t k = 0; k < gs->groups[i].n_devs; k++)
			if (streq(gs->groups[i].devs[k].addr, addr))
				return gs->groups[i].id;
	return 0;
}

/* The predicted group of addr, or 0 when it is in none. */
static unsigned long predicted_group_of(const struct vk_prediction *p, const char *addr)
{
	for (size_t i = 0; i < p->n_groups; i++)
		for (size_t k = 0; k < p->groups[i].g.n_devs; k++)
			if (streq(p->groups[i].g.devs[k].addr, addr))
				return p->groups[i].g.id;
	return 0;
}

/* Where the kernel's partition differs: a pair of devices together on one
 * side and apart on the other, said once per device. Devices in no group
 * of the kernel (the IOMMU's own function) are left out. */
static int compare_groups(const struct vk_prediction *p, const struct vk_groups *gs, char ***diffs,
			  size_t *n)
{
	for (size_t i = 0; i < p->n_groups; i++)
		for (size_t k = 0; k < p->groups[i].g.n_devs; k++) {
			const char *a = p->groups[i].g.devs[k].addr;
			unsigned long ra = real_group_of(gs, a);

			if (!ra)
				continue;
			for (size_t g = 0; g < p->n_groups; g++)
				for (size_t m = 0; m < p->groups[g].g.n_devs; m++) {
					const char *b = p->groups[g].g.devs[m].addr;
					unsigned long rb = real_group_of(gs, b);
					bool pred_same = g == i, real_same = ra == rb;
					char *msg = NULL;
					int r;

					if (!rb || strcmp(a, b) >= 0 || pred_same == real_same)
						continue;
					if (asprintf(
						    &msg,
						    "%s and %s: predicted %s (groups %lu and %lu), "
						    "the kernel has them %s (groups %lu and %lu)",
						    a, b, pred_same ? "together" : "apart",
						    p->groups[i].g.id, p->groups[g].g.id,
						    real_same ? "together" : "apart", ra, rb) < 0)
						return -ENOMEM;
					r = vk_strv_push(diffs, n, msg);
					free(msg);
					if (r < 0)
						return r;
				}
		}
	for (size_t i = 0; i < gs->n_groups; i++)
		for (size_t k = 0; k < gs->groups[i].n_devs; k++) {
			char *msg = NULL;
			int r;

			if (predicted_group_of(p, gs->groups[i].devs[k].addr))
				continue;
			if (asprintf(&msg,
				     "%s is in the kernel's group %lu but not in the prediction",
				     gs->groups[i].devs[k].addr, gs->groups[i].id) < 0)
				return -ENOMEM;
			r = vk_strv_push(diffs, n, msg);
			free(msg);
			if (r < 0)
				return r;
		}
	return 0;
}

static int predict_verdict_rc(const struct vk_prediction *p, const struct filters *f,
			      size_t n_diffs)
{
	int rc = VK_EXIT_OK;

	for (size_t i = 0; i < f->n_devices; i++)
		if (!f->device_seen[i]) {
			vk_err("no device matches --device %s", f->devices[i]);
			rc = VK_EXIT_PROBLEMS;
		}
	for (size_t i = 0; i < p->n_groups; i++) {
		const struct vk_predict_group *g = &p->groups[i];

		for (size_t k = 0; k < g->g.n_devs; k++)
			for (size_t d = 0; d < f->n_devices; d++)
				if ((!g->g.isolated || g->unknown) &&
				    vk_pci_dev_matches(&g->g.devs[k], f->devices[d]))
					rc = VK_EXIT_PROBLEMS;
	}
	if (p->unknown || n_diffs)
		rc = VK_EXIT_PROBLEMS;
	return p->n_errors ? VK_EXIT_ERROR : rc;
}

static int cmd_groups_predict(const struct mods *m, struct filters *f, struct vk_pci *pci)
{
	const struct vk_ctx *ctx = m->ctx;
	struct vk_prediction p = {};
	struct vk_groups gs = {};
	char **diffs = NULL;
	size_t n_diffs = 0, shown = 0;
	int r;

	r = vk_predict(ctx, pci, NULL, &p);
	if (r >= 0 && f->compare) {
		r = vk_groups_load(ctx, pci, &gs);
		if (r >= 0 && !gs.n_groups)
			vk_warn("--compare: the kernel has no IOMMU groups to compare with");
		if (r >= 0)
			r = compare_groups(&p, &gs, &diffs, &n_diffs);
	}
	if (r < 0) {
		vk_err("predicting IOMMU groups: %s", strerror(-r));
		goto out;
	}
	if (ctx->json)
		print_predict_json(m, &p, diffs, n_diffs, f->compare, f, &shown);
	else
		print_predict_text(m, &p, diffs, n_diffs, f->compare, f, &shown);
	if (!ctx->json && p.n_groups && !shown)
		printf("No predicted group holds a device that matches the filters.\n");
	for (size_t i = 0; i < p.n_errors; i++)
		vk_err("%s/%s", ctx->prefix, p.errors[i]);
	if (!p.n_groups && !p.n_errors)
		vk_err("no PCI devices under %s to predict groups for",
		       vk_rel(VK_PATH_PCI_DEVICES));
	if (p.unknown && !ctx->json)
		vk_err("some groups are unknown: config space beyond 64 bytes is readable by root "
		       "only; run vfiokit as root");
	r = p.n_groups ? predict_verdict_rc(&p, f, n_diffs) : VK_EXIT_ERROR;
	for (size_t i = 0; i < gs.n_errors; i++)
		vk_err("%s/%s", ctx->prefix, gs.errors[i]);
out:
	vk_strv_free(diffs, n_diffs);
	vk_groups_clear(&gs);
	vk_prediction_clear(&p);
	return r < 0 ? VK_EXIT_ERROR : r;
}

int cmd_groups(struct vk_ctx *ctx, int argc, char **argv)
{
	struct filters f = {};
	struct vk_iommu_status st;
	struct vk_groups gs = {};
	struct vk_pci *pci = NULL;
	struct mods m = { .ctx = ctx };
	char why[256];
	size_t shown = 0;
	int r;

	r = parse_args(argc, argv, &f);
	if (r)
		return r < 0 ? VK_EXIT_OK : r;

	vk_root_disk_addrs(ctx, &m.root);
	vk_route_nic_addrs(ctx, &m.nic);
	if (vk_kmod_open_target(ctx, &m.km, why, sizeof(why)) == -ENOMEM) {
		vk_err("out of memory");
		return VK_EXIT_ERROR;
	}
	if (f.predict) {
		r = vk_pci_new(ctx, &pci);
		if (r < 0)
			vk_err("reading PCI devices: %s", strerror(-r));
		else
			r = cmd_groups_predict(&m, &f, pci);
		goto out;
	}
	vk_iommu_status(ctx, &st);
	r = vk_pci_new(ctx, &pci);
	if (r >= 0)
		r = vk_groups_load(ctx, pci, &gs);
	if (r < 0) {
		vk_err("reading IOMMU groups: %s", strerror(-r));
		goto out;
	}
	if (ctx->json)
		print_json(&m, ctx, &gs, &st, &f, &shown);
	else
		print_text(&m, &gs, &f, &shown, ctx->verbosity < 0);

	if (!ctx->json && st.n_groups && !shown && ctx->verbosity >= 0)
		printf("No IOMMU group holds a device that matches the filters.\n");
	for (size_t i = 0; i < gs.n_errors; i++)
		vk_err("%s/%s", ctx->prefix, gs.errors[i]);
	if (!st.n_groups) {
		if (!ctx->json)
			vk_err("no IOMMU groups: %s", vk_iommu_explain(&st));
		r = VK_EXIT_PROBLEMS;
	} else {
		r = verdict(&gs, &f);
	}
out:
	vk_kmod_free(m.km);
	vk_groups_clear(&gs);
	vk_pci_free(pci);
	return r < 0 ? VK_EXIT_ERROR : r;
}
