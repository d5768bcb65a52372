// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of src/shared: paths under a root, file reading, JSON. */
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
#include "shared/json.h"
#include "shared/macro.h"

static void parse_ulong(void **state)
{
	unsigned long v;

	assert_int_equal(vk_parse_ulong("42", 10, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(vk_parse_ulong("10de", 16, &v), 0);
	assert_int_equal(v, 0x10de);
	assert_int_equal(vk_parse_ulong("", 10, &v), -EINVAL);
	assert_int_equal(vk_parse_ulong("12x", 10, &v), -EINVAL);
	assert_int_equal(vk_parse_ulong("-1", 10, &v), -EINVAL);
	assert_int_equal(vk_parse_ulong(" 1", 10, &v), -EINVAL);
	assert_int_equal(vk_parse_ulong("99999999999999999999999", 10, &v), -EINVAL);
}

static void ctx_paths(void **state)
{
	struct vk_ctx ctx = { .rootfd = -1 };
	_cleanup_free_ char *p = NULL, *q = NULL;

	assert_int_equal(vk_ctx_open(&ctx, "/"), 0);
	p = vk_ctx_path(&ctx, "/sys/bus/pci");
	assert_string_equal(p, "/sys/bus/pci");
	assert_string_equal(ctx.prefix, "");
	vk_ctx_close(&ctx);

	assert_int_equal(vk_ctx_open(&ctx, "/tmp///"), 0);
	q = vk_ctx_path(&ctx, "/sys/bus/pci");
	assert_string_equal(q, "/tmp/sys/bus/pci");
	vk_ctx_close(&ctx);

	assert_string_equal(vk_rel("///proc/cmdline"), "proc/cmdline");
	assert_string_equal(vk_rel("/"), ".");
	assert_int_equal(vk_ctx_open(&ctx, "/dev/null"), -ENOTDIR);
	assert_int_equal(vk_ctx_open(&ctx, "/nonexistent-vfiokit-test"), -ENOENT);
}

/* A scratch directory with a few files; returns its descriptor. */
static int scratch(char *dir)
{
	strcpy(dir, "/tmp/vk-unit-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return open(dir, O_PATH | O_DIRECTORY);
}

static void write_file(int dirfd, const char *name, const char *text)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void read_files_and_dirs(void **state)
{
	_cleanup_free_ char **names = NULL;
	char dir[64], buf[16], cmd[128];
	int dfd = scratch(dir);
	size_t n = 0;

	write_file(dfd, "vendor", "0x8086\n");
	write_file(dfd, "long", "0123456789abcdefghij");
	assert_int_equal(symlinkat("../../../bus/pci/drivers/vfio-pci", dfd, "driver"), 0);

	assert_int_equal(vk_read_file(dfd, "vendor", buf, sizeof(buf)), 6);
	assert_string_equal(buf, "0x8086");
	/* Too long for the buffer: cut, still terminated. */
	assert_int_equal(vk_read_file(dfd, "long", buf, sizeof(buf)), 15);
	assert_int_equal(vk_read_file(dfd, "missing", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(vk_read_link_name(dfd, "driver", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "vfio-pci");
	assert_int_equal(vk_read_link_name(dfd, "vendor", buf, sizeof(buf)), -EINVAL);

	assert_int_equal(vk_list_dir(dfd, ".", &names, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "driver");
	assert_string_equal(names[1], "long");
	assert_string_equal(names[2], "vendor");
	assert_null(names[3]);
	assert_int_equal(vk_list_dir(dfd, "vendor", &names, &n), -ENOTDIR);

	close(dfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void check_canonical(int dirfd, const char *abs, const char *want)
{
	_cleanup_free_ char *out = NULL;

	assert_int_equal(vk_canonical_path(dirfd, abs, &out), 0);
	assert_string_equal(out, want);
}

/* Links in the middle of a path, absolute ones taken under the root. */
static void canonical_paths(void **state)
{
	char dir[] = "/tmp/vfiokit-canon-XXXXXX", cmd[128];
	_cleanup_free_ char *out = NULL;
	int fd;

	assert_non_null(mkdtemp(dir));
	fd = open(dir, O_PATH | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(mkdirat(fd, "usr", 0755), 0);
	assert_int_equal(mkdirat(fd, "usr/src", 0755), 0);
	assert_int_equal(mkdirat(fd, "usr/src/linux-6.1", 0755), 0);
	assert_int_equal(symlinkat("linux-6.1", fd, "usr/src/linux"), 0);
	assert_int_equal(symlinkat("/usr/src/linux-6.1", fd, "usr/src/abs"), 0);
	assert_int_equal(symlinkat("../src/./linux", fd, "usr/src/rel"), 0);
	assert_int_equal(symlinkat("loop", fd, "usr/loop"), 0);
	check_canonical(fd, "/usr/src/linux/.config", "/usr/src/linux-6.1/.config");
	check_canonical(fd, "/usr/src/abs/.config", "/usr/src/linux-6.1/.config");
	check_canonical(fd, "/usr/src/rel/.config", "/usr/src/linux-6.1/.config");
	check_canonical(fd, "//etc/./default/../default/grub", "/etc/default/grub");
	check_canonical(fd, "/../..", "/");
	assert_int_equal(vk_canonical_path(fd, "/usr/loop/x", &out), -ELOOP);
	close(fd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void json_writer(void **state)
{
	_cleanup_free_ char *out = NULL;
	struct vk_json j;
	size_t len;
	FILE *f = open_memstream(&out, &len);

	vk_json_init(&j, f);
	vk_json_object_begin(&j);
	vk_json_kv_string(&j, "name", "a \"quoted\"\\ line\n\x01");
	vk_json_kv_uint(&j, "n", 7);
	vk_json_kv_bool(&j, "ok", false);
	vk_json_kv_string(&j, "none", NULL);
	vk_json_key(&j, "empty");
	vk_json_array_begin(&j);
	vk_json_array_end(&j);
	vk_json_key(&j, "list");
	vk_json_array_begin(&j);
	vk_json_uint(&j, 1);
	vk_json_object_begin(&j);
	vk_json_object_end(&j);
	vk_json_array_end(&j);
	vk_json_object_end(&j);
	fclose(f);
	assert_string_equal(out, "{\n"
				 "  \"name\": \"a \\\"quoted\\\"\\\\ line\\n\\u0001\",\n"
				 "  \"n\": 7,\n"
				 "  \"ok\": false,\n"
				 "  \"none\": null,\n"
				 "  \"empty\": [],\n"
				 "  \"list\": [\n"
				 "    1,\n"
				 "    {}\n"
				 "  ]\n"
				 "}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_ulong),	       cmocka_unit_test(ctx_paths),
		cmocka_unit_test(read_files_and_dirs), cmocka_unit_test(canonical_paths),
		cmocka_unit_test(json_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
