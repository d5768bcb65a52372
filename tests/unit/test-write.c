// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of src/shared/write and src/shared/diff: safe replacement of
 * a file under a root, and the unified diff --dry-run prints. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>

#include "shared/diff.h"
#include "shared/macro.h"
#include "shared/write.h"

static void check_diff(const char *a, const char *b, const char *want)
{
	_cleanup_free_ char *out = NULL;

	assert_int_equal(vk_diff_unified("a/f", a, strlen(a), "b/f", b, strlen(b), &out), 0);
	assert_string_equal(out, want);
}

static void diffs(void **state)
{
	check_diff("same\n", "same\n", "");
	check_diff("", "", "");
	check_diff("", "new\n", "--- a/f\n+++ b/f\n@@ -0,0 +1 @@\n+new\n");
	check_diff("old\n", "", "--- a/f\n+++ b/f\n@@ -1 +0,0 @@\n-old\n");
	check_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nfive\n6\n7\n8\n9\n",
		   "--- a/f\n+++ b/f\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
	/* Two changes far apart: two hunks. */
	check_diff("a\n1\n2\n3\n4\n5\n6\n7\n8\nz\n", "A\n1\n2\n3\n4\n5\n6\n7\n8\nZ\n",
		   "--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n 3\n"
		   "@@ -7,4 +7,4 @@\n 6\n 7\n 8\n-z\n+Z\n");
	/* Close together: one hunk. */
	check_diff("a\n1\n2\nz\n", "A\n1\n2\nZ\n",
		   "--- a/f\n+++ b/f\n@@ -1,4 +1,4 @@\n-a\n+A\n 1\n 2\n-z\n+Z\n");
	check_diff("x\nlast", "x\nlast\n",
		   "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n x\n-last\n\\ No newline at end of file\n"
		   "+last\n");
}

struct scratch {
	char dir[64];
	int fd;
};

static void scratch_open(struct scratch *s)
{
	strcpy(s->dir, "/tmp/vk-write-XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	s->fd = open(s->dir, O_PATH | O_DIRECTORY);
	assert_true(s->fd >= 0);
	assert_int_equal(mkdirat(s->fd, "etc", 0755), 0);
}

static void scratch_close(struct scratch *s)
{
	char cmd[128];

	close(s->fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s->dir);
	assert_int_equal(system(cmd), 0);
}

static void put(int dirfd, const char *name, const char *text, mode_t mode)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static char *get(int dirfd, const char *name)
{
	static char buf[256];
	int fd = openat(dirfd, name, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static void replace(void **state)
{
	struct scratch s;
	struct vk_file f;
	struct stat st;

	scratch_open(&s);
	put(s.fd, "etc/conf", "old\n", 0640);
	assert_int_equal(vk_file_load(s.fd, "/etc/conf", 1 << 20, &f), 0);
	assert_true(f.exists);
	assert_string_equal(f.data, "old\n");
	assert_int_equal(vk_file_replace(s.fd, &f, "new\n", 4), 0);
	assert_string_equal(get(s.fd, "etc/conf"), "new\n");
	assert_string_equal(get(s.fd, "etc/conf" VK_BACKUP_SUFFIX), "old\n");
	assert_int_equal(fstatat(s.fd, "etc/conf", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	/* The same snapshot again: the file changed since, nothing is done. */
	assert_int_equal(vk_file_replace(s.fd, &f, "newer\n", 6), -ESTALE);
	assert_string_equal(get(s.fd, "etc/conf"), "new\n");
	vk_file_clear(&f);
	scratch_close(&s);
}

/* A change of the same size within the same second is still seen. */
static void changed_same_size(void **state)
{
	struct scratch s;
	struct vk_file f;
	struct stat st;
	struct timespec ts[2];

	scratch_open(&s);
	put(s.fd, "etc/conf", "aaaa\n", 0644);
	assert_int_equal(fstatat(s.fd, "etc/conf", &st, 0), 0);
	assert_int_equal(vk_file_load(s.fd, "/etc/conf", 1 << 20, &f), 0);
	put(s.fd, "etc/conf", "bbbb\n", 0644);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	assert_int_equal(utimensat(s.fd, "etc/conf", ts, 0), 0);
	assert_int_equal(vk_file_replace(s.fd, &f, "cccc\n", 5), -ESTALE);
	assert_string_equal(get(s.fd, "etc/conf"), "bbbb\n");
	assert_null(get(s.fd, "etc/conf" VK_BACKUP_SUFFIX));
	vk_file_clear(&f);
	scratch_close(&s);
}

/* A link is followed (an absolute target is under the root) and stays. */
static void symlink_target(void **state)
{
	struct scratch s;
	struct vk_file f;
	char link[64];
	ssize_t n;

	scratch_open(&s);
	assert_int_equal(mkdirat(s.fd, "etc/real", 0755), 0);
	put(s.fd, "etc/real/conf", "x\n", 0644);
	assert_int_equal(symlinkat("/etc/real/conf", s.fd, "etc/conf"), 0);
	assert_int_equal(vk_file_load(s.fd, "/etc/conf", 1 << 20, &f), 0);
	assert_string_equal(f.target, "/etc/real/conf");
	assert_int_equal(vk_file_replace(s.fd, &f, "y\n", 2), 0);
	n = readlinkat(s.fd, "etc/conf", link, sizeof(link) - 1);
	assert_true(n > 0);
	link[n] = '\0';
	assert_string_equal(link, "/etc/real/conf");
	assert_string_equal(get(s.fd, "etc/real/conf"), "y\n");
	assert_string_equal(get(s.fd, "etc/real/conf" VK_BACKUP_SUFFIX), "x\n");
	vk_file_clear(&f);

	/* Relative links and loops. */
	assert_int_equal(symlinkat("real/conf", s.fd, "etc/rel"), 0);
	assert_int_equal(vk_file_load(s.fd, "/etc/rel", 1 << 20, &f), 0);
	assert_string_equal(f.target, "/etc/real/conf");
	vk_file_clear(&f);
	assert_int_equal(symlinkat("loop", s.fd, "etc/loop"), 0);
	assert_int_equal(vk_file_load(s.fd, "/etc/loop", 1 << 20, &f), -ELOOP);
	scratch_close(&s);
}

static void new_file_and_limits(void **state)
{
	struct scratch s;
	struct vk_file f, g;

	scratch_open(&s);
	assert_int_equal(vk_file_load(s.fd, "/etc/new", 1 << 20, &f), 0);
	assert_false(f.exists);
	assert_string_equal(f.data, "");
	/* Someone else creates it first. */
	put(s.fd, "etc/new", "theirs\n", 0644);
	assert_int_equal(vk_file_replace(s.fd, &f, "mine\n", 5), -ESTALE);
	assert_string_equal(get(s.fd, "etc/new"), "theirs\n");
	vk_file_clear(&f);
	assert_int_equal(vk_file_load(s.fd, "/etc/other", 1 << 20, &g), 0);
	assert_int_equal(vk_file_replace(s.fd, &g, "mine\n", 5), 0);
	assert_string_equal(get(s.fd, "etc/other"), "mine\n");
	assert_null(get(s.fd, "etc/other" VK_BACKUP_SUFFIX));
	vk_file_clear(&g);

	put(s.fd, "etc/big", "0123456789", 0644);
	assert_int_equal(vk_file_load(s.fd, "/etc/big", 9, &f), -EFBIG);
	assert_int_equal(vk_file_load(s.fd, "/etc", 9, &f), -EISDIR);
	scratch_close(&s);
}

/* No stray temporary files are left behind, whatever happened. */
static void no_leftovers(void **state)
{
	struct scratch s;
	struct vk_file f;
	char cmd[160];

	scratch_open(&s);
	put(s.fd, "etc/conf", "a\n", 0644);
	assert_int_equal(vk_file_load(s.fd, "/etc/conf", 1 << 20, &f), 0);
	put(s.fd, "etc/conf", "b\n", 0644);
	assert_int_equal(vk_file_replace(s.fd, &f, "c\n", 2), -ESTALE);
	vk_file_clear(&f);
	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s/etc' | grep -v '^conf$')\"", s.dir);
	assert_int_equal(system(cmd), 0);
	scratch_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(diffs),
		cmocka_unit_test(replace),
		cmocka_unit_test(changed_same_size),
		cmocka_unit_test(symlink_target),
		cmocka_unit_test(new_file_and_limits),
		cmocka_unit_test(no_leftovers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
