// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit verify: after the reboot, one line per check in the style of
 * libvirt's virt-host-validate, or a JSON report.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "flow/config.h"
#include "pci/device.h"
#include "shared/datadir.h"
#include "shared/exit.h"
#include "shared/json.h"
#include "log.h"
#include "shared/macro.h"
#include "verify/probe.h"
#include "verify/verify.h"

#define MAX_DEVICES 64

static void help(void)
{
	printf("Usage: vfiokit [--root DIR] [--json] verify [--checks LIST] [--device ID|ADDR]\n"
	       "                                        [--probe] [--force-probe] [--probe-trace "
	       "FILE]\n"
	       "\n"
	       "After the reboot, check that the running system is ready for VFIO\n"
	       "passthrough: one line per check, PASS, WARN (with a hint), FAIL (with a\n"
	       "hint) or UNKNOWN (what could not be read, never counted as a pass).\n"
	       "\n"
	       "Options:\n"
	       "  --checks LIST       only these groups of checks, comma-separated:\n"
	       "                      kvm, iommu, cmdline, kconfig, modules, devices,\n"
	       "                      libvirt (default: all)\n"
	       "  --device ID|ADDR    a device meant for a guest, by vendor:device id\n"
	       "                      (10de:1c03) or PCI address (0000:0f:00.0); may be\n"
	       "                      repeated\n"
	       "  --probe             also open each device through VFIO (its regions,\n"
	       "                      interrupts, reset): vfio-pci resets it, so never\n"
	       "                      while a guest uses it; skips devices known to fail\n"
	       "                      reset\n"
	       "  --force-probe       --probe, even the devices known to fail reset\n"
	       "  --probe-trace FILE  write every VFIO call and the kernel's answer to FILE\n"
	       "  --boot              as the boot services run it: refuse --probe\n"
	       "  --profiles-dir DIR  the kconfig profiles (default " VK_PROFILES_DIR ")\n"
	       "  -h, --help          show this help\n"
	       "\n"
	       "Exit status: 0 no check failed; 1 error; 2 usage error; 3 a check failed.\n"
	       "\n"
	       "Example: vfiokit verify --device 10de:1c03 --device 10de:10f1\n");
}

struct opts {
	struct vk_verify_opts v;
	const char *devices[MAX_DEVICES];
	const char *ids[MAX_DEVICES]; /* those claimed by id, from the configuration */
	const char *trace;	      /* --probe-trace */
};

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option options[] = {
		{ "checks", required_argument, NULL, 'c' },
		{ "device", required_argument, NULL, 'd' },
		{ "profiles-dir", required_argument, NULL, 'p' },
		{ "probe", no_argument, NULL, 'P' },
		{ "force-probe", no_argument, NULL, 'F' },
		{ "probe-trace", required_argument, NULL, 'T' },
		{ "boot", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	bool boot = false;
	int c;

	o->v.groups = VK_CHECK_ALL;
	o->v.profiles_dir = vk_profiles_dir();
	o->v.devices = o->devices;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'c': {
			char *bad = NULL;
			int r = vk_verify_groups_parse(optarg, &o->v.groups, &bad);

			if (r == -EINVAL) {
				r = vk_usage_error("verify: unknown group of checks '%s' (kvm, "
						   "iommu, cmdline, kconfig, modules, devices, "
						   "libvirt)",
						   bad ? bad : optarg);
				free(bad);
				return r;
			}
			if (r < 0) {
				vk_err("out of memory");
				return VK_EXIT_ERROR;
			}
			break;
		}
		case 'd': {
			struct vk_pci_addr a;
			unsigned int v, d;

			if (vk_pci_id_parse(optarg, &v, &d) < 0 &&
			    vk_pci_addr_parse(optarg, &a) < 0)
				return vk_usage_error(
					"verify: '%s' is neither a vendor:device id "
					"(10de:1c03) nor a PCI address (0000:0f:00.0)",
					optarg);
			if (o->v.n_devices == MAX_DEVICES)
				return vk_usage_error("verify: too many --device");
			o->devices[o->v.n_devices++] = optarg;
			break;
		}
		case 'p':
			o->v.profiles_dir = optarg;
			break;
		case 'F':
			o->v.force_probe = true;
			/* fall through */
		case 'P':
			o->v.probe = true;
			break;
		case 'T':
			o->trace = optarg;
			break;
		case 'B':
			boot = true;
			break;
		case 'h':
			help();
			return -1;
		case ':':
			return vk_usage_error("verify: option '%s' needs an argument",
					      argv[optind - 1]);
		default:
			return vk_usage_error("verify: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return vk_usage_error("verify: unexpected argument '%s'", argv[optind]);
	if (boot && o->v.probe)
		return vk_usage_error("verify: --boot with --probe: opening a device resets it, "
				      "never at boot; take --probe out of VFIOKIT_VERIFY_OPTS");
	return 0;
}

static void print_text(const struct vk_ctx *ctx, const struct vk_verify *v)
{
	static const char *const colours[] = { VK_SGR_GREEN, VK_SGR_YELLOW, VK_SGR_RED,
					       VK_SGR_YELLOW };

	for (size_t i = 0; i < v->n; i++) {
		const struct vk_check *c = &v->v[i];
		bool hint = c->detail && *c->detail;

		if (ctx->verbosity < 0 && c->result == VK_RESULT_PASS)
			continue; /* -q: only what is wrong or cannot be told */
		printf("Checking %-52s : %s%s%s%s%s%s\n", c->what, vk_sgr(colours[c->result]),
		       vk_result_name(c->result), vk_sgr(VK_SGR_RESET), hint ? " (" : "",
		       hint ? c->detail : "", hint ? ")" : "");
	}
}

static void print_json(const struct vk_verify *v)
{
	static const char *const keys[] = { "pass", "warn", "fail", "unknown" };
	size_t count[4] = {};
	struct vk_json j;

	vk_json_init(&j, stdout);
	vk_json_object_begin(&j);
	vk_json_key(&j, "checks");
	vk_json_array_begin(&j);
	for (size_t i = 0; i < v->n; i++) {
		const struct vk_check *c = &v->v[i];

		count[c->result]++;
		vk_json_object_begin(&j);
		vk_json_kv_string(&j, "group", c->group);
		vk_json_kv_string(&j, "check", c->what);
		vk_json_kv_string(&j, "result", keys[c->result]);
		vk_json_kv_string(&j, "detail", c->detail);
		vk_json_object_end(&j);
	}
	vk_json_array_end(&j);
	vk_json_key(&j, "summary");
	vk_json_object_begin(&j);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		vk_json_kv_uint(&j, keys[i], count[i]);
	vk_json_object_end(&j);
	vk_json_kv_bool(&j, "ok", !vk_verify_failed(v));
	vk_json_object_end(&j);
}

/* Without --device: the devices of /etc/vfiokit.conf, when it exists. */
static int devices_from_conf(const struct vk_ctx *ctx, struct opts *o, struct vk_conf *c)
{
	char err[1024];
	int r = vk_conf_read(ctx, NULL, c, err, sizeof(err));

	if (r == -ENOENT)
		return 0;
	if (r < 0) {
		vk_err("%s", err);
		return VK_EXIT_ERROR;
	}
	for (size_t i = 0; i < c->n_devs && i < MAX_DEVICES; i++) {
		o->devices[o->v.n_devices++] = c->devs[i].spec;
		if (c->devs[i].claim != VK_CONF_OVERRIDE)
			o->ids[o->v.n_id_devices++] = c->devs[i].spec;
	}
	o->v.id_devices = o->ids;
	return 0;
}

int cmd_verify(struct vk_ctx *ctx, int argc, char **argv)
{
	struct opts o = {};
	struct vk_conf conf = {};
	struct vk_verify v = {};
	struct vk_vfio_tracer tracer = {};
	struct vk_vfio_ops traced;
	FILE *trace = NULL;
	int r;

	r = parse_args(argc, argv, &o);
	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	o.v.id_devices = o.devices;
	o.v.n_id_devices = o.v.n_devices;
	if (!o.v.n_devices) {
		r = devices_from_conf(ctx, &o, &conf);
		if (r)
			goto out;
	}
	if (o.trace) {
		trace = fopen(o.trace, "we");
		if (!trace) {
			vk_err("%s: %s", o.trace, strerror(errno));
			r = VK_EXIT_ERROR;
			goto out;
		}
		vk_vfio_ops_real(ctx, &tracer.inner);
		tracer.out = trace;
		vk_vfio_ops_traced(&tracer, &traced);
		o.v.vfio_ops = &traced;
	}
	r = vk_verify_run(ctx, &o.v, &v);
	if (trace && fclose(trace) != 0 && r >= 0) {
		vk_err("%s: %s", o.trace, strerror(errno));
		r = VK_EXIT_ERROR;
		trace = NULL;
		goto out;
	}
	trace = NULL;
	if (r < 0) {
		vk_err("verify: %s", strerror(-r));
		r = VK_EXIT_ERROR;
		goto out;
	}
	if (ctx->json)
		print_json(&v);
	else
		print_text(ctx, &v);
	r = vk_verify_failed(&v) ? VK_EXIT_PROBLEMS : VK_EXIT_OK;
out:
	if (trace)
		fclose(trace);
	vk_verify_clear(&v);
	vk_conf_clear(&conf);
	return r;
}
