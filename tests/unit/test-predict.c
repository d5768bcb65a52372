// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of src/pci/predict.c on a real machine's config spaces: the
 * lspci -xxxx dump tests/fixtures/lspci/asus-p6t6.txt (X58, ICH10R, an
 * NF200 switch) written back into a sysfs tree, as is and with ids or
 * bytes changed to make the kernel's quirks apply.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scratch.h"
#include "pci/predict.h"
#include "shared/macro.h"

#define MAX_DEVS 64

struct dump_dev {
	unsigned int bus, dev, fn;
	unsigned char cfg[4096];
	size_t len;
};

struct dump {
	struct dump_dev d[MAX_DEVS];
	size_t n;
};

static void load_dump(struct dump *dp)
{
	const char *top = getenv("TOP");
	char path[512], line[256];
	struct dump_dev *cur = NULL;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/tests/fixtures/lspci/asus-p6t6.txt", top ? top : ".");
	fp = fopen(path, "r");
	assert_non_null(fp);
	memset(dp, 0, sizeof(*dp));
	while (fgets(line, sizeof(line), fp)) {
		unsigned int b, d, f, off, v[16];
		int n;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%2x:%2x.%1x ", &b, &d, &f) == 3 && line[2] == ':' &&
		    line[5] == '.') {
			assert_true(dp->n < MAX_DEVS);
			cur = &dp->d[dp->n++];
			cur->bus = b, cur->dev = d, cur->fn = f;
			continue;
		}
		n = sscanf(line, "%x: %x %x %x %x %x %x %x %x %x %x %x %x %x %x %x %x", &off, &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10],
			   &v[11], &v[12], &v[13], &v[14], &v[15]);
		if (n != 17 || !cur)
			continue;
		assert_true(off + 16 <= sizeof(cur->cfg));
		for (int i = 0; i < 16; i++)
			cur->cfg[off + i] = (unsigned char)v[i];
		if (off + 16 > cur->len)
			cur->len = off + 16;
	}
	fclose(fp);
	assert_int_equal(dp->n, 53);
}

static struct dump_dev *find(struct dump *dp, unsigned int b, unsigned int d, unsigned int f)
{
	for (size_t i = 0; i < dp->n; i++)
		if (dp->d[i].bus == b && dp->d[i].dev == d && dp->d[i].fn == f)
			return &dp->d[i];
	fail_msg("%02x:%02x.%x is not in the dump", b, d, f);
	return NULL;
}

static void set16(struct dump_dev *d, unsigned int off, unsigned int v)
{
	d->cfg[off] = v & 0xff;
	d->cfg[off + 1] = (v >> 8) & 0xff;
}

static void set_id(struct dump *dp, unsigned int b, unsigned int d, unsigned int f,
		   unsigned int vendor, unsigned int device)
{
	struct dump_dev *x = find(dp, b, d, f);

	set16(x, 0, vendor);
	set16(x, 2, device);
}

/* "pci0000:00/0000:00:03.0/0000:02:00.0" for d: up through the bridges
 * whose secondary bus is d's bus. */
static void sysfs_dir(const struct dump *dp, const struct dump_dev *d, char *buf, size_t size)
{
	char up[1024] = "";

	for (size_t i = 0; i < dp->n; i++) {
		const struct dump_dev *b = &dp->d[i];

		if ((b->cfg[0x0e] & 0x7f) == 1 && b->cfg[0x19] == d->bus && d->bus != 0) {
			sysfs_dir(dp, b, up, sizeof(up));
			snprintf(buf, size, "%s/0000:%02x:%02x.%x", up, d->bus, d->dev, d->fn);
			return;
		}
	}
	snprintf(buf, size, "pci0000:%02x/0000:%02x:%02x.%x", d->bus, d->bus, d->dev, d->fn);
}

static void put_bin(const char *dir, const char *rel, const unsigned char *data, size_t len)
{
	char path[4096];
	FILE *fp;

	scratch_put(dir, rel, "");
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

/* Write the dump as sysfs under root (and a command line). */
static void write_tree(const struct dump *dp, const char *root, const char *cmdline)
{
	char rel[2048], dev[1024], text[64], link[2048];

	mkdir(root, 0755);
	for (size_t i = 0; i < dp->n; i++) {
		const struct dump_dev *d = &dp->d[i];
		const unsigned char *c = d->cfg;
		bool normal = (c[0x0e] & 0x7f) == 0;
		struct {
			const char *name;
			unsigned int v;
			int width;
		} files[] = {
			{ "vendor", c[0] | c[1] << 8, 4 },
			{ "device", c[2] | c[3] << 8, 4 },
			{ "class", (unsigned int)(c[0x0b] << 16 | c[0x0a] << 8 | c[0x09]), 6 },
			{ "revision", c[0x08], 2 },
			{ "subsystem_vendor", normal ? (unsigned int)(c[0x2c] | c[0x2d] << 8) : 0,
			  4 },
			{ "subsystem_device", normal ? (unsigned int)(c[0x2e] | c[0x2f] << 8) : 0,
			  4 },
		};

		sysfs_dir(dp, d, dev, sizeof(dev));
		for (size_t k = 0; k < ARRAY_SIZE(files); k++) {
			snprintf(rel, sizeof(rel), "sys/devices/%s/%s", dev, files[k].name);
			snprintf(text, sizeof(text), "0x%0*x\n", files[k].width, files[k].v);
			scratch_put(root, rel, text);
		}
		snprintf(rel, sizeof(rel), "sys/devices/%s/config", dev);
		put_bin(root, rel, c, d->len);
		snprintf(rel, sizeof(rel), "%s/sys/bus/pci/devices/0000:%02x:%02x.%x", root, d->bus,
			 d->dev, d->fn);
		snprintf(link, sizeof(link), "../../../devices/%s", dev);
		scratch_put(root, "sys/bus/pci/devices/.keep", "");
		assert_int_equal(symlink(link, rel), 0);
	}
	snprintf(rel, sizeof(rel), "%s/sys/bus/pci/devices/.keep", root);
	unlink(rel);
	scratch_put(root, "proc/cmdline", cmdline ? cmdline : "root=/dev/sda1\n");
}

struct run {
	char dir[256];
	struct vk_ctx ctx;
	struct vk_pci *pci;
	struct vk_prediction p;
};

static void predict(struct run *r, const struct dump *dp, const char *cmdline, bool ivrs)
{
	memset(r, 0, sizeof(*r));
	scratch_make(r->dir, sizeof(r->dir), "vk-predict");
	write_tree(dp, r->dir, cmdline);
	if (ivrs)
		scratch_put(r->dir, "sys/firmware/acpi/tables/IVRS", "IVRS");
	assert_int_equal(vk_ctx_open(&r->ctx, r->dir), 0);
	assert_int_equal(vk_pci_new(&r->ctx, &r->pci), 0);
	assert_int_equal(vk_predict(&r->ctx, r->pci, NULL, &r->p), 0);
	assert_int_equal(r->p.n_errors, 0);
}

static void done(struct run *r)
{
	vk_prediction_clear(&r->p);
	vk_pci_free(r->pci);
	vk_ctx_close(&r->ctx);
	scratch_remove(r->dir);
}

static const struct vk_predict_group *group_of(const struct run *r, const char *addr)
{
	for (size_t i = 0; i < r->p.n_groups; i++)
		for (size_t k = 0; k < r->p.groups[i].g.n_devs; k++)
			if (!strcmp(r->p.groups[i].g.devs[k].addr, addr))
				return &r->p.groups[i];
	fail_msg("%s is in no predicted group", addr);
	return NULL;
}

static bool together(const struct run *r, const char *a, const char *b)
{
	return group_of(r, a) == group_of(r, b);
}

/* Does a line of list (n) hold needle? */
static bool any_has(char *const *list, size_t n, const char *needle)
{
	for (size_t i = 0; i < n; i++)
		if (strstr(list[i], needle))
			return true;
	return false;
}

/* The machine as captured: the X58's root ports have ACS (capability 0x1f,
 * control left at 0 by the firmware: the kernel enables it), the ICH10's
 * have none, multifunction chipset devices without ACS stay together. */
static void asus_p6t6(void **state)
{
	static struct dump dp;
	struct run r;
	const struct vk_predict_group *g;

	load_dump(&dp);
	predict(&r, &dp, NULL, false);
	/* Root ports of the X58 with ACS: each alone, below them the switch. */
	assert_false(together(&r, "0000:00:01.0", "0000:00:03.0"));
	assert_false(together(&r, "0000:00:03.0", "0000:02:00.0"));
	/* The ICH10's root ports: no ACS, one multifunction slot, with the
	 * NICs below them. */
	g = group_of(&r, "0000:00:1c.0");
	assert_true(together(&r, "0000:00:1c.0", "0000:00:1c.1"));
	assert_true(together(&r, "0000:00:1c.0", "0000:00:1c.2"));
	assert_true(together(&r, "0000:00:1c.0", "0000:07:00.0"));
	assert_true(together(&r, "0000:00:1c.0", "0000:08:00.0"));
	assert_int_equal(g->g.n_devs, 5);
	assert_true(any_has(g->reasons, g->n_reasons, "has no ACS capability"));
	assert_true(any_has(g->reasons, g->n_reasons, "multifunction device without ACS"));
	assert_true(any_has(g->changes, g->n_changes, "pcie_acs_override"));
	assert_true(any_has(g->changes, g->n_changes, "0000:00:01.0"));
	/* The GPU and its audio function: one device without ACS. */
	assert_true(together(&r, "0000:06:00.0", "0000:06:00.1"));
	assert_int_equal(group_of(&r, "0000:06:00.0")->g.n_devs, 2);
	/* Chipset functions of one slot share; separate slots do not. */
	assert_true(together(&r, "0000:00:1a.0", "0000:00:1a.7"));
	assert_false(together(&r, "0000:00:1a.0", "0000:00:1d.0"));
	assert_true(together(&r, "0000:00:1f.0", "0000:00:1f.3"));
	/* The second root bus (ff) holds the CPU's uncore functions. */
	assert_true(together(&r, "0000:ff:03.0", "0000:ff:03.4"));
	assert_false(together(&r, "0000:ff:03.0", "0000:ff:04.0"));
	assert_false(r.p.unknown);
	done(&r);
}

/* pci=config_acs= starts from the firmware's bits: clearing RR on a port
 * whose firmware left ACS off takes its isolation away. */
static void config_acs(void **state)
{
	static struct dump dp;
	struct run r;
	const struct vk_predict_group *g;

	load_dump(&dp);
	predict(&r, &dp, "quiet pci=noaer,config_acs=xx0xx@0000:00:03.0\n", false);
	g = group_of(&r, "0000:00:03.0");
	assert_true(together(&r, "0000:00:03.0", "0000:02:00.0"));
	assert_true(together(&r, "0000:00:03.0", "0000:04:00.0"));
	assert_true(any_has(g->reasons, g->n_reasons, "would not have SV,RR,CR,UF enabled"));
	assert_true(any_has(r.p.notes, r.p.n_notes, "config_acs=xx0xx@0000:00:03.0"));
	assert_false(together(&r, "0000:00:01.0", "0000:00:03.0"));
	done(&r);
	/* "11111" sets them all whatever the firmware did. */
	predict(&r, &dp, "pci=config_acs=11111@0000:00:03.0\n", false);
	assert_false(together(&r, "0000:00:03.0", "0000:02:00.0"));
	done(&r);
}

/* Intel PCH root ports have no ACS capability; the kernel isolates them
 * through the chipset once its RCBA (LPC function 1f.0, register 0xf0) is
 * enabled. The ICH10 is not on the list: give its ports Ibex Peak ids. */
static void intel_pch_quirk(void **state)
{
	static struct dump dp;
	struct run r;

	load_dump(&dp);
	set_id(&dp, 0, 0x1c, 0, 0x8086, 0x3b42);
	set_id(&dp, 0, 0x1c, 1, 0x8086, 0x3b44);
	set_id(&dp, 0, 0x1c, 2, 0x8086, 0x3b46);
	predict(&r, &dp, NULL, false);
	assert_false(together(&r, "0000:00:1c.0", "0000:00:1c.1"));
	assert_false(together(&r, "0000:00:1c.0", "0000:07:00.0"));
	assert_false(together(&r, "0000:07:00.0", "0000:08:00.0"));
	done(&r);
	/* RCBA off: the workaround fails and the ports are not isolated. */
	find(&dp, 0, 0x1f, 0)->cfg[0xf0] &= ~1u;
	predict(&r, &dp, NULL, false);
	assert_true(together(&r, "0000:00:1c.0", "0000:08:00.0"));
	assert_true(any_has(group_of(&r, "0000:00:1c.0")->reasons,
			    group_of(&r, "0000:00:1c.0")->n_reasons, "RCBA"));
	done(&r);
}

/* Multifunction endpoints the vendor vouches for (I350 NICs) are isolated
 * without an ACS capability. */
static void mf_endpoint_quirk(void **state)
{
	static struct dump dp;
	struct run r;

	load_dump(&dp);
	set_id(&dp, 6, 0, 0, 0x8086, 0x1521);
	set_id(&dp, 6, 0, 1, 0x8086, 0x1521);
	predict(&r, &dp, NULL, false);
	assert_false(together(&r, "0000:06:00.0", "0000:06:00.1"));
	done(&r);
	/* A neighbouring id that is not on the list. */
	set_id(&dp, 6, 0, 0, 0x8086, 0x1520);
	set_id(&dp, 6, 0, 1, 0x8086, 0x1520);
	predict(&r, &dp, NULL, false);
	assert_true(together(&r, "0000:06:00.0", "0000:06:00.1"));
	done(&r);
}

/* AMD southbridge functions are isolated only when the firmware has an
 * IVRS table (the AMD IOMMU). */
static void amd_sb_quirk(void **state)
{
	static struct dump dp;
	struct run r;

	load_dump(&dp);
	set_id(&dp, 0, 0x1a, 0, 0x1002, 0x4399);
	set_id(&dp, 0, 0x1a, 1, 0x1002, 0x4399);
	set_id(&dp, 0, 0x1a, 2, 0x1002, 0x4399);
	set_id(&dp, 0, 0x1a, 7, 0x1002, 0x4399);
	predict(&r, &dp, NULL, true);
	assert_false(together(&r, "0000:00:1a.0", "0000:00:1a.1"));
	done(&r);
	predict(&r, &dp, NULL, false);
	assert_true(together(&r, "0000:00:1a.0", "0000:00:1a.1"));
	done(&r);
}

/* A fixed DMA alias (Adaptec 3405, subsystem 9005:02bb, DMAs as 01.0):
 * the device at 00:00.0 joins the root port at 00:01.0; with another
 * subsystem the quirk does not apply. */
static void dma_alias_quirk(void **state)
{
	static struct dump dp;
	struct dump_dev *host;
	struct run r;

	load_dump(&dp);
	host = find(&dp, 0, 0, 0);
	set_id(&dp, 0, 0, 0, 0x9005, 0x0285);
	set16(host, 0x2c, 0x9005);
	set16(host, 0x2e, 0x02bb);
	predict(&r, &dp, NULL, false);
	assert_true(together(&r, "0000:00:00.0", "0000:00:01.0"));
	assert_true(any_has(group_of(&r, "0000:00:00.0")->reasons,
			    group_of(&r, "0000:00:00.0")->n_reasons, "DMA aliases"));
	done(&r);
	set16(host, 0x2e, 0x02bd);
	predict(&r, &dp, NULL, false);
	assert_false(together(&r, "0000:00:00.0", "0000:00:01.0"));
	done(&r);
}

/* Without the ACS capability in the extended config space (a 256-byte
 * config file, as without MMCONFIG) the X58 ports isolate nothing. */
static void no_extended_config(void **state)
{
	static struct dump dp;
	struct run r;

	load_dump(&dp);
	find(&dp, 0, 3, 0)->len = 256;
	predict(&r, &dp, NULL, false);
	assert_true(together(&r, "0000:00:03.0", "0000:04:00.0"));
	assert_true(any_has(group_of(&r, "0000:00:03.0")->reasons,
			    group_of(&r, "0000:00:03.0")->n_reasons,
			    "extended config space cannot be read"));
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(asus_p6t6),	      cmocka_unit_test(config_acs),
		cmocka_unit_test(intel_pch_quirk),    cmocka_unit_test(mf_endpoint_quirk),
		cmocka_unit_test(amd_sb_quirk),	      cmocka_unit_test(dma_alias_quirk),
		cmocka_unit_test(no_extended_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
