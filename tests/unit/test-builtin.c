// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of src/boot/builtin: CONFIG_CMDLINE through the .config model. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/builtin.h"
#include "shared/macro.h"

#define HEAD "#\n# Linux/x86 6.1.31 Kernel Configuration\n#\nCONFIG_X86_64=y\n"

/* Apply "kind args" to text; check the result (NULL: no change) and that
 * a second run changes nothing. */
static void check(const char *text, enum vk_cmdline_op_kind kind, const char *arg, const char *want)
{
	struct vk_cmdline_op op;
	char err[256], *out = NULL, *again = NULL;
	size_t len = 0;
	int r;

	assert_int_equal(vk_cmdline_op_parse(arg, kind, &op), 0);
	r = vk_builtin_edit(".config", text, strlen(text), &op, 1, &out, &len, err, sizeof(err));
	if (r < 0)
		fail_msg("%s", err);
	if (!want) {
		assert_int_equal(r, 0);
		assert_null(out);
	} else {
		assert_true(r > 0);
		assert_string_equal(out, want);
		assert_int_equal(vk_builtin_edit(".config", out, len, &op, 1, &again, &len, err,
						 sizeof(err)),
				 0);
	}
	free(out);
	vk_cmdline_op_clear(&op);
}

static void edits(void **state)
{
	/* Off: set turns it on and appends the line. */
	check(HEAD "# CONFIG_CMDLINE_BOOL is not set\nCONFIG_Y=y\n", VK_CMDLINE_SET, "iommu=pt",
	      HEAD "CONFIG_CMDLINE_BOOL=y\nCONFIG_Y=y\nCONFIG_CMDLINE=\"iommu=pt\"\n");
	/* On: the tokens are edited in place, the rest of the file kept. */
	check(HEAD "CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"quiet iommu=1\"\n# tail\n",
	      VK_CMDLINE_SET, "iommu=pt",
	      HEAD "CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"quiet iommu=pt\"\n# tail\n");
	/* Quotes and backslashes inside stay escaped. */
	check(HEAD "CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"a=\\\"x y\\\"\"\n", VK_CMDLINE_SET, "b",
	      HEAD "CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"a=\\\"x y\\\" b\"\n");
	check(HEAD "CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"quiet\"\n", VK_CMDLINE_SET, "quiet",
	      NULL);
	/* remove never turns the built-in line on. */
	check(HEAD "# CONFIG_CMDLINE_BOOL is not set\n", VK_CMDLINE_REMOVE, "quiet", NULL);
	check(HEAD "CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"quiet iommu=pt\"\n", VK_CMDLINE_REMOVE,
	      "iommu", HEAD "CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"quiet\"\n");
}

static void reads(void **state)
{
	static const char text[] = HEAD "CONFIG_CMDLINE_BOOL=y\nCONFIG_CMDLINE=\"a \\\"b\\\"\"\n"
					"CONFIG_CMDLINE_OVERRIDE=y\n";
	struct vk_builtin b;
	char err[256];

	assert_int_equal(vk_builtin_read("c", text, strlen(text), &b, err, sizeof(err)), 0);
	assert_true(b.known && b.enabled && b.override);
	assert_string_equal(b.cmdline, "a \"b\"");
	vk_builtin_clear(&b);
}

static void refusals(void **state)
{
	struct vk_cmdline_op op;
	char err[256], *out = NULL;
	size_t len;

	assert_int_equal(vk_cmdline_op_parse("iommu=pt", VK_CMDLINE_SET, &op), 0);
	/* No CONFIG_CMDLINE_BOOL at all: not a kernel with a built-in line. */
	assert_int_equal(
		vk_builtin_edit("c", HEAD, strlen(HEAD), &op, 1, &out, &len, err, sizeof(err)),
		-EINVAL);
	assert_non_null(strstr(err, "has no CONFIG_CMDLINE_BOOL"));
	/* Not a .config. */
	assert_int_equal(vk_builtin_edit("c", "garbage\n", 8, &op, 1, &out, &len, err, sizeof(err)),
			 -EINVAL);
	assert_null(out);
	vk_cmdline_op_clear(&op);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(edits),
		cmocka_unit_test(reads),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
