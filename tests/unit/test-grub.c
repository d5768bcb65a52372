// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of src/boot/grub: the /etc/default/grub parser and editor.
 * tests/shell/grub-corpus.sh runs the editor over whole files with the
 * shell as the judge; these are the details. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/grub.h"
#include "shared/macro.h"

static struct vk_grub *parse(const char *text)
{
	struct vk_grub_error err;
	struct vk_grub *g = NULL;

	if (vk_grub_parse(text, strlen(text), &g, &err) < 0)
		fail_msg("line %u: %s", err.line, err.msg);
	return g;
}

static void parse_error(const char *text, unsigned int line, const char *msg)
{
	struct vk_grub_error err;
	struct vk_grub *g = NULL;

	assert_int_equal(vk_grub_parse(text, strlen(text), &g, &err), -EINVAL);
	assert_null(g);
	assert_int_equal(err.line, line);
	if (!strstr(err.msg, msg))
		fail_msg("'%s' does not say '%s'", err.msg, msg);
}

static void errors(void **state)
{
	parse_error("A='x\n\nB=1\n", 1, "single quote");
	parse_error("A=1\nB=\"x\n", 2, "double quote");
	parse_error("A=${B\n", 1, "'${' without its '}'");
	parse_error("A=$(echo\n", 1, "'$(' without its ')'");
	parse_error("A=`echo\n", 1, "backquote");
	parse_error("\nif true; then\n A=1\n", 2, "'if' without 'fi'");
	parse_error("case x in\n a) A=1 ;;\n", 1, "'case' without 'esac'");
	parse_error("while true; do\n", 1, "without 'done'");
	parse_error("{ A=1\n", 1, "'{' without '}'");
	parse_error("A=1\nfi\n", 2, "'fi' where a command should be");
	parse_error("cat <<EOF\nx\nEOF\n", 1, "here-document");
	parse_error("A=1\nB=\x01\n", 2, "control byte (0x01)");
	parse_error("A=${}\n", 1, "bad substitution");
	parse_error("A=1 )\n", 1, "unexpected ')'");
}

static void check_value(struct vk_grub *g, const char *var, const char *text, bool exact,
			unsigned int line)
{
	struct vk_grub_value v;

	assert_int_equal(vk_grub_value(g, var, &v), 0);
	assert_string_equal(v.text, text);
	assert_int_equal(v.exact, exact);
	assert_int_equal(v.line, line);
	assert_int_equal(!!v.why, !exact);
	vk_grub_value_clear(&v);
}

static void values(void **state)
{
	struct vk_grub *g = parse("# comment\n"
				  "A='single  quoted' B=\"dq \\$x \\\" \\\\\"\n"
				  "C=un\\ quoted\\\n"
				  "joined\n"
				  "D=\"$A|${B}|$NOPE\"\n"
				  "E=\"$(uname -r) x\"\n"
				  "if true; then F=1; fi\n"
				  "G=~/x\n"
				  "H='it''s'\"$\"\n");

	check_value(g, "A", "single  quoted", true, 2);
	check_value(g, "B", "dq $x \" \\", true, 2);
	check_value(g, "C", "un quotedjoined", true, 3);
	check_value(g, "D", "single  quoted|dq $x \" \\|", true, 5);
	check_value(g, "E", "$(uname -r) x", false, 6);
	check_value(g, "F", "${F}", false, 7);
	check_value(g, "G", "~/x", false, 8);
	check_value(g, "H", "its$", true, 9);
	check_value(g, "NOPE", "", true, 0);
	vk_grub_free(g);
}

/* ops: "set a=b c" or "remove a"; returns the new text or NULL (no change);
 * on error, err. */
static int edit(const char *text, const char *target, const char *other, const char *kind,
		const char *args, char **out, struct vk_grub_error *err)
{
	struct vk_grub *g = parse(text);
	struct vk_cmdline_op ops[8];
	size_t n = 0, len = 0;
	_cleanup_free_ char *copy = strdup(args);
	struct vk_grub_request req;
	int r;

	for (char *tok = strtok(copy, " "); tok; tok = strtok(NULL, " "))
		assert_int_equal(
			vk_cmdline_op_parse(tok,
					    streq(kind, "set") ? VK_CMDLINE_SET : VK_CMDLINE_REMOVE,
					    &ops[n++]),
			0);
	req = (struct vk_grub_request){ target, other, true, ops, n };
	r = vk_grub_edit(g, &req, out, &len, err);
	if (r > 0)
		assert_int_equal(strlen(*out), len);
	for (size_t i = 0; i < n; i++)
		vk_cmdline_op_clear(&ops[i]);
	vk_grub_free(g);
	return r;
}

static void check_edit(const char *text, const char *kind, const char *args, const char *want)
{
	struct vk_grub_error err;
	char *out = NULL, *again = NULL;
	int r = edit(text, VK_GRUB_LINUX_DEFAULT, VK_GRUB_LINUX, kind, args, &out, &err);

	if (r < 0)
		fail_msg("line %u: %s", err.line, err.msg);
	if (!want) {
		assert_int_equal(r, 0);
		assert_null(out);
		return;
	}
	assert_true(r > 0);
	assert_string_equal(out, want);
	/* Twice is once. */
	assert_int_equal(edit(out, VK_GRUB_LINUX_DEFAULT, VK_GRUB_LINUX, kind, args, &again, &err),
			 0);
	free(out);
}

static void edits(void **state)
{
	check_edit("X=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\nY=2\n", "set", "iommu=pt",
		   "X=1\nGRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\nY=2\n");
	check_edit("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=pt\"\n", "set", "iommu=pt", NULL);
	check_edit("GRUB_CMDLINE_LINUX_DEFAULT=\"a iommu=pt b\"\n", "remove", "iommu",
		   "GRUB_CMDLINE_LINUX_DEFAULT=\"a b\"\n");
	check_edit("GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt b\"\n", "remove", "iommu",
		   "GRUB_CMDLINE_LINUX_DEFAULT=\"b\"\n");
	check_edit("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n", "remove", "iommu", NULL);
	check_edit("", "set", "iommu=pt", "GRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt\"\n");
	check_edit("# x", "set", "iommu=pt", "# x\nGRUB_CMDLINE_LINUX_DEFAULT=\"iommu=pt\"\n");
	check_edit("GRUB_CMDLINE_LINUX_DEFAULT=a\n", "set", "b",
		   "GRUB_CMDLINE_LINUX_DEFAULT=\"a b\"\n");
	check_edit("GRUB_CMDLINE_LINUX_DEFAULT=$X\n", "set", "b",
		   "GRUB_CMDLINE_LINUX_DEFAULT=$X\"b\"\n");
	check_edit("X=q\nGRUB_CMDLINE_LINUX_DEFAULT=$X\n", "set", "b",
		   "X=q\nGRUB_CMDLINE_LINUX_DEFAULT=$X\" b\"\n");
	/* The other variable loses the key; ids merge across both. */
	check_edit(
		"GRUB_CMDLINE_LINUX=\"vfio-pci.ids=1:2 ro\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"\"\n",
		"set", "vfio-pci.ids=3:4",
		"GRUB_CMDLINE_LINUX=\"ro\"\nGRUB_CMDLINE_LINUX_DEFAULT=\"vfio-pci.ids=1:2,3:4\"\n");
}

static void refusals(void **state)
{
	struct vk_grub_error err;
	char *out = NULL;

	/* Another variable takes its value from the one edited. */
	assert_int_equal(edit("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet iommu=1\"\n"
			      "SAVED=\"$GRUB_CMDLINE_LINUX_DEFAULT\"\n",
			      VK_GRUB_LINUX_DEFAULT, VK_GRUB_LINUX, "remove", "iommu", &out, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "would also change SAVED"));
	assert_null(out);
	/* Tokens GRUB or the shell would interpret. */
	assert_int_equal(edit("", VK_GRUB_LINUX_DEFAULT, NULL, "set", "a=$b", &out, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "holds '$'"));
	/* A token split over two quoted parts. */
	assert_int_equal(edit("GRUB_CMDLINE_LINUX_DEFAULT=\"iom\"'mu=1'\n", VK_GRUB_LINUX_DEFAULT,
			      NULL, "remove", "iommu", &out, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "several quoted parts"));
	assert_int_equal(err.line, 1);
	/* "--": what follows is init's. */
	assert_int_equal(edit("GRUB_CMDLINE_LINUX_DEFAULT=\"a -- b\"\n", VK_GRUB_LINUX_DEFAULT,
			      NULL, "set", "c", &out, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "\"--\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(errors),
		cmocka_unit_test(values),
		cmocka_unit_test(edits),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
