// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the per-CPU profile's pieces (src/kconfig/cpu.c) and the
 * dist-kernel marker (src/kconfig/tree.c). The real CPU patch and trees
 * are tests/gentoo/cpu-patch.sh's and root.sh's. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kconfig/cpu.h"
#include "kconfig/tree.h"

/* Family and model of real processors, as /proc/cpuinfo gives them. */
static void generations(void **state)
{
	assert_int_equal(vk_zen_generation(0x17, 0x01), 1); /* Ryzen 7 1800X */
	assert_int_equal(vk_zen_generation(0x17, 0x08), 1); /* Zen+ */
	assert_int_equal(vk_zen_generation(0x17, 0x71), 2); /* Ryzen 9 3900X */
	assert_int_equal(vk_zen_generation(0x17, 0x31), 2); /* EPYC 7002 */
	assert_int_equal(vk_zen_generation(0x19, 0x21), 3); /* Ryzen 9 5950X */
	assert_int_equal(vk_zen_generation(0x19, 0x01), 3); /* EPYC 7003 */
	assert_int_equal(vk_zen_generation(0x19, 0x61), 4); /* Ryzen 9 7950X */
	assert_int_equal(vk_zen_generation(0x19, 0x11), 4); /* EPYC 9004 */
	assert_int_equal(vk_zen_generation(0x1a, 0x44), 5); /* Ryzen 9 9950X */
	assert_int_equal(vk_zen_generation(0x18, 0x00), 1); /* Hygon Dhyana */
	assert_int_equal(vk_zen_generation(0x15, 0x02), 0); /* FX-8350 */
	assert_int_equal(vk_zen_generation(0x10, 0x04), 0);
	assert_int_equal(vk_zen_generation(0x1a, 0x90), -1);
	assert_int_equal(vk_zen_generation(0x1b, 0x00), -1);
}

/* The shape of the patch's arch/x86/Kconfig.cpu: the choice with its
 * defaults, members with help texts, the 6.16 prompts "AMD Ryzen N". */
static void scan(void **state)
{
	static const char text[] = "choice\n"
				   "\tprompt \"Processor family\"\n"
				   "\tdefault M686 if X86_32\n"
				   "\tdefault GENERIC_CPU if X86_64\n"
				   "\n"
				   "config MZEN\n"
				   "\tbool \"AMD Ryzen\"\n"
				   "\thelp\n"
				   "\t  Select this for AMD Family 17h Zen processors.\n"
				   "\n"
				   "config MZEN3\n"
				   "\tbool \"AMD Ryzen 3\"\n"
				   "\tdepends on (CC_IS_GCC && GCC_VERSION >= 100300)\n"
				   "\thelp\n"
				   "\t  Select this for AMD Family 19h Zen 3 processors.\n"
				   "\n"
				   "config MZEN5\n"
				   "\tbool \"AMD Zen 5\"\n"
				   "\n"
				   "config GENERIC_CPU\n"
				   "\tbool \"Generic-x86-64\"\n"
				   "\thelp\n"
				   "\t  Not a Zen.\n"
				   "endchoice\n";
	struct vk_zen_choice z;

	vk_zen_choice_scan(text, &z);
	assert_int_equal(z.n, 3);
	assert_string_equal(z.members[0].sym, "MZEN");
	assert_int_equal(z.members[0].gen, 1);
	assert_string_equal(z.members[1].sym, "MZEN3");
	assert_int_equal(z.members[1].gen, 3);
	assert_string_equal(z.members[2].sym, "MZEN5");
	assert_int_equal(z.members[2].gen, 5);
	assert_string_equal(z.dflt, "GENERIC_CPU");
	vk_zen_choice_scan("choice\n\tdefault GENERIC_CPU\nconfig MK8\n\tbool \"K8\"\nendchoice\n",
			   &z);
	assert_int_equal(z.n, 0);
}

static void marker(const char *dir, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/dist-kernel", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* kernel-build.eclass writes CATEGORY/PF:SLOT. */
static void dist_kernel_marker(void **state)
{
	char dir[] = "/tmp/vfiokit-test-cpu.XXXXXX", pkg[128], path[256];

	assert_non_null(mkdtemp(dir));
	assert_int_equal(vk_tree_dist_kernel(dir, pkg, sizeof(pkg)), 0);
	marker(dir, "sys-kernel/gentoo-kernel-6.12.96:6.12.96\n");
	assert_int_equal(vk_tree_dist_kernel(dir, pkg, sizeof(pkg)), 1);
	assert_string_equal(pkg, "sys-kernel/gentoo-kernel");
	assert_null(vk_dist_kernel_ignores_config_d(pkg));
	marker(dir, "sys-kernel/gentoo-kernel-bin-6.12.96-r1:6.12.96\n");
	assert_int_equal(vk_tree_dist_kernel(dir, pkg, sizeof(pkg)), 1);
	assert_string_equal(pkg, "sys-kernel/gentoo-kernel-bin");
	assert_non_null(strstr(vk_dist_kernel_ignores_config_d(pkg), "sys-kernel/gentoo-kernel "));
	marker(dir, "sys-kernel/vanilla-kernel-6.12.40:6.12.40\n");
	assert_int_equal(vk_tree_dist_kernel(dir, pkg, sizeof(pkg)), 1);
	assert_string_equal(pkg, "sys-kernel/vanilla-kernel");
	marker(dir, "\n");
	assert_int_equal(vk_tree_dist_kernel(dir, pkg, sizeof(pkg)), -EINVAL);
	snprintf(path, sizeof(path), "%s/dist-kernel", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(generations),
		cmocka_unit_test(scan),
		cmocka_unit_test(dist_kernel_marker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
