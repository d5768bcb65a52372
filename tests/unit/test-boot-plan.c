// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the cmdline set/remove planner (src/boot/plan.c): small
 * roots written into a temporary directory, planned, and the change and
 * notes checked. Nothing is written: the planner only reads.
 */
#include <errno.h>
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

#include "boot/plan.h"
#include "shared/macro.h"
#include "scratch.h"

struct fixture {
	char dir[PATH_MAX];
	struct vk_ctx ctx;
	struct vk_cmdline_plan plan;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	scratch_make(f->dir, sizeof(f->dir), "vk-plan");
	assert_int_equal(vk_ctx_open(&f->ctx, f->dir), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vk_cmdline_plan_clear(&f->plan);
	vk_ctx_close(&f->ctx);
	scratch_remove(f->dir);
	free(f);
	return 0;
}

static void put(struct fixture *f, const char *rel, const char *text)
{
	scratch_put(f->dir, rel, text);
}

/* Remove dir/rel; was it there? */
static bool gone(struct fixture *f, const char *rel)
{
	char *path;
	int r;

	assert_true(asprintf(&path, "%s/%s", f->dir, rel) > 0);
	r = unlink(path);
	free(path);
	return r == 0;
}

/* Plan kind with one argument (NULL: none) and the devices given. */
static int plan(struct fixture *f, enum vk_cmdline_op_kind kind, enum vk_boot_method method,
		const char *arg, const char *const *devices, size_t n_devices)
{
	const char *args[] = { arg };
	struct vk_cmdline_req req = { .kind = kind,
				      .method = method,
				      .args = args,
				      .n_args = arg ? 1 : 0,
				      .devices = devices,
				      .n_devices = n_devices };

	vk_cmdline_plan_clear(&f->plan);
	return vk_cmdline_plan(&f->ctx, &req, &f->plan);
}

/* The only change: its file under the root and its new content. */
static const struct vk_change *the_change(struct fixture *f, const char *abs, const char *text)
{
	const struct vk_change *ch;
	char *shown;

	assert_int_equal(f->plan.changes.n, 1);
	assert_null(f->plan.unchanged);
	ch = &f->plan.changes.v[0];
	assert_string_equal(ch->f.target, abs);
	assert_true(asprintf(&shown, "%s%s", f->dir, abs) > 0);
	assert_string_equal(ch->shown, shown);
	free(shown);
	assert_string_equal(ch->text, text);
	assert_int_equal(ch->len, strlen(text));
	assert_false(vk_change_same(ch));
	return ch;
}

/* How many notes of kind n has, and is there one holding text? */
static size_t count(const struct vk_notes *n, enum vk_note_kind kind, const char *text)
{
	size_t found = 0;

	for (size_t i = 0; i < n->n; i++)
		found += n->v[i].kind == kind && (!text || strstr(n->v[i].text, text));
	return found;
}

static void grub_set(void **state)
{
	struct fixture *f = *state;
	const struct vk_change *ch;

	put(f, "etc/default/grub", "X=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_GRUB, "iommu=pt", NULL, 0), 0);
	assert_int_equal(f->plan.method, VK_BOOT_GRUB);
	assert_string_equal(f->plan.why, "");
	ch = the_change(f, "/etc/default/grub",
			"X=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\n");
	assert_true(ch->f.exists);
	assert_string_equal(ch->f.data, "X=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
	/* The method was given: nothing to say before the change. */
	assert_int_equal(f->plan.notes.n, 0);
	assert_int_equal(f->plan.after.n, 1);
	assert_int_equal(count(&f->plan.after, VK_NOTE_NEXT, "next: run 'grub-mkconfig -o "), 1);
	assert_false(f->plan.boot_unmounted);
}

/* A change that takes what the kernel gets (GRUB_CMDLINE_LINUX and
 * _DEFAULT, after what grub-mkconfig puts first) past the 2047 bytes an x86
 * kernel keeps is refused with the lint's words; below it, it is planned. */
static void grub_too_long(void **state)
{
	struct fixture *f = *state;
	char text[4096], arg[64];
	size_t fill = 1880;

	snprintf(text, sizeof(text),
		 "GRUB_CMDLINE_LINUX=\"a=%0*d\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n", (int)fill,
		 0);
	put(f, "etc/default/grub", text);
	snprintf(arg, sizeof(arg), "x=%040d", 0);
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_GRUB, arg, NULL, 0), 0);
	assert_int_equal(f->plan.changes.n, 1);
	snprintf(arg, sizeof(arg), "x=%060d", 0);
	snprintf(text, sizeof(text),
		 "GRUB_CMDLINE_LINUX=\"a=%0*d\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n",
		 (int)fill + 40, 0);
	put(f, "etc/default/grub", text);
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_GRUB, arg, NULL, 0), -EBADMSG);
	assert_int_equal(count(&f->plan.notes, VK_NOTE_ERROR,
			       "/etc/default/grub: after this change the kernel would get a "
			       "command line with an error (too-long)"),
			 1);
	assert_int_equal(f->plan.changes.n, 0);
	/* Taking away is never refused. */
	assert_int_equal(plan(f, VK_CMDLINE_REMOVE, VK_BOOT_GRUB, "quiet", NULL, 0), 0);
	assert_int_equal(f->plan.changes.n, 1);
}

static void grub_all_entries_remove(void **state)
{
	struct fixture *f = *state;
	struct vk_cmdline_req req = { .kind = VK_CMDLINE_REMOVE,
				      .method = VK_BOOT_GRUB,
				      .all_entries = true,
				      .args = (const char *const[]){ "iommu" },
				      .n_args = 1 };

	put(f, "etc/default/grub",
	    "GRUB_CMDLINE_LINUX=\"ro iommu=pt\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
	assert_int_equal(vk_cmdline_plan(&f->ctx, &req, &f->plan), 0);
	the_change(f, "/etc/default/grub",
		   "GRUB_CMDLINE_LINUX=\"ro\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
}

/* Detected: GRUB, said why; ids merged once each, intel_iommu=on on Intel. */
static void grub_detected_devices(void **state)
{
	struct fixture *f = *state;
	static const char *const devices[] = { "10de:1c03", "10DE:10f1", "10de:1c03" };

	put(f, "etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
	put(f, "boot/grub/grub.cfg", "");
	put(f, "proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n");
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_AUTO, NULL, devices, 3), 0);
	assert_int_equal(f->plan.method, VK_BOOT_GRUB);
	assert_non_null(strstr(f->plan.why, "/boot/grub/grub.cfg is there"));
	assert_int_equal(f->plan.notes.n, 1);
	assert_int_equal(count(&f->plan.notes, VK_NOTE_INFO, "boot method: grub (/boot/grub/"), 1);
	the_change(f, "/etc/default/grub",
		   "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet intel_iommu=on "
		   "vfio-pci.ids=10de:1c03,10de:10f1\"\n");

	/* AMD: the ids only. */
	put(f, "proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\n");
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_AUTO, NULL, devices, 1), 0);
	the_change(f, "/etc/default/grub",
		   "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet vfio-pci.ids=10de:1c03\"\n");
}

/* The file already says so: no change, and the line that says it. */
static void second_run_no_change(void **state)
{
	struct fixture *f = *state;
	char *want;

	put(f, "etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_GRUB, "iommu=pt", NULL, 0), 0);
	put(f, "etc/default/grub", f->plan.changes.v[0].text);
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_GRUB, "iommu=pt", NULL, 0), 0);
	assert_int_equal(f->plan.changes.n, 0);
	assert_true(asprintf(&want,
			     "%s/etc/default/grub: GRUB_CMDLINE_LINUX_DEFAULT already says so; "
			     "nothing to change",
			     f->dir) > 0);
	assert_non_null(f->plan.unchanged);
	assert_string_equal(f->plan.unchanged, want);
	free(want);
	assert_int_equal(count(&f->plan.after, VK_NOTE_NEXT, NULL), 0);

	/* The same for /etc/kernel/cmdline and the built-in line. */
	put(f, "etc/kernel/cmdline", "root=/dev/sda1 iommu=pt\n");
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_KERNEL_CMDLINE, "iommu=pt", NULL, 0), 0);
	assert_int_equal(f->plan.changes.n, 0);
	assert_non_null(f->plan.unchanged);
	assert_non_null(strstr(f->plan.unchanged, "/etc/kernel/cmdline: already says so"));
	put(f, "usr/src/linux/.config", "CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"iommu=pt\"\n");
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_BUILTIN, "iommu=pt", NULL, 0), 0);
	assert_int_equal(f->plan.changes.n, 0);
	assert_non_null(f->plan.unchanged);
	assert_non_null(strstr(f->plan.unchanged, "CONFIG_CMDLINE already says so"));
}

/* No /etc/kernel/cmdline: a new file, from what kernel-install would use. */
static void kernel_cmdline_from_default(void **state)
{
	struct fixture *f = *state;
	const struct vk_change *ch;

	put(f, "usr/lib/kernel/cmdline", "root=/dev/sda1 ro\n");
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_KERNEL_CMDLINE, "iommu=pt", NULL, 0), 0);
	ch = the_change(f, "/etc/kernel/cmdline", "root=/dev/sda1 ro iommu=pt\n");
	assert_false(ch->f.exists);
	assert_int_equal(ch->f.len, 0);
	assert_int_equal(count(&f->plan.notes, VK_NOTE_NOTICE,
			       "/etc/kernel/cmdline does not exist: starting from "),
			 1);
	assert_int_equal(count(&f->plan.after, VK_NOTE_NEXT, "next: "), 1);

	/* Planned, not written. */
	assert_false(gone(f, "etc/kernel/cmdline"));

	/* Nothing to start from: an error, not a usage error. */
	assert_true(gone(f, "usr/lib/kernel/cmdline"));
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_KERNEL_CMDLINE, "iommu=pt", NULL, 0),
			 -ENOENT);
	assert_int_equal(f->plan.changes.n, 0);
	assert_int_equal(count(&f->plan.notes, VK_NOTE_ERROR, "neither"), 1);
}

static void builtin_set(void **state)
{
	struct fixture *f = *state;

	put(f, "usr/src/linux/.config",
	    "# CONFIG_CMDLINE_BOOL is not set\nCONFIG_CMDLINE_OVERRIDE=y\n");
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_BUILTIN, "iommu=pt", NULL, 0), 0);
	the_change(
		f, "/usr/src/linux/.config",
		"CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE_OVERRIDE=y\nCONFIG_CMDLINE=\"iommu=pt\"\n");
	/* After the write: the override warning, then the next step. */
	assert_int_equal(f->plan.after.n, 2);
	assert_int_equal(f->plan.after.v[0].kind, VK_NOTE_WARN);
	assert_non_null(strstr(f->plan.after.v[0].text, "CONFIG_CMDLINE_OVERRIDE=y"));
	assert_int_equal(f->plan.after.v[1].kind, VK_NOTE_NEXT);
	assert_non_null(strstr(f->plan.after.v[1].text, "make olddefconfig"));

	/* No .config: an error. */
	assert_true(gone(f, "usr/src/linux/.config"));
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_BUILTIN, "iommu=pt", NULL, 0), -ENOENT);
	assert_int_equal(count(&f->plan.notes, VK_NOTE_ERROR, "configure the kernel first"), 1);
}

/* A grub.d file that sets either variable: one error for each, no change. */
static void grub_d_override_refused(void **state)
{
	struct fixture *f = *state;
	int r;

	put(f, "etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
	put(f, "etc/default/grub.d/50-cloud.cfg",
	    "# x\nGRUB_CMDLINE_LINUX_DEFAULT=\"console=ttyS0\"\n");
	put(f, "etc/default/grub.d/60-other.cfg", "GRUB_CMDLINE_LINUX=\"ro\"\n");
	put(f, "etc/default/grub.d/70-ignored.txt", "GRUB_CMDLINE_LINUX=\"ro\"\n");
	r = plan(f, VK_CMDLINE_SET, VK_BOOT_GRUB, "iommu=pt", NULL, 0);
	assert_true(r < 0);
	assert_int_not_equal(r, -EINVAL);
	assert_int_not_equal(r, -ENOMEM);
	assert_null(f->plan.usage);
	assert_int_equal(f->plan.changes.n, 0);
	assert_int_equal(count(&f->plan.notes, VK_NOTE_ERROR, NULL), 2);
	assert_int_equal(
		count(&f->plan.notes, VK_NOTE_ERROR,
		      "/etc/default/grub.d/50-cloud.cfg:2: sets GRUB_CMDLINE_LINUX_DEFAULT"),
		1);
	assert_int_equal(count(&f->plan.notes, VK_NOTE_ERROR,
			       "/etc/default/grub.d/60-other.cfg:1: sets GRUB_CMDLINE_LINUX,"),
			 1);
}

/* A request wrong as given: -EINVAL and the reason, nothing planned. */
static void usage_errors(void **state)
{
	struct fixture *f = *state;
	static const char *const bad_device[] = { "10de:1c03", "not-a-device" };
	const char *many[65];
	struct vk_cmdline_req req = { .kind = VK_CMDLINE_SET,
				      .method = VK_BOOT_GRUB,
				      .args = many,
				      .n_args = ARRAY_SIZE(many) };

	put(f, "etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_GRUB, "a b", NULL, 0), -EINVAL);
	assert_non_null(f->plan.usage);
	assert_string_equal(f->plan.usage, "'a b' is not a kernel argument (key or key=value, no "
					   "blanks or quotes)");
	assert_int_equal(f->plan.changes.n, 0);
	assert_int_equal(f->plan.notes.n, 0);

	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_GRUB, "x=$(id)", NULL, 0), -EINVAL);
	assert_non_null(strstr(f->plan.usage, "holds '$'"));

	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_GRUB, NULL, bad_device, 2), -EINVAL);
	assert_non_null(strstr(f->plan.usage, "'not-a-device' is not a vendor:device id"));

	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = "quiet";
	vk_cmdline_plan_clear(&f->plan);
	assert_int_equal(vk_cmdline_plan(&f->ctx, &req, &f->plan), -EINVAL);
	assert_string_equal(f->plan.usage, "too many arguments");

	/* grub-mkconfig to run after, but the host keeps /etc/kernel/cmdline. */
	req = (struct vk_cmdline_req){ .kind = VK_CMDLINE_SET,
				       .method = VK_BOOT_KERNEL_CMDLINE,
				       .grub_only = true,
				       .args = many,
				       .n_args = 1 };
	vk_cmdline_plan_clear(&f->plan);
	assert_int_equal(vk_cmdline_plan(&f->ctx, &req, &f->plan), -EINVAL);
	assert_string_equal(f->plan.usage, "--mkconfig is for GRUB");
}

/* A PCI address that is not there: an error, not a usage error. */
/* An address is refused: the command line claims by id, which would take
 * a twin of the card too; the message says what to use instead. */
static void address_refused(void **state)
{
	struct fixture *f = *state;
	static const char *const devices[] = { "0000:0f:00.0" };

	put(f, "etc/default/grub", "GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n");
	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_GRUB, NULL, devices, 1), -EINVAL);
	assert_non_null(strstr(f->plan.usage, "'0000:0f:00.0' is a PCI address"));
	assert_non_null(strstr(f->plan.usage, "modules write --device 0000:0f:00.0"));
	assert_int_equal(f->plan.changes.n, 0);
}

/* No sign of any boot method: said why, and nothing planned. */
static void no_method(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(plan(f, VK_CMDLINE_SET, VK_BOOT_AUTO, "iommu=pt", NULL, 0), -ENOENT);
	assert_int_equal(count(&f->plan.notes, VK_NOTE_ERROR,
			       "cannot tell which boot method this host uses: no "),
			 1);
	assert_int_equal(f->plan.changes.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(grub_set, setup, teardown),
		cmocka_unit_test_setup_teardown(grub_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(grub_all_entries_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(grub_detected_devices, setup, teardown),
		cmocka_unit_test_setup_teardown(second_run_no_change, setup, teardown),
		cmocka_unit_test_setup_teardown(kernel_cmdline_from_default, setup, teardown),
		cmocka_unit_test_setup_teardown(builtin_set, setup, teardown),
		cmocka_unit_test_setup_teardown(grub_d_override_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(usage_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(address_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(no_method, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
