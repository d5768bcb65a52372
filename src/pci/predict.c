// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel's grouping, modelled from what it documents and does (see
 * vfiokit(8), "groups --predict"): a device is first bound to the nearest
 * bridge above it that makes everything below it one requester (a
 * PCIe-to-PCI or conventional PCI bridge); else to the nearest bridge
 * above it whose path to the root is not isolated by ACS; else it stands
 * alone, joined only by its DMA aliases and, when it is a function of a
 * multifunction device without ACS, by its sibling functions without ACS.
 * The kernel enables on each port every ACS feature its capability has
 * once an IOMMU is on, so the ACS control bits are predicted from the
 * capability, not read as the firmware left them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../boot/cmdline.h"
#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/strv.h"
#include "iommu.h"
#include "predict-quirks.h"
#include "predict.h"

#define CFG_FULL 4096

/* ACS capability and control bits (PCIe base spec, ACS extended capability). */
#define ACS_SV	0x01
#define ACS_TB	0x02
#define ACS_RR	0x04
#define ACS_CR	0x08
#define ACS_UF	0x10
#define ACS_EC	0x20
#define ACS_DT	0x40
#define ACS_REQ (ACS_SV | ACS_RR | ACS_CR | ACS_UF) /* what isolation needs */

/* PCIe capability's device/port types. */
enum {
	T_ENDPOINT = 0,
	T_LEG_END = 1,
	T_ROOT_PORT = 4,
	T_UPSTREAM = 5,
	T_DOWNSTREAM = 6,
	T_PCI_BRIDGE = 7,
	T_PCIE_BRIDGE = 8,
	T_RC_END = 9,
	T_RC_EC = 10,
};

struct node {
	struct vk_pci_dev dev;
	int parent; /* the bridge above, -1 on a root bus */
	unsigned int devfn;
	bool readable; /* config space read as the kernel sees it */
	int cfg_read;  /* bytes read */
	long cfg_size; /* size of the config file: what the kernel can see */
	bool pcie, mf;
	int type;
	unsigned int hdr, secondary;
	uint32_t rcba; /* an LPC function (slot 31.0): its RCBA register */
	unsigned int acs_pos, acs_cap, acs_fw, acs_ctrl, spt_ctrl;
	bool pch_quirk_on; /* Intel PCH root port: the kernel's RCBA workaround works */
	bool pch_unknown;  /* ... but the chipset's LPC function could not be read */
	uint64_t alias[4]; /* devfns on its bus it also DMAs as */
	const char *alias_why;
	bool bridge_alias, xlate_root, alias_mmio;
	bool unknown; /* itself or something it depends on could not be read */
	char *config_acs_note;
};

struct model {
	const struct vk_ctx *ctx;
	struct node *n;
	size_t len;
	bool ivrs;
	const struct vk_predict_opts *opts;
	char *config_acs, *disable_acs_redir; /* from pci= on the command line */
	struct vk_addrs root, nic;	      /* what the host runs on */
	struct vk_prediction *out;
};

static unsigned int cfg16(const unsigned char *c, unsigned int off)
{
	return c[off] | (unsigned int)c[off + 1] << 8;
}

static uint32_t cfg32(const unsigned char *c, unsigned int off)
{
	return cfg16(c, off) | (uint32_t)cfg16(c, off + 2) << 16;
}

static bool in_ranges(const struct vk_id_range *r, unsigned int id)
{
	for (; r->lo || r->hi; r++)
		if (id >= r->lo && id <= r->hi)
			return true;
	return false;
}

/* Append a copy of s unless it is there already. */
static int add_str(char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (streq((*v)[i], s))
			return 0;
	return vk_strv_push(v, n, s);
}

static const char *type_name(const struct node *d)
{
	if (!d->pcie)
		return (d->hdr & 0x7f) == 1 ? "PCI bridge" : "conventional PCI device";
	switch (d->type) {
	case T_ROOT_PORT:
		return "root port";
	case T_UPSTREAM:
		return "switch upstream port";
	case T_DOWNSTREAM:
		return "switch downstream port";
	case T_PCI_BRIDGE:
		return "PCIe-to-PCI bridge";
	case T_PCIE_BRIDGE:
		return "PCI-to-PCIe bridge";
	case T_RC_END:
		return "root complex integrated endpoint";
	default:
		return "PCIe function";
	}
}

/* --- reading ------------------------------------------------------------ */

/* The bridge above addr from its sysfs link (.../0000:00:1c.0/0000:02:00.0). */
static int find_parent(struct model *m, const char *addr)
{
	char path[128], target[4096], *last, *prev;
	struct vk_pci_addr a;
	ssize_t len;

	snprintf(path, sizeof(path), "%s/%s", vk_rel(VK_PATH_PCI_DEVICES), addr);
	len = readlinkat(m->ctx->rootfd, path, target, sizeof(target) - 1);
	if (len <= 0)
		return -1;
	target[len] = '\0';
	last = strrchr(target, '/');
	if (!last)
		return -1;
	*last = '\0';
	prev = strrchr(target, '/');
	prev = prev ? prev + 1 : target;
	if (strlen(prev) != 12 || vk_pci_addr_parse(prev, &a) < 0)
		return -1;
	for (size_t i = 0; i < m->len; i++)
		if (!memcmp(&m->n[i].dev.a, &a, sizeof(a)))
			return (int)i;
	return -1;
}

static void parse_config(struct node *d, const unsigned char *c)
{
	unsigned int ptr;

	d->hdr = c[0x0e];
	d->mf = (d->hdr & 0x80) || d->dev.a.func > 0;
	if ((d->hdr & 0x7f) == 1)
		d->secondary = c[0x19];
	if (d->devfn == (31u << 3) && d->cfg_read >= 256)
		d->rcba = cfg32(c, 0xf0);
	if (cfg16(c, 0x06) & 0x10) {
		ptr = c[0x34] & ~3u;
		for (int ttl = 48; ttl-- && ptr >= 0x40 && ptr < 0xff; ptr = c[ptr + 1] & ~3u)
			if (c[ptr] == 0x10) {
				d->pcie = true;
				d->type = (c[ptr + 2] >> 4) & 0xf;
				break;
			}
	}
	if (d->cfg_size <= 256 || d->cfg_read < CFG_FULL)
		return;
	ptr = 0x100;
	for (int ttl = (CFG_FULL - 256) / 8; ttl-- && ptr >= 0x100 && ptr < CFG_FULL - 8;) {
		uint32_t h = cfg32(c, ptr);

		if (h == 0 || h == 0xffffffff)
			break;
		if ((h & 0xffff) == 0x000d) {
			d->acs_pos = ptr;
			d->acs_cap = cfg16(c, ptr + 4);
			d->acs_fw = cfg16(c, ptr + 6);
			d->spt_ctrl = cfg32(c, ptr + 8) & 0xffff;
			break;
		}
		ptr = (h >> 20) & 0xffc;
	}
}

static void set_alias(struct node *d, unsigned int devfn)
{
	d->alias[(devfn & 0xff) / 64] |= 1ull << (devfn % 64);
}

static bool has_alias(const struct node *d, unsigned int devfn)
{
	return d->alias[(devfn & 0xff) / 64] & (1ull << (devfn % 64));
}

static bool id_match(unsigned int want, unsigned int have)
{
	return want == VK_ANY_ID || want == have;
}

/* The header fixups of the kernel that give a device DMA aliases. */
static void alias_quirks(struct model *m, struct node *d)
{
	unsigned int slot = d->devfn >> 3;

	for (size_t i = 0; i < vk_n_alias_quirks; i++) {
		const struct vk_alias_quirk_row *q = &vk_alias_quirks[i];
		const struct node *up = d->parent >= 0 ? &m->n[d->parent] : NULL;

		if (!id_match(q->vendor, d->dev.vendor_id) ||
		    !id_match(q->device, d->dev.device_id) ||
		    !id_match(q->subvendor, d->dev.subsys_vendor_id) ||
		    !id_match(q->subdevice, d->dev.subsys_device_id))
			continue;
		switch (q->kind) {
		case VK_ALIASQ_FUNC0:
			if (d->dev.a.func != 0) {
				set_alias(d, slot << 3);
				d->alias_why = "it DMAs as function 0 of its slot";
			}
			break;
		case VK_ALIASQ_FUNC1:
			if (d->dev.a.func != 1) {
				set_alias(d, slot << 3 | 1);
				d->alias_why = "it DMAs as function 1 of its slot";
			}
			break;
		case VK_ALIASQ_FIXED:
			set_alias(d, q->arg);
			d->alias_why = "it DMAs as a hidden function of its bus";
			break;
		case VK_ALIASQ_BRIDGE:
			if (up && (d->hdr & 0x7f) == 1 && !d->pcie && up->pcie &&
			    up->type != T_PCI_BRIDGE)
				d->bridge_alias = true;
			break;
		case VK_ALIASQ_MIC:
			set_alias(d, 0x10 << 3);
			set_alias(d, 0x11 << 3);
			set_alias(d, 0x12 << 3 | 3);
			d->alias_why = "it forwards DMA with other requester IDs (MIC x200)";
			break;
		case VK_ALIASQ_VCA:
			for (unsigned int s = 0; s < 32; s++)
				for (unsigned int f = 0; f < 5; f++)
					set_alias(d, s << 3 | f);
			d->alias_why = "it DMAs as functions 0-4 of every slot of its bus (VCA)";
			break;
		case VK_ALIASQ_ALL:
			memset(d->alias, 0xff, sizeof(d->alias));
			d->alias_why = "it DMAs as every devfn of its bus (PLX NTB)";
			break;
		case VK_ALIASQ_XLATE_ROOT:
			d->xlate_root = true;
			break;
		case VK_ALIASQ_FROM_MMIO:
			if (d->dev.class_id == 0x0680)
				d->alias_mmio = true;
			break;
		}
	}
}

/* --- the command line: pci=config_acs= and pci=disable_acs_redir= --------- */

/* Does spec (one entry of the kernel's device list) name d? Understood:
 * "[dddd:]bb:dd.f" and "pci:vvvv:dddd[:ssss:ssss]" (0 matches any). A
 * path through bridges ("bb:dd.f/dd.f") is not: *unsupported is set. */
static bool spec_matches(const struct node *d, const char *spec, bool *unsupported)
{
	unsigned int id[4] = {};
	struct vk_pci_addr a;
	int n = 0;

	if (!strncmp(spec, "pci:", 4)) {
		n = sscanf(spec + 4, "%x:%x:%x:%x", &id[0], &id[1], &id[2], &id[3]);
		if (n < 2)
			return false;
		return (!id[0] || id[0] == d->dev.vendor_id) &&
		       (!id[1] || id[1] == d->dev.device_id) &&
		       (!id[2] || id[2] == d->dev.subsys_vendor_id) &&
		       (!id[3] || id[3] == d->dev.subsys_device_id);
	}
	if (strchr(spec, '/')) {
		*unsupported = true;
		return false;
	}
	return vk_pci_addr_parse(spec, &a) == 0 && !memcmp(&a, &d->dev.a, sizeof(a));
}

/* The first entry of list (';'-separated) that names d: its flags and mask
 * when with_flags ("10x@spec"); returns whether one did. */
static bool acs_param_match(const struct node *d, const char *list, bool with_flags,
			    unsigned int *mask, unsigned int *flags, bool *unsupported)
{
	_cleanup_free_ char *copy = strdup(list);
	char *save = NULL;

	if (!copy)
		return false;
	for (char *e = strtok_r(copy, ";", &save); e; e = strtok_r(NULL, ";", &save)) {
		char *spec = e;

		*mask = *flags = 0;
		if (with_flags) {
			char *at = strchr(e, '@');
			unsigned int bit = 0;

			if (!at)
				return false; /* the kernel stops at a malformed entry */
			for (char *p = at - 1; p >= e; p--, bit++) {
				if (*p == '0' || *p == '1')
					*mask |= 1u << bit;
				if (*p == '1')
					*flags |= 1u << bit;
				else if (*p != '0' && *p != 'x' && *p != 'X')
					return false;
			}
			spec = at + 1;
		}
		if (spec_matches(d, spec, unsupported))
			return true;
	}
	return false;
}

static void read_cmdline(struct model *m)
{
	char text[4096];
	struct vk_cmdline *cl = NULL;
	ssize_t len =
		vk_read_file(m->ctx->rootfd, vk_rel(VK_PATH_PROC_CMDLINE), text, sizeof(text));

	if (len <= 0 || vk_cmdline_parse(text, (size_t)len, &cl) < 0)
		return;
	for (size_t i = 0; i < cl->n_args; i++) {
		const struct vk_cmdline_arg *arg = &cl->args[i];
		char *save = NULL, *copy;

		if (arg->init || !arg->value || !vk_cmdline_key_eq(arg->key, "pci"))
			continue;
		copy = strdup(arg->value);
		for (char *o = copy ? strtok_r(copy, ",", &save) : NULL; o;
		     o = strtok_r(NULL, ",", &save)) {
			char **slot = NULL;

			if (!strncmp(o, "config_acs=", 11))
				slot = &m->config_acs;
			else if (!strncmp(o, "disable_acs_redir=", 18))
				slot = &m->disable_acs_redir;
			if (slot) {
				free(*slot);
				*slot = strdup(strchr(o, '=') + 1);
			}
		}
		free(copy);
	}
	vk_cmdline_free(cl);
}

/* --- ACS ----------------------------------------------------------------- */

static bool same_bus(const struct node *a, const struct node *b)
{
	return a->parent == b->parent && a->dev.a.domain == b->dev.a.domain &&
	       a->dev.a.bus == b->dev.a.bus;
}

static bool is_root_port(const struct node *d)
{
	return d->pcie && d->type == T_ROOT_PORT;
}

/* The ACS control the kernel will leave on d: with an IOMMU it enables
 * every isolating feature the capability has, then applies the command
 * line (which starts from the firmware's bits). */
static void predict_acs(struct model *m, struct node *d)
{
	bool spt = is_root_port(d) && d->dev.vendor_id == 0x8086 &&
		   in_ranges(vk_intel_spt_acs_ids, d->dev.device_id) && d->acs_pos;
	unsigned int mask, flags;
	bool unsupported = false;

	if (is_root_port(d) && d->dev.vendor_id == 0x8086 &&
	    in_ranges(vk_intel_pch_acs_ids, d->dev.device_id)) {
		/* The workaround needs the chipset's RCBA (LPC function 31.0,
		 * register 0xf0, bit 0) enabled. */
		d->pch_unknown = true;
		for (size_t i = 0; i < m->len; i++) {
			const struct node *lpc = &m->n[i];

			if (same_bus(lpc, d) && lpc->devfn == (31u << 3) && lpc->readable &&
			    lpc->cfg_read >= 256) {
				d->pch_unknown = false;
				d->pch_quirk_on = lpc->rcba & 1;
			}
		}
	}
	if (spt)
		d->spt_ctrl |= d->acs_cap & ACS_REQ;
	d->acs_ctrl = d->acs_fw;
	if (!d->acs_pos)
		return;
	if (!spt)
		d->acs_ctrl |= d->acs_cap & ACS_REQ;
	if (m->disable_acs_redir &&
	    acs_param_match(d, m->disable_acs_redir, false, &mask, &flags, &unsupported)) {
		if (spt)
			d->spt_ctrl &= ~(ACS_RR | ACS_CR | ACS_EC);
		else
			d->acs_ctrl = d->acs_fw & ~(ACS_RR | ACS_CR | ACS_EC);
	}
	/* On the Intel SPT ports any match takes the redirects away instead. */
	if (m->config_acs && acs_param_match(d, m->config_acs, true, &mask, &flags, &unsupported)) {
		if (spt)
			d->spt_ctrl &= ~(ACS_RR | ACS_CR | ACS_EC);
		else
			d->acs_ctrl = (d->acs_fw & ~mask) | (flags & mask);
	}
	if (unsupported && !d->config_acs_note &&
	    asprintf(&d->config_acs_note,
		     "pci=config_acs= or disable_acs_redir= names devices by a path through "
		     "bridges, which vfiokit does not follow: %s may be set otherwise",
		     d->dev.addr) < 0)
		d->config_acs_note = NULL;
}

/* The kernel's device-specific answer for d, or -1 when none applies. */
static int quirk_acs(const struct model *m, const struct node *d, unsigned int flags)
{
	unsigned int f;

	for (size_t i = 0; i < vk_n_acs_quirks; i++) {
		const struct vk_acs_quirk_row *q = &vk_acs_quirks[i];
		unsigned int dev = d->dev.device_id;

		if (q->vendor != d->dev.vendor_id || !id_match(q->device, dev))
			continue;
		switch (q->kind) {
		case VK_ACSQ_AMD_SB:
			if (!d->mf || d->parent >= 0 || !m->ivrs)
				continue;
			f = flags & (ACS_RR | ACS_CR | ACS_EC | ACS_DT);
			return (f & (ACS_RR | ACS_CR)) == f;
		case VK_ACSQ_MF_ENDPOINT:
			return (flags & (ACS_REQ | ACS_TB | ACS_DT)) == flags;
		case VK_ACSQ_RCIEP:
			if (!d->pcie || d->type != T_RC_END)
				continue;
			return (flags & ACS_REQ) == flags;
		case VK_ACSQ_ISOLATED:
			return (flags & ACS_REQ) == flags;
		case VK_ACSQ_INTEL_PCH:
			if (!is_root_port(d) || !in_ranges(vk_intel_pch_acs_ids, dev))
				continue;
			return d->pch_quirk_on ? (flags & ACS_REQ) == flags : flags == 0;
		case VK_ACSQ_INTEL_SPT:
			if (!is_root_port(d) || !in_ranges(vk_intel_spt_acs_ids, dev) ||
			    !d->acs_pos)
				continue;
			f = flags & (d->acs_cap | ACS_EC);
			return (d->spt_ctrl & f) == f;
		case VK_ACSQ_CAVIUM:
			if (!is_root_port(d) || !in_ranges(vk_cavium_acs_ids, dev))
				continue;
			return (flags & ACS_REQ) == flags;
		case VK_ACSQ_ROOT_PORT:
			if (!is_root_port(d))
				continue;
			return (flags & ~ACS_REQ) == 0;
		case VK_ACSQ_ZHAOXIN:
			if (!d->pcie || (d->type != T_ROOT_PORT && d->type != T_DOWNSTREAM))
				continue;
			return in_ranges(vk_zhaoxin_acs_ids, dev) && (flags & ACS_REQ) == flags;
		case VK_ACSQ_WANGXUN:
			return in_ranges(vk_wangxun_acs_ids, dev) && (flags & ACS_REQ) == flags;
		}
	}
	/* The out-of-tree override: only PCIe functions without the capability. */
	if (d->pcie && !d->acs_pos) {
		bool port = d->type == T_ROOT_PORT || d->type == T_DOWNSTREAM;
		bool fn = d->type == T_ENDPOINT || d->type == T_UPSTREAM || d->type == T_LEG_END ||
			  d->type == T_RC_END;

		if ((port && m->opts->acs_override_downstream) ||
		    (fn && d->mf && m->opts->acs_override_multifunction))
			return 1;
	}
	return -1;
}

/* Is d isolated by ACS as the kernel judges it (pci_acs_enabled's rules)? */
static bool acs_enabled(const struct model *m, const struct node *d)
{
	int q = quirk_acs(m, d, ACS_REQ);
	unsigned int f;

	if (q >= 0)
		return q > 0;
	if (!d->pcie)
		return false;
	switch (d->type) {
	case T_PCIE_BRIDGE:
	case T_PCI_BRIDGE:
	case T_RC_EC:
		return false;
	case T_DOWNSTREAM:
	case T_ROOT_PORT:
		break;
	case T_ENDPOINT:
	case T_UPSTREAM:
	case T_LEG_END:
	case T_RC_END:
		if (!d->mf)
			return true;
		break;
	default:
		return true;
	}
	if (!d->acs_pos)
		return false;
	f = ACS_REQ & (d->acs_cap | ACS_EC);
	return (d->acs_ctrl & f) == f;
}

/* Is the path from d up to the root isolated? Else *culprit is the first
 * device on it that is not. */
static bool acs_path(const struct model *m, int d, int *culprit)
{
	for (; d >= 0; d = m->n[d].parent)
		if (!acs_enabled(m, &m->n[d])) {
			*culprit = d;
			return false;
		}
	return true;
}

/* Why d is not isolated, in words. */
static void why_not_isolated(const struct model *m, const struct node *d, char *buf, size_t size)
{
	static const char *const names[] = { "SV", "TB", "RR", "CR", "UF" };
	char missing[32] = "";

	if (quirk_acs(m, d, ACS_REQ) == 0) {
		if (is_root_port(d) && d->dev.vendor_id == 0x8086 &&
		    in_ranges(vk_intel_pch_acs_ids, d->dev.device_id))
			snprintf(
				buf, size,
				"the Intel PCH root port %s is isolated only through the chipset's "
				"RCBA, which is not enabled",
				d->dev.addr);
		else
			snprintf(buf, size,
				 "the kernel's quirk table for %04x:%04x says the %s %s is not "
				 "isolated",
				 d->dev.vendor_id, d->dev.device_id, type_name(d), d->dev.addr);
		return;
	}
	if (!d->pcie || d->type == T_PCI_BRIDGE || d->type == T_PCIE_BRIDGE || d->type == T_RC_EC) {
		snprintf(buf, size, "%s is a %s, which the kernel never counts as isolated",
			 d->dev.addr, type_name(d));
		return;
	}
	if (!d->acs_pos) {
		snprintf(buf, size, "the %s %s has no ACS capability%s", type_name(d), d->dev.addr,
			 d->cfg_size <= 256 ? " (its extended config space cannot be read)" : "");
		return;
	}
	for (unsigned int b = 0; b < ARRAY_SIZE(names); b++)
		if ((ACS_REQ & (1u << b) & (d->acs_cap | ACS_EC)) && !(d->acs_ctrl & (1u << b)))
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				 "%s%s", *missing ? "," : "", names[b]);
	snprintf(buf, size,
		 "the ACS of the %s %s would not have %s enabled (capability %#06x, "
		 "control %#06x after the command line)",
		 type_name(d), d->dev.addr, missing, d->acs_cap, d->acs_ctrl);
}

/* --- the grouping --------------------------------------------------------- */

struct uf {
	int *up;
	char ***why; /* per node: reasons found while joining it */
	size_t *n_why;
};

static int uf_find(struct uf *u, int i)
{
	while (u->up[i] != i)
		i = u->up[i] = u->up[u->up[i]];
	return i;
}

static int join(struct uf *u, int a, int b, const char *why)
{
	int ra = uf_find(u, a), rb = uf_find(u, b);

	if (ra != rb)
		u->up[ra] = rb;
	return why && u->why ? add_str(&u->why[a], &u->n_why[a], why) : 0;
}

/* "0000:00:1f.0, 0000:00:1f.2" for the functions of i's slot without ACS. */
static void slot_functions(const struct model *m, int i, char *buf, size_t size)
{
	const struct node *d = &m->n[i];

	*buf = '\0';
	for (size_t k = 0; k < m->len; k++) {
		const struct node *o = &m->n[k];

		if (same_bus(d, o) && o->dev.a.dev == d->dev.a.dev && !acs_enabled(m, o))
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", *buf ? ", " : "",
				 o->dev.addr);
	}
}

static int group_one(const struct model *m, struct uf *u, int i)
{
	const struct node *d = &m->n[i];
	char why[1024], sub[512];
	int culprit = -1;

	/* A bridge that makes everything below it one requester. */
	for (int p = d->parent; p >= 0; p = m->n[p].parent) {
		const struct node *b = &m->n[p];

		if (b->xlate_root)
			break;
		if (b->pcie && b->type != T_PCI_BRIDGE && b->type != T_PCIE_BRIDGE)
			continue;
		snprintf(why, sizeof(why),
			 "everything below the %s %s reaches the IOMMU with one requester ID: "
			 "it is one group with the bridge",
			 b->pcie || b->bridge_alias ? "PCIe-to-PCI bridge" : "PCI bridge",
			 b->dev.addr);
		return join(u, i, p, why);
	}
	/* The nearest bridge whose path to the root is not isolated. */
	for (int p = d->parent; p >= 0; p = m->n[p].parent) {
		if (acs_path(m, p, &culprit))
			break;
		why_not_isolated(m, &m->n[culprit], sub, sizeof(sub));
		snprintf(why, sizeof(why), "the devices below %s share its group: %s",
			 m->n[p].dev.addr, sub);
		return join(u, i, p, why);
	}
	/* DMA aliases on the same bus, either way. */
	for (size_t k = 0; k < m->len; k++) {
		const struct node *o = &m->n[k];
		int r;

		if ((int)k == i || !same_bus(d, o) ||
		    (!has_alias(d, o->devfn) && !has_alias(o, d->devfn)))
			continue;
		snprintf(why, sizeof(why), "%s and %s are DMA aliases (kernel quirk: %s)",
			 d->dev.addr, o->dev.addr,
			 has_alias(d, o->devfn) ? d->alias_why : o->alias_why);
		if ((r = join(u, i, (int)k, why)) < 0)
			return r;
	}
	/* Functions of one multifunction device without ACS between them. */
	if (!d->mf || acs_enabled(m, d))
		return 0;
	for (size_t k = 0; k < m->len; k++) {
		const struct node *o = &m->n[k];
		int r;

		if ((int)k == i || !same_bus(d, o) || o->dev.a.dev != d->dev.a.dev ||
		    acs_enabled(m, o))
			continue;
		slot_functions(m, i, sub, sizeof(sub));
		snprintf(why, sizeof(why),
			 "%s are functions of one multifunction device without ACS between them",
			 sub);
		if ((r = join(u, i, (int)k, why)) < 0)
			return r;
	}
	return 0;
}

static int partition(const struct model *m, struct uf *u)
{
	for (size_t i = 0; i < m->len; i++)
		u->up[i] = (int)i;
	for (size_t i = 0; i < m->len; i++) {
		int r = group_one(m, u, (int)i);

		if (r < 0)
			return r;
	}
	return 0;
}

/* --- assembling the answer ------------------------------------------------ */

static int add_error(struct vk_prediction *p, const char *path, const char *why)
{
	char *s = NULL;
	int r;

	if (asprintf(&s, "%s: %s", path, why) < 0)
		return -ENOMEM;
	r = add_str(&p->errors, &p->n_errors, s);
	free(s);
	return r;
}

/* Ports whose path to the root is isolated, with their slot names:
 * "slot 3 (0000:00:03.1)". */
static int isolated_ports(const struct model *m, char *buf, size_t size)
{
	_cleanup_free_ char **slots = NULL;
	_cleanup_free_ char(*addrs)[16] = NULL; /* each slot's address, read once */
	size_t n_slots = 0, shown = 0;
	int culprit;

	*buf = '\0';
	if (vk_list_dir(m->ctx->rootfd, vk_rel(VK_PATH_PCI_SLOTS), &slots, &n_slots) < 0 ||
	    !(addrs = calloc(n_slots + 1, sizeof(*addrs))))
		n_slots = 0;
	for (size_t s = 0; s < n_slots; s++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s/address", vk_rel(VK_PATH_PCI_SLOTS), slots[s]);
		if (vk_read_file(m->ctx->rootfd, path, addrs[s], sizeof(addrs[s])) <= 0)
			addrs[s][0] = '\0';
	}
	for (size_t i = 0; i < m->len && shown < 8; i++) {
		const struct node *d = &m->n[i];
		char name[64] = "", want[16];

		if (!d->pcie || (d->type != T_ROOT_PORT && d->type != T_DOWNSTREAM) ||
		    !acs_path(m, (int)i, &culprit))
			continue;
		snprintf(want, sizeof(want), "%04x:%02x:00", d->dev.a.domain, d->secondary);
		for (size_t s = 0; s < n_slots && !*name; s++)
			if (!strncmp(addrs[s], want, 10))
				snprintf(name, sizeof(name), "slot %s ", slots[s]);
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s%s%s%s", shown ? ", " : "",
			 name, *name ? "(" : "", d->dev.addr, *name ? ")" : "");
		shown++;
	}
	return (int)shown;
}

/* Is i in a slot whose path to the root is isolated: no bridge to
 * conventional PCI above it, ACS on every port? (Then no other slot helps.) */
static bool slot_isolated(const struct model *m, int i)
{
	int culprit;

	if (m->n[i].parent < 0)
		return true; /* on the root bus: not in a slot */
	for (int p = m->n[i].parent; p >= 0; p = m->n[p].parent)
		if (!m->n[p].pcie || m->n[p].type == T_PCI_BRIDGE || m->n[p].type == T_PCIE_BRIDGE)
			return false;
	return acs_path(m, m->n[i].parent, &culprit);
}

static int describe_changes(const struct model *m, struct vk_predict_group *g, const int *members,
			    size_t n, struct uf *over, const char *ports, int n_ports)
{
	char text[2048], part[1024] = "";
	size_t parts = 0, endpoints = 0, in_slots = 0; /* in_slots: not isolated */
	int r;

	for (size_t k = 0; k < n; k++) {
		const struct node *d = &m->n[members[k]];

		endpoints += !vk_pci_dev_is_bridge(&d->dev);
		in_slots += !vk_pci_dev_is_bridge(&d->dev) && !slot_isolated(m, members[k]);
	}
	if (g->n_reasons == 0 || endpoints == 0)
		return 0;
	if (n_ports > 0 && in_slots > 0) {
		snprintf(
			text, sizeof(text),
			"a card in a slot below a port whose path to the root has ACS gets a group "
			"of its own: %s",
			ports);
		if ((r = add_str(&g->changes, &g->n_changes, text)) < 0)
			return r;
	}
	for (size_t k = 0; k < n; k++) {
		int root = uf_find(over, members[k]);
		bool first = true;

		for (size_t j = 0; j < k; j++)
			first &= uf_find(over, members[j]) != root;
		if (!first)
			continue;
		parts++;
		snprintf(part + strlen(part), sizeof(part) - strlen(part), "%s{",
			 parts > 1 ? " " : "");
		for (size_t j = k; j < n; j++)
			if (uf_find(over, members[j]) == root)
				snprintf(part + strlen(part), sizeof(part) - strlen(part), "%s%s",
					 j == k ? "" : " ", m->n[members[j]].dev.addr);
		snprintf(part + strlen(part), sizeof(part) - strlen(part), "}");
	}
	if (parts > 1)
		snprintf(
			text, sizeof(text),
			"pcie_acs_override=downstream,multifunction (an out-of-tree kernel patch) "
			"would split it into %zu groups: %s; the cost: it only tells the kernel to "
			"believe in isolation the hardware does not give, and these devices could "
			"still reach each other's memory by peer-to-peer DMA the IOMMU never sees",
			parts, part);
	else
		snprintf(text, sizeof(text),
			 "pcie_acs_override=downstream,multifunction (an out-of-tree kernel patch) "
			 "would not split it: it applies only to PCIe ports and functions without "
			 "an ACS capability, not to conventional PCI devices or to what is below a "
			 "PCIe-to-PCI bridge");
	return add_str(&g->changes, &g->n_changes, text);
}

static int depends_of(const struct model *m, int i, struct vk_predict_group *g)
{
	const struct node *d = &m->n[i];
	char text[512];
	int r = 0;

	for (int p = i; p >= 0 && r >= 0; p = m->n[p].parent) {
		const struct node *u = &m->n[p];

		if (u->pch_unknown) {
			snprintf(
				text, sizeof(text),
				"the Intel PCH root port %s is isolated only if the chipset's RCBA "
				"is enabled, and the chipset's LPC function could not be read",
				u->dev.addr);
			r = add_str(&g->depends, &g->n_depends, text);
		}
		if (u->config_acs_note && r >= 0)
			r = add_str(&g->depends, &g->n_depends, u->config_acs_note);
	}
	if (d->alias_mmio && r >= 0) {
		snprintf(text, sizeof(text),
			 "%s is a Switchtec NTB: the kernel reads its DMA aliases from the card's "
			 "registers, which config space does not show; devices they name join",
			 d->dev.addr);
		r = add_str(&g->depends, &g->n_depends, text);
	}
	if (d->unknown && r >= 0) {
		if (!d->readable)
			snprintf(text, sizeof(text),
				 "only %d of the %ld bytes of %s's config space could be read (the "
				 "kernel shows the rest to root only): run vfiokit as root",
				 d->cfg_read, d->cfg_size, d->dev.addr);
		else
			snprintf(text, sizeof(text),
				 "a device above %s or in its slot could not be read in full",
				 d->dev.addr);
		r = add_str(&g->depends, &g->n_depends, text);
	}
	return r;
}

static int assemble(struct model *m, struct uf *u, struct uf *over)
{
	struct vk_prediction *p = m->out;
	_cleanup_free_ int *group_of = malloc((m->len + 1) * sizeof(int));
	_cleanup_free_ int *members = malloc((m->len + 1) * sizeof(int));
	char ports[1024];
	int n_ports = isolated_ports(m, ports, sizeof(ports)), r;

	if (!group_of || !members)
		return -ENOMEM;
	p->groups = calloc(m->len + 1, sizeof(*p->groups));
	if (!p->groups)
		return -ENOMEM;
	for (size_t i = 0; i < m->len; i++)
		group_of[i] = -1;
	for (size_t i = 0; i < m->len; i++) {
		int root = uf_find(u, (int)i);
		struct vk_predict_group *g;
		size_t n = 0;

		if (group_of[root] >= 0)
			continue;
		group_of[root] = (int)p->n_groups;
		g = &p->groups[p->n_groups++];
		g->g.id = p->n_groups;
		g->g.passable = true;
		for (size_t k = i; k < m->len; k++)
			if (uf_find(u, (int)k) == root)
				members[n++] = (int)k;
		g->g.devs = calloc(n, sizeof(*g->g.devs));
		if (!g->g.devs)
			return -ENOMEM;
		for (size_t k = 0; k < n; k++) {
			int x = members[k];

			for (size_t w = 0; w < u->n_why[x]; w++)
				if ((r = add_str(&g->reasons, &g->n_reasons, u->why[x][w])) < 0)
					return r;
			if ((r = depends_of(m, x, g)) < 0)
				return r;
			g->unknown |= m->n[x].unknown;
		}
		for (size_t k = 0; k < n; k++) {
			enum vk_dev_state s = vk_dev_state(&m->n[members[k]].dev);

			g->g.passable &= s != VK_DEV_HOST && s != VK_DEV_UNKNOWN;
		}
		g->g.passable &= !g->unknown;
		g->g.ready = g->g.passable;
		g->g.isolated = !g->unknown;
		for (size_t k = 0; k < n; k++)
			if (vk_dev_host_only(&m->n[members[k]].dev, &m->root, &m->nic))
				g->g.isolated = false;
		p->unknown |= g->unknown;
		if ((r = describe_changes(m, g, members, n, over, ports, n_ports)) < 0)
			return r;
		for (size_t k = 0; k < n; k++) {
			g->g.devs[k] = m->n[members[k]].dev;
			memset(&m->n[members[k]].dev, 0, sizeof(m->n[members[k]].dev));
		}
		g->g.n_devs = n;
	}
	return 0;
}

static int notes(struct model *m)
{
	struct vk_prediction *p = m->out;
	char text[1024], release[128] = "";
	int r;

	snprintf(text, sizeof(text),
		 "predicted for a boot with the IOMMU on, from config space and the kernel's "
		 "quirk tables of %s; iommu=pt does not change the groups",
		 vk_predict_quirks_release);
	if ((r = add_str(&p->notes, &p->n_notes, text)) < 0)
		return r;
	if (vk_read_file(m->ctx->rootfd, vk_rel(VK_PATH_PROC_OSRELEASE), release, sizeof(release)) >
		    0 &&
	    strncmp(release, "6.12", 4) != 0) {
		snprintf(text, sizeof(text),
			 "the kernel here is %s: its quirk tables may differ from %s's, the "
			 "nearest table vfiokit has",
			 release, vk_predict_quirks_release);
		if ((r = add_str(&p->notes, &p->n_notes, text)) < 0)
			return r;
	}
	if (m->config_acs || m->disable_acs_redir) {
		snprintf(text, sizeof(text), "the command line's pci=%s%s%s%s%s is applied",
			 m->config_acs ? "config_acs=" : "", m->config_acs ? m->config_acs : "",
			 m->config_acs && m->disable_acs_redir ? "," : "",
			 m->disable_acs_redir ? "disable_acs_redir=" : "",
			 m->disable_acs_redir ? m->disable_acs_redir : "");
		if ((r = add_str(&p->notes, &p->n_notes, text)) < 0)
			return r;
	}
	if (m->opts->acs_override_downstream || m->opts->acs_override_multifunction) {
		snprintf(text, sizeof(text),
			 "predicted for a kernel with the out-of-tree pcie_acs_override patch "
			 "(%s%s%s): isolation the hardware does not give is assumed",
			 m->opts->acs_override_downstream ? "downstream" : "",
			 m->opts->acs_override_downstream && m->opts->acs_override_multifunction
				 ? ","
				 : "",
			 m->opts->acs_override_multifunction ? "multifunction" : "");
		if ((r = add_str(&p->notes, &p->n_notes, text)) < 0)
			return r;
	}
	return add_str(&p->notes, &p->n_notes,
		       "the firmware's DMAR or IVRS table can add DMA aliases (IVRS alias ranges) "
		       "that config space does not show");
}

static int load(struct model *m, struct vk_pci *pci)
{
	_cleanup_free_ char **addrs = NULL;
	_cleanup_free_ unsigned char *cfg = malloc(CFG_FULL);
	size_t n = 0;
	int r;

	if (!cfg)
		return -ENOMEM;
	r = vk_list_dir(m->ctx->rootfd, vk_rel(VK_PATH_PCI_DEVICES), &addrs, &n);
	if (r < 0)
		return add_error(m->out, vk_rel(VK_PATH_PCI_DEVICES), strerror(-r));
	m->n = calloc(n ? n : 1, sizeof(*m->n));
	if (!m->n)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct node *d = &m->n[m->len];
		char path[128];
		struct stat st;

		r = vk_pci_dev_read(pci, addrs[i], &d->dev);
		if (r == -EINVAL) {
			snprintf(path, sizeof(path), "%s/%s", vk_rel(VK_PATH_PCI_DEVICES),
				 addrs[i]);
			if ((r = add_error(m->out, path, "not a PCI address; skipped")) < 0)
				return r;
			continue;
		}
		if (r < 0)
			return r;
		m->len++;
		d->devfn = d->dev.a.dev << 3 | d->dev.a.func;
		if (d->dev.error &&
		    (r = add_error(m->out, d->dev.error, "its group is unknown")) < 0)
			return r;
		snprintf(path, sizeof(path), "%s/%s/config", vk_rel(VK_PATH_PCI_DEVICES),
			 d->dev.addr);
		d->cfg_size = fstatat(m->ctx->rootfd, path, &st, 0) == 0 ? (long)st.st_size : 0;
		memset(cfg, 0, CFG_FULL);
		d->cfg_read = d->dev.error ? 0 : vk_pci_config_read(pci, &d->dev, cfg, CFG_FULL);
		d->readable = d->cfg_read >= 64 &&
			      (d->cfg_read >= CFG_FULL || d->cfg_read >= d->cfg_size);
		d->unknown = !d->readable;
		if (d->readable)
			parse_config(d, cfg);
	}
	return 0;
}

int vk_predict(const struct vk_ctx *ctx, struct vk_pci *pci, const struct vk_predict_opts *opts,
	       struct vk_prediction *out)
{
	static const struct vk_predict_opts none;
	struct vk_predict_opts over_opts = { true, true };
	struct model m = { .ctx = ctx, .opts = opts ? opts : &none, .out = out };
	struct uf u = {}, over = {};
	const char *vendor;
	bool guess;
	int r;

	memset(out, 0, sizeof(*out));
	r = load(&m, pci);
	if (r < 0 || !m.len)
		goto out;
	/* Only the firmware's table, never the kernel's IOMMU state. */
	vendor = vk_iommu_vendor(ctx, &guess);
	m.ivrs = vendor && !guess && streq(vendor, "amd");
	read_cmdline(&m);
	vk_root_disk_addrs(ctx, &m.root);
	vk_route_nic_addrs(ctx, &m.nic);
	for (size_t i = 0; i < m.len; i++)
		m.n[i].parent = find_parent(&m, m.n[i].dev.addr);
	for (size_t i = 0; i < m.len; i++)
		alias_quirks(&m, &m.n[i]);
	for (size_t i = 0; i < m.len; i++)
		predict_acs(&m, &m.n[i]);
	/* A device whose path or slot holds an unreadable one is unknown too. */
	for (size_t i = 0; i < m.len; i++)
		for (size_t k = 0; k < m.len; k++) {
			const struct node *o = &m.n[k];
			bool above = false;

			for (int p = m.n[i].parent; p >= 0 && !above; p = m.n[p].parent)
				above = p == (int)k;
			if (!o->readable &&
			    (above || (same_bus(o, &m.n[i]) && o->dev.a.dev == m.n[i].dev.a.dev)))
				m.n[i].unknown = true;
		}
	u.up = calloc(m.len, sizeof(int));
	u.why = calloc(m.len, sizeof(char **));
	u.n_why = calloc(m.len, sizeof(size_t));
	over.up = calloc(m.len, sizeof(int));
	r = -ENOMEM;
	if (!u.up || !u.why || !u.n_why || !over.up)
		goto out;
	r = partition(&m, &u);
	if (r >= 0) {
		struct model mo = m;

		mo.opts = &over_opts;
		r = partition(&mo, &over);
	}
	if (r >= 0)
		r = assemble(&m, &u, &over);
	if (r >= 0)
		r = notes(&m);
out:
	for (size_t i = 0; i < m.len; i++) {
		vk_pci_dev_clear(&m.n[i].dev);
		free(m.n[i].config_acs_note);
		if (u.why)
			vk_strv_free(u.why[i], u.n_why[i]);
	}
	free(m.n);
	free(u.up);
	free(u.why);
	free(u.n_why);
	free(over.up);
	free(m.config_acs);
	free(m.disable_acs_redir);
	return r < 0 ? r : 0;
}

void vk_prediction_clear(struct vk_prediction *p)
{
	for (size_t i = 0; i < p->n_groups; i++) {
		struct vk_predict_group *g = &p->groups[i];

		for (size_t k = 0; k < g->g.n_devs; k++)
			vk_pci_dev_clear(&g->g.devs[k]);
		free(g->g.devs);
		vk_strv_free(g->reasons, g->n_reasons);
		vk_strv_free(g->depends, g->n_depends);
		vk_strv_free(g->changes, g->n_changes);
	}
	free(p->groups);
	vk_strv_free(p->notes, p->n_notes);
	vk_strv_free(p->errors, p->n_errors);
	memset(p, 0, sizeof(*p));
}
