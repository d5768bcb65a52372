// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit modules check|write: for the kernel about to boot, which
 * modules passthrough needs are there, whether vfio-pci will take each
 * chosen device before the host's driver, what the initramfs holds; and
 * the modprobe.d, dracut and genkernel settings that make it so.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "modules/load.h"
#include "modules/plan.h"
#include "modules/report.h"
#include "pci/device.h"
#include "shared/exit.h"
#include "shared/fileio.h"
#include "shared/json.h"
#include "log.h"
#include "shared/macro.h"
#include "shared/paths.h"

#define MAX_DEVICES 64

struct opts {
	const char *verb;
	const char *kver;
	const char *initramfs; /* --initramfs FILE (a path of the caller) */
	bool no_initramfs;
	const char *devices[MAX_DEVICES];
	size_t n_devices;
	const char *overrides[MAX_DEVICES]; /* --override: also in devices */
	size_t n_overrides;
	bool load, dry_run, ignore_msrs;
};

static void help(void)
{
	printf("Usage: vfiokit [--root DIR] [--json] modules check [--kver VERSION] [--device "
	       "ID|ADDR]...\n"
	       "                                     [--initramfs FILE | --no-initramfs]\n"
	       "                                     [--load [--dry-run]]\n"
	       "       vfiokit [--root DIR] modules write [--kver VERSION] --device ID|ADDR...\n"
	       "                                     [--override ADDR]... [--ignore-msrs]\n"
	       "                                     [--dry-run]\n"
	       "\n"
	       "check: for the kernel about to boot (the /lib/modules entry of /usr/src/linux's\n"
	       "release, else the running kernel's), say through libkmod whether each module\n"
	       "passthrough needs is built in, a module (with its dependencies and soft\n"
	       "dependencies) or missing, whether it is blacklisted, and its options from\n"
	       "modprobe.d and the command line; what the initramfs of that kernel holds; and\n"
	       "for each device which drivers match it and which one will claim it first.\n"
	       "\n"
	       "write: put 'options vfio-pci ids=...' and a softdep for each host driver of the\n"
	       "devices into /etc/modprobe.d/vfiokit.conf (a device given by its address is\n"
	       "claimed alone, through its driver_override, never by its id, which would take\n"
	       "every device of the model), the VFIO modules into dracut's\n"
	       "force_drivers (/etc/dracut.conf.d/vfiokit.conf) when dracut is installed, and\n"
	       "into AMODULES_vfio of /etc/genkernel.conf when that exists. Atomic, with a\n"
	       "backup; nothing is written when nothing changes.\n"
	       "\n"
	       "Options:\n"
	       "  --kver VERSION    the kernel to look at (a directory in /lib/modules)\n"
	       "  --device SPEC     a device: vendor:device id (10de:1c03), PCI address\n"
	       "                    (0000:01:00.0) or modalias (pci:v000010DEd...); repeatable\n"
	       "  --initramfs FILE  read this initramfs instead of the one in /boot\n"
	       "  --no-initramfs    do not read the initramfs\n"
	       "  --load            check: then load vfio-pci into the running kernel (root\n"
	       "                    only, no --root) and say what was inserted\n"
	       "  --override ADDR   write: the same as --device ADDR (kept for scripts)\n"
	       "  --ignore-msrs     write: also 'options kvm ignore_msrs=1'\n"
	       "  --dry-run         write: show the changes as a diff; --load: show the\n"
	       "                    insmod chain only\n"
	       "  -h, --help        show this help\n"
	       "\n"
	       "Exit status: 0 ok; 1 error (no such kernel, no modules.dep, an unreadable\n"
	       "initramfs, a failed write or load); 2 usage error; 3 check found problems (a\n"
	       "required module missing or blacklisted, a bad modprobe.d line, a device the host\n"
	       "driver will claim).\n"
	       "\n"
	       "Example: vfiokit modules check --device 10de:1c03 --device 10de:10f1\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option options[] = {
		{ "kver", required_argument, NULL, 'k' },
		{ "device", required_argument, NULL, 'd' },
		{ "initramfs", required_argument, NULL, 'i' },
		{ "no-initramfs", no_argument, NULL, 'I' },
		{ "load", no_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "ignore-msrs", no_argument, NULL, 'm' },
		{ "override", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	o->verb = argv[0];
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'k':
			o->kver = optarg;
			break;
		case 'd':
			if (o->n_devices == MAX_DEVICES)
				return vk_usage_error("modules: too many --device options");
			o->devices[o->n_devices++] = optarg;
			break;
		case 'o':
			if (o->n_devices == MAX_DEVICES)
				return vk_usage_error("modules: too many --device options");
			o->devices[o->n_devices++] = optarg;
			o->overrides[o->n_overrides++] = optarg;
			break;
		case 'i':
			o->initramfs = optarg;
			break;
		case 'I':
			o->no_initramfs = true;
			break;
		case 'l':
			o->load = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'm':
			o->ignore_msrs = true;
			break;
		case 'h':
			help();
			return -1;
		case ':':
			return vk_usage_error("modules: option '%s' needs an argument",
					      argv[optind - 1]);
		default:
			return vk_usage_error("modules: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return vk_usage_error("modules: unexpected argument '%s'", argv[optind]);
	for (size_t i = 0; i < o->n_devices; i++) {
		struct vk_pci_addr a;
		unsigned int v, d;

		if (vk_pci_id_parse(o->devices[i], &v, &d) < 0 &&
		    vk_pci_addr_parse(o->devices[i], &a) < 0 && strncmp(o->devices[i], "pci:v", 5))
			return vk_usage_error("modules: '%s' is neither a vendor:device id "
					      "(10de:1c03), a PCI address (0000:0f:00.0) nor a "
					      "modalias (pci:v...)",
					      o->devices[i]);
	}
	if (streq(o->verb, "write") && (o->load || o->initramfs || o->no_initramfs))
		return vk_usage_error("modules: --load and --initramfs are for 'modules check'");
	if (streq(o->verb, "write") && !o->n_devices)
		return vk_usage_error("modules: write needs at least one --device");
	for (size_t i = 0; i < o->n_overrides; i++) {
		struct vk_pci_addr a;

		if (vk_pci_addr_parse(o->overrides[i], &a) < 0)
			return vk_usage_error("modules: --override takes a PCI address "
					      "(0000:0f:00.0), not '%s'",
					      o->overrides[i]);
	}
	if (streq(o->verb, "check") && o->n_overrides)
		return vk_usage_error("modules: --override is for 'modules write'");
	if (streq(o->verb, "check") && (o->ignore_msrs || (o->dry_run && !o->load)))
		return vk_usage_error("modules: check takes --dry-run only with --load, and "
				      "--ignore-msrs only with write");
	if (o->initramfs && o->no_initramfs)
		return vk_usage_error("modules: --initramfs and --no-initramfs exclude each other");
	return 0;
}

/* ---- text ------------------------------------------------------------------ */

static void print_list(const char *label, char **v, size_t n)
{
	if (!n)
		return;
	printf("  %-18s  %-8s  %s ", "", "", label);
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "", v[i]);
	putchar('\n');
}

static bool mod_problem(const struct vk_modinfo *m, const struct vk_modreq *q)
{
	if (q->need != VK_NEED_REQUIRED)
		return false;
	return m->state == VK_MOD_MISSING || m->dep_missing ||
	       (m->state == VK_MOD_MODULE && (m->bl_conf || m->bl_cmdline) &&
		!streq(m->name, "vfio_pci"));
}

static void print_module(const struct vk_modinfo *m, const struct vk_modreq *q)
{
	const char *detail = m->path ? m->path : "";

	if (m->state == VK_MOD_MISSING)
		detail = q->need == VK_NEED_REQUIRED ? "required: " : "recommended: ";
	printf("  %-18s  %-8s  %s%s\n", m->name, vk_mod_state_name(m->state), detail,
	       m->state == VK_MOD_MISSING ? q->purpose : "");
	if (m->note)
		printf("  %-18s  %-8s  %s\n", "", "", m->note);
	print_list("needs", m->deps, m->n_deps);
	if (m->dep_missing)
		printf("  %-18s  %-8s  dependency %s is missing: run depmod\n", "", "",
		       m->dep_missing);
	print_list("softdep pre:", m->pre, m->n_pre);
	print_list("softdep post:", m->post, m->n_post);
	if (*m->opt_conf)
		printf("  %-18s  %-8s  options (modprobe.d): %s\n", "", "", m->opt_conf);
	if (*m->opt_cmdline)
		printf("  %-18s  %-8s  options (command line): %s\n", "", "", m->opt_cmdline);
	if (m->bl_conf || m->bl_cmdline)
		printf("  %-18s  %-8s  blacklisted (%s%s%s)%s\n", "", "",
		       m->bl_conf ? "modprobe.d" : "", m->bl_conf && m->bl_cmdline ? ", " : "",
		       m->bl_cmdline ? "modprobe.blacklist= on the command line" : "",
		       m->state == VK_MOD_BUILTIN ? ": no effect on a built-in module" : "");
	if (m->state == VK_MOD_BUILTIN && *m->opt_conf)
		printf("  %-18s  %-8s  modprobe.d options do not reach a built-in module: use "
		       "%s.<option>= on the command line\n",
		       "", "", m->name);
}

static const char *irfile_kind(enum vk_irfile_kind k)
{
	switch (k) {
	case VK_IR_MODPROBE:
		return "modprobe.d";
	case VK_IR_DRACUT_CMDLINE:
		return "dracut command line";
	case VK_IR_MODULES_LOAD:
		return "modules-load.d";
	case VK_IR_CONF_MODULES:
		return "initramfs-tools modules";
	default:
		return "genkernel module group";
	}
}

/* The modules of the initramfs worth naming: the VFIO ones and the
 * drivers of the devices. */
static bool ir_module_wanted(const struct vk_modreport *r, const char *name)
{
	if (vk_modreport_module(r, name))
		return true;
	for (size_t i = 0; i < r->n_devs; i++)
		for (size_t k = 0; k < r->dr[i].n_drv; k++)
			if (vk_modname_eq(r->dr[i].drv[k].name, name))
				return true;
	return false;
}

static void print_initramfs_text(const struct vk_modreport *r, const struct opts *o)
{
	const struct vk_initramfs *ir = &r->ir;
	static const char *const vfio_mods[] = { "vfio",	  "vfio_virqfd", "vfio_iommu_type1",
						 "vfio_pci_core", "vfio_pci",	 "irqbypass" };
	bool kver_seen = false;

	if (o->no_initramfs)
		return;
	if (!r->ir_path) {
		printf("\nInitramfs: none for %s in %s\n", r->kver, VK_PATH_BOOT);
		return;
	}
	if (!r->ir_known) {
		printf("\nInitramfs: %s\n  cannot be read: %s\n", r->ir_path, r->ir_err);
		return;
	}
	printf("\nInitramfs: %s\n  %s compression, %zu uncompressed part%s in front, %zu "
	       "entries%s%s\n",
	       r->ir_path, ir->compression, ir->n_early, ir->n_early == 1 ? "" : "s", ir->n_entries,
	       ir->generator ? ", made by " : "", ir->generator ? ir->generator : "");
	for (size_t i = 0; i < ir->n_kvers; i++)
		kver_seen |= streq(ir->kvers[i], r->kver);
	if (ir->n_kvers && !kver_seen)
		printf("  its modules are for %s, not %s\n", ir->kvers[0], r->kver);
	for (size_t i = 0; i < ir->n_modules; i++)
		if (ir_module_wanted(r, ir->modules[i].name))
			printf("  %s  (module %s)\n", ir->modules[i].path, ir->modules[i].name);
	for (size_t i = 0; i < ir->n_files; i++)
		printf("  %s  (%s)\n", ir->files[i].path, irfile_kind(ir->files[i].kind));
	for (size_t i = 0; i < ARRAY_SIZE(vfio_mods); i++) {
		const struct vk_modinfo *m = vk_modreport_module(r, vfio_mods[i]);

		if (m && m->state == VK_MOD_MODULE && !vk_initramfs_module(ir, vfio_mods[i]))
			printf("  not in it: %s\n", vfio_mods[i]);
	}
	if (!ir->n_files)
		printf("  no modprobe.d, cmdline.d or modules-load.d file in it\n");
}

static void print_device_text(const struct vk_devreport *d)
{
	printf("\nDevice %s [%s]\n", *d->dev.addr ? d->dev.addr : d->dev.spec, d->id);
	printf("  modalias: %s\n", d->dev.modalias);
	if (!d->n_drv)
		printf("  drivers:  none in this kernel matches it\n");
	for (size_t i = 0; i < d->n_drv; i++) {
		const struct vk_drvmatch *m = &d->drv[i];

		printf("  %s %s (%s%s%s%s%s)\n", i ? "         " : "drivers: ", m->name,
		       vk_mod_state_name(m->state), m->blacklisted ? ", blacklisted" : "",
		       m->in_initramfs ? ", in the initramfs" : "",
		       m->softdep[0] ? ", softdep pre: vfio-pci" : "",
		       m->softdep[1] ? ", softdep pre: pci-stub" : "");
	}
	for (int k = 0; k < 2; k++) {
		const struct vk_claimer *c = &d->c[k];

		if (!c->ids_cmdline && !c->ids_conf && !c->ids_initramfs)
			continue;
		printf("  %s ids name it: %s%s%s%s%s\n", c->name,
		       c->ids_cmdline ? "command line" : "",
		       c->ids_cmdline && (c->ids_conf || c->ids_initramfs) ? ", " : "",
		       c->ids_conf ? "modprobe.d" : "", c->ids_conf && c->ids_initramfs ? ", " : "",
		       c->ids_initramfs ? "the initramfs's modprobe.d" : "");
	}
	if ((d->c[0].ids_cmdline || d->c[0].ids_conf) && (d->c[1].ids_cmdline || d->c[1].ids_conf))
		printf("  warning: the id is given to both vfio-pci and pci-stub: give it to "
		       "one\n");
	if (d->c[0].blacklisted)
		printf("  warning: vfio-pci is blacklisted\n");
	switch (d->v.claim) {
	case VK_CLAIM_VFIO:
	case VK_CLAIM_STUB:
		printf("  verdict:  OK, %s claims it first: %s\n", vk_claim_name(d->v.claim),
		       d->v.reason);
		break;
	case VK_CLAIM_HOST:
		printf("  verdict:  PROBLEM, the host driver claims it first: %s\n", d->v.reason);
		break;
	case VK_CLAIM_NONE:
		printf("  verdict:  PROBLEM, nothing claims it: %s\n", d->v.reason);
		break;
	default:
		printf("  verdict:  PROBLEM, uncertain: %s\n", d->v.reason);
		break;
	}
	if (*d->v.fix)
		printf("  fix:      %s\n", d->v.fix);
}

static void print_text(struct vk_ctx *ctx, const struct opts *o, const struct vk_modreport *r)
{
	printf("Kernel: %s (%s)\n", r->kver, r->kver_why);
	printf("Modules: %s%s, configuration from modprobe.d under %s\n", ctx->prefix,
	       vk_kmod_moddir(r->km), *ctx->prefix ? ctx->prefix : "/");
	printf("Command line: %s\n",
	       r->cmdline_from ? r->cmdline_from : "unknown (no /proc/cmdline)");
	printf("\n");
	for (size_t i = 0; i < r->n_mods; i++)
		print_module(&r->mods[i], &r->req[i]);
	print_initramfs_text(r, o);
	for (size_t i = 0; i < r->n_devs; i++)
		print_device_text(&r->dr[i]);
}

/* ---- JSON ------------------------------------------------------------------ */

static void json_strings(struct vk_json *j, const char *key, char **v, size_t n)
{
	vk_json_key(j, key);
	vk_json_array_begin(j);
	for (size_t i = 0; i < n; i++)
		vk_json_string(j, v[i]);
	vk_json_array_end(j);
}

/* The "state" of a module in the JSON report (vfiokit(8)). */
static const char *json_state(enum vk_mod_state s)
{
	return s == VK_MOD_BUILTIN ? "builtin" : s == VK_MOD_MODULE ? "module" : "missing";
}

static void print_json(struct vk_ctx *ctx, const struct opts *o, const struct vk_modreport *r,
		       size_t problems)
{
	struct vk_json j;

	vk_json_init(&j, stdout);
	vk_json_object_begin(&j);
	vk_json_key(&j, "kernel");
	vk_json_object_begin(&j);
	vk_json_kv_string(&j, "release", r->kver);
	vk_json_kv_string(&j, "chosen_because", r->kver_why);
	vk_json_kv_string(&j, "modules_dir", vk_kmod_moddir(r->km));
	vk_json_object_end(&j);
	vk_json_kv_string(&j, "cmdline_from", r->cmdline_from);
	vk_json_key(&j, "config_errors");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < vk_kmod_n_msgs(r->km); i++) {
		const struct vk_kmod_msg *m = vk_kmod_msg(r->km, i);

		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "file", m->file);
		vk_json_kv_uint(&j, "line", m->line);
		vk_json_kv_string(&j, "message", m->text);
		vk_json_object_end(&j);
	}
	vk_json_array_end(&j);
	vk_json_key(&j, "modules");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < r->n_mods; i++) {
		const struct vk_modinfo *m = &r->mods[i];

		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "name", m->name);
		vk_json_kv_string(&j, "state", json_state(m->state));
		vk_json_kv_bool(&j, "required", r->req[i].need == VK_NEED_REQUIRED);
		vk_json_kv_string(&j, "purpose", r->req[i].purpose);
		vk_json_kv_string(&j, "path", m->path);
		json_strings(&j, "dependencies", m->deps, m->n_deps);
		vk_json_kv_string(&j, "dependency_missing", m->dep_missing);
		json_strings(&j, "softdep_pre", m->pre, m->n_pre);
		json_strings(&j, "softdep_post", m->post, m->n_post);
		vk_json_kv_bool(&j, "blacklisted_modprobe_d", m->bl_conf);
		vk_json_kv_bool(&j, "blacklisted_cmdline", m->bl_cmdline);
		vk_json_kv_string(&j, "options_modprobe_d", m->opt_conf);
		vk_json_kv_string(&j, "options_cmdline", m->opt_cmdline);
		vk_json_object_end(&j);
	}
	vk_json_array_end(&j);
	vk_json_key(&j, "initramfs");
	if (o->no_initramfs) {
		vk_json_string(&j, NULL);
	} else {
		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "path", r->ir_path);
		vk_json_kv_bool(&j, "read", r->ir_known);
		vk_json_kv_string(&j, "error", *r->ir_err ? r->ir_err : NULL);
		vk_json_kv_string(&j, "compression", r->ir.compression);
		vk_json_kv_uint(&j, "uncompressed_parts", r->ir.n_early);
		vk_json_kv_uint(&j, "entries", r->ir.n_entries);
		vk_json_kv_string(&j, "generator", r->ir.generator);
		json_strings(&j, "kernels", r->ir.kvers, r->ir.n_kvers);
		vk_json_key(&j, "files");
		vk_json_array_begin(&j);
		for (size_t i = 0; i < r->ir.n_modules; i++) {
			if (!ir_module_wanted(r, r->ir.modules[i].name))
				continue;
			vk_json_object_begin(&j);
			vk_json_kv_string(&j, "path", r->ir.modules[i].path);
			vk_json_kv_string(&j, "kind", "module");
			vk_json_kv_string(&j, "module", r->ir.modules[i].name);
			vk_json_object_end(&j);
		}
		for (size_t i = 0; i < r->ir.n_files; i++) {
			vk_json_object_begin(&j);
			vk_json_kv_string(&j, "path", r->ir.files[i].path);
			vk_json_kv_string(&j, "kind", irfile_kind(r->ir.files[i].kind));
			vk_json_object_end(&j);
		}
		vk_json_array_end(&j);
		vk_json_object_end(&j);
	}
	vk_json_key(&j, "devices");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < r->n_devs; i++) {
		const struct vk_devreport *d = &r->dr[i];

		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "device", d->dev.spec);
		vk_json_kv_string(&j, "address", *d->dev.addr ? d->dev.addr : NULL);
		vk_json_kv_string(&j, "id", d->id);
		vk_json_kv_string(&j, "modalias", d->dev.modalias);
		vk_json_key(&j, "drivers");
		vk_json_array_begin(&j);
		for (size_t k = 0; k < d->n_drv; k++) {
			const struct vk_drvmatch *m = &d->drv[k];

			vk_json_object_begin(&j);
			vk_json_kv_string(&j, "name", m->name);
			vk_json_kv_string(&j, "state", json_state(m->state));
			vk_json_kv_bool(&j, "blacklisted", m->blacklisted);
			vk_json_kv_bool(&j, "softdep_vfio_pci", m->softdep[0]);
			vk_json_kv_bool(&j, "in_initramfs", m->in_initramfs);
			vk_json_object_end(&j);
		}
		vk_json_array_end(&j);
		vk_json_kv_string(&j, "claimed_by", vk_claim_name(d->v.claim));
		vk_json_kv_bool(&j, "ok",
				d->v.claim == VK_CLAIM_VFIO || d->v.claim == VK_CLAIM_STUB);
		vk_json_kv_string(&j, "reason", d->v.reason);
		vk_json_kv_string(&j, "fix", *d->v.fix ? d->v.fix : NULL);
		vk_json_object_end(&j);
	}
	vk_json_array_end(&j);
	vk_json_kv_uint(&j, "problems", problems);
	vk_json_object_end(&j);
	(void)ctx;
}

/* ---- check ----------------------------------------------------------------- */

static size_t count_problems(const struct vk_modreport *r)
{
	size_t n = vk_kmod_n_msgs(r->km);

	for (size_t i = 0; i < r->n_mods; i++)
		n += mod_problem(&r->mods[i], &r->req[i]);
	for (size_t i = 0; i < r->n_devs; i++)
		n += r->dr[i].v.claim != VK_CLAIM_VFIO && r->dr[i].v.claim != VK_CLAIM_STUB;
	return n;
}

/* Say what libkmod said about modprobe.d, as kmod does: file and line. */
static void print_config_errors(const struct vk_modreport *r)
{
	for (size_t i = 0; i < vk_kmod_n_msgs(r->km); i++) {
		const struct vk_kmod_msg *m = vk_kmod_msg(r->km, i);

		if (m->file)
			vk_err("%s:%u: %s", m->file, m->line, m->text);
		else
			vk_err("libkmod: %s", m->text);
	}
}

static int do_load(struct vk_ctx *ctx, const struct opts *o, struct vk_modreport *r)
{
	struct vk_load ld;
	int e;

	e = vk_module_load(r->km, "vfio_pci", o->dry_run, &ld);
	if (!ctx->json) {
		printf("\nLoad%s:\n", o->dry_run ? " (dry run)" : "");
		if (ld.already)
			printf("  vfio_pci is already loaded: nothing inserted (ids it did not get "
			       "at load time need a reload or its new_id file)\n");
		for (size_t i = 0; i < ld.n_steps; i++)
			printf("  %s %s%s%s\n", o->dry_run ? "would insmod" : "inserted",
			       ld.steps[i].path, *ld.steps[i].options ? " " : "",
			       ld.steps[i].options);
		if (!e && !ld.already && !ld.n_steps)
			printf("  nothing to insert: the modules are loaded already\n");
	}
	vk_load_clear(&ld);
	if (e < 0) {
		vk_err("loading vfio_pci: %s", e == -EPERM ? "not permitted (run as root; is it "
							     "blacklisted?)"
							   : strerror(-e));
		return VK_EXIT_ERROR;
	}
	/* Which driver the devices have now. */
	for (size_t i = 0; i < r->n_devs && !ctx->json && !o->dry_run; i++) {
		char path[512], drv[256];

		if (!*r->devs[i].addr)
			continue;
		snprintf(path, sizeof(path), "%s/%s/driver", VK_PATH_PCI_DEVICES, r->devs[i].addr);
		if (vk_read_link_name(ctx->rootfd, vk_rel(path), drv, sizeof(drv)) < 0)
			snprintf(drv, sizeof(drv), "no driver");
		printf("  %s is now bound to %s\n", r->devs[i].addr, drv);
	}
	return 0;
}

static int modules_check(struct vk_ctx *ctx, const struct opts *o)
{
	struct vk_modreport_req q = { .kver = o->kver,
				      .devices = o->devices,
				      .n_devices = o->n_devices,
				      .initramfs = o->initramfs,
				      .no_initramfs = o->no_initramfs };
	struct vk_modreport r = {};
	struct vk_notes notes = {};
	size_t problems;
	int e, rc;

	if (o->load && *ctx->prefix)
		return vk_usage_error("modules: --load works on the running system only, not "
				      "with --root");
	e = vk_modreport_gather(ctx, &q, &r, &notes);
	vk_cmd_notes(ctx, &notes, VK_NOTES_REPORT);
	if (e == -ENOMEM)
		vk_err("out of memory");
	if (e < 0 && e != -ENXIO) {
		rc = VK_EXIT_ERROR;
		goto out;
	}
	/* A device that matches nothing is one more problem. */
	problems = count_problems(&r) + (e == -ENXIO);
	if (ctx->json)
		print_json(ctx, o, &r, problems);
	else
		print_text(ctx, o, &r);
	print_config_errors(&r);
	if (!ctx->json)
		printf("\n%zu problem%s found\n", problems, problems == 1 ? "" : "s");
	rc = problems ? VK_EXIT_PROBLEMS : VK_EXIT_OK;
	if (o->load) {
		int lrc = do_load(ctx, o, &r);

		if (lrc)
			rc = lrc;
	}
out:
	vk_notes_clear(&notes);
	vk_modreport_clear(&r);
	return rc;
}

/* ---- write ----------------------------------------------------------------- */

static int modules_write(struct vk_ctx *ctx, const struct opts *o)
{
	struct vk_modules_req q = { .kver = o->kver,
				    .devices = o->devices,
				    .n_devices = o->n_devices,
				    .overrides = o->overrides,
				    .n_overrides = o->n_overrides,
				    .ignore_msrs = o->ignore_msrs };
	struct vk_modules_plan p = {};
	bool changed = false;
	int e, rc = VK_EXIT_OK;

	e = vk_modules_plan(ctx, &q, &p);
	vk_cmd_notes(ctx, &p.notes, VK_NOTES_REPORT);
	if (e == -ENOMEM)
		vk_err("out of memory");
	if (e < 0) {
		rc = e == -ENXIO ? VK_EXIT_PROBLEMS : VK_EXIT_ERROR;
		goto out;
	}
	for (size_t i = 0; i < p.changes.n; i++) {
		const struct vk_change *ch = &p.changes.v[i];
		/* genkernel.conf's "up to date" is said even with -q, as it was. */
		int verbosity = vk_change_same(ch) && streq(ch->f.path, VK_PATH_GENKERNEL_CONF)
					? 0
					: ctx->verbosity;
		bool wrote = false;

		rc = vk_cmd_write_change(ctx, ch, o->dry_run, verbosity, &wrote);
		changed |= wrote;
		if (rc)
			goto out;
	}
	if (p.genkernel_doload && !o->dry_run)
		printf("genkernel: its initramfs loads these only with doload=%s on the command "
		       "line\n",
		       p.genkernel_doload);
	if (!o->dry_run && changed)
		printf("Rebuild the initramfs of %s so that it carries the change (dracut "
		       "--force --kver %s, or genkernel initramfs).\n",
		       p.kver, p.kver);
out:
	vk_modules_plan_clear(&p);
	return rc;
}

static int run(struct vk_ctx *ctx, int argc, char **argv)
{
	struct opts o = {};
	int r = parse_args(argc, argv, &o);

	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	if (streq(o.verb, "check"))
		return modules_check(ctx, &o);
	return modules_write(ctx, &o);
}

static const struct vk_cmd verbs[] = {
	{ "check", run, "the modules and initramfs of the kernel about to boot", 0 },
	{ "write", run, "the modprobe.d and initramfs settings", VK_CMD_NO_JSON },
};

int cmd_modules(struct vk_ctx *ctx, int argc, char **argv)
{
	return vk_cmd_dispatch(ctx, verbs, ARRAY_SIZE(verbs), help, argc, argv);
}
