// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit libvirt xml: the libvirt domain for the devices of
 * /etc/vfiokit.conf, with the vCPU pinning the host's topology gives;
 * vfiokit libvirt apply: those pieces into a defined domain, through
 * libvirt's C library, with the journal and undo of vfiokit apply.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "flow/config.h"
#include "flow/transaction.h"
#include "host/topology.h"
#include "libvirt/domain.h"
#include "libvirt/virt.h"
#include "log.h"
#include "shared/diff.h"
#include "shared/exit.h"
#include "shared/fileio.h"
#include "shared/macro.h"
#include "shared/write.h"

#define MAX_DOMAIN_BYTES (16u << 20)

static void help(void)
{
	printf("Usage: vfiokit [--root DIR] libvirt xml [--vcpus N] [--memory MIB] [--name NAME]\n"
	       "                                [--domain FILE] [--nvidia-legacy] [--config FILE]\n"
	       "\n"
	       "Print a libvirt domain for the devices of /etc/vfiokit.conf: a <hostdev> for\n"
	       "every function of each claimed IOMMU group but bridges (a card's functions on\n"
	       "one guest slot), behind pcie-root-ports on q35; <vcpu>, <cputune> and a\n"
	       "host-passthrough <cpu> whose topology matches whole host cores with their SMT\n"
	       "siblings, in the fewest L3 caches of one package, never on the host's first\n"
	       "core; EFI firmware, hugepages when reserved, and Hyper-V enlightenments.\n"
	       "\n"
	       "Options:\n"
	       "  --vcpus N        the guest's size (default: half the host's cores, within one\n"
	       "                   package); a multiple of the threads per core\n"
	       "  --memory MIB     memory of a new domain (default 8192)\n"
	       "  --name NAME      name of a new domain (default vfiokit)\n"
	       "  --domain FILE    merge into this domain XML (virsh dumpxml) instead\n"
	       "  --nvidia-legacy  add <kvm><hidden> and vendor_id (NVIDIA drivers before 465)\n"
	       "  --config FILE    read FILE instead of /etc/vfiokit.conf\n"
	       "  -h, --help       show this help\n"
	       "\n"
	       "Exit status: 0 printed; 1 error; 2 usage error or --vcpus that does not fit.\n");
}

struct opts {
	unsigned int vcpus;
	struct vk_domain_opts d;
	const char *domain_file;
	const char *config;
};

static int parse_uint(const char *opt, const char *s, unsigned long max, unsigned long *out)
{
	if (vk_parse_ulong(s, 10, out) < 0 || !*out || *out > max)
		return vk_usage_error("libvirt xml: %s wants a number from 1 to %lu, not '%s'", opt,
				      max, s);
	return 0;
}

static int parse_xml_opts(int argc, char **argv, struct opts *o)
{
	static const struct option options[] = {
		{ "vcpus", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "name", required_argument, NULL, 'N' },
		{ "domain", required_argument, NULL, 'd' },
		{ "nvidia-legacy", no_argument, NULL, 'L' },
		{ "config", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	unsigned long v;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (parse_uint("--vcpus", optarg, 4096, &v))
				return VK_EXIT_USAGE;
			o->vcpus = (unsigned int)v;
			break;
		case 'm':
			if (parse_uint("--memory", optarg, 1ul << 30, &v))
				return VK_EXIT_USAGE;
			o->d.memory_mib = v;
			break;
		case 'N':
			o->d.name = optarg;
			break;
		case 'd':
			o->domain_file = optarg;
			break;
		case 'L':
			o->d.nvidia_legacy = true;
			break;
		case 'C':
			o->config = optarg;
			break;
		case 'h':
			help();
			return -1;
		case ':':
			return vk_usage_error("libvirt xml: option '%s' needs an argument",
					      argv[optind - 1]);
		default:
			return vk_usage_error("libvirt xml: unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return vk_usage_error("libvirt xml: unexpected argument '%s'", argv[optind]);
	return 0;
}

/* The domain file's text into o->d.base. */
static int read_domain(struct opts *o, char **text)
{
	_cleanup_free_ char *abs = NULL;
	int fd = -1, r;

	r = vk_host_path(o->domain_file, &fd, &abs);
	if (r == 0)
		r = vk_file_read_all(fd, abs, MAX_DOMAIN_BYTES, text, &o->d.base_len);
	if (fd >= 0)
		close(fd);
	if (r < 0) {
		vk_err("%s: %s", o->domain_file, strerror(-r));
		return VK_EXIT_ERROR;
	}
	o->d.base = *text;
	o->d.base_shown = o->domain_file;
	return 0;
}

/*
 * The domain for o into *xml: from scratch, or merged into o->d.base. With
 * cpus, the vCPU pinning from the host's topology. The notes for a reader
 * go to stderr: stdout is for the XML or the diff alone. An exit status.
 */
static int domain_for(struct vk_ctx *ctx, const char *verb, struct opts *o, bool cpus,
		      struct vk_conf *conf, char **xml)
{
	_cleanup_free_ struct vk_conf_target *targets = NULL;
	_cleanup_free_ struct vk_guest_fn *fns = NULL;
	struct vk_topology topo = {};
	struct vk_pinning pin = {};
	struct vk_notes notes = {};
	size_t n_targets = 0, n_fns = 0;
	char err[1024];
	int r;

	r = vk_conf_read(ctx, o->config, conf, err, sizeof(err));
	if (r < 0) {
		vk_err("%s", err);
		return VK_EXIT_ERROR;
	}
	r = vk_conf_targets(ctx, conf, &targets, &n_targets, err, sizeof(err));
	if (r == 0)
		r = vk_guest_functions(ctx, targets, n_targets, &fns, &n_fns, err, sizeof(err));
	if (r < 0) {
		vk_err("%s", r == -ENOMEM ? "out of memory" : err);
		return VK_EXIT_ERROR;
	}
	if (!n_fns)
		vk_warn("%s names no device: the domain gets no <hostdev>", conf->path);
	if (cpus) {
		r = vk_topology_load(ctx, &topo, err, sizeof(err));
		if (r < 0) {
			vk_err("%s", r == -ENOMEM ? "out of memory" : err);
			r = VK_EXIT_ERROR;
			goto out;
		}
		r = vk_pin_plan(&topo, o->vcpus, &pin, &notes, err, sizeof(err));
		if (r == -EINVAL) {
			r = vk_usage_error("libvirt %s: --vcpus %u: %s", verb, o->vcpus, err);
			goto out;
		}
	}
	if (r == 0)
		r = vk_domain_xml(ctx, &o->d, fns, n_fns, cpus ? &pin : NULL, xml, &notes, err,
				  sizeof(err));
	vk_cmd_notes(ctx, &notes, (1u << VK_NOTE_WARN) | (1u << VK_NOTE_ERROR));
	if (r < 0) {
		vk_err("%s", r == -ENOMEM ? "out of memory" : err);
		r = VK_EXIT_ERROR;
		goto out;
	}
	for (size_t i = 0; i < notes.n; i++)
		if (notes.v[i].kind == VK_NOTE_INFO || notes.v[i].kind == VK_NOTE_NOTICE)
			if (ctx->verbosity >= 0)
				fprintf(stderr, "vfiokit: %s\n", notes.v[i].text);
	r = VK_EXIT_OK;
out:
	vk_notes_clear(&notes);
	vk_pinning_clear(&pin);
	vk_topology_clear(&topo);
	return r;
}

static int cmd_xml(struct vk_ctx *ctx, int argc, char **argv)
{
	struct opts o = { .d = { .name = "vfiokit", .memory_mib = 8192 } };
	_cleanup_free_ char *base = NULL, *xml = NULL;
	struct vk_conf conf = {};
	int r;

	r = parse_xml_opts(argc, argv, &o);
	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	if (o.domain_file && (r = read_domain(&o, &base)))
		return r;
	r = domain_for(ctx, "xml", &o, true, &conf, &xml);
	if (r == VK_EXIT_OK)
		fputs(xml, stdout);
	vk_conf_clear(&conf);
	return r;
}

static void apply_help(void)
{
	printf("Usage: vfiokit [--root DIR] libvirt apply [--connect URI] [--cputune] [--vcpus N]\n"
	       "                                  [--config FILE] [--dry-run] DOMAIN\n"
	       "\n"
	       "Add the <hostdev>s of 'vfiokit libvirt xml' (and their pcie-root-ports) to the\n"
	       "persistent configuration of the defined libvirt domain DOMAIN, through libvirt's\n"
	       "own API: its inactive XML is read, merged as 'libvirt xml --domain' merges, shown\n"
	       "as a diff, and defined again. The XML before is kept in the journal\n"
	       "/var/lib/vfiokit/journal: 'vfiokit undo' defines the domain from it again. What\n"
	       "is there already is left as it is: a second apply changes nothing.\n"
	       "\n"
	       "Options:\n"
	       "  -c, --connect URI  libvirt's connection (default " VK_LIBVIRT_DEFAULT_URI ")\n"
	       "  --cputune          the <vcpu>, <cputune> and <cpu> topology of 'libvirt xml' "
	       "too\n"
	       "  --vcpus N          the guest's size for them (implies --cputune)\n"
	       "  --config FILE      read FILE instead of /etc/vfiokit.conf\n"
	       "  -n, --dry-run      show the diff only; define nothing\n"
	       "  -h, --help         show this help\n"
	       "\n"
	       "Exit status: 0 defined, nothing to change, or a dry run; 1 error; 2 usage error,\n"
	       "or a vfiokit built without libvirt's C library.\n");
}

struct apply_opts {
	struct opts o;
	const char *uri, *name;
	bool cputune, dry_run;
};

static int parse_apply_opts(int argc, char **argv, struct apply_opts *a)
{
	static const struct option options[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "cputune", no_argument, NULL, 't' },
		{ "vcpus", required_argument, NULL, 'v' },
		{ "config", required_argument, NULL, 'C' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	unsigned long v;
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, ":c:nh", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->uri = optarg;
			break;
		case 't':
			a->cputune = true;
			break;
		case 'v':
			if (parse_uint("--vcpus", optarg, 4096, &v))
				return VK_EXIT_USAGE;
			a->o.vcpus = (unsigned int)v;
			a->cputune = true;
			break;
		case 'C':
			a->o.config = optarg;
			break;
		case 'n':
			a->dry_run = true;
			break;
		case 'h':
			apply_help();
			return -1;
		case ':':
			return vk_usage_error("libvirt apply: option '%s' needs an argument",
					      argv[optind - 1]);
		default:
			return vk_usage_error("libvirt apply: unknown option '%s'",
					      argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return vk_usage_error("libvirt apply: which domain? (virsh list --all names them)");
	if (optind + 1 < argc)
		return vk_usage_error("libvirt apply: unexpected argument '%s'", argv[optind + 1]);
	a->name = argv[optind];
	return 0;
}

static int cmd_libvirt_apply(struct vk_ctx *ctx, int argc, char **argv)
{
	struct apply_opts a = { .uri = VK_LIBVIRT_DEFAULT_URI };
	_cleanup_free_ char *before = NULL, *xml = NULL, *norm = NULL, *diff = NULL, *shown = NULL,
			    *old = NULL, *new = NULL;
	struct vk_tx tx = { .rootfd = ctx->rootfd, .prefix = ctx->prefix };
	struct vk_conf conf = {};
	struct vk_notes notes = {};
	char err[1024], hint[512];
	int r;

	r = parse_apply_opts(argc, argv, &a);
	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	if (!vk_virt_available())
		return vk_usage_error("libvirt apply: this vfiokit was built without libvirt's C "
				      "library (make LIBVIRT=1; Gentoo: USE=libvirt); 'vfiokit "
				      "libvirt xml --domain FILE' prints the merged domain for "
				      "virsh define");
	r = vk_virt_domain_xml(a.uri, a.name, &before, err, sizeof(err));
	if (r < 0) {
		vk_err("%s%s", err,
		       r == -ENOENT ? " (virsh list --all names the defined domains; --connect "
				      "URI for another libvirt)"
				    : "");
		return VK_EXIT_ERROR;
	}
	if (asprintf(&shown, "libvirt domain %s (%s)", a.name, a.uri) < 0)
		goto nomem;
	a.o.d = (struct vk_domain_opts){
		.base = before, .base_len = strlen(before), .base_shown = shown, .apply = true
	};
	r = domain_for(ctx, "apply", &a.o, a.cputune, &conf, &xml);
	if (r)
		goto out;
	/* The domain as it is, in the same form as the merged one. */
	r = vk_domain_xml(ctx, &a.o.d, NULL, 0, NULL, &norm, &notes, err, sizeof(err));
	if (r < 0) {
		vk_err("%s", r == -ENOMEM ? "out of memory" : err);
		r = VK_EXIT_ERROR;
		goto out;
	}
	if (streq(norm, xml)) {
		printf("%s: nothing to change: it has every piece already.\n", shown);
		r = VK_EXIT_OK;
		goto out;
	}
	if (asprintf(&old, "%s (defined)", a.name) < 0 ||
	    asprintf(&new, "%s (vfiokit libvirt apply)", a.name) < 0 ||
	    vk_diff_unified(old, norm, strlen(norm), new, xml, strlen(xml), &diff) < 0)
		goto nomem;
	vk_print_diff(diff);
	if (a.dry_run) {
		printf("dry run: %s not defined\n", shown);
		r = VK_EXIT_OK;
		goto out;
	}
	r = vk_tx_apply_domain(&tx,
			       &(struct vk_tx_domain){
				       .uri = a.uri, .name = a.name, .before = before, .xml = xml },
			       conf.path, time(NULL));
	vk_cmd_notes(ctx, &tx.notes, VK_NOTES_REPORT);
	if (r == -ENOMEM)
		vk_err("out of memory");
	if (r) {
		r = VK_EXIT_ERROR;
		goto out;
	}
	printf("%s: defined. Recorded in %s%s ('%s' defines it as before).\n", shown, ctx->prefix,
	       VK_PATH_JOURNAL, vk_ctx_hint(ctx, "undo", hint, sizeof(hint)));
	r = VK_EXIT_OK;
	goto out;
nomem:
	vk_err("out of memory");
	r = VK_EXIT_ERROR;
out:
	vk_tx_clear(&tx);
	vk_notes_clear(&notes);
	vk_conf_clear(&conf);
	return r;
}

static void group_help(void)
{
	printf("Usage: vfiokit libvirt xml|apply [options]\n"
	       "\n"
	       "  xml    print a libvirt domain for the configured devices (see\n"
	       "         'vfiokit libvirt xml --help')\n"
	       "  apply  add them to a defined domain through libvirt (see\n"
	       "         'vfiokit libvirt apply --help')\n");
}

static const struct vk_cmd verbs[] = {
	{ "xml", cmd_xml, "print a libvirt domain for the configured devices", VK_CMD_NO_JSON },
	{ "apply", cmd_libvirt_apply, "add them to a defined domain through libvirt",
	  VK_CMD_NO_JSON },
};

int cmd_libvirt(struct vk_ctx *ctx, int argc, char **argv)
{
	return vk_cmd_dispatch(ctx, verbs, ARRAY_SIZE(verbs), group_help, argc, argv);
}
