// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of src/modules: the kernel's choice, libkmod's view of
 * modprobe.d (the file modules write renders, read back by libkmod), the
 * claim verdict, the genkernel edit and the initramfs reader. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "modules/check.h"
#include "modules/conf.h"
#include "modules/initramfs.h"
#include "modules/kernel.h"
#include "modules/kmod.h"
#include "modules/plan.h"
#include "modules/report.h"
#include "shared/paths.h"
#include "shared/ctx.h"
#include "shared/macro.h"
#include "scratch.h"

/* ---- a scratch root -------------------------------------------------------- */

struct root {
	char dir[PATH_MAX];
	struct vk_ctx ctx;
};

static void put(struct root *r, const char *rel, const char *text)
{
	scratch_put(r->dir, rel, text);
}

static void root_open(struct root *r)
{
	scratch_make(r->dir, sizeof(r->dir), "vfiokit-modules");
	r->ctx.rootfd = -1;
	assert_int_equal(vk_ctx_open(&r->ctx, r->dir), 0);
}

static void root_close(struct root *r)
{
	vk_ctx_close(&r->ctx);
	scratch_remove(r->dir);
}

/* ---- names and command lines --------------------------------------------- */

static void modnames(void **state)
{
	char buf[32];

	vk_modname_normalize("vfio-pci-core", buf, sizeof(buf));
	assert_string_equal(buf, "vfio_pci_core");
	assert_true(vk_modname_eq("vfio-pci", "vfio_pci"));
	assert_false(vk_modname_eq("vfio_pci", "vfio_pci_core"));
}

static void kcmdline(void **state)
{
	struct vk_kcmdline k;

	assert_int_equal(vk_kcmdline_parse("BOOT_IMAGE=/vmlinuz random.trust_cpu=1 quiet "
					   "modprobe.blacklist=nouveau,snd-hda-intel "
					   "vfio-pci.ids=10de:1c03 x.y\n",
					   &k),
			 0);
	assert_int_equal(k.n_opts, 2);
	assert_string_equal(k.opt_mod[0], "random");
	assert_string_equal(k.opt_val[0], "trust_cpu=1");
	assert_string_equal(k.opt_mod[1], "vfio_pci");
	assert_string_equal(k.opt_val[1], "ids=10de:1c03");
	assert_int_equal(k.n_blacklist, 2);
	assert_string_equal(k.blacklist[1], "snd-hda-intel");
	vk_kcmdline_clear(&k);
}

static void ids(void **state)
{
	_cleanup_free_ char *a = vk_options_ids("disable_vga=1 ids=10de:1c03,10de:10f1");
	_cleanup_free_ char *b = vk_options_ids("ids=1:2 ids=\"10de:1c03\"");
	_cleanup_free_ char *c = vk_options_ids("disable_vga=1");

	assert_string_equal(a, "10de:1c03,10de:10f1");
	assert_string_equal(b, "10de:1c03");
	assert_null(c);
	assert_true(vk_ids_match(a, 0x10de, 0x10f1));
	assert_false(vk_ids_match(a, 0x10de, 0x1c02));
	assert_true(vk_ids_match("8086:10d3:ffffffff:ffffffff", 0x8086, 0x10d3));
	assert_false(vk_ids_match("junk", 0x8086, 0x10d3));
}

static void cmdline_options(void **state)
{
	const char *text = "quiet vfio_pci.ids=10de:1c03 kvm.ignore_msrs=1 "
			   "modprobe.blacklist=nouveau -- vfio-pci.ids=1:2";
	struct vk_cmdline *cl = NULL;
	_cleanup_free_ char *o = NULL, *k = NULL;

	assert_int_equal(vk_cmdline_parse(text, strlen(text), &cl), 0);
	o = vk_cmdline_module_options(cl, "vfio-pci");
	k = vk_cmdline_module_options(cl, "kvm");
	assert_string_equal(o, "ids=10de:1c03");
	assert_string_equal(k, "ignore_msrs=1");
	assert_true(vk_cmdline_module_blacklisted(cl, "nouveau"));
	assert_false(vk_cmdline_module_blacklisted(cl, "amdgpu"));
	vk_cmdline_free(cl);
}

static void needed(void **state)
{
	struct vk_modreq q[32];
	size_t n61 = vk_modules_needed("6.1.0-56-amd64", "intel", q, 32), n612;
	bool virqfd = false, amd = false;

	for (size_t i = 0; i < n61; i++) {
		virqfd |= streq(q[i].name, "vfio_virqfd");
		amd |= streq(q[i].name, "kvm_amd");
	}
	assert_true(virqfd);
	assert_false(amd);
	n612 = vk_modules_needed("6.12.117+deb12-amd64", NULL, q, 32);
	virqfd = amd = false;
	for (size_t i = 0; i < n612; i++) {
		virqfd |= streq(q[i].name, "vfio_virqfd");
		amd |= streq(q[i].name, "kvm_amd") && q[i].need == VK_NEED_RECOMMENDED;
	}
	assert_false(virqfd);
	assert_true(amd);
	assert_true(vk_kver_at_least("6.2.0", 6, 2));
	assert_false(vk_kver_at_least("5.15.1", 6, 2));
}

/* ---- the kernel about to boot -------------------------------------------- */

static void kver_choice(void **state)
{
	struct root r;
	char kver[VK_KVER_MAX], why[512];

	root_open(&r);
	assert_int_equal(vk_kver_choose(&r.ctx, NULL, kver, sizeof(kver), why, sizeof(why)),
			 -ENOENT);
	put(&r, "lib/modules/6.1.0-1/modules.dep", "");
	put(&r, "lib/modules/6.12.3/modules.dep", "");
	put(&r, "lib/modules/6.9.0/modules.dep", "");
	assert_int_equal(vk_kver_choose(&r.ctx, NULL, kver, sizeof(kver), why, sizeof(why)), 0);
	assert_string_equal(kver, "6.12.3");
	assert_non_null(strstr(why, "newest of 3"));
	put(&r, "proc/sys/kernel/osrelease", "6.1.0-1\n");
	assert_int_equal(vk_kver_choose(&r.ctx, NULL, kver, sizeof(kver), why, sizeof(why)), 0);
	assert_string_equal(kver, "6.1.0-1");
	assert_non_null(strstr(why, "running kernel"));
	put(&r, "usr/src/linux/include/config/kernel.release", "6.9.0\n");
	assert_int_equal(vk_kver_choose(&r.ctx, NULL, kver, sizeof(kver), why, sizeof(why)), 0);
	assert_string_equal(kver, "6.9.0");
	assert_non_null(strstr(why, "about to boot"));
	assert_int_equal(vk_kver_choose(&r.ctx, "6.12.3", kver, sizeof(kver), why, sizeof(why)), 0);
	assert_int_equal(vk_kver_choose(&r.ctx, "../x", kver, sizeof(kver), why, sizeof(why)),
			 -ENOENT);
	root_close(&r);
}

/* ---- libkmod on modprobe.d --------------------------------------------------- */

static void render_override(void **state)
{
	const char *soft[] = { "e1000e" }, *ov[] = { "0000:00:03.0", "0000:00:04.0" };
	struct vk_modconf c = {
		.softdeps = soft, .n_softdeps = 1, .overrides = ov, .n_overrides = 2
	};
	_cleanup_free_ char *text = vk_modprobe_conf_render(&c);
	struct vk_kmod *km = NULL;
	struct root r;

	assert_non_null(text);
	assert_null(strstr(text, "options vfio-pci"));
	assert_non_null(strstr(text, "softdep e1000e pre: vfio-pci\n"));
	assert_non_null(strstr(
		text,
		"\ninstall vfio-pci r=; read -r c </proc/cmdline; for a in $c; do "
		"case $a in module_blacklist=*vfio_pci | module_blacklist=*vfio_pci,*) "
		"r=1;; esac; done; [ -n \"$r\" ] || for d in 0000:00:03.0 0000:00:04.0; do echo "
		"vfio-pci > /sys/bus/pci/devices/$d/driver_override; done; "
		"/sbin/modprobe --ignore-install vfio-pci $CMDLINE_OPTS\n"));
	/* libkmod takes the file without a complaint. */
	root_open(&r);
	put(&r, "lib/modules/6.12.3/modules.dep", "");
	put(&r, "etc/modprobe.d/vfiokit.conf", text);
	assert_int_equal(vk_kmod_open(&r.ctx, "6.12.3", &km), 0);
	assert_int_equal(vk_kmod_n_msgs(km), 0);
	vk_kmod_free(km);
	root_close(&r);
}

static void render_and_read_back(void **state)
{
	const char *idv[] = { "10de:1c03", "10de:10f1" };
	const char *soft[] = { "nouveau", "snd_hda_intel" };
	struct vk_modconf c = { .ids = idv,
				.n_ids = 2,
				.softdeps = soft,
				.n_softdeps = 2,
				.ignore_msrs = true,
				.kver = "6.12.3" };
	_cleanup_free_ char *text = vk_modprobe_conf_render(&c);
	_cleanup_free_ char *dracut = vk_dracut_conf_render(&c, "/etc/modprobe.d/vfiokit.conf");
	_cleanup_free_ char *o = NULL, *k = NULL;
	struct vk_kmod *km = NULL;
	struct root r;

	assert_non_null(text);
	/* The header names the program, not one command: plan/apply write it too. */
	assert_true(!strncmp(text, "# VFIO passthrough, written by vfiokit.\n", 40));
	assert_true(!strncmp(dracut, "# VFIO passthrough, written by vfiokit.\n", 40));
	assert_non_null(strstr(text, "\noptions vfio-pci ids=10de:1c03,10de:10f1\n"
				     "softdep nouveau pre: vfio-pci\n"
				     "softdep snd_hda_intel pre: vfio-pci\n"
				     "options kvm ignore_msrs=1\n"));
	assert_non_null(strstr(dracut, "force_drivers+=\" vfio vfio_iommu_type1 vfio_pci \"\n"));
	assert_non_null(strstr(dracut, "install_items+=\" /etc/modprobe.d/vfiokit.conf \"\n"));

	root_open(&r);
	put(&r, "lib/modules/6.12.3/modules.dep", "");
	put(&r, "etc/modprobe.d/vfiokit.conf", text);
	assert_int_equal(vk_kmod_open(&r.ctx, "6.12.3", &km), 0);
	assert_int_equal(vk_kmod_n_msgs(km), 0);
	o = vk_kmod_conf_options(km, "vfio_pci");
	k = vk_kmod_conf_options(km, "kvm");
	assert_string_equal(o, "ids=10de:1c03,10de:10f1");
	assert_string_equal(k, "ignore_msrs=1");
	assert_true(vk_kmod_conf_softdep_pre(km, "nouveau", "vfio_pci"));
	assert_true(vk_kmod_conf_softdep_pre(km, "snd-hda-intel", "vfio-pci"));
	assert_false(vk_kmod_conf_softdep_pre(km, "amdgpu", "vfio_pci"));
	vk_kmod_free(km);
	root_close(&r);
}

static void bad_lines(void **state)
{
	struct vk_kmod *km = NULL;
	const struct vk_kmod_msg *m;
	struct root r;

	root_open(&r);
	assert_int_equal(vk_kmod_open(&r.ctx, "1.0", &km), -ENOENT);
	put(&r, "lib/modules/1.0/modules.order", "");
	assert_int_equal(vk_kmod_open(&r.ctx, "1.0", &km), -ENODATA);
	put(&r, "lib/modules/1.0/modules.dep", "");
	put(&r, "lib/modprobe.d/50-bad.conf", "blacklist nouveau\nsoftdep\n\nfrob x\n");
	put(&r, "lib/modules/1.0/modules.builtin", "kernel/drivers/vfio/pci/vfio-pci.ko\n");
	assert_int_equal(vk_kmod_open(&r.ctx, "1.0", &km), 0);
	assert_int_equal(vk_kmod_n_msgs(km), 2);
	m = vk_kmod_msg(km, 0);
	assert_string_equal(m->file, "/lib/modprobe.d/50-bad.conf");
	assert_int_equal(m->line, 2);
	assert_string_equal(m->text, "ignoring bad line starting with 'softdep'");
	m = vk_kmod_msg(km, 1);
	assert_int_equal(m->line, 4);
	assert_true(vk_kmod_conf_blacklisted(km, "nouveau"));
	assert_true(vk_kmod_is_builtin(km, "vfio-pci"));
	assert_false(vk_kmod_is_builtin(km, "vfio"));
	vk_kmod_free(km);
	root_close(&r);
}

/* The lines libkmod rejects, found by its rules: in its file order (by
 * name, an earlier directory hiding a later one's file of the same name),
 * joined lines counted to their last line. */
static void bad_lines_rules(void **state)
{
	struct vk_kmod *km = NULL;
	struct root r;

	root_open(&r);
	put(&r, "lib/modules/1.0/modules.dep", "");
	put(&r, "etc/modprobe.d/b.conf",
	    "options a \\\n  x=1\nfrob \\\n y\n#x \\\nfoo\n  # indented\n\t\n"
	    "alias a[b] c\nalias a] c\noptions a\nsoftdep a pre: b\n  blacklist x\n");
	put(&r, "lib/modprobe.d/b.conf", "hidden\n");
	put(&r, "lib/modprobe.d/a.conf", "first\n");
	put(&r, "run/modprobe.d/c.txt", "not a conf file\n");
	assert_int_equal(vk_kmod_open(&r.ctx, "1.0", &km), 0);
	assert_int_equal(vk_kmod_n_msgs(km), 5);
	assert_string_equal(vk_kmod_msg(km, 0)->file, "/lib/modprobe.d/a.conf");
	assert_string_equal(vk_kmod_msg(km, 0)->text, "ignoring bad line starting with 'first'");
	assert_string_equal(vk_kmod_msg(km, 1)->file, "/etc/modprobe.d/b.conf");
	assert_int_equal(vk_kmod_msg(km, 1)->line, 4);
	assert_string_equal(vk_kmod_msg(km, 1)->text, "ignoring bad line starting with 'frob'");
	assert_int_equal(vk_kmod_msg(km, 2)->line, 7);
	assert_string_equal(vk_kmod_msg(km, 2)->text, "ignoring bad line starting with '#'");
	assert_int_equal(vk_kmod_msg(km, 3)->line, 10);
	assert_int_equal(vk_kmod_msg(km, 4)->line, 11);
	assert_string_equal(vk_kmod_msg(km, 4)->text, "ignoring bad line starting with 'options'");
	/* The good lines reach libkmod all the same. */
	assert_true(vk_kmod_conf_blacklisted(km, "x"));
	vk_kmod_free(km);
	root_close(&r);
}

/* ---- the plan of modules write ------------------------------------------- */

/* A root with kernel 6.12.3 (nouveau built in, vfio-pci missing), two
 * GPUs of one model and a third device; modprobe.d maps the GPUs'
 * modalias to nouveau. */
static void plan_root(struct root *r)
{
	static const char *const gpus[] = { "0000:01:00.0", "0000:02:00.0" };
	char path[128];

	root_open(r);
	put(r, "lib/modules/6.12.3/modules.dep", "");
	put(r, "lib/modules/6.12.3/modules.builtin", "kernel/drivers/gpu/drm/nouveau/nouveau.ko\n");
	put(r, "etc/modprobe.d/gpu.conf", "alias pci:v000010DEd00001C03sv*sd*bc*sc*i* nouveau\n");
	for (size_t i = 0; i < ARRAY_SIZE(gpus); i++) {
		snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/vendor", gpus[i]);
		put(r, path, "0x10de\n");
		snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/device", gpus[i]);
		put(r, path, "0x1c03\n");
		snprintf(path, sizeof(path), "sys/bus/pci/devices/%s/modalias", gpus[i]);
		put(r, path, "pci:v000010DEd00001C03sv00001043sd000085BFbc03sc00i00\n");
	}
	put(r, "sys/bus/pci/devices/0000:03:00.0/vendor", "0x8086\n");
	put(r, "sys/bus/pci/devices/0000:03:00.0/device", "0x10d3\n");
	put(r, "sys/bus/pci/devices/0000:03:00.0/modalias",
	    "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00\n");
}

static size_t count_notes(const struct vk_notes *n, enum vk_note_kind kind, const char *part)
{
	size_t count = 0;

	for (size_t i = 0; i < n->n; i++)
		count += n->v[i].kind == kind && strstr(n->v[i].text, part);
	return count;
}

/* By id: both GPUs, one id; no dracut, no genkernel.conf: modprobe.d only. */
static void plan_ids(void **state)
{
	const char *dev[] = { "10de:1c03", "8086:10d3" };
	struct vk_modules_req q = { .kver = "6.12.3", .devices = dev, .n_devices = 2 };
	struct vk_modules_plan p = {};
	const struct vk_change *ch;
	struct root r;

	plan_root(&r);
	assert_int_equal(vk_modules_plan(&r.ctx, &q, &p), 0);
	assert_string_equal(p.kver, "6.12.3");
	assert_int_equal(p.changes.n, 1);
	ch = &p.changes.v[0];
	assert_string_equal(ch->f.path, VK_PATH_MODPROBE_VFIOKIT);
	assert_false(ch->f.exists);
	assert_false(ch->host);
	assert_string_equal(ch->shown + strlen(r.dir), VK_PATH_MODPROBE_VFIOKIT);
	assert_non_null(strstr(ch->text, "\noptions vfio-pci ids=10de:1c03,8086:10d3\n"));
	assert_null(strstr(ch->text, "driver_override"));
	assert_null(strstr(ch->text, "ignore_msrs"));
	assert_int_equal(vk_changes_count(&p.changes), 1);
	assert_null(p.genkernel_doload);
	/* nouveau is built in (once per GPU), vfio-pci missing: warnings only. */
	assert_int_equal(count_notes(&p.notes, VK_NOTE_WARN, "nouveau is built into 6.12.3"), 2);
	assert_int_equal(count_notes(&p.notes, VK_NOTE_WARN, "vfio-pci is not in 6.12.3"), 1);
	assert_int_equal(count_notes(&p.notes, VK_NOTE_ERROR, ""), 0);
	vk_modules_plan_clear(&p);
	root_close(&r);
}

/* An override alone (not in devices): its id stays out of ids=; dracut and
 * genkernel.conf get their files; planned again after writing, nothing
 * changes. */
static void plan_override_dracut_genkernel(void **state)
{
	const char *ov[] = { "0000:02:00.0" };
	struct vk_modules_req q = {
		.kver = "6.12.3", .overrides = ov, .n_overrides = 1, .ignore_msrs = true
	};
	struct vk_modules_plan p = {};
	struct root r;

	plan_root(&r);
	put(&r, "usr/lib/dracut/dracut-version.sh", "");
	put(&r, "etc/genkernel.conf", "# genkernel\nMAKEOPTS=\"-j2\"\n");
	assert_int_equal(vk_modules_plan(&r.ctx, &q, &p), 0);
	assert_int_equal(p.changes.n, 3);
	assert_string_equal(p.changes.v[0].f.path, VK_PATH_MODPROBE_VFIOKIT);
	assert_null(strstr(p.changes.v[0].text, "ids="));
	assert_non_null(strstr(p.changes.v[0].text, "for d in 0000:02:00.0; do"));
	assert_non_null(strstr(p.changes.v[0].text, "\noptions kvm ignore_msrs=1\n"));
	assert_string_equal(p.changes.v[1].f.path, VK_PATH_DRACUT_VFIOKIT);
	assert_non_null(strstr(p.changes.v[1].text, "force_drivers+="));
	/* No VFIO module is a file of this kernel: genkernel.conf is read (and
	 * would be refused if bad) but needs no AMODULES_vfio, nor doload=. */
	assert_string_equal(p.changes.v[2].f.path, VK_PATH_GENKERNEL_CONF);
	assert_true(p.changes.v[2].f.exists);
	assert_true(vk_change_same(&p.changes.v[2]));
	assert_int_equal(vk_changes_count(&p.changes), 2);
	assert_null(p.genkernel_doload);
	assert_int_equal(count_notes(&p.notes, VK_NOTE_NOTICE, "needs no AMODULES_vfio"), 1);

	/* Written: every file is planned again, up to date. */
	put(&r, "etc/modprobe.d/vfiokit.conf", p.changes.v[0].text);
	put(&r, "etc/dracut.conf.d/vfiokit.conf", p.changes.v[1].text);
	put(&r, "etc/genkernel.conf", p.changes.v[2].text);
	vk_modules_plan_clear(&p);
	memset(&p, 0, sizeof(p));
	assert_int_equal(vk_modules_plan(&r.ctx, &q, &p), 0);
	assert_int_equal(p.changes.n, 3);
	assert_int_equal(vk_changes_count(&p.changes), 0);
	assert_true(vk_change_same(&p.changes.v[2]));
	vk_modules_plan_clear(&p);
	root_close(&r);
}

/* A NUL byte in genkernel.conf is refused before anything is written,
 * with the file and line; UTF-8, tabs and CR are kept byte for byte. */
static void plan_genkernel_nul(void **state)
{
	static const char nul[] = "X=\0\nAMODULES_vfio=\"vfio\"\n";
	const char *ov[] = { "0000:02:00.0" };
	struct vk_modules_req q = { .kver = "6.12.3", .overrides = ov, .n_overrides = 1 };
	struct vk_modules_plan p = {};
	struct root r;
	char *path;
	FILE *fp;

	plan_root(&r);
	put(&r, "etc/genkernel.conf", "");
	assert_true(asprintf(&path, "%s/etc/genkernel.conf", r.dir) > 0);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fwrite(nul, 1, sizeof(nul) - 1, fp), sizeof(nul) - 1);
	fclose(fp);
	free(path);
	assert_int_equal(vk_modules_plan(&r.ctx, &q, &p), -EILSEQ);
	assert_int_equal(p.changes.n, 0);
	assert_true(p.notes.n > 0);
	assert_int_equal(p.notes.v[p.notes.n - 1].kind, VK_NOTE_ERROR);
	assert_non_null(strstr(p.notes.v[p.notes.n - 1].text, "etc/genkernel.conf:1: a NUL byte"));
	vk_modules_plan_clear(&p);
	memset(&p, 0, sizeof(p));

	put(&r, "etc/genkernel.conf", "# gr\xc3\xbc\xc3\x9f\r\nMAKEOPTS=\"-j2\"\t# tab\r\n");
	assert_int_equal(vk_modules_plan(&r.ctx, &q, &p), 0);
	assert_int_equal(p.changes.n, 2);
	assert_non_null(
		strstr(p.changes.v[1].text, "# gr\xc3\xbc\xc3\x9f\r\nMAKEOPTS=\"-j2\"\t# tab\r\n"));
	vk_modules_plan_clear(&p);
	root_close(&r);
}

/* Overrides in devices too (as the command passes them) give the same
 * plan as an override alone; the other GPU's id goes to ids=. */
static void plan_override_in_devices(void **state)
{
	const char *dev[] = { "0000:01:00.0", "0000:02:00.0" }, *ov[] = { "0000:02:00.0" };
	struct vk_modules_req q = {
		.kver = "6.12.3", .devices = dev, .n_devices = 2, .overrides = ov, .n_overrides = 1
	};
	struct vk_modules_plan p = {};
	struct root r;

	plan_root(&r);
	assert_int_equal(vk_modules_plan(&r.ctx, &q, &p), 0);
	assert_int_equal(p.changes.n, 1);
	/* An address claims that function only: no id, which would take a twin. */
	assert_null(strstr(p.changes.v[0].text, "options vfio-pci ids="));
	assert_non_null(strstr(p.changes.v[0].text, "for d in 0000:02:00.0 0000:01:00.0; do"));
	/* Each device resolved once: one warning per GPU. */
	assert_int_equal(count_notes(&p.notes, VK_NOTE_WARN, "nouveau is built into"), 2);
	vk_modules_plan_clear(&p);
	root_close(&r);
}

/* A device that matches nothing, a kernel that is not there, a bad
 * modprobe.d line: an error note, a distinct code and no changes. */
static void plan_failures(void **state)
{
	const char *dev[] = { "1234:5678", "10de:1c03" };
	struct vk_modules_req q = { .kver = "6.12.3", .devices = dev, .n_devices = 2 };
	struct vk_modules_plan p = {};
	struct root r;

	plan_root(&r);
	assert_int_equal(vk_modules_plan(&r.ctx, &q, &p), -ENXIO);
	assert_int_equal(
		count_notes(&p.notes, VK_NOTE_ERROR, "no device matches --device 1234:5678"), 1);
	assert_int_equal(p.changes.n, 0);
	vk_modules_plan_clear(&p);

	memset(&p, 0, sizeof(p));
	q.devices = dev + 1;
	q.n_devices = 1;
	q.kver = "6.99";
	assert_true(vk_modules_plan(&r.ctx, &q, &p) < 0);
	assert_int_equal(count_notes(&p.notes, VK_NOTE_ERROR, "6.99"), 1);
	assert_int_equal(p.changes.n, 0);
	vk_modules_plan_clear(&p);

	memset(&p, 0, sizeof(p));
	q.kver = "6.12.3";
	put(&r, "etc/modprobe.d/bad.conf", "options\n");
	assert_int_equal(vk_modules_plan(&r.ctx, &q, &p), -EBADMSG);
	assert_int_equal(count_notes(&p.notes, VK_NOTE_ERROR, "/etc/modprobe.d/bad.conf:1: "), 1);
	assert_int_equal(count_notes(&p.notes, VK_NOTE_ERROR, "nothing written"), 1);
	assert_int_equal(p.changes.n, 0);
	vk_modules_plan_clear(&p);
	root_close(&r);
}

/* What check gathers: the devices and who claims them. */
static void report_gather(void **state)
{
	const char *dev[] = { "10de:1c03",
			      "pci:v00008086d000010D3sv00008086sd0000A01Fbc02sc00i00" };
	struct vk_modreport_req q = {
		.kver = "6.12.3", .devices = dev, .n_devices = 2, .no_initramfs = true
	};
	struct vk_modreport rep = {};
	struct vk_notes notes = {};
	struct root r;

	plan_root(&r);
	assert_int_equal(vk_modreport_gather(&r.ctx, &q, &rep, &notes), 0);
	assert_int_equal(notes.n, 0);
	assert_string_equal(rep.kver, "6.12.3");
	assert_int_equal(rep.n_devs, 3);
	assert_string_equal(rep.dr[0].dev.addr, "0000:01:00.0");
	assert_string_equal(rep.dr[1].dev.addr, "0000:02:00.0");
	assert_string_equal(rep.dr[2].dev.addr, "");
	assert_string_equal(rep.dr[2].id, "8086:10d3");
	assert_int_equal(rep.dr[0].n_drv, 1);
	assert_string_equal(rep.dr[0].drv[0].name, "nouveau");
	assert_int_equal(rep.dr[0].drv[0].state, VK_MOD_BUILTIN);
	assert_int_equal(rep.dr[2].n_drv, 0);
	assert_non_null(vk_modreport_module(&rep, "vfio-pci"));
	assert_int_equal(vk_modreport_module(&rep, "vfio-pci")->state, VK_MOD_MISSING);
	vk_modreport_clear(&rep);
	vk_notes_clear(&notes);

	/* An initramfs asked for by path that cannot be read. */
	q.no_initramfs = false;
	q.initramfs = "/nonexistent/initrd.img";
	assert_int_equal(vk_modreport_gather(&r.ctx, &q, &rep, &notes), -EIO);
	assert_int_equal(count_notes(&notes, VK_NOTE_ERROR, "/nonexistent/initrd.img: "), 1);
	vk_modreport_clear(&rep);
	vk_notes_clear(&notes);
	root_close(&r);
}

/* ---- the verdict ------------------------------------------------------------ */

static struct vk_claimer claimer(const char *name, enum vk_mod_state s)
{
	return (struct vk_claimer){ .name = name, .state = s };
}

static enum vk_claim decide(struct vk_drvmatch *d, size_t n, struct vk_claimer *c, bool known,
			    struct vk_verdict *v)
{
	vk_claim_decide(d, n, c, known, "10de:1c03", v);
	return v->claim;
}

static void verdicts(void **state)
{
	struct vk_drvmatch nouveau = { .name = "nouveau", .state = VK_MOD_MODULE };
	struct vk_drvmatch d[2];
	struct vk_claimer c[2] = { claimer("vfio-pci", VK_MOD_MODULE),
				   claimer("pci-stub", VK_MOD_MODULE) };
	struct vk_verdict v;

	/* No ids anywhere. */
	d[0] = nouveau;
	assert_int_equal(decide(d, 1, c, false, &v), VK_CLAIM_HOST);
	assert_non_null(strstr(v.reason, "not told"));
	assert_non_null(strstr(v.fix, "modules write"));
	/* ids, no softdep: nouveau first. */
	c[0].ids_conf = true;
	assert_int_equal(decide(d, 1, c, false, &v), VK_CLAIM_HOST);
	assert_non_null(strstr(v.reason, "udev loads nouveau"));
	/* ids and softdep. */
	d[0].softdep[0] = true;
	assert_int_equal(decide(d, 1, c, false, &v), VK_CLAIM_VFIO);
	/* A second driver without softdep spoils it; blacklisted it does not. */
	d[1] = (struct vk_drvmatch){ .name = "nvidiafb", .state = VK_MOD_MODULE };
	assert_int_equal(decide(d, 2, c, false, &v), VK_CLAIM_HOST);
	d[1].blacklisted = true;
	assert_int_equal(decide(d, 2, c, false, &v), VK_CLAIM_VFIO);
	/* The host driver in the initramfs, without the softdep there. */
	d[0].in_initramfs = true;
	assert_int_equal(decide(d, 1, c, true, &v), VK_CLAIM_HOST);
	assert_non_null(strstr(v.reason, "in the initramfs"));
	/* ... unless the initramfs loads vfio-pci first with the ids. */
	c[0].in_initramfs = true;
	c[0].early = "rd.driver.pre";
	c[0].ids_initramfs = true;
	assert_int_equal(decide(d, 1, c, true, &v), VK_CLAIM_VFIO);
	assert_non_null(strstr(v.reason, "before udev"));
	c[0].early = NULL;
	/* A built-in host driver wins over a module vfio-pci. */
	d[0] = nouveau;
	d[0].state = VK_MOD_BUILTIN;
	assert_int_equal(decide(d, 1, c, false, &v), VK_CLAIM_HOST);
	assert_non_null(strstr(v.reason, "built into the kernel"));
	/* Both built in: unsure. vfio-pci built in needs command line ids. */
	c[0].state = VK_MOD_BUILTIN;
	assert_int_equal(decide(d, 1, c, false, &v), VK_CLAIM_HOST);
	assert_non_null(strstr(v.reason, "never reach it"));
	c[0].ids_cmdline = true;
	assert_int_equal(decide(d, 1, c, false, &v), VK_CLAIM_UNSURE);
	d[0].state = VK_MOD_MODULE;
	assert_int_equal(decide(d, 1, c, false, &v), VK_CLAIM_VFIO);
	/* No driver at all, nothing loads vfio-pci: none; a service: vfio-pci. */
	c[0] = claimer("vfio-pci", VK_MOD_MODULE);
	c[0].ids_conf = true;
	assert_int_equal(decide(NULL, 0, c, false, &v), VK_CLAIM_NONE);
	c[0].service = "/etc/modules-load.d/vfio.conf";
	assert_int_equal(decide(NULL, 0, c, false, &v), VK_CLAIM_VFIO);
	/* pci-stub when only it is asked and softdep'd. */
	c[0] = claimer("vfio-pci", VK_MOD_MODULE);
	c[1].ids_cmdline = true;
	d[0] = nouveau;
	d[0].softdep[1] = true;
	assert_int_equal(decide(d, 1, c, false, &v), VK_CLAIM_STUB);
	/* vfio-pci missing from the kernel. */
	c[1] = claimer("pci-stub", VK_MOD_MODULE);
	c[0] = claimer("vfio-pci", VK_MOD_MISSING);
	c[0].ids_cmdline = true;
	assert_int_equal(decide(d, 1, c, false, &v), VK_CLAIM_HOST);
	assert_non_null(strstr(v.fix, "CONFIG_VFIO_PCI"));
}

/* ---- genkernel.conf ----------------------------------------------------------- */

static void genkernel(void **state)
{
	const char *base = "# genkernel\n#AMODULES_vfio=\"x\"\nMAKEOPTS=\"-j2\"\n";
	const char *set = "a=1\nAMODULES_vfio=\"vfio\"\nb=2";
	char *out = NULL, *again = NULL;
	size_t len = 0, len2 = 0;

	assert_int_equal(vk_genkernel_conf_edit(base, strlen(base), "vfio vfio_pci", &out, &len),
			 1);
	assert_string_equal(out, "# genkernel\n#AMODULES_vfio=\"x\"\nMAKEOPTS=\"-j2\"\n"
				 "# VFIO modules for the initramfs (vfiokit modules write)\n"
				 "AMODULES_vfio=\"vfio vfio_pci\"\n");
	assert_int_equal(len, strlen(out));
	assert_int_equal(vk_genkernel_conf_edit(out, len, "vfio vfio_pci", &again, &len2), 0);
	assert_null(again);
	free(out);
	assert_int_equal(vk_genkernel_conf_edit(set, strlen(set), "vfio vfio_pci", &out, &len), 1);
	assert_string_equal(out, "a=1\nAMODULES_vfio=\"vfio vfio_pci\"\nb=2");
	free(out);

	/* A NUL byte is kept, and so is every line (not "%.*s"). */
	static const char nul[] = "X=\0\nAMODULES_vfio=\"vfio\"\nY=1\n";
	static const char want[] = "X=\0\nAMODULES_vfio=\"vfio vfio_pci\"\nY=1\n";
	char *edited = NULL;
	size_t elen = 0;

	assert_int_equal(
		vk_genkernel_conf_edit(nul, sizeof(nul) - 1, "vfio vfio_pci", &edited, &elen), 1);
	assert_int_equal(elen, sizeof(want) - 1);
	assert_memory_equal(edited, want, elen);
	free(edited);
}

/* genkernel's names are the module files' names in modules.dep; a module
 * built in or missing is left out; dracut keeps the '_' names. */
static void genkernel_names(void **state)
{
	struct vk_modinfo mods[] = {
		{ .name = "vfio", .state = VK_MOD_BUILTIN },
		{ .name = "vfio_iommu_type1",
		  .state = VK_MOD_MODULE,
		  .path = "kernel/drivers/vfio/vfio_iommu_type1.ko.xz" },
		{ .name = "vfio_pci",
		  .state = VK_MOD_MODULE,
		  .path = "kernel/drivers/vfio/pci/vfio-pci.ko.zst" },
	};
	struct vk_modconf c = { .kver = "6.12.3", .mods = mods, .n_mods = ARRAY_SIZE(mods) };
	char *s = vk_genkernel_modules(&c);

	assert_string_equal(s, "vfio_iommu_type1 vfio-pci");
	free(s);
	s = vk_dracut_conf_render(&c, "/etc/modprobe.d/vfiokit.conf");
	assert_non_null(strstr(s, "force_drivers+=\" vfio vfio_iommu_type1 vfio_pci \"\n"));
	free(s);
	c.n_mods = 0;
	s = vk_genkernel_modules(&c);
	assert_string_equal(s, "");
	free(s);
}

/* ---- the initramfs reader -------------------------------------------------------- */

static void newc(FILE *f, const char *name, unsigned int mode, const char *data)
{
	size_t nlen = strlen(name) + 1, dlen = data ? strlen(data) : 0;

	fprintf(f, "070701%08X%08X%08X%08X%08X%08X%08zX%08X%08X%08X%08X%08zX%08X", 1, mode, 0, 0, 1,
		0, dlen, 0, 0, 0, 0, nlen, 0);
	fwrite(name, 1, nlen, f);
	for (size_t i = (110 + nlen) % 4; i && i < 4; i++)
		fputc(0, f);
	if (dlen)
		fwrite(data, 1, dlen, f);
	for (size_t i = dlen % 4; i && i < 4; i++)
		fputc(0, f);
}

static char *archive(size_t *len, bool early, bool trailer)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (early) {
		newc(f, "kernel", 040755, NULL);
		newc(f, "kernel/x86/microcode/AuthenticAMD.bin", 0100644, "microcode");
		newc(f, "TRAILER!!!", 0, NULL);
		for (int i = 0; i < 512; i++)
			fputc(0, f);
	}
	newc(f, ".", 040755, NULL);
	newc(f, "./usr/lib/dracut/build-parameter.txt", 0100644, "--kver 6.1");
	newc(f, "./lib/modules/6.1.0-1/kernel/drivers/vfio/pci/vfio-pci.ko.xz", 0100644, "x");
	newc(f, "lib/modules/6.1.0-1/kernel/drivers/vfio/vfio.ko", 0100644, "x");
	newc(f, "etc/modprobe.d/vfiokit.conf", 0100644,
	     "options vfio-pci ids=10de:1c03\nsoftdep nouveau pre: vfio-pci\n");
	newc(f, "etc/cmdline.d/20-force_drivers.conf", 0100644, "rd.driver.pre=vfio_pci\n");
	newc(f, "etc/modprobe.d/link.conf", 0120777, "/dev/null");
	if (trailer)
		newc(f, "TRAILER!!!", 0, NULL);
	fclose(f);
	return buf;
}

static void initramfs(void **state)
{
	struct vk_initramfs ir;
	char err[256];
	size_t len;
	_cleanup_free_ char *a = archive(&len, true, true);
	_cleanup_free_ char *opts = NULL, *early = NULL;

	assert_int_equal(vk_initramfs_read_mem((unsigned char *)a, len, &ir, err, sizeof(err)), 0);
	assert_string_equal(ir.compression, "none");
	assert_int_equal(ir.n_early, 1);
	assert_string_equal(ir.generator, "dracut");
	assert_int_equal(ir.n_modules, 2);
	assert_non_null(vk_initramfs_module(&ir, "vfio-pci"));
	assert_non_null(vk_initramfs_module(&ir, "vfio"));
	assert_null(vk_initramfs_module(&ir, "vfio_iommu_type1"));
	assert_int_equal(ir.n_files, 2);
	assert_int_equal(ir.n_kvers, 1);
	assert_string_equal(ir.kvers[0], "6.1.0-1");
	opts = vk_initramfs_options(&ir, "vfio_pci");
	assert_string_equal(opts, "ids=10de:1c03");
	assert_true(vk_initramfs_softdep_pre(&ir, "nouveau", "vfio_pci"));
	assert_false(vk_initramfs_softdep_pre(&ir, "amdgpu", "vfio_pci"));
	early = vk_initramfs_early(&ir, NULL, "vfio-pci");
	assert_string_equal(early, "etc/cmdline.d/20-force_drivers.conf in the initramfs");
	vk_initramfs_clear(&ir);
}

/* Each kernel version once, in order of appearance, among 50,000 entries. */
static void initramfs_many_kvers(void **state)
{
	struct vk_initramfs ir;
	char err[256], name[64];
	size_t len;
	char *a = NULL;
	FILE *f = open_memstream(&a, &len);

	for (int i = 0; i < 50000; i++) {
		snprintf(name, sizeof(name), "lib/modules/6.%d/kernel", i % 25000);
		newc(f, name, 040755, NULL);
	}
	newc(f, "TRAILER!!!", 0, NULL);
	fclose(f);
	assert_int_equal(vk_initramfs_read_mem((unsigned char *)a, len, &ir, err, sizeof(err)), 0);
	assert_int_equal(ir.n_kvers, 25000);
	assert_string_equal(ir.kvers[0], "6.0");
	assert_string_equal(ir.kvers[24999], "6.24999");
	vk_initramfs_clear(&ir);
	free(a);
}

static void initramfs_bad(void **state)
{
	struct vk_initramfs ir;
	char err[256];
	size_t alen, len;
	_cleanup_free_ char *a = archive(&alen, false, false);
	_cleanup_free_ char *b = archive(&len, true, true);

	/* No trailer: libarchive's cpio reader sees the end too early. */
	assert_int_equal(vk_initramfs_read_mem((unsigned char *)a, alen, &ir, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "truncated"));
	/* Cut inside the early part. */
	assert_int_equal(vk_initramfs_read_mem((unsigned char *)b, 200, &ir, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "truncated"));
	assert_int_equal(
		vk_initramfs_read_mem((unsigned char *)"hello, world", 12, &ir, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "not a cpio archive"));
	assert_int_equal(vk_initramfs_read_mem((unsigned char *)"", 0, &ir, err, sizeof(err)),
			 -EINVAL);
	/* A header that is not hex. */
	memcpy(b + 6, "zzzzzzzz", 8);
	assert_int_equal(vk_initramfs_read_mem((unsigned char *)b, len, &ir, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "damaged"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(modnames),
		cmocka_unit_test(kcmdline),
		cmocka_unit_test(ids),
		cmocka_unit_test(cmdline_options),
		cmocka_unit_test(needed),
		cmocka_unit_test(kver_choice),
		cmocka_unit_test(render_and_read_back),
		cmocka_unit_test(render_override),
		cmocka_unit_test(bad_lines),
		cmocka_unit_test(bad_lines_rules),
		cmocka_unit_test(plan_ids),
		cmocka_unit_test(plan_override_dracut_genkernel),
		cmocka_unit_test(plan_genkernel_nul),
		cmocka_unit_test(plan_override_in_devices),
		cmocka_unit_test(plan_failures),
		cmocka_unit_test(report_gather),
		cmocka_unit_test(verdicts),
		cmocka_unit_test(genkernel),
		cmocka_unit_test(genkernel_names),
		cmocka_unit_test(initramfs),
		cmocka_unit_test(initramfs_many_kvers),
		cmocka_unit_test(initramfs_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
