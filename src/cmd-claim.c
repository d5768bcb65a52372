// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfiokit claim and release: choose the devices of /etc/vfiokit.conf
 * without editing it by hand. claim alone lists the devices, numbered,
 * the claimed ones marked, as eselect lists; claim ADDR|ID|N adds one,
 * release takes one out. The file is edited in place (src/flow/conf-edit.c)
 * and replaced atomically with a backup.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "flow/conf-edit.h"
#include "flow/config.h"
#include "flow/flow.h"
#include "log.h"
#include "pci/groups.h"
#include "pci/host.h"
#include "pci/resolve.h"
#include "shared/exit.h"
#include "shared/fileio.h"
#include "shared/macro.h"
#include "shared/paths.h"
#include "shared/strv.h"

struct opts {
	bool release, dry_run, allow_host;
	char **args;
	int n_args;
};

/* Every function but the bridges, in address order; the ones a guest can
 * be given (as init offers them) are numbered from 1. */
struct listing {
	struct vk_pci_dev *devs;
	enum vk_offer *offer;	      /* can a guest be given devs[i] */
	const struct vk_pci_dev **by; /* the device that answer is about */
	size_t n, n_offered;
	struct vk_groups gs;
	struct vk_addrs root, nic; /* what the host runs on */
};

static void help_claim(void)
{
	printf("Usage: vfiokit [--root DIR] claim [--dry-run] [--allow-host-device] "
	       "[ADDR|ID|N...]\n"
	       "\n"
	       "Without arguments: list the devices a guest can be given, numbered, with\n"
	       "a '*' on those " VK_PATH_VFIOKIT_CONF " claims: what 'vfiokit init' offers,\n"
	       "not the chipset's functions, nor what shares an IOMMU group that is not\n"
	       "isolated ('vfiokit groups' says why). With arguments: add each\n"
	       "device (a PCI address, a vendor:device id, or a number from the list) to\n"
	       "the file's devices group, named for what it is (gpu, gpu_audio, usb,\n"
	       "net...). The file is edited in place: comments and layout stay, a line\n"
	       "'vfiokit init' wrote commented out is uncommented, and the result is read\n"
	       "back and refused unless it is exactly the change asked for. The devices\n"
	       "the host needs are refused as 'vfiokit plan' refuses them, and so are the\n"
	       "ones the list leaves out (bridges always). A device already claimed\n"
	       "changes nothing.\n"
	       "\n"
	       "Options:\n"
	       "  -n, --dry-run            show the change as a diff instead of making it\n"
	       "      --allow-host-device  claim a device the host needs, or one of a group\n"
	       "                           that is not isolated, with a warning\n"
	       "  -h, --help               show this help\n"
	       "\n"
	       "Exit status: 0 done or nothing to do; 1 error (a refused device, a file\n"
	       "that does not read: nothing written); 2 usage error.\n");
}

static void help_release(void)
{
	printf("Usage: vfiokit [--root DIR] release [--dry-run] ADDR|ID|N|NAME...\n"
	       "\n"
	       "Take devices out of " VK_PATH_VFIOKIT_CONF ": by PCI address, vendor:device\n"
	       "id, number from 'vfiokit claim' or the entry's name. A line that holds only\n"
	       "the entry is commented out ('vfiokit claim' brings it back); the result is\n"
	       "read back and refused unless it is exactly the change asked for. A device\n"
	       "not claimed changes nothing. 'vfiokit plan' then shows what it undoes.\n"
	       "\n"
	       "Options:\n"
	       "  -n, --dry-run  show the change as a diff instead of making it\n"
	       "  -h, --help     show this help\n"
	       "\n"
	       "Exit status: 0 done or nothing to do; 1 error; 2 usage error.\n");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option options[] = {
		{ "dry-run", no_argument, NULL, 'n' },
		{ "allow-host-device", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	o->release = streq(argv[0], "release");
	optind = 0;
	while ((c = getopt_long(argc, argv, ":nh", options, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->dry_run = true;
			break;
		case 'A':
			if (o->release)
				return vk_usage_error("release: unknown option '%s'",
						      argv[optind - 1]);
			o->allow_host = true;
			break;
		case 'h':
			(o->release ? help_release : help_claim)();
			return -1;
		case ':':
			return vk_usage_error("%s: option '%s' needs an argument", argv[0],
					      argv[optind - 1]);
		default:
			return vk_usage_error("%s: unknown option '%s'", argv[0], argv[optind - 1]);
		}
	}
	o->args = argv + optind;
	o->n_args = argc - optind;
	if (o->release && !o->n_args)
		return vk_usage_error("release: name the devices to take out (an address, an id, "
				      "a number or a name from 'vfiokit claim')");
	return 0;
}

/* Host bridges, ISA bridges, PCI bridges: the host's, never a guest's. */
static bool is_bridge_class(const struct vk_pci_dev *d)
{
	return (d->class_id >> 8) == 0x06;
}

static void listing_clear(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		vk_pci_dev_clear(&l->devs[i]);
	free(l->devs);
	free(l->offer);
	free(l->by);
	vk_groups_clear(&l->gs);
}

static int listing_load(const struct vk_ctx *ctx, struct vk_pci *pci, struct listing *l)
{
	char **names = NULL;
	size_t n = 0;
	int r;

	memset(l, 0, sizeof(*l));
	r = vk_groups_load(ctx, pci, &l->gs);
	if (r < 0)
		return r;
	r = vk_list_dir(ctx->rootfd, vk_rel(VK_PATH_PCI_DEVICES), &names, &n);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	vk_root_disk_addrs(ctx, &l->root);
	vk_route_nic_addrs(ctx, &l->nic);
	l->devs = calloc(n + 1, sizeof(*l->devs));
	l->offer = calloc(n + 1, sizeof(*l->offer));
	l->by = calloc(n + 1, sizeof(*l->by));
	for (size_t i = 0; l->devs && l->offer && l->by && i < n; i++) {
		struct vk_pci_dev *d = &l->devs[l->n];

		if (vk_pci_dev_read(pci, names[i], d) < 0 || !d->have_ident || is_bridge_class(d)) {
			vk_pci_dev_clear(d);
			continue;
		}
		l->offer[l->n] = vk_dev_offer(vk_groups_find(&l->gs, d->addr), d, &l->root, &l->nic,
					      &l->by[l->n]);
		l->n_offered += l->offer[l->n] == VK_OFFER_YES;
		l->n++;
	}
	free(names);
	return l->devs && l->offer && l->by ? 0 : -ENOMEM;
}

/* The device numbered num (from 1) in the listing, or NULL. */
static const struct vk_pci_dev *numbered(const struct listing *l, unsigned long num)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->offer[i] == VK_OFFER_YES && !--num)
			return &l->devs[i];
	return NULL;
}

static const struct vk_conf_target *claimed(const struct vk_conf_target *t, size_t n,
					    const char *addr)
{
	for (size_t i = 0; i < n; i++)
		if (streq(t[i].addr, addr))
			return &t[i];
	return NULL;
}

/* One device of the listing, numbered num ("" for none), and its
 * subsystem. */
static void print_entry(const struct listing *l, const struct vk_pci_dev *d, const char *num,
			const struct vk_conf_target *ct)
{
	const struct vk_group *g = vk_groups_find(&l->gs, d->addr);
	char desc[512], sub[512], grp[32] = "";

	vk_pci_dev_describe(d, desc, sizeof(desc));
	if (g)
		snprintf(grp, sizeof(grp), ", group %lu", g->id);
	printf("  %-5s %c %s  %s%s%s%s\n", num, ct ? '*' : ' ', d->addr, desc, grp,
	       ct ? ", as " : "", ct ? ct->from->name : "");
	if (vk_pci_dev_subsys(d, sub, sizeof(sub)))
		printf("  %-5s   %*s  subsystem %s\n", "", (int)strlen(d->addr), "", sub);
}

static void print_listing(const struct vk_ctx *ctx, const struct listing *l,
			  const struct vk_conf *c, const struct vk_conf_target *t, size_t n)
{
	size_t k = 0;
	bool other = false;

	printf("Devices a guest can be given (* claimed in %s):\n", c->path);
	for (size_t i = 0; i < l->n; i++) {
		char num[32];

		if (l->offer[i] != VK_OFFER_YES)
			continue;
		snprintf(num, sizeof(num), "[%zu]", ++k);
		print_entry(l, &l->devs[i], num, claimed(t, n, l->devs[i].addr));
	}
	if (!l->n)
		printf("  (none: no PCI devices under %s%s)\n", ctx->prefix, VK_PATH_PCI_DEVICES);
	else if (!k)
		printf("  (none: each device stays with the host or shares an IOMMU group that is "
		       "not isolated; 'vfiokit groups' says why)\n");
	/* Claimed all the same (--allow-host-device): shown, for release. */
	for (size_t i = 0; i < l->n; i++) {
		const struct vk_conf_target *ct = claimed(t, n, l->devs[i].addr);

		if (l->offer[i] == VK_OFFER_YES || !ct)
			continue;
		if (!other)
			printf("Also claimed (--allow-host-device), though not offered to a "
			       "guest:\n");
		other = true;
		print_entry(l, &l->devs[i], "", ct);
	}
	if (!l->gs.n_groups)
		printf("No IOMMU groups yet: the IOMMU is off. 'vfiokit plan' and 'vfiokit apply'\n"
		       "turn it on; claim the devices now or after the reboot.\n");
}

/* The listed devices arg names: a number, an address or an id. */
static int pick(const struct vk_ctx *ctx, const struct listing *l, const char *arg,
		const struct vk_pci_dev ***out, size_t *n)
{
	struct vk_device *found = NULL;
	size_t n_found = 0;
	unsigned long num;
	int r;

	*out = NULL;
	*n = 0;
	if (strspn(arg, "0123456789") == strlen(arg) && vk_parse_ulong(arg, 10, &num) == 0) {
		if (num < 1 || num > l->n_offered) {
			vk_err("there is no device number %s: 'vfiokit claim' lists %zu", arg,
			       l->n_offered);
			return VK_EXIT_ERROR;
		}
		*out = calloc(1, sizeof(**out));
		if (!*out)
			goto oom;
		(*out)[(*n)++] = numbered(l, num);
		return 0;
	}
	r = vk_device_resolve(ctx, arg, &found, &n_found);
	if (r == -ENOENT || (r == 0 && !*found[0].addr)) {
		vk_err("%s: %s", arg,
		       r ? "no such PCI device on this system ('vfiokit claim' lists them)"
			 : "a modalias names no one device: give its address or vendor:device id");
		vk_devices_free(found, n_found);
		return VK_EXIT_ERROR;
	}
	if (r == -EINVAL) {
		vk_err("%s is neither a number from 'vfiokit claim', a PCI address "
		       "(0000:01:00.0) nor a vendor:device id (10de:1c03)",
		       arg);
		return VK_EXIT_ERROR;
	}
	if (r < 0)
		goto oom;
	*out = calloc(n_found, sizeof(**out));
	if (!*out)
		goto oom;
	for (size_t i = 0; i < n_found; i++) {
		bool listed = false;

		for (size_t k = 0; k < l->n && !listed; k++)
			if (streq(l->devs[k].addr, found[i].addr)) {
				(*out)[(*n)++] = &l->devs[k];
				listed = true;
			}
		if (!listed) {
			vk_err("%s is a bridge: it stays with the host ('vfiokit claim' lists "
			       "the devices a guest can be given)",
			       found[i].addr);
			vk_devices_free(found, n_found);
			return VK_EXIT_ERROR;
		}
	}
	vk_devices_free(found, n_found);
	return 0;
oom:
	vk_devices_free(found, n_found);
	vk_err("out of memory");
	return VK_EXIT_ERROR;
}

/* How many listed functions have d's vendor:device id? */
static size_t same_model(const struct listing *l, const struct vk_pci_dev *d)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += l->devs[i].vendor_id == d->vendor_id && l->devs[i].device_id == d->device_id;
	return n;
}

/* Everything one run works on. */
struct run {
	const struct vk_ctx *ctx;
	const struct opts *o;
	struct listing l;
	struct vk_file f;
	struct vk_conf conf;
	struct vk_conf_target *targets;
	size_t n_targets;
	char *text; /* the file as edited so far */
	size_t len;
	char **names; /* the entries added or removed */
	size_t n_names;
	char **addrs; /* the functions those claim */
	size_t n_addrs;
	char **said; /* what each argument did, said once the checks pass */
	size_t n_said;
};

static bool in(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (streq(v[i], s))
			return true;
	return false;
}

/* Take the edit's result (or say why there is none). */
static int edited(struct run *run, int r, char *out, size_t len, const char *err)
{
	if (r < 0) {
		vk_err("%s", r == -ENOMEM ? "out of memory" : err);
		return VK_EXIT_ERROR;
	}
	free(run->text);
	run->text = out;
	run->len = len;
	return 0;
}

static int claim_one(struct run *run, const char *arg)
{
	_cleanup_free_ const struct vk_pci_dev **devs = NULL;
	const struct vk_pci_dev *d;
	size_t n, fresh = 0;
	unsigned int v, dv;
	char name[64], used[128], spec[32], err[1024];
	struct vk_conf_add add;
	char *out;
	size_t len;
	int r = pick(run->ctx, &run->l, arg, &devs, &n);

	if (r)
		return r;
	for (size_t i = 0; i < n; i++) {
		const struct vk_conf_target *t =
			claimed(run->targets, run->n_targets, devs[i]->addr);

		if (t)
			printf("%s is already claimed as %s (%s:%u)\n", devs[i]->addr,
			       t->from->name, run->conf.path, t->from->line);
		else if (in(run->addrs, run->n_addrs, devs[i]->addr))
			printf("%s is already claimed by an argument before %s\n", devs[i]->addr,
			       arg);
		else
			fresh++;
	}
	if (!fresh)
		return 0;
	d = devs[0];
	/* An id as given claims every device of the model; an address or a
	 * number claims one, by its id when no other device shares it. */
	add.by_address = vk_pci_id_parse(arg, &v, &dv) < 0 && same_model(&run->l, d) > 1;
	if (add.by_address)
		snprintf(spec, sizeof(spec), "%s", d->addr);
	else
		snprintf(spec, sizeof(spec), "%04x:%04x", d->vendor_id, d->device_id);
	{
		char **taken = NULL;
		size_t n_taken = 0;

		for (size_t i = 0; i < run->conf.n_devs; i++)
			if (vk_strv_push(&taken, &n_taken, run->conf.devs[i].name) < 0)
				break;
		for (size_t i = 0; i < run->n_names; i++)
			if (vk_strv_push(&taken, &n_taken, run->names[i]) < 0)
				break;
		vk_conf_device_name(&run->l.gs, d, (const char *const *)taken, n_taken, name,
				    sizeof(name));
		vk_strv_free(taken, n_taken);
	}
	add.name = name;
	add.spec = spec;
	r = vk_conf_edit_add(run->text, run->len, run->conf.path, &add, used, sizeof(used), &out,
			     &len, err, sizeof(err));
	r = edited(run, r, out, len, err);
	if (r)
		return r;
	for (size_t i = 0; i < run->l.n; i++) {
		const struct vk_pci_dev *o = &run->l.devs[i];
		bool takes = add.by_address
				     ? streq(o->addr, d->addr)
				     : o->vendor_id == d->vendor_id && o->device_id == d->device_id;

		if (takes && vk_strv_push(&run->addrs, &run->n_addrs, o->addr) < 0)
			return VK_EXIT_ERROR;
	}
	if (asprintf(&out, "%s: claimed as %s", arg, used) < 0)
		return VK_EXIT_ERROR;
	r = vk_strv_push(&run->said, &run->n_said, out);
	free(out);
	return r < 0 || vk_strv_push(&run->names, &run->n_names, used) < 0 ? VK_EXIT_ERROR : 0;
}

static int release_one(struct run *run, const char *arg)
{
	_cleanup_free_ const struct vk_pci_dev **devs = NULL;
	char **gone = NULL, err[1024];
	size_t n = 0, n_gone = 0;
	int r = 0;

	for (size_t i = 0; i < run->conf.n_devs; i++)
		if (streq(run->conf.devs[i].name, arg) && vk_strv_push(&gone, &n_gone, arg) < 0)
			return VK_EXIT_ERROR;
	if (!n_gone) {
		r = pick(run->ctx, &run->l, arg, &devs, &n);
		if (r)
			return r;
	}
	/* The entries that claim these functions, each whole. */
	for (size_t i = 0; i < n && !r; i++) {
		const struct vk_conf_target *t =
			claimed(run->targets, run->n_targets, devs[i]->addr);

		if (!t || in(gone, n_gone, t->from->name))
			continue;
		for (size_t k = 0; k < run->n_targets && !r; k++) {
			bool asked = false;

			if (run->targets[k].from != t->from)
				continue;
			for (size_t m = 0; m < n; m++)
				asked |= streq(devs[m]->addr, run->targets[k].addr);
			if (!asked) {
				vk_err("%s (%s:%u) claims every device with id %s, %s too: "
				       "release it by its id, then claim the one for the guest by "
				       "its address",
				       t->from->name, run->conf.path, t->from->line, t->from->spec,
				       run->targets[k].addr);
				r = VK_EXIT_ERROR;
			}
		}
		if (!r && vk_strv_push(&gone, &n_gone, t->from->name) < 0)
			r = VK_EXIT_ERROR;
	}
	if (!r && !n_gone)
		printf("%s is not claimed in %s\n", arg, run->conf.path);
	for (size_t i = 0; i < n_gone && !r; i++) {
		char *out;
		size_t len;

		if (in(run->names, run->n_names, gone[i]))
			continue;
		r = vk_conf_edit_remove(run->text, run->len, run->conf.path, gone[i], &out, &len,
					err, sizeof(err));
		r = edited(run, r, out, len, err);
		if (!r && asprintf(&out, "%s: released %s", arg, gone[i]) < 0)
			r = VK_EXIT_ERROR;
		if (!r) {
			r = vk_strv_push(&run->said, &run->n_said, out) < 0 ||
					    vk_strv_push(&run->names, &run->n_names, gone[i]) < 0
				    ? VK_EXIT_ERROR
				    : 0;
			free(out);
		}
	}
	vk_strv_free(gone, n_gone);
	return r;
}

/* Refuse the devices the listing leaves out (as init does not offer them):
 * a function of the chipset, or a member of a group that is not isolated.
 * What the host runs on (vk_host_role()) is left to the checks plan makes.
 * Returns the number of refusals (0 with --allow-host-device). */
static size_t unlisted(struct run *run, const struct vk_conf_target *t, size_t n,
		       struct vk_notes *notes)
{
	const struct listing *l = &run->l;
	bool allow = run->o->allow_host;
	size_t refused = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < l->n; k++) {
			const struct vk_pci_dev *by = l->by[k];
			const struct vk_group *g = vk_groups_find(&l->gs, t[i].addr);
			char other[128] = "", role[256];

			if (!streq(l->devs[k].addr, t[i].addr) ||
			    (l->offer[k] != VK_OFFER_HOST && l->offer[k] != VK_OFFER_GROUP) ||
			    vk_host_role(by, &l->root, &l->nic))
				continue;
			snprintf(role, sizeof(role), "%s", vk_dev_host_only(by, &l->root, &l->nic));
			if (l->offer[k] == VK_OFFER_GROUP) {
				snprintf(other, sizeof(other),
					 " shares IOMMU group %lu with %s, which", g ? g->id : 0,
					 by->addr);
				snprintf(role + strlen(role), sizeof(role) - strlen(role),
					 ", and a guest gets a whole group");
			}
			vk_flow_host_note(notes, allow, false, t[i].addr, other, role);
			refused += !allow;
		}
	return refused;
}

/* The checks plan makes, on the devices this run claims: refusals, and
 * the rest of their IOMMU groups. */
static int check_claims(struct run *run)
{
	_cleanup_free_ struct vk_conf_target *t = NULL, *mine = NULL;
	struct vk_notes notes = {};
	struct vk_conf c;
	char err[1024];
	size_t n = 0, n_mine = 0, refused;
	int r;

	r = vk_conf_parse(run->text, run->len, run->conf.path, &c, err, sizeof(err));
	if (r == 0)
		r = vk_conf_targets(run->ctx, &c, &t, &n, err, sizeof(err));
	if (r == 0 && !(mine = calloc(n + 1, sizeof(*mine))))
		r = -ENOMEM;
	if (r < 0) {
		vk_err("%s", r == -ENOMEM ? "out of memory" : err);
		vk_conf_clear(&c);
		return VK_EXIT_ERROR;
	}
	for (size_t i = 0; i < n; i++)
		if (in(run->names, run->n_names, t[i].from->name))
			mine[n_mine++] = t[i];
	refused = unlisted(run, mine, n_mine, &notes);
	refused += vk_flow_host_devices(run->ctx, mine, n_mine, run->o->allow_host, &notes);
	vk_cmd_notes(run->ctx, &notes, VK_NOTES_REPORT);
	vk_notes_clear(&notes);
	for (size_t i = 0; i < n_mine && !refused; i++) {
		const struct vk_group *g = vk_groups_find(&run->l.gs, mine[i].addr);

		for (size_t k = 0; g && k < g->n_devs; k++) {
			const struct vk_pci_dev *o = &g->devs[k];
			char hint[256], rest[64];

			snprintf(rest, sizeof(rest), "claim %s", o->addr);
			if (!is_bridge_class(o) && !claimed(t, n, o->addr))
				vk_warn("%s shares IOMMU group %lu with %s: the whole group goes "
					"to the guest; claim it too ('%s')",
					o->addr, g->id, mine[i].addr,
					vk_ctx_hint(run->ctx, rest, hint, sizeof(hint)));
		}
	}
	vk_conf_clear(&c);
	if (refused) {
		vk_err("nothing written");
		return VK_EXIT_ERROR;
	}
	return 0;
}

static int run_claim(struct run *run)
{
	const struct opts *o = run->o;
	struct vk_write w = { .rootfd = run->ctx->rootfd,
			      .prefix = run->ctx->prefix,
			      .shown = run->conf.path,
			      .dry_run = o->dry_run,
			      .verbosity = run->ctx->verbosity };
	bool changed = false;
	char hint[256];
	int r = 0;

	if (!o->n_args && !o->release) {
		print_listing(run->ctx, &run->l, &run->conf, run->targets, run->n_targets);
		return 0;
	}
	for (int i = 0; i < o->n_args && !r; i++)
		r = (o->release ? release_one : claim_one)(run, o->args[i]);
	if (!r && !o->release && run->n_names)
		r = check_claims(run);
	if (r || !run->n_names)
		return r;
	for (size_t i = 0; i < run->n_said && run->ctx->verbosity >= 0; i++)
		printf("%s\n", run->said[i]);
	r = vk_cmd_write(&w, &run->f, run->text, run->len, &changed);
	if (!r && changed && run->ctx->verbosity >= 0)
		printf("Next: '%s' shows what this changes on the host.\n",
		       vk_ctx_hint(run->ctx, "plan", hint, sizeof(hint)));
	return r;
}

int cmd_claim(struct vk_ctx *ctx, int argc, char **argv)
{
	_cleanup_free_ char *shown = vk_ctx_path(ctx, VK_PATH_VFIOKIT_CONF);
	struct opts o = {};
	struct run run = { .ctx = ctx, .o = &o };
	struct vk_pci *pci = NULL;
	char err[1024];
	int r = parse_args(argc, argv, &o);

	if (r)
		return r < 0 ? VK_EXIT_OK : r;
	if (!shown || vk_pci_new(ctx, &pci) < 0 || listing_load(ctx, pci, &run.l) < 0) {
		vk_err("out of memory");
		r = VK_EXIT_ERROR;
		goto out;
	}
	r = vk_file_load(ctx->rootfd, VK_PATH_VFIOKIT_CONF, 1 << 20, &run.f);
	if (r == 0 && !run.f.exists)
		r = -ENOENT;
	if (r == 0)
		r = vk_conf_parse(run.f.data, run.f.len, shown, &run.conf, err, sizeof(err));
	if (r == 0)
		r = vk_conf_targets(ctx, &run.conf, &run.targets, &run.n_targets, err, sizeof(err));
	if (r < 0) {
		char hint[256];

		if (r == -ENOENT && !run.f.exists)
			vk_err("%s: no such file: '%s' writes a starter file", shown,
			       vk_ctx_hint(ctx, "init", hint, sizeof(hint)));
		else
			vk_err("%s", r == -ENOMEM   ? "out of memory"
				     : r == -EINVAL ? err
						    : strerror(-r));
		r = VK_EXIT_ERROR;
		goto out;
	}
	run.text = strdup(run.f.data);
	run.len = run.f.len;
	r = run.text ? run_claim(&run) : VK_EXIT_ERROR;
out:
	free(run.text);
	free(run.targets);
	vk_strv_free(run.names, run.n_names);
	vk_strv_free(run.addrs, run.n_addrs);
	vk_strv_free(run.said, run.n_said);
	vk_conf_clear(&run.conf);
	vk_file_clear(&run.f);
	listing_clear(&run.l);
	vk_pci_free(pci);
	return r;
}
