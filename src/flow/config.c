// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "../pci/resolve.h"
#include "../shared/change.h"
#include "../shared/macro.h"
#include "../shared/write.h"
#include "config.h"

#define MAX_CONF (1 << 20)

static const char *const claim_names[] = {
	[VK_CONF_VFIO_PCI] = "vfio-pci",
	[VK_CONF_PCI_STUB] = "pci-stub",
	[VK_CONF_OVERRIDE] = "override",
};

const char *vk_conf_claim_name(enum vk_conf_claim c)
{
	return claim_names[c];
}

/* What a setting may be: its name, libconfig type and a word for errors. */
struct key {
	const char *name;
	int type;
	const char *what;
};

static const struct key top_keys[] = {
	{ "devices", CONFIG_TYPE_GROUP,
	  "a group of named devices: { gpu = { id = \"10de:1c03\"; }; }" },
	{ "boot", CONFIG_TYPE_STRING, "a string: \"auto\", \"grub\" or \"kernel-cmdline\"" },
	{ "kernel", CONFIG_TYPE_STRING,
	  "a string: a kernel source directory, \"dist\" or \"none\"" },
	{ "profiles", CONFIG_TYPE_ARRAY, "an array of strings: [ \"auto\" ]" },
	{ "arguments", CONFIG_TYPE_ARRAY, "an array of strings: [ \"iommu=pt\" ]" },
	{ "ignore_msrs", CONFIG_TYPE_BOOL, "true or false" },
	{},
};

static const struct key device_keys[] = {
	{ "id", CONFIG_TYPE_STRING, "a string: \"vendor:device\", as \"10de:1c03\"" },
	{ "address", CONFIG_TYPE_STRING, "a string: a PCI address, as \"0000:01:00.0\"" },
	{ "claim", CONFIG_TYPE_STRING, "a string: \"vfio-pci\", \"pci-stub\" or \"override\"" },
	{},
};

struct errbuf {
	const char *file;
	char *buf;
	size_t len;
};

static int fail(const struct errbuf *e, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(const struct errbuf *e, unsigned int line, const char *fmt, ...)
{
	int n = snprintf(e->buf, e->len, "%s:%u: ", e->file, line);
	va_list ap;

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < e->len)
		vsnprintf(e->buf + n, e->len - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const struct key *find_key(const struct key *keys, const char *name)
{
	for (; keys->name; keys++)
		if (streq(keys->name, name))
			return keys;
	return NULL;
}

/* Every member of group known and of its type. */
static int check_keys(const struct errbuf *e, const config_setting_t *group, const struct key *keys,
		      const char *where)
{
	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned int)i);
		const char *name = config_setting_name(s);
		const struct key *k = find_key(keys, name ? name : "");
		char known[256] = "";

		if (!k) {
			for (const struct key *p = keys; p->name; p++)
				snprintf(known + strlen(known), sizeof(known) - strlen(known),
					 "%s%s", p == keys ? "" : ", ", p->name);
			return fail(e, config_setting_source_line(s),
				    "unknown setting '%s'%s (known: %s)", name ? name : "?", where,
				    known);
		}
		if (config_setting_type(s) != k->type &&
		    !(k->type == CONFIG_TYPE_ARRAY && config_setting_type(s) == CONFIG_TYPE_LIST))
			return fail(e, config_setting_source_line(s), "'%s' must be %s", name,
				    k->what);
	}
	return 0;
}

/* The strings of an array setting, NULL-terminated. */
static int string_array(const struct errbuf *e, const config_setting_t *s, const char ***out,
			size_t *n)
{
	int len = config_setting_length(s);

	*out = calloc((size_t)len + 1, sizeof(char *));
	if (!*out)
		return -ENOMEM;
	for (int i = 0; i < len; i++) {
		const config_setting_t *el = config_setting_get_elem(s, (unsigned int)i);

		if (config_setting_type(el) != CONFIG_TYPE_STRING ||
		    !*config_setting_get_string(el))
			return fail(e, config_setting_source_line(s),
				    "'%s' must hold strings only, none empty",
				    config_setting_name(s));
		if (*config_setting_get_string(el) == '-')
			return fail(e, config_setting_source_line(s),
				    "'%s' holds \"%s\": kernel arguments, not options (as "
				    "\"iommu=pt\")",
				    config_setting_name(s), config_setting_get_string(el));
		(*out)[i] = config_setting_get_string(el);
	}
	*n = (size_t)len;
	return 0;
}

static int load_device(const struct errbuf *e, const config_setting_t *g, struct vk_conf_device *d)
{
	const char *id = NULL, *addr = NULL, *claim = NULL;
	unsigned int line = config_setting_source_line(g), v, dv;
	struct vk_pci_addr a;
	int r;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return fail(e, line, "device '%s' must be a group: %s = { id = \"10de:1c03\"; };",
			    config_setting_name(g), config_setting_name(g));
	r = check_keys(e, g, device_keys, " in a device");
	if (r)
		return r;
	config_setting_lookup_string(g, "id", &id);
	config_setting_lookup_string(g, "address", &addr);
	d->name = config_setting_name(g);
	config_setting_lookup_string(g, "claim", &claim);
	d->line = line;
	if (!id == !addr)
		return fail(e, line,
			    "a device needs either id = \"vendor:device\" or address = "
			    "\"0000:01:00.0\" (exactly one)");
	if (id && vk_pci_id_parse(id, &v, &dv) < 0)
		return fail(e, line, "id \"%s\" is not a vendor:device id such as \"10de:1c03\"",
			    id);
	if (addr && vk_pci_addr_parse(addr, &a) < 0)
		return fail(e, line, "address \"%s\" is not a PCI address such as \"0000:01:00.0\"",
			    addr);
	d->spec = id ? id : addr;
	d->by_address = addr != NULL;
	d->claim = VK_CONF_VFIO_PCI;
	if (claim) {
		size_t k;

		for (k = 0; k < ARRAY_SIZE(claim_names); k++)
			if (streq(claim, claim_names[k]))
				break;
		if (k == ARRAY_SIZE(claim_names))
			return fail(e, line,
				    "claim \"%s\" is unknown: \"vfio-pci\", \"pci-stub\" or "
				    "\"override\"",
				    claim);
		d->claim = (enum vk_conf_claim)k;
	}
	if (d->claim == VK_CONF_OVERRIDE && !d->by_address)
		return fail(e, line,
			    "claim \"override\" binds one device by its address: give address = "
			    "\"...\" instead of id (ids claim every device of the model)");
	if (d->claim == VK_CONF_PCI_STUB && d->by_address)
		return fail(e, line,
			    "pci-stub claims by id only, which takes every device of the model: "
			    "give id = \"...\" for that, or leave out claim to hand this one "
			    "function to vfio-pci");
	/* An address claims that function only: vfio-pci by driver_override,
	 * never the id, which would take its twin the host may be using. */
	if (d->by_address)
		d->claim = VK_CONF_OVERRIDE;
	return 0;
}

static int load(const struct errbuf *e, config_t *cfg, struct vk_conf *c)
{
	config_setting_t *root = config_root_setting(cfg), *s;
	static const char *const all[] = { "auto", NULL };
	int r = check_keys(e, root, top_keys, "");

	if (r)
		return r;
	c->boot = "auto";
	c->kernel = "none";
	config_lookup_string(cfg, "boot", &c->boot);
	config_lookup_string(cfg, "kernel", &c->kernel);
	if ((s = config_lookup(cfg, "boot")))
		c->boot_line = config_setting_source_line(s);
	if ((s = config_lookup(cfg, "kernel")))
		c->kernel_line = config_setting_source_line(s);
	if ((s = config_lookup(cfg, "profiles")))
		c->profiles_line = config_setting_source_line(s);
	if (!streq(c->boot, "auto") && !streq(c->boot, "grub") && !streq(c->boot, "kernel-cmdline"))
		return fail(e, config_setting_source_line(config_lookup(cfg, "boot")),
			    "boot \"%s\" is unknown: \"auto\", \"grub\" or \"kernel-cmdline\" "
			    "(a command line built into the kernel: 'vfiokit cmdline set "
			    "--bootloader builtin')",
			    c->boot);
	if (!*c->kernel ||
	    (c->kernel[0] != '/' && !streq(c->kernel, "dist") && !streq(c->kernel, "none")))
		return fail(e, config_setting_source_line(config_lookup(cfg, "kernel")),
			    "kernel \"%s\" must be an absolute directory (/usr/src/linux), "
			    "\"dist\" (Gentoo's dist-kernel) or \"none\"",
			    c->kernel);
	s = config_lookup(cfg, "ignore_msrs");
	c->ignore_msrs = s && config_setting_get_bool(s);
	s = config_lookup(cfg, "profiles");
	if (s) {
		r = string_array(e, s, &c->profiles, &c->n_profiles);
		if (r)
			return r;
	} else {
		c->profiles = calloc(2, sizeof(char *));
		if (!c->profiles)
			return -ENOMEM;
		c->profiles[0] = all[0];
		c->n_profiles = 1;
	}
	s = config_lookup(cfg, "arguments");
	if (s) {
		r = string_array(e, s, &c->arguments, &c->n_arguments);
		if (r)
			return r;
	}
	s = config_lookup(cfg, "devices");
	c->n_devs = s ? (size_t)config_setting_length(s) : 0;
	c->devs = calloc(c->n_devs + 1, sizeof(*c->devs));
	if (!c->devs)
		return -ENOMEM;
	for (size_t i = 0; i < c->n_devs; i++) {
		r = load_device(e, config_setting_get_elem(s, (unsigned int)i), &c->devs[i]);
		if (r)
			return r;
	}
	return 0;
}

int vk_conf_parse(const char *text, size_t len, const char *shown, struct vk_conf *c, char *err,
		  size_t errlen)
{
	struct errbuf e = { shown, err, errlen };
	config_t *cfg;

	memset(c, 0, sizeof(*c));
	if (strlen(text) != len)
		return fail(&e, vk_nul_line(text, len),
			    "holds a NUL byte: not a configuration file");
	c->path = strdup(shown);
	cfg = calloc(1, sizeof(*cfg));
	if (!c->path || !cfg) {
		free(cfg);
		return -ENOMEM;
	}
	config_init(cfg);
	c->cfg = cfg;
	if (!config_read_string(cfg, text))
		return fail(&e, (unsigned int)config_error_line(cfg),
			    "%s (libconfig syntax: name = "
			    "value; see vfiokit.conf(5))",
			    config_error_text(cfg));
	return load(&e, cfg, c);
}

int vk_conf_load(int rootfd, const char *abs, const char *shown, struct vk_conf *c, char *err,
		 size_t errlen)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	memset(c, 0, sizeof(*c));
	r = vk_file_read_all(rootfd, abs, MAX_CONF, &text, &len);
	if (r == -ENOENT) {
		snprintf(err, errlen,
			 "%s: no such file: 'vfiokit init' writes a starter file to fill in",
			 shown);
		return r;
	}
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", shown, strerror(-r));
		return r;
	}
	return vk_conf_parse(text, len, shown, c, err, errlen);
}

int vk_conf_read(const struct vk_ctx *ctx, const char *given, struct vk_conf *c, char *err,
		 size_t errlen)
{
	_cleanup_free_ char *shown = NULL, *abs = NULL;
	_cleanup_close_ int hostfd = -1;
	int r = 0;

	memset(c, 0, sizeof(*c));
	if (given)
		r = vk_host_path(given, &hostfd, &abs);
	if (r < 0) {
		snprintf(err, errlen, "%s: %s", given, strerror(-r));
		return r;
	}
	shown = given ? strdup(given) : vk_ctx_path(ctx, VK_PATH_VFIOKIT_CONF);
	if (!shown) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	r = vk_conf_load(given ? hostfd : ctx->rootfd, given ? abs : VK_PATH_VFIOKIT_CONF, shown, c,
			 err, errlen);
	if (r == -ENOMEM)
		snprintf(err, errlen, "out of memory");
	return r;
}

void vk_conf_clear(struct vk_conf *c)
{
	free(c->devs);
	free(c->profiles);
	free(c->arguments);
	free(c->path);
	if (c->cfg) {
		config_destroy(c->cfg);
		free(c->cfg);
	}
	memset(c, 0, sizeof(*c));
}

static int add_target(struct vk_conf_target **v, size_t *n, const char *addr, unsigned int vid,
		      unsigned int did, const struct vk_conf_device *d)
{
	struct vk_conf_target *t = realloc(*v, (*n + 1) * sizeof(**v));

	if (!t)
		return -ENOMEM;
	*v = t;
	t += (*n)++;
	memset(t, 0, sizeof(*t));
	snprintf(t->addr, sizeof(t->addr), "%.*s", (int)sizeof(t->addr) - 1, addr);
	t->vendor_id = vid;
	t->device_id = did;
	t->claim = d->claim;
	t->from = d;
	return 0;
}

int vk_conf_targets(const struct vk_ctx *ctx, const struct vk_conf *c, struct vk_conf_target **out,
		    size_t *n, char *err, size_t errlen)
{
	struct errbuf e = { c->path, err, errlen };
	int r = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < c->n_devs; i++) {
		const struct vk_conf_device *d = &c->devs[i];
		struct vk_device *found = NULL;
		size_t n_found = 0, before = *n;

		r = vk_device_resolve(ctx, d->spec, &found, &n_found);
		if (r == -ENOENT)
			r = fail(&e, d->line,
				 "no PCI device %s on this system ('vfiokit groups' lists them)",
				 d->spec);
		for (size_t k = 0; k < n_found && !r; k++) {
			const struct vk_device *f = &found[k];

			/* Another entry for the same function? */
			for (size_t t = 0; t < before && !r; t++) {
				const struct vk_conf_target *o = &(*out)[t];

				if (streq(o->addr, f->addr))
					r = fail(&e, d->line,
						 "%s (%04x:%04x) is already asked for at line "
						 "%u%s%s; "
						 "name each device once",
						 f->addr, f->vendor, f->device, o->from->line,
						 o->claim == d->claim ? "" : " to be claimed by ",
						 o->claim == d->claim
							 ? ""
							 : vk_conf_claim_name(o->claim));
			}
			if (!r)
				r = add_target(out, n, f->addr, f->vendor, f->device, d);
		}
		vk_devices_free(found, n_found);
		if (r)
			goto out;
	}
	/* An id claimed one way must not also be claimed another way. */
	for (size_t a = 0; a < *n; a++)
		for (size_t b = 0; b < a; b++) {
			const struct vk_conf_target *x = &(*out)[a], *y = &(*out)[b];

			if (x->vendor_id != y->vendor_id || x->device_id != y->device_id ||
			    x->claim == y->claim)
				continue;
			if (x->claim == VK_CONF_OVERRIDE || y->claim == VK_CONF_OVERRIDE) {
				const struct vk_conf_target *ov =
					x->claim == VK_CONF_OVERRIDE ? x : y;
				const struct vk_conf_target *id = ov == x ? y : x;

				if (!id->from->by_address)
					r = fail(&e, ov->from->line,
						 "%s is claimed by address, but line %u claims "
						 "every "
						 "%04x:%04x by id; drop one of them",
						 ov->addr, id->from->line, x->vendor_id,
						 x->device_id);
				else
					continue;
			} else {
				r = fail(
					&e, x->from->line,
					"%04x:%04x is claimed by %s here and by %s at line %u; the "
					"kernel claims by id, so one device model takes one way",
					x->vendor_id, x->device_id, vk_conf_claim_name(x->claim),
					vk_conf_claim_name(y->claim), y->from->line);
			}
			goto out;
		}
	return 0;
out:
	free(*out);
	*out = NULL;
	*n = 0;
	return r;
}
