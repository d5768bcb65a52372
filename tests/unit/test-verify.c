// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of src/verify: group names, the kernel configuration and the
 * kernel log read from a small tree, kvm parameters, unknown parameters. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "shared/ctx.h"
#include "shared/fileio.h"
#include "verify/verify.h"

static char root[] = "/tmp/vk-verify-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;
	int dirfd = open(root, O_PATH | O_DIRECTORY);

	assert_true(dirfd >= 0);
	assert_int_equal(vk_mkdir_parents(dirfd, rel), 0);
	close(dirfd);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(root));
	put("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: fpu vmx sse\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* Run the groups of checks on the tree; the caller clears v. */
static void run(unsigned int groups, struct vk_verify *v)
{
	struct vk_ctx ctx = {};
	static char profiles[512];
	const char *top = getenv("TOP");
	struct vk_verify_opts o = { .groups = groups, .profiles_dir = profiles };

	snprintf(profiles, sizeof(profiles), "%s/profiles", top ? top : ".");
	assert_int_equal(vk_ctx_open(&ctx, root), 0);
	assert_int_equal(vk_verify_run(&ctx, &o, v), 0);
	vk_ctx_close(&ctx);
}

/* The result of the first check whose name holds what; -1 when none. */
static int result_of(const struct vk_verify *v, const char *what, const char **detail)
{
	for (size_t i = 0; i < v->n; i++)
		if (strstr(v->v[i].what, what)) {
			if (detail)
				*detail = v->v[i].detail;
			return (int)v->v[i].result;
		}
	return -1;
}

static void group_names(void **state)
{
	unsigned int g;
	char *bad = NULL;

	assert_int_equal(vk_verify_groups_parse("iommu,cmdline", &g, &bad), 0);
	assert_int_equal(g, VK_CHECK_IOMMU | VK_CHECK_CMDLINE);
	assert_null(bad);
	assert_int_equal(vk_verify_groups_parse("kvm,iommu,cmdline,kconfig,modules,devices,libvirt",
						&g, &bad),
			 0);
	assert_int_equal(g, VK_CHECK_ALL);
	assert_int_equal(vk_verify_groups_parse("iommu,bogus", &g, &bad), -EINVAL);
	assert_string_equal(bad, "bogus");
	free(bad);
	assert_int_equal(vk_verify_groups_parse(",", &g, &bad), -EINVAL);
	free(bad);
}

static void kconfig_unknown_then_judged(void **state)
{
	struct vk_verify v;
	const char *detail = NULL;

	/* No /proc/config.gz, no release: UNKNOWN, never PASS. */
	run(VK_CHECK_KCONFIG, &v);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.v[0].result, VK_RESULT_UNKNOWN);
	assert_non_null(strstr(v.v[0].detail, "config.gz"));
	vk_verify_clear(&v);

	/* /boot/config-RELEASE with VFIO but no VT-d. */
	put("proc/sys/kernel/osrelease", "6.1.0-test\n");
	put("lib/modules/6.1.0-test/modules.builtin", "kernel/drivers/vfio/vfio.ko\n");
	put("boot/config-6.1.0-test", "# Linux/x86 6.1.0 Kernel Configuration\n"
				      "CONFIG_VFIO=y\nCONFIG_VFIO_PCI=m\n");
	run(VK_CHECK_KCONFIG, &v);
	assert_int_equal(result_of(&v, "profile iommu-intel", &detail), VK_RESULT_FAIL);
	assert_non_null(strstr(detail, "CONFIG_INTEL_IOMMU=y (is not set)"));
	assert_int_equal(result_of(&v, "profile iommu-amd", NULL), -1); /* an Intel CPU */
	/* Built in (y) meets a request for a module (m). */
	assert_int_equal(result_of(&v, "profile vfio", &detail), VK_RESULT_FAIL);
	assert_null(strstr(detail, "CONFIG_VFIO="));
	assert_null(strstr(detail, "CONFIG_VFIO_PCI="));
	assert_non_null(strstr(detail, "CONFIG_PCI_STUB=m (is not set)"));
	vk_verify_clear(&v);
}

static void kernel_log(void **state)
{
	struct vk_ctx ctx = {};
	struct vk_verify v;
	char *text = NULL, *source = NULL;
	const char *detail;

	assert_int_equal(vk_ctx_open(&ctx, root), 0);
	assert_int_equal(vk_klog_read(&ctx, &text, &source), -ENOENT);
	free(text);
	free(source);
	vk_ctx_close(&ctx);
	/* No /proc/cmdline: UNKNOWN. Then no kernel log: UNKNOWN too. */
	run(VK_CHECK_CMDLINE, &v);
	assert_int_equal(result_of(&v, "kernel command line", NULL), VK_RESULT_UNKNOWN);
	vk_verify_clear(&v);
	put("proc/cmdline", "intel_iommu=on\n");
	run(VK_CHECK_CMDLINE, &v);
	assert_int_equal(result_of(&v, "accepted every", NULL), VK_RESULT_UNKNOWN);
	vk_verify_clear(&v);

	put("proc/cmdline", "intel_iommu=on foo=1 \"bar=a b\" vfio_pci.ids=8086:10d3\n");
	put("var/log/dmesg-capture",
	    "DMAR-IR: Enabled IRQ remapping in x2apic mode\n"
	    "Unknown kernel command line parameters \"foo=1 bar=a b\", will be passed to user "
	    "space.\n");
	run(VK_CHECK_CMDLINE, &v);
	assert_int_equal(result_of(&v, "accepted foo=1", &detail), VK_RESULT_FAIL);
	assert_non_null(strstr(detail, "MODULE.PARAM"));
	assert_int_equal(result_of(&v, "accepted every", NULL), -1);
	vk_verify_clear(&v);
}

static void kvm_params(void **state)
{
	struct vk_verify v;
	const char *detail = NULL;

	put("proc/cmdline", "kvm.ignore_msrs=1 kvm-intel.nested=0 kvm.halt_poll_ns=0\n");
	put("sys/module/kvm/parameters/ignore_msrs", "Y\n");
	put("sys/module/kvm_intel/parameters/nested", "Y\n");
	run(VK_CHECK_KVM, &v);
	assert_int_equal(result_of(&v, "kvm.ignore_msrs=1", NULL), VK_RESULT_PASS);
	assert_int_equal(result_of(&v, "kvm-intel.nested=0", &detail), VK_RESULT_FAIL);
	assert_non_null(strstr(detail, "reads Y"));
	assert_int_equal(result_of(&v, "halt_poll_ns", &detail), VK_RESULT_FAIL);
	assert_non_null(strstr(detail, "missing"));
	assert_int_equal(result_of(&v, "/dev/kvm", NULL), VK_RESULT_FAIL);
	assert_int_equal(result_of(&v, "(vmx/svm)", NULL), VK_RESULT_PASS);
	vk_verify_clear(&v);
}

/* Whose IOMMU: the firmware's DMAR table, even under an AMD CPU (a guest
 * on an AMD host); without a table a guess from the CPU, said so. */
static void iommu_vendor(void **state)
{
	struct vk_verify v;
	const char *detail = NULL;
	char path[600];

	put("proc/cpuinfo", "processor\t: 0\nvendor_id\t: AuthenticAMD\nflags\t\t: svm\n");
	put("sys/firmware/acpi/tables/DMAR", "");
	put("proc/cmdline", "ro\n");
	run(VK_CHECK_CMDLINE, &v);
	assert_int_equal(result_of(&v, "has intel_iommu=on", &detail), VK_RESULT_FAIL);
	assert_null(strstr(detail, "guess"));
	vk_verify_clear(&v);

	put("proc/cmdline", "ro intel_iommu=on\n");
	run(VK_CHECK_CMDLINE, &v);
	assert_int_equal(result_of(&v, "has intel_iommu=on", NULL), VK_RESULT_PASS);
	assert_int_equal(result_of(&v, "kernel command line: intel_iommu", NULL), -1);
	vk_verify_clear(&v);

	snprintf(path, sizeof(path), "%s/sys/firmware/acpi/tables/DMAR", root);
	assert_int_equal(unlink(path), 0);
	put("proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\nflags\t\t: vmx\n");
	put("proc/cmdline", "ro\n");
	run(VK_CHECK_CMDLINE, &v);
	assert_int_equal(result_of(&v, "has intel_iommu=on", &detail), VK_RESULT_FAIL);
	assert_non_null(strstr(detail, "a guess from the CPU"));
	vk_verify_clear(&v);

	put("proc/sys/kernel/osrelease", "6.1.0-test\n");
	put("boot/config-6.1.0-test", "CONFIG_INTEL_IOMMU=y\nCONFIG_INTEL_IOMMU_DEFAULT_ON=y\n");
	run(VK_CHECK_CMDLINE, &v);
	assert_int_equal(result_of(&v, "has intel_iommu=on", &detail), VK_RESULT_PASS);
	assert_non_null(strstr(detail, "not needed"));
	vk_verify_clear(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(group_names),	cmocka_unit_test(kconfig_unknown_then_judged),
		cmocka_unit_test(kernel_log),	cmocka_unit_test(kvm_params),
		cmocka_unit_test(iommu_vendor),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
