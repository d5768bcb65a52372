// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tier 3: the Kconfig reader against real kernel trees (Debian's
 * linux-source-6.1 and linux-source-6.12), read for x86. The trees come
 * from the environment:
 *
 *   VFIOKIT_KERNEL_SRC_6_1=DIR VFIOKIT_KERNEL_SRC_6_12=DIR build-asan/test-kconfig-tree
 *
 * tests/real/kconfig-tree.sh fetches them (tests/kernel-source.sh) and
 * runs this; without the variables every test is skipped, with the reason.
 * The facts checked are those of KNOWLEDGE.md's Kconfig table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kconfig/kconfig.h"

struct tree {
	const char *series; /* "6.1", "6.12" */
	const char *env;
	struct vk_kconfig *kc;
};

static struct tree tree_6_1 = { "6.1", "VFIOKIT_KERNEL_SRC_6_1", NULL };
static struct tree tree_6_12 = { "6.12", "VFIOKIT_KERNEL_SRC_6_12", NULL };

static int group_setup(struct tree *t, void **state)
{
	const char *dir = getenv(t->env);
	char err[512];
	int r;

	*state = t;
	if (!dir || !*dir) {
		printf("# SKIP %s: %s is not set (tests/real/kconfig-tree.sh sets it)\n",
		       t->series, t->env);
		return 0;
	}
	r = vk_kconfig_load(dir, "x86", &t->kc, err, sizeof(err));
	if (r < 0) {
		printf("# %s: cannot read %s: %s\n", t->series, dir, err);
		return -1;
	}
	return 0;
}

static int setup_6_1(void **state)
{
	return group_setup(&tree_6_1, state);
}

static int setup_6_12(void **state)
{
	return group_setup(&tree_6_12, state);
}

static int group_teardown(void **state)
{
	struct tree *t = *state;

	vk_kconfig_free(t->kc);
	t->kc = NULL;
	return 0;
}

static struct tree *tree(void **state)
{
	struct tree *t = *state;

	if (!t->kc)
		skip();
	return t;
}

static bool is(const struct tree *t, const char *series)
{
	return strcmp(t->series, series) == 0;
}

/* A symbol the tree defines (not only names). */
static const struct vk_ksym *defined(const struct tree *t, const char *name)
{
	const struct vk_ksym *s = vk_kconfig_find(t->kc, name);

	if (!s || !s->file)
		fail_msg("%s: %s is not defined", t->series, name);
	return s;
}

static bool names(const struct vk_kexpr *e, const char *name)
{
	if (!e)
		return false;
	if (e->op == VK_KE_SYMBOL)
		return strcmp(e->name, name) == 0;
	return names(e->left, name) || names(e->right, name);
}

static void depends_on(const struct tree *t, const char *sym, const char *dep)
{
	const struct vk_ksym *s = defined(t, sym);
	char buf[1024];

	if (!names(s->depends, dep)) {
		vk_kexpr_format(s->depends, buf, sizeof(buf));
		fail_msg("%s: %s depends on '%s', without %s", t->series, sym, buf, dep);
	}
}

static const struct vk_krev *selected_by(const struct tree *t, const char *sym, const char *by)
{
	const struct vk_ksym *s = defined(t, sym);

	for (size_t i = 0; i < s->n_selected_by; i++)
		if (strcmp(s->selected_by[i].by->name, by) == 0)
			return &s->selected_by[i];
	fail_msg("%s: %s is not selected by %s", t->series, sym, by);
	return NULL;
}

static void whole_tree(void **state)
{
	struct tree *t = tree(state);
	size_t files = vk_kconfig_n_files(t->kc), untyped = 0, n_defined = 0;

	printf("# %s: %zu files, %zu symbols, %zu choices\n", t->series, files,
	       vk_kconfig_n_syms(t->kc), vk_kconfig_n_choices(t->kc));
	/* The kernel's own auto.conf.cmd lists 1490 files for 6.1 and 1606
	 * for 6.12 (x86); Debian's stable updates move it a little. */
	assert_in_range(files, 1400, 1900);
	for (size_t i = 0; i < vk_kconfig_n_syms(t->kc); i++) {
		const struct vk_ksym *s = vk_kconfig_sym(t->kc, i);

		if (!s->file)
			continue;
		n_defined++;
		if (s->type == VK_KTYPE_UNKNOWN) {
			printf("# %s: %s (%s:%u) has no type\n", t->series, s->name, s->file,
			       s->line);
			untyped++;
		}
	}
	assert_int_equal(untyped, 0);
	assert_in_range(n_defined, 15000, 25000);
	assert_string_equal(vk_kconfig_modules(t->kc), "MODULES");
	assert_string_equal(defined(t, "MODULES")->file, "kernel/module/Kconfig");
}

static void vfio(void **state)
{
	struct tree *t = tree(state);
	const struct vk_ksym *s;
	const struct vk_krev *r;

	s = defined(t, "VFIO");
	assert_int_equal(s->type, VK_KTYPE_TRISTATE);
	assert_true(s->has_prompt);
	assert_string_equal(s->file, "drivers/vfio/Kconfig");
	selected_by(t, "IOMMU_API", "VFIO");

	s = defined(t, "VFIO_PCI");
	assert_int_equal(s->type, VK_KTYPE_TRISTATE);
	assert_true(s->has_prompt);
	depends_on(t, "VFIO_PCI", "PCI");
	depends_on(t, "VFIO_PCI", "VFIO");
	assert_string_equal(s->file, "drivers/vfio/pci/Kconfig");

	/* Select-only symbols. */
	s = defined(t, "VFIO_IOMMU_TYPE1");
	assert_false(s->has_prompt);
	/* Selected by VFIO in 6.1, by VFIO_CONTAINER (itself default y if
	 * VFIO) from 6.2 on. */
	r = selected_by(t, "VFIO_IOMMU_TYPE1", is(t, "6.1") ? "VFIO" : "VFIO_CONTAINER");
	assert_non_null(r->cond);
	assert_true(names(r->cond, "X86"));
	assert_true(names(r->cond, "MMU"));
	assert_string_equal(r->file, "drivers/vfio/Kconfig");
	s = defined(t, "VFIO_PCI_CORE");
	assert_false(s->has_prompt);
	selected_by(t, "VFIO_PCI_CORE", "VFIO_PCI");
	s = defined(t, "VFIO_VIRQFD");
	assert_false(s->has_prompt);

	s = defined(t, "VFIO_PCI_VGA");
	assert_int_equal(s->type, VK_KTYPE_BOOL);
	assert_true(s->has_prompt);
	depends_on(t, "VFIO_PCI_VGA", "VGA_ARB");
	depends_on(t, "VFIO_PCI_VGA", "X86");
	depends_on(t, "VFIO_PCI_VGA", "VFIO_PCI");

	/* VFIO_CONTAINER came in 6.2, VFIO_GROUP and VFIO_DEVICE_CDEV in 6.6. */
	if (is(t, "6.1")) {
		s = vk_kconfig_find(t->kc, "VFIO_CONTAINER");
		assert_true(!s || !s->file);
	} else {
		assert_int_equal(defined(t, "VFIO_CONTAINER")->type, VK_KTYPE_BOOL);
		assert_int_equal(defined(t, "VFIO_GROUP")->type, VK_KTYPE_BOOL);
		assert_int_equal(defined(t, "VFIO_DEVICE_CDEV")->type, VK_KTYPE_BOOL);
	}
	s = defined(t, "PCI_STUB");
	assert_int_equal(s->type, VK_KTYPE_TRISTATE);
	depends_on(t, "PCI_STUB", "PCI");
}

static void iommu(void **state)
{
	struct tree *t = tree(state);
	const struct vk_ksym *s, *lazy;

	s = defined(t, "IOMMU_SUPPORT");
	assert_int_equal(s->type, VK_KTYPE_BOOL);
	depends_on(t, "IOMMU_SUPPORT", "MMU");
	s = defined(t, "AMD_IOMMU");
	assert_int_equal(s->type, VK_KTYPE_BOOL);
	depends_on(t, "AMD_IOMMU", "X86_64");
	depends_on(t, "AMD_IOMMU", "PCI");
	depends_on(t, "AMD_IOMMU", "ACPI");
	s = defined(t, "INTEL_IOMMU");
	assert_int_equal(s->type, VK_KTYPE_BOOL);
	depends_on(t, "INTEL_IOMMU", "PCI_MSI");
	depends_on(t, "INTEL_IOMMU", "ACPI");
	depends_on(t, "INTEL_IOMMU", "X86");
	assert_int_equal(defined(t, "INTEL_IOMMU_DEFAULT_ON")->type, VK_KTYPE_BOOL);
	depends_on(t, "INTEL_IOMMU_DEFAULT_ON", "INTEL_IOMMU");
	assert_int_equal(defined(t, "IRQ_REMAP")->type, VK_KTYPE_BOOL);
	depends_on(t, "IRQ_REMAP", "X86_IO_APIC");

	/* Removed in 6.7. */
	if (is(t, "6.1")) {
		s = defined(t, "AMD_IOMMU_V2");
		assert_int_equal(s->type, VK_KTYPE_TRISTATE);
		depends_on(t, "AMD_IOMMU_V2", "AMD_IOMMU");
	} else {
		s = vk_kconfig_find(t->kc, "AMD_IOMMU_V2");
		assert_true(!s || !s->file);
	}

	s = defined(t, "IOMMU_DEFAULT_PASSTHROUGH");
	assert_non_null(s->choice);
	lazy = defined(t, "IOMMU_DEFAULT_DMA_LAZY");
	assert_ptr_equal(lazy->choice, s->choice);
	assert_ptr_equal(defined(t, "IOMMU_DEFAULT_DMA_STRICT")->choice, s->choice);
	assert_int_equal(s->choice->n_members, 3);
	assert_string_equal(s->choice->file, "drivers/iommu/Kconfig");
}

static void kvm_and_cpu(void **state)
{
	struct tree *t = tree(state);
	const struct vk_ksym *s, *generic;

	assert_int_equal(defined(t, "KVM")->type, VK_KTYPE_TRISTATE);
	s = defined(t, "KVM_AMD");
	assert_int_equal(s->type, VK_KTYPE_TRISTATE);
	depends_on(t, "KVM_AMD", "KVM");
	if (!is(t, "6.1")) { /* 6.1: "depends on KVM" only */
		depends_on(t, "KVM_AMD", "CPU_SUP_AMD");
		depends_on(t, "KVM_AMD", "CPU_SUP_HYGON");
	}
	depends_on(t, "KVM_INTEL", "KVM");

	/* The 64-bit "Processor family" choice (gone in 6.15). */
	s = defined(t, "MK8");
	generic = defined(t, "GENERIC_CPU");
	assert_non_null(s->choice);
	assert_ptr_equal(s->choice, generic->choice);
	assert_string_equal(s->choice->prompt, "Processor family");
	assert_string_equal(s->choice->file, "arch/x86/Kconfig.cpu");
	assert_null(vk_kconfig_find(t->kc, "MZEN")); /* genpatches only */
}

static void network_and_memory(void **state)
{
	struct tree *t = tree(state);

	assert_int_equal(defined(t, "BRIDGE")->type, VK_KTYPE_TRISTATE);
	selected_by(t, "LLC", "BRIDGE");
	selected_by(t, "STP", "BRIDGE");
	assert_int_equal(defined(t, "TUN")->type, VK_KTYPE_TRISTATE);
	assert_int_equal(defined(t, "MACVTAP")->type, VK_KTYPE_TRISTATE);
	assert_int_equal(defined(t, "VHOST_NET")->type, VK_KTYPE_TRISTATE);
	depends_on(t, "VHOST_NET", "TUN");
	depends_on(t, "VHOST_NET", "TAP");
	assert_int_equal(defined(t, "HUGETLBFS")->type, VK_KTYPE_BOOL);
	assert_int_equal(defined(t, "TRANSPARENT_HUGEPAGE")->type, VK_KTYPE_BOOL);
}

struct values {
	const char *const *kv;
};

static const char *value_of(const char *name, void *userdata)
{
	const struct values *v = userdata;

	for (const char *const *p = v->kv; *p; p += 2)
		if (strcmp(p[0], name) == 0)
			return p[1];
	return NULL;
}

/* A .config's view: VFIO=m caps VFIO_PCI at m; VFIO_PCI_VGA needs VGA_ARB. */
static void evaluation(void **state)
{
	struct tree *t = tree(state);
	static const char *const kv[] = {
		"MODULES",
		"y",
		"MMU",
		"y",
		"PCI",
		"y",
		"X86",
		"y",
		"X86_64",
		"y",
		"VFIO",
		"m",
		"VFIO_PCI",
		"m",
		"VFIO_GROUP",
		"y",
		"VFIO_CONTAINER",
		"y",
		"IOMMUFD",
		"m",
		"IOMMU_SUPPORT",
		"y",
		"EVENTFD",
		"y",
		NULL,
	};
	struct values v = { kv };
	const struct vk_ksym *pci = defined(t, "VFIO_PCI"), *vga = defined(t, "VFIO_PCI_VGA");

	assert_int_equal(vk_kexpr_eval(t->kc, pci->depends, value_of, &v), VK_TRI_M);
	assert_int_equal(vk_kexpr_eval(t->kc, pci->visible, value_of, &v), VK_TRI_M);
	assert_int_equal(vk_kexpr_eval(t->kc, vga->depends, value_of, &v), VK_TRI_N);
	/* From 6.6 VFIO depends on "IOMMUFD || !IOMMUFD": IOMMUFD=m caps it. */
	assert_int_equal(vk_kexpr_eval(t->kc, defined(t, "VFIO")->depends, value_of, &v),
			 is(t, "6.1") ? VK_TRI_Y : VK_TRI_M);
}

#define TREE_TESTS(series)                                                      \
	{ series "/whole-tree", whole_tree, NULL, NULL, NULL },                 \
		{ series "/vfio", vfio, NULL, NULL, NULL },                     \
		{ series "/iommu", iommu, NULL, NULL, NULL },                   \
		{ series "/kvm-and-cpu", kvm_and_cpu, NULL, NULL, NULL },       \
		{ series "/net-and-mm", network_and_memory, NULL, NULL, NULL }, \
	{                                                                       \
		series "/evaluation", evaluation, NULL, NULL, NULL              \
	}

int main(void)
{
	const struct CMUnitTest tests_6_1[] = { TREE_TESTS("6.1") };
	const struct CMUnitTest tests_6_12[] = { TREE_TESTS("6.12") };
	int failed = 0;

	failed += cmocka_run_group_tests_name("linux-6.1", tests_6_1, setup_6_1, group_teardown);
	failed += cmocka_run_group_tests_name("linux-6.12", tests_6_12, setup_6_12, group_teardown);
	return failed ? 1 : 0;
}
