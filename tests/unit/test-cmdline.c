// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of src/boot/cmdline: the kernel command line token model. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/cmdline.h"
#include "shared/macro.h"

static struct vk_cmdline *parse(const char *s)
{
	struct vk_cmdline *cl = NULL;

	assert_int_equal(vk_cmdline_parse(s, strlen(s), &cl), 0);
	return cl;
}

/* Parsing then printing gives the same bytes, whatever the spacing. */
static void round_trip(void **state)
{
	static const char *const lines[] = {
		"",
		"   ",
		"quiet",
		"BOOT_IMAGE=/vmlinuz-6.1.0 root=UUID=1234 ro quiet\n",
		"  \t leading and trailing \t \n\n",
		"a  b\t\tc\nd\re\vf\fg",
		"foo=\"a b  c\" bar \"baz=qux quux\" end",
		"x a\"b c\"d y",
		"unterminated=\"quote runs to the end",
		"\xa0nbsp\xa0split\xc3\xa0here",
		"root=/dev/sda1 -- single init=/bin/sh -- more",
		"=a=b == \"\" \"=\"",
	};

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		struct vk_cmdline *cl = parse(lines[i]);
		_cleanup_free_ char *out = vk_cmdline_to_string(cl);

		assert_string_equal(out, lines[i]);
		vk_cmdline_free(cl);
	}
}

struct split {
	const char *raw, *key, *value;
	bool init, dashdash;
};

static void check_split(const char *line, const struct split *want, size_t n)
{
	struct vk_cmdline *cl = parse(line);

	assert_int_equal(cl->n_args, n);
	for (size_t i = 0; i < n; i++) {
		const struct vk_cmdline_arg *a = &cl->args[i];

		assert_string_equal(a->raw, want[i].raw);
		assert_string_equal(a->key, want[i].key);
		if (want[i].value)
			assert_string_equal(a->value, want[i].value);
		else
			assert_null(a->value);
		assert_int_equal(a->init, want[i].init);
		assert_int_equal(a->dashdash, want[i].dashdash);
	}
	vk_cmdline_free(cl);
}

/* The kernel's next_arg(): quotes protect spaces, quotes around a value
 * or a whole token are dropped, the first '=' splits, "--" ends. */
static void kernel_rules(void **state)
{
	static const struct split s1[] = {
		{ "foo=\"a b\"", "foo", "a b", false, false },
		{ "\"bar=c d\"", "bar", "c d", false, false },
		{ "x\"y z\"w", "x\"y z\"w", NULL, false, false },
		{ "k=", "k", "", false, false },
		{ "k2=v=w", "k2", "v=w", false, false },
		{ "=a=b", "=a", "b", false, false },
		{ "flag", "flag", NULL, false, false },
	};
	static const struct split s2[] = {
		{ "root=/dev/sda1", "root", "/dev/sda1", false, false },
		{ "--", "--", NULL, false, true },
		{ "single", "single", NULL, true, false },
		{ "--", "--", NULL, true, false },
		{ "x=1", "x", "1", true, false },
	};
	static const struct split s3[] = {
		{ "\"--\"", "--", NULL, false, true },
		{ "a", "a", NULL, true, false },
	};
	static const struct split s4[] = {
		{ "a", "a", NULL, false, false },
		{ "b", "b", NULL, false, false },
	};

	check_split("foo=\"a b\" \"bar=c d\" x\"y z\"w k= k2=v=w =a=b flag", s1, ARRAY_SIZE(s1));
	check_split("root=/dev/sda1 -- single -- x=1", s2, ARRAY_SIZE(s2));
	check_split("\"--\" a", s3, ARRAY_SIZE(s3));
	/* 0xa0 is a space to the kernel. */
	check_split("a\xa0"
		    "b",
		    s4, ARRAY_SIZE(s4));
}

static void nul_refused(void **state)
{
	struct vk_cmdline *cl = NULL;

	assert_int_equal(vk_cmdline_parse("a\0b", 3, &cl), -EINVAL);
	assert_null(cl);
}

static void keys(void **state)
{
	struct vk_cmdline *cl =
		parse("vfio_pci.ids=1 kvm.ignore-msrs=1 vfio-pci.ids=2 -- vfio-pci.ids=3");

	assert_true(vk_cmdline_key_eq("vfio-pci.ids", "vfio_pci.ids"));
	assert_true(vk_cmdline_key_eq("kvm.ignore_msrs", "kvm.ignore-msrs"));
	assert_false(vk_cmdline_key_eq("kvm.ignore_msrs", "kvm.ignore_msr"));
	assert_false(vk_cmdline_key_eq("iommu", "intel_iommu"));
	assert_true(vk_cmdline_key_is_list("vfio_pci.ids"));
	assert_true(vk_cmdline_key_is_list("pci-stub.ids"));
	assert_false(vk_cmdline_key_is_list("iommu"));
	/* The last in the kernel's part; init's arguments do not count. */
	assert_int_equal(vk_cmdline_find_last(cl, "vfio-pci.ids"), 2);
	assert_int_equal(vk_cmdline_find_last(cl, "kvm.ignore_msrs"), 1);
	assert_int_equal(vk_cmdline_find_last(cl, "quiet"), -1);
	vk_cmdline_free(cl);
}

/* Apply "set"/"remove" args to line; check the result and that a second
 * run changes nothing. */
static void check_apply(const char *line, enum vk_cmdline_op_kind kind, const char *const *args,
			size_t n, const char *want, int want_changes)
{
	struct vk_cmdline_op ops[8];
	struct vk_cmdline *cl = parse(line);
	_cleanup_free_ char *out = NULL;

	assert_true(n <= ARRAY_SIZE(ops));
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vk_cmdline_op_parse(args[i], kind, &ops[i]), 0);
	assert_int_equal(vk_cmdline_apply(cl, ops, n), want_changes);
	out = vk_cmdline_to_string(cl);
	assert_string_equal(out, want);
	assert_int_equal(vk_cmdline_apply(cl, ops, n), 0);
	for (size_t i = 0; i < n; i++)
		vk_cmdline_op_clear(&ops[i]);
	vk_cmdline_free(cl);
}

static void set_tokens(void **state)
{
	static const char *const vfio[] = { "iommu=pt", "vfio-pci.ids=10de:1c03,10de:10f1" };
	static const char *const ids[] = { "vfio-pci.ids=10de:10f1,1022:145c" };
	static const char *const quiet[] = { "quiet" };
	static const char *const iommu[] = { "iommu=pt" };

	/* Added at the end, whitespace around kept. */
	check_apply("  root=/dev/sda1 ro\n", VK_CMDLINE_SET, vfio, 2,
		    "  root=/dev/sda1 ro iommu=pt vfio-pci.ids=10de:1c03,10de:10f1\n", 2);
	check_apply("", VK_CMDLINE_SET, iommu, 1, "iommu=pt", 1);
	check_apply("   ", VK_CMDLINE_SET, iommu, 1, "iommu=pt   ", 1);
	/* Replaced in place, by key. */
	check_apply("a iommu=1\tb", VK_CMDLINE_SET, iommu, 1, "a iommu=pt\tb", 1);
	/* Ids merge into the one token, the file's spelling of the key stays,
	 * and ids compare without regard to case. */
	check_apply("vfio_pci.ids=10DE:10F1 quiet", VK_CMDLINE_SET, ids, 1,
		    "vfio_pci.ids=10DE:10F1,1022:145c quiet", 1);
	/* A key given twice ends up once: the last, merged. */
	check_apply("vfio-pci.ids=1:2 x vfio_pci.ids=10de:10f1 y", VK_CMDLINE_SET, ids, 1,
		    "x vfio_pci.ids=10de:10f1,1022:145c y", 2);
	/* A flag; a flag with a value becomes the flag. */
	check_apply("quiet=1 splash", VK_CMDLINE_SET, quiet, 1, "quiet splash", 1);
	/* New tokens go before "--": after it, they would be init's. */
	check_apply("ro -- single", VK_CMDLINE_SET, iommu, 1, "ro iommu=pt -- single", 1);
	check_apply("-- single", VK_CMDLINE_SET, iommu, 1, "iommu=pt -- single", 1);
	check_apply(" iommu=1 -- iommu=1", VK_CMDLINE_SET, iommu, 1, " iommu=pt -- iommu=1", 1);
	/* Already there: nothing changes (check_apply runs it twice anyway). */
	check_apply("iommu=pt", VK_CMDLINE_SET, iommu, 1, "iommu=pt", 0);
}

static void remove_tokens(void **state)
{
	static const char *const msrs[] = { "ignore_msrs" };
	static const char *const iommu1[] = { "iommu=1" };
	static const char *const one_id[] = { "vfio-pci.ids=10de:1c03" };
	static const char *const all_ids[] = { "pci-stub.ids=10de:1c03,10de:10f1" };
	static const char *const seed[] = { "iommu", "amd_iommu", "ignore_msrs", false, false };

	check_apply("a ignore_msrs=1 b ignore-msrs=0", VK_CMDLINE_REMOVE, msrs, 1, "a b", 2);
	/* The first token: the whitespace after it goes, the line's leading
	 * whitespace stays. */
	check_apply("  ignore_msrs=1  b\n", VK_CMDLINE_REMOVE, msrs, 1, "  b\n", 1);
	check_apply(" ignore_msrs=1\n", VK_CMDLINE_REMOVE, msrs, 1, " \n", 1);
	check_apply("iommu=pt iommu=1", VK_CMDLINE_REMOVE, iommu1, 1, "iommu=pt", 1);
	check_apply("vfio-pci.ids=10DE:1C03,10de:10f1 q", VK_CMDLINE_REMOVE, one_id, 1,
		    "vfio-pci.ids=10de:10f1 q", 1);
	check_apply("q pci-stub.ids=10de:1c03,10de:10f1 r", VK_CMDLINE_REMOVE, all_ids, 1, "q r",
		    1);
	check_apply("iommu=1 amd_iommu=on ignore_msrs=1 pci-stub.ids=10de:1c03", VK_CMDLINE_REMOVE,
		    seed, 3, "pci-stub.ids=10de:1c03", 3);
	/* init's arguments are not the kernel's. */
	check_apply("x -- ignore_msrs=1", VK_CMDLINE_REMOVE, msrs, 1, "x -- ignore_msrs=1", 0);
}

static void ops(void **state)
{
	struct vk_cmdline_op op;

	assert_int_equal(vk_cmdline_op_parse("vfio-pci.ids=1:2", VK_CMDLINE_SET, &op), 0);
	assert_string_equal(op.key, "vfio-pci.ids");
	assert_string_equal(op.value, "1:2");
	vk_cmdline_op_clear(&op);
	assert_int_equal(vk_cmdline_op_parse("quiet", VK_CMDLINE_SET, &op), 0);
	assert_null(op.value);
	vk_cmdline_op_clear(&op);
	assert_int_equal(vk_cmdline_op_parse("", VK_CMDLINE_SET, &op), -EINVAL);
	assert_int_equal(vk_cmdline_op_parse("=x", VK_CMDLINE_SET, &op), -EINVAL);
	assert_int_equal(vk_cmdline_op_parse("a b", VK_CMDLINE_SET, &op), -EINVAL);
	assert_int_equal(vk_cmdline_op_parse("a=\"b\"", VK_CMDLINE_SET, &op), -EINVAL);
}

static void safe_tokens(void **state)
{
	char bad = 0;

	assert_true(vk_cmdline_token_safe("vfio-pci.ids=10de:1c03,10de:10f1", &bad));
	assert_true(vk_cmdline_token_safe("root=UUID=ab-cd/x_y+z@w%", &bad));
	assert_false(vk_cmdline_token_safe("a$b", &bad));
	assert_int_equal(bad, '$');
	assert_false(vk_cmdline_token_safe("a;b", &bad));
	assert_int_equal(bad, ';');
	assert_false(vk_cmdline_token_safe("`x`", &bad));
	assert_false(vk_cmdline_token_safe("a*", &bad));
	assert_false(vk_cmdline_token_safe("a#b", &bad));
	assert_false(vk_cmdline_token_safe("a\\b", &bad));
	assert_false(vk_cmdline_token_safe("a'b", &bad));
	assert_false(vk_cmdline_token_safe("a\xa0", &bad));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),  cmocka_unit_test(kernel_rules),
		cmocka_unit_test(nul_refused), cmocka_unit_test(keys),
		cmocka_unit_test(set_tokens),  cmocka_unit_test(remove_tokens),
		cmocka_unit_test(ops),	       cmocka_unit_test(safe_tokens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
