// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of src/boot/lint: the rules of 'vfiokit cmdline lint'. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/cmdline.h"
#include "boot/lint.h"
#include "shared/ctx.h"
#include "shared/macro.h"
#include "scratch.h"

#define SEED                                  \
	"iommu=1 amd_iommu=on ignore_msrs=1 " \
	"pci-stub.ids=10de:1c03,10de:10f1,1022:145a,1022:1456,1022:145c"

/* Lint line on host; the rule ids found, space-separated, into ids. */
static size_t lint(const char *line, const struct vk_lint_host *host, char *ids, size_t size,
		   size_t *problems)
{
	struct vk_cmdline *cl = NULL;
	struct vk_findings f;
	size_t n;

	assert_int_equal(vk_cmdline_parse(line, strlen(line), &cl), 0);
	assert_int_equal(vk_lint_check(cl, host, &f), 0);
	ids[0] = '\0';
	for (size_t i = 0; i < f.n; i++) {
		assert_non_null(f.v[i].message);
		assert_non_null(f.v[i].fix);
		assert_true(strlen(f.v[i].fix) > 0);
		snprintf(ids + strlen(ids), size - strlen(ids), "%s%s", i ? " " : "",
			 f.v[i].rule->id);
	}
	n = f.n;
	*problems = vk_findings_problems(&f);
	vk_findings_clear(&f);
	vk_cmdline_free(cl);
	return n;
}

static void expect(const char *line, const struct vk_lint_host *host, const char *want_ids,
		   size_t want_problems)
{
	char ids[1024];
	size_t problems;

	lint(line, host, ids, sizeof(ids), &problems);
	assert_string_equal(ids, want_ids);
	assert_int_equal(problems, want_problems);
}

/* The seed's line: exactly its three mistakes, on any host. */
static void seed(void **state)
{
	struct vk_lint_host amd = { .cpu = VK_CPU_AMD, .iommu = VK_CPU_AMD, .simpledrm = -1 };
	struct vk_lint_host intel = { .cpu = VK_CPU_INTEL, .iommu = VK_CPU_INTEL, .simpledrm = -1 };
	struct vk_lint_host unknown = { .cpu = VK_CPU_UNKNOWN,
					.iommu = VK_CPU_UNKNOWN,
					.simpledrm = -1 };

	expect(SEED, &amd, "iommu-value amd-iommu-value bare-module-param", 3);
	expect(SEED, &unknown, "iommu-value amd-iommu-value bare-module-param", 3);
	/* On Intel amd_iommu= is wrong for a better reason; still one finding. */
	expect(SEED, &intel, "iommu-value iommu-vendor bare-module-param", 3);
}

static void good_lines(void **state)
{
	struct vk_lint_host amd = { .cpu = VK_CPU_AMD, .iommu = VK_CPU_AMD, .simpledrm = 1 };
	struct vk_lint_host intel = { .cpu = VK_CPU_INTEL, .iommu = VK_CPU_INTEL, .simpledrm = 0 };

	expect("BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet kvm.ignore_msrs=1 "
	       "vfio-pci.ids=10de:1c03,10de:10f1",
	       &amd, "", 0);
	expect("intel_iommu=on,sm_on iommu=nopt amd_iommu=off", &intel, "iommu-vendor", 1);
	expect("amd_iommu=force_isolation,pgtbl_v2 video=efifb:off initcall_blacklist=sysfb_init",
	       &amd, "", 0);
	/* init's arguments are not checked. */
	expect("ro -- iommu=1 ignore_msrs=1", &amd, "", 0);
}

static void values(void **state)
{
	struct vk_lint_host h = { .cpu = VK_CPU_UNKNOWN, .iommu = VK_CPU_UNKNOWN, .simpledrm = -1 };

	expect("iommu=on", &h, "iommu-value", 1);
	expect("iommu=soft,1", &h, "iommu-value", 1);
	expect("iommu=noaperture", &h, "", 0);
	expect("iommu", &h, "iommu-value", 1);
	expect("intel_iommu=1", &h, "intel-iommu-value", 1);
	expect("amd_iommu=off,on", &h, "amd-iommu-value", 1);
	expect("report_ignored_msrs=0 disable_vga=1", &h, "bare-module-param bare-module-param", 2);
}

/* iommu=pt is a note: shown, and not a problem. */
static void notes(void **state)
{
	struct vk_lint_host h = { .cpu = VK_CPU_AMD, .iommu = VK_CPU_AMD, .simpledrm = 0 };

	expect("iommu=pt", &h, "iommu-passthrough", 0);
	expect("iommu.passthrough=1", &h, "iommu-passthrough", 0);
	expect("iommu.passthrough=0", &h, "", 0);
	expect("pcie_acs_override=downstream,multifunction", &h, "acs-override", 0);
}

static void ids(void **state)
{
	struct vk_lint_gpu gpu = { "0000:00:02.0", 0x8086, 0x3e92, 0x1462, 0x7b17, 0x030000 };
	struct vk_lint_host h = { .cpu = VK_CPU_INTEL,
				  .iommu = VK_CPU_INTEL,
				  .simpledrm = 0,
				  .boot_gpus = &gpu,
				  .n_boot_gpus = 1 };
	struct vk_pci_id_match m;

	expect("vfio-pci.ids=10de:1c03,8086:3E92", &h, "ids-boot-gpu", 1);
	expect("pci_stub.ids=8086:3e92", &h, "ids-boot-gpu", 1);
	/* Sub-ids and class narrow the match. */
	expect("vfio-pci.ids=8086:3e92:1462:0001", &h, "", 0);
	expect("vfio-pci.ids=ffffffff:ffffffff:ffffffff:ffffffff:030000:ffff00", &h, "ids-boot-gpu",
	       1);
	expect("vfio-pci.ids=ffffffff:ffffffff:ffffffff:ffffffff:020000:ffff00", &h, "", 0);
	expect("vfio-pci.ids=10de-1c03,,10de:1c03x,1:2:3:4:5:6:7", &h,
	       "ids-malformed ids-malformed ids-malformed", 3);
	expect("pci-stub.ids=10de:1c03,1022:145c vfio-pci.ids=10DE:1C03", &h, "ids-both", 1);
	/* The dead earlier token does not count. */
	expect("pci-stub.ids=10de:1c03 pci-stub.ids=1:2 vfio-pci.ids=10de:1c03", &h, "key-twice",
	       1);

	assert_int_equal(vk_pci_id_match_parse("10de:1c03", 9, &m), 0);
	assert_int_equal(m.vendor, 0x10de);
	assert_int_equal(m.subvendor, 0xffffffffu);
	assert_int_equal(vk_pci_id_match_parse("10de", 4, &m), -EINVAL);
	assert_int_equal(vk_pci_id_match_parse("10de:", 5, &m), -EINVAL);
	assert_int_equal(vk_pci_id_match_parse(":1c03", 5, &m), -EINVAL);
	assert_int_equal(vk_pci_id_match_parse("123456789:1", 11, &m), -EINVAL);
}

static void twice(void **state)
{
	struct vk_lint_host h = { .cpu = VK_CPU_AMD, .iommu = VK_CPU_AMD, .simpledrm = 0 };

	expect("vfio-pci.ids=1:2 quiet vfio_pci.ids=3:4", &h, "key-twice", 1);
	expect("a=1 a=2 a=3", &h, "key-twice key-twice", 2);
	expect("console=tty0 console=ttyS0,115200 video=HDMI-A-1:e video=DP-1:d", &h, "", 0);
}

static void framebuffer(void **state)
{
	struct vk_lint_host built_in = { .cpu = VK_CPU_AMD, .iommu = VK_CPU_AMD, .simpledrm = 1 };
	struct vk_lint_host module = { .cpu = VK_CPU_AMD, .iommu = VK_CPU_AMD, .simpledrm = 0 };
	struct vk_lint_host unknown = { .cpu = VK_CPU_AMD, .iommu = VK_CPU_AMD, .simpledrm = -1 };

	expect("video=efifb:off", &built_in, "efifb-simpledrm", 1);
	expect("video=efifb:off", &unknown, "efifb-simpledrm", 1);
	expect("video=efifb:off", &module, "", 0);
	expect("video=efifb:off initcall_blacklist=foo,sysfb_init", &built_in, "", 0);
	expect("video=vesafb:off", &built_in, "", 0);
}

static void too_long(void **state)
{
	struct vk_lint_host h = { .cpu = VK_CPU_AMD, .iommu = VK_CPU_AMD, .simpledrm = 0 };
	char line[2100];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	line[1000] = ' ';
	expect(line, &h, "too-long", 1);
	line[2040] = '\0';
	expect(line, &h, "", 0);
}

/* The host facts of a small tree: cpuinfo's vendor, the ACPI tables and
 * the running kernel's config in /boot (NULL: none of it). */
static void host_of(const char *cpu, const char *table, const char *config, struct vk_lint_host *h)
{
	struct vk_ctx ctx = {};
	char root[256], line[64];

	scratch_make(root, sizeof(root), "lint-host");
	snprintf(line, sizeof(line), "vendor_id\t: %s\n", cpu);
	scratch_put(root, "proc/cpuinfo", line);
	if (table) {
		snprintf(line, sizeof(line), "sys/firmware/acpi/tables/%s", table);
		scratch_put(root, line, "");
	}
	if (config) {
		scratch_put(root, "proc/sys/kernel/osrelease", "6.12.1-gentoo");
		scratch_put(root, "boot/config-6.12.1-gentoo", config);
	}
	assert_int_equal(vk_ctx_open(&ctx, root), 0);
	assert_int_equal(vk_lint_host_read(&ctx, h), 0);
	vk_ctx_close(&ctx);
	scratch_remove(root);
}

/* The first finding's message for line on h. */
static char *first_message(const char *line, const struct vk_lint_host *h)
{
	struct vk_cmdline *cl = NULL;
	struct vk_findings f;
	char *m;

	assert_int_equal(vk_cmdline_parse(line, strlen(line), &cl), 0);
	assert_int_equal(vk_lint_check(cl, h, &f), 0);
	assert_true(f.n > 0);
	m = strdup(f.v[0].message);
	vk_findings_clear(&f);
	vk_cmdline_free(cl);
	return m;
}

/* An emulated Intel IOMMU under an AMD CPU (a nested guest on an AMD
 * host): the DMAR table decides, not the CPU. */
static void iommu_from_table(void **state)
{
	struct vk_lint_host h;
	char *m;

	host_of("AuthenticAMD", "DMAR", NULL, &h);
	assert_int_equal(h.cpu, VK_CPU_AMD);
	assert_int_equal(h.iommu, VK_CPU_INTEL);
	assert_false(h.iommu_guess);
	assert_int_equal(h.intel_iommu_default_on, -1);
	assert_true(vk_lint_host_wants_intel_iommu_on(&h));
	expect("intel_iommu=on", &h, "", 0);
	expect("amd_iommu=off", &h, "iommu-vendor", 1);
	m = first_message("amd_iommu=off", &h);
	assert_non_null(strstr(m, "DMAR table"));
	free(m);
	vk_lint_host_clear(&h);

	host_of("GenuineIntel", "IVRS", NULL, &h);
	assert_int_equal(h.iommu, VK_CPU_AMD);
	assert_false(vk_lint_host_wants_intel_iommu_on(&h));
	expect("intel_iommu=on", &h, "iommu-vendor", 1);
	expect("amd_iommu=off", &h, "", 0);
	vk_lint_host_clear(&h);
}

/* No table yet: the CPU's vendor, said to be a guess. */
static void iommu_guessed(void **state)
{
	struct vk_lint_host h;
	char *m;

	host_of("GenuineIntel", NULL, NULL, &h);
	assert_int_equal(h.iommu, VK_CPU_INTEL);
	assert_true(h.iommu_guess);
	expect("amd_iommu=off", &h, "iommu-vendor", 1);
	m = first_message("amd_iommu=off", &h);
	assert_non_null(strstr(m, "a guess from the CPU"));
	free(m);
	vk_lint_host_clear(&h);
}

/* intel_iommu=on where the kernel turns the Intel IOMMU on by itself: a
 * note, not a problem; needed again when its config says not. */
static void intel_default_on(void **state)
{
	struct vk_lint_host h;

	host_of("GenuineIntel", "DMAR", "CONFIG_X=y\nCONFIG_INTEL_IOMMU_DEFAULT_ON=y\n", &h);
	assert_int_equal(h.intel_iommu_default_on, 1);
	assert_false(vk_lint_host_wants_intel_iommu_on(&h));
	expect("intel_iommu=on", &h, "intel-iommu-default-on", 0);
	expect("intel_iommu=on,sm_on", &h, "", 0);
	vk_lint_host_clear(&h);

	host_of("GenuineIntel", "DMAR", "CONFIG_INTEL_IOMMU_DEFAULT_ON_INTGPU_OFF=y", &h);
	assert_int_equal(h.intel_iommu_default_on, 1);
	vk_lint_host_clear(&h);

	host_of("GenuineIntel", "DMAR",
		"# CONFIG_INTEL_IOMMU_DEFAULT_ON is not set\nCONFIG_INTEL_IOMMU_DEFAULT_ON_X=y\n",
		&h);
	assert_int_equal(h.intel_iommu_default_on, 0);
	assert_true(vk_lint_host_wants_intel_iommu_on(&h));
	expect("intel_iommu=on", &h, "", 0);
	vk_lint_host_clear(&h);
}

/* Every rule in the table has what the report prints. */
static void table(void **state)
{
	size_t n;
	const struct vk_lint_rule *r = vk_lint_rules(&n);

	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(r[i].id);
		assert_true(strlen(r[i].summary) > 10);
		assert_true(strlen(r[i].reference) > 10);
		assert_non_null(r[i].check);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(r[i].id, r[j].id);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(seed),		 cmocka_unit_test(good_lines),
		cmocka_unit_test(values),	 cmocka_unit_test(notes),
		cmocka_unit_test(ids),		 cmocka_unit_test(twice),
		cmocka_unit_test(framebuffer),	 cmocka_unit_test(too_long),
		cmocka_unit_test(table),	 cmocka_unit_test(iommu_from_table),
		cmocka_unit_test(iommu_guessed), cmocka_unit_test(intel_default_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
