// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the .config model and fragment merging (src/kconfig). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shared/change.h"
#include "kconfig/dotconfig.h"
#include "kconfig/merge.h"
#include "kconfig/plan.h"
#include "shared/macro.h"
#include "shared/system.h"

static const char sample[] = "#\n"
			     "# Automatically generated file; DO NOT EDIT.\n"
			     "# Linux/x86 6.1.0 Kernel Configuration\n"
			     "#\n"
			     "CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\n"
			     "CONFIG_64BIT=y\n"
			     "\n"
			     "# CONFIG_VFIO is not set\n"
			     "CONFIG_NR_CPUS=64\n"
			     "CONFIG_PHYSICAL_START=0x1000000\n"
			     "CONFIG_KVM=m\n"
			     "CONFIG_LOCALVERSION=\"\"";

static void parse(const char *text, bool strict, struct vk_dotconfig *c)
{
	char err[256] = "";

	assert_int_equal(
		vk_dotconfig_parse("t.config", text, strlen(text), strict, c, err, sizeof(err)), 0);
}

/* The error text for text, which must not parse. */
static void parse_error(const char *text, bool strict, const char *want)
{
	struct vk_dotconfig c;
	char err[256] = "";

	assert_int_equal(
		vk_dotconfig_parse("t.config", text, strlen(text), strict, &c, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, want);
	vk_dotconfig_clear(&c);
}

static void round_trip(void **state)
{
	struct vk_dotconfig c;
	_cleanup_free_ char *out = NULL;
	char ver[32];
	size_t len;

	parse(sample, false, &c);
	out = vk_dotconfig_text(&c, &len);
	assert_int_equal(len, strlen(sample));
	assert_memory_equal(out, sample, len);
	assert_string_equal(vk_dotconfig_value(&c, "KVM"), "m");
	assert_string_equal(vk_dotconfig_value(&c, "NR_CPUS"), "64");
	assert_string_equal(vk_dotconfig_value(&c, "LOCALVERSION"), "\"\"");
	assert_null(vk_dotconfig_value(&c, "VFIO"));
	assert_non_null(vk_dotconfig_find(&c, "VFIO"));
	assert_null(vk_dotconfig_find(&c, "ABSENT"));
	assert_string_equal(vk_dotconfig_version(&c, ver, sizeof(ver)), "6.1.0");
	vk_dotconfig_clear(&c);
}

static void set_rewrites_one_line(void **state)
{
	struct vk_dotconfig c;
	_cleanup_free_ char *out = NULL;
	const char *want = "#\n"
			   "# Automatically generated file; DO NOT EDIT.\n"
			   "# Linux/x86 6.1.0 Kernel Configuration\n"
			   "#\n"
			   "CONFIG_CC_VERSION_TEXT=\"gcc (Debian 12.2.0-14) 12.2.0\"\n"
			   "CONFIG_64BIT=y\n"
			   "\n"
			   "CONFIG_VFIO=m\n"
			   "CONFIG_NR_CPUS=64\n"
			   "CONFIG_PHYSICAL_START=0x1000000\n"
			   "# CONFIG_KVM is not set\n"
			   "CONFIG_LOCALVERSION=\"\"\n"
			   "CONFIG_VFIO_PCI=m\n";

	parse(sample, false, &c);
	assert_int_equal(vk_dotconfig_set(&c, "VFIO", "m"), 0);
	assert_int_equal(vk_dotconfig_set(&c, "KVM", "n"), 0);
	assert_int_equal(vk_dotconfig_set(&c, "VFIO_PCI", "m"), 0);
	out = vk_dotconfig_text(&c, NULL);
	assert_string_equal(out, want);
	vk_dotconfig_clear(&c);
}

static void bad_input(void **state)
{
	parse_error("CONFIG_A=y\nhello world\n", false,
		    "t.config:2: not a kconfig line (CONFIG_X=value, # CONFIG_X is not set, or a "
		    "comment)");
	parse_error("CONFIG_A=y\nCONFIG_B=\"cut sho", false,
		    "t.config:2: unterminated string (is the file cut short?)");
	parse_error("CONFIG_A=", false, "t.config:1: no value after '=' (is the file cut short?)");
	parse_error("CONFIG_A=yes\n", false,
		    "t.config:1: not y, m, n, a number or a quoted string");
	parse_error("CONFIG_A B=y\n", false, "t.config:1: expected CONFIG_NAME=value");
	parse_error("CONFIG_A=y\n# x\nCONFIG_A=m\n", true,
		    "t.config:3: CONFIG_A is given twice (first on line 1)");
}

static void nul_byte(void **state)
{
	struct vk_dotconfig c;
	char err[256] = "";

	assert_int_equal(
		vk_dotconfig_parse("t.config", "CONFIG_A=y\0\n", 12, false, &c, err, sizeof(err)),
		-EINVAL);
	assert_string_equal(err, "t.config:1: " VK_NUL_FIX);
	vk_dotconfig_clear(&c);
}

static void twice_is_fine_in_a_config(void **state)
{
	struct vk_dotconfig c;

	/* kconfig only warns and takes the last one. */
	parse("CONFIG_A=y\nCONFIG_A=m\n", false, &c);
	assert_string_equal(vk_dotconfig_value(&c, "A"), "m");
	vk_dotconfig_clear(&c);
}

static void merge_later_wins(void **state)
{
	struct vk_dotconfig a, b, base;
	struct vk_requests reqs = {};
	char err[128];
	_cleanup_free_ char *out = NULL;

	assert_int_equal(vk_dotconfig_parse("a.config", "CONFIG_X=y\nCONFIG_Y=m\n", 22, true, &a,
					    err, sizeof(err)),
			 0);
	assert_int_equal(vk_dotconfig_parse("b.config", "# c\nCONFIG_X=m\n# CONFIG_Z is not set\n",
					    37, true, &b, err, sizeof(err)),
			 0);
	assert_int_equal(vk_requests_add(&reqs, &a), 0);
	assert_int_equal(vk_requests_add(&reqs, &b), 0);
	assert_int_equal(reqs.n_reqs, 3);
	assert_string_equal(reqs.reqs[0].value, "m");
	assert_string_equal(reqs.reqs[0].file, "b.config");
	assert_int_equal(reqs.reqs[0].line, 2);
	assert_int_equal(reqs.n_conflicts, 1);
	assert_string_equal(reqs.conflicts[0].was.file, "a.config");
	assert_int_equal(reqs.conflicts[0].was.line, 1);
	assert_string_equal(reqs.conflicts[0].now.value, "m");

	parse("CONFIG_Y=m\nCONFIG_OTHER=y\n", false, &base);
	assert_int_equal(vk_requests_apply(&reqs, &base, NULL), 0);
	out = vk_dotconfig_text(&base, NULL);
	assert_string_equal(out, "CONFIG_Y=m\nCONFIG_OTHER=y\nCONFIG_X=m\n# CONFIG_Z is not set\n");
	assert_int_equal(vk_request_judge(&reqs.reqs[2], &base, NULL, NULL), VK_VERDICT_MET);
	vk_requests_clear(&reqs);
	vk_dotconfig_clear(&a);
	vk_dotconfig_clear(&b);
	vk_dotconfig_clear(&base);
}

/* The one judgement of kconfig merge, check and verify. */
static void judge_request(void **state)
{
	struct vk_symnote notes[] = {
		{ .name = "KVM", .module_only = "its options are set in modprobe.d" },
		{ .name = "VFIO_CONTAINER", .added = "6.2" },
		{ .name = "MZEN",
		  .patch = "a patch",
		  .alternatives = (const char *[]){ "GENERIC_CPU" },
		  .n_alternatives = 1 },
	};
	struct vk_profiles idx = { .notes = notes, .n_notes = ARRAY_SIZE(notes) };
	struct vk_dotconfig c;
	struct vk_request r = { .file = "f.config", .line = 1 };

	parse("CONFIG_VFIO_PCI=y\nCONFIG_KVM=y\nCONFIG_TUN=m\n# CONFIG_DEBUG is not "
	      "set\nCONFIG_CMDLINE=\"quiet\"\nCONFIG_NR_CPUS=64\n",
	      false, &c);
	/* y serves for m, unless the index says the symbol must be a module. */
	r.sym = "VFIO_PCI", r.value = "m";
	assert_int_equal(vk_request_judge(&r, &c, &idx, "6.1.0"), VK_VERDICT_BUILTIN);
	assert_int_equal(vk_request_judge(&r, &c, NULL, NULL), VK_VERDICT_BUILTIN);
	r.sym = "KVM";
	assert_int_equal(vk_request_judge(&r, &c, &idx, "6.1.0"), VK_VERDICT_UNMET);
	assert_non_null(vk_profiles_note(&idx, "KVM")->module_only);
	/* but m never serves for y */
	r.sym = "TUN", r.value = "y";
	assert_int_equal(vk_request_judge(&r, &c, &idx, "6.1.0"), VK_VERDICT_UNMET);
	r.value = "m";
	assert_int_equal(vk_request_judge(&r, &c, &idx, "6.1.0"), VK_VERDICT_MET);
	/* n: met by "is not set" and by absence, not by m or y */
	r.sym = "DEBUG", r.value = "n";
	assert_int_equal(vk_request_judge(&r, &c, &idx, NULL), VK_VERDICT_MET);
	r.sym = "ABSENT";
	assert_int_equal(vk_request_judge(&r, &c, &idx, NULL), VK_VERDICT_MET);
	r.sym = "TUN";
	assert_int_equal(vk_request_judge(&r, &c, &idx, NULL), VK_VERDICT_UNMET);
	/* strings and numbers compare as written */
	r.sym = "CMDLINE", r.value = "\"quiet\"";
	assert_int_equal(vk_request_judge(&r, &c, &idx, NULL), VK_VERDICT_MET);
	r.value = "\"quiet splash\"";
	assert_int_equal(vk_request_judge(&r, &c, &idx, NULL), VK_VERDICT_UNMET);
	r.sym = "NR_CPUS", r.value = "64";
	assert_int_equal(vk_request_judge(&r, &c, &idx, NULL), VK_VERDICT_MET);
	r.value = "y";
	assert_int_equal(vk_request_judge(&r, &c, &idx, NULL), VK_VERDICT_UNMET);
	/* not in this version: moot; in a later one: missing */
	r.sym = "VFIO_CONTAINER", r.value = "y";
	assert_int_equal(vk_request_judge(&r, &c, &idx, "6.1.0"), VK_VERDICT_MOOT);
	assert_int_equal(vk_request_judge(&r, &c, &idx, "6.12.0"), VK_VERDICT_UNMET);
	r.sym = "MZEN";
	assert_int_equal(vk_request_judge(&r, &c, &idx, "6.12.0"), VK_VERDICT_MOOT);
	vk_dotconfig_clear(&c);
}

/* check's outcomes: y for m is ok, with the value shown; a module-only
 * symbol built in is wrong with the index's reason; an essential one
 * counts. */
static void judge_outcomes(void **state)
{
	struct vk_symnote notes[] = {
		{ .name = "KVM", .module_only = "its options are set in modprobe.d" },
		{ .name = "VFIO_PCI", .essential = "vfio-pci claims the devices" },
	};
	struct vk_kconfig_run run = {};
	struct vk_dotconfig frag, conf;

	run.idx.notes = notes;
	run.idx.n_notes = ARRAY_SIZE(notes);
	parse("CONFIG_VFIO=m\nCONFIG_VFIO_PCI=m\nCONFIG_KVM=m\n", true, &frag);
	parse("CONFIG_VFIO=y\nCONFIG_KVM=y\n", false, &conf);
	assert_int_equal(vk_requests_add(&run.reqs, &frag), 0);
	assert_int_equal(vk_kconfig_judge(&run, &conf, "6.1.0", true), 0);
	assert_int_equal(run.n_failed, 2);
	assert_int_equal(run.n_essential, 1);
	assert_string_equal(run.out[0].status, "ok");
	assert_int_equal(run.out[0].verdict, VK_VERDICT_BUILTIN);
	assert_string_equal(run.out[0].final, "y");
	assert_null(run.out[0].reason);
	assert_string_equal(run.out[1].status, "missing");
	assert_string_equal(run.out[1].essential, "vfio-pci claims the devices");
	assert_string_equal(run.out[2].status, "wrong");
	assert_string_equal(run.out[2].reason,
			    "built in, but it must be a module: its options are set in modprobe.d");
	assert_null(run.out[2].essential);
	/* vk_kconfig_run_clear would free the index's notes, which are ours */
	run.idx.notes = NULL;
	run.idx.n_notes = 0;
	vk_kconfig_run_clear(&run);
	vk_dotconfig_clear(&frag);
	vk_dotconfig_clear(&conf);
}

/* A request for m on a built-in symbol leaves the y; one for y on a module
 * and one for m on a module-only symbol that is y are written. */
static void apply_keeps_builtin(void **state)
{
	struct vk_symnote notes[] = { { .name = "KVM", .module_only = "why" } };
	struct vk_profiles idx = { .notes = notes, .n_notes = 1 };
	struct vk_dotconfig frag, base;
	struct vk_requests reqs = {};
	_cleanup_free_ char *out = NULL;

	parse("CONFIG_VFIO_PCI=m\nCONFIG_TUN=y\nCONFIG_KVM=m\n", true, &frag);
	parse("CONFIG_VFIO_PCI=y\nCONFIG_TUN=m\nCONFIG_KVM=y\n", false, &base);
	assert_int_equal(vk_requests_add(&reqs, &frag), 0);
	assert_int_equal(vk_requests_apply(&reqs, &base, &idx), 0);
	out = vk_dotconfig_text(&base, NULL);
	assert_string_equal(out, "CONFIG_VFIO_PCI=y\nCONFIG_TUN=y\nCONFIG_KVM=m\n");
	vk_requests_clear(&reqs);
	vk_dotconfig_clear(&frag);
	vk_dotconfig_clear(&base);
}

/* A line is read within its bounds: the buffer need not end in a NUL. */
static void unterminated_buffer(void **state)
{
	static const char text[] = "CONFIG_A=y\n \t";
	char *exact = malloc(sizeof(text) - 1), err[128];
	struct vk_dotconfig c;

	assert_non_null(exact);
	memcpy(exact, text, sizeof(text) - 1);
	assert_int_equal(
		vk_dotconfig_parse("t.config", exact, sizeof(text) - 1, true, &c, err, sizeof(err)),
		0);
	assert_int_equal(c.n_lines, 2);
	assert_int_equal(c.lines[1].kind, VK_CLINE_OTHER);
	vk_dotconfig_clear(&c);
	free(exact);
}

/* 100,000 lines: every symbol found by name, the one given twice at the
 * end named with its first line, each request found again by its name. */
static void many_lines(void **state)
{
	enum { N = 100000 };
	size_t cap = N * 32, len = 0;
	char *text = malloc(cap), err[256];
	struct vk_dotconfig c, d;
	struct vk_requests reqs = {};

	assert_non_null(text);
	for (int i = 0; i < N; i++)
		len += snprintf(text + len, cap - len,
				i % 2 ? "CONFIG_S%d=y\n" : "# CONFIG_S%d is not set\n", i);
	assert_int_equal(vk_dotconfig_parse("f.config", text, len, true, &c, err, sizeof(err)), 0);
	assert_int_equal(c.n_lines, N);
	assert_string_equal(vk_dotconfig_value(&c, "S99999"), "y");
	assert_null(vk_dotconfig_value(&c, "S99998"));
	assert_int_equal(vk_dotconfig_find(&c, "S12345")->lineno, 12346);
	assert_null(vk_dotconfig_find(&c, "S100000"));
	assert_int_equal(vk_requests_add(&reqs, &c), 0);
	assert_int_equal(vk_requests_add(&reqs, &c), 0);
	assert_int_equal(reqs.n_reqs, N);
	assert_int_equal(reqs.n_conflicts, 0);
	assert_string_equal(reqs.reqs[777].sym, "S777");
	vk_requests_clear(&reqs);
	vk_dotconfig_clear(&c);

	len += snprintf(text + len, cap - len, "CONFIG_S4242=m\n");
	assert_int_equal(vk_dotconfig_parse("f.config", text, len, true, &d, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err,
			    "f.config:100001: CONFIG_S4242 is given twice (first on line 4243)");
	vk_dotconfig_clear(&d);
	free(text);
}

static void kernel_versions(void **state)
{
	assert_true(vk_kver_cmp("6.12.5", "6.7") > 0);
	assert_true(vk_kver_cmp("6.1.0-56-amd64", "6.2") < 0);
	assert_int_equal(vk_kver_cmp("6.6", "6.6.10"), 0);
	assert_true(vk_kver_cmp("5.19", "6.1") < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(set_rewrites_one_line),
		cmocka_unit_test(bad_input),
		cmocka_unit_test(nul_byte),
		cmocka_unit_test(twice_is_fine_in_a_config),
		cmocka_unit_test(merge_later_wins),
		cmocka_unit_test(judge_request),
		cmocka_unit_test(judge_outcomes),
		cmocka_unit_test(apply_keeps_builtin),
		cmocka_unit_test(unterminated_buffer),
		cmocka_unit_test(many_lines),
		cmocka_unit_test(kernel_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
