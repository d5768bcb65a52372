// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of src/flow/transaction.c against a temporary root: apply,
 * a second apply with nothing new, undo, a file changed since apply, and
 * a stop before each file operation of an apply (a child process that
 * exits there, as a crash would), after which every file is whole and
 * undo brings back the start, and a failure of each file operation, after
 * which the apply itself has put every file back as it was. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "flow/transaction.h"
#include "shared/ctx.h"
#include "shared/fileio.h"
#include "shared/macro.h"

#define OLD_A "GRUB_CMDLINE_LINUX=\"quiet\"\n"
#define NEW_A "GRUB_CMDLINE_LINUX=\"quiet intel_iommu=on\"\n"
#define NEW_B "options vfio-pci ids=8086:10d3\n"
#define NEW_C "CONFIG_VFIO_PCI=m\n"
#define OLD_C "# CONFIG_VFIO_PCI is not set\n"

struct root {
	char dir[64];
	int fd;
};

static void put(const struct root *r, const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", r->dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The content of rel under the root, or NULL when it is not there. */
static char *get(const struct root *r, const char *rel)
{
	char *text = NULL;
	size_t len;
	char abs[256];

	snprintf(abs, sizeof(abs), "/%s", rel);
	if (vk_file_read_all(r->fd, abs, 1 << 20, &text, &len) < 0)
		return NULL;
	return text;
}

static int setup(void **state)
{
	struct root *r = calloc(1, sizeof(*r));
	char path[128];

	snprintf(r->dir, sizeof(r->dir), "/tmp/vfiokit-tx-XXXXXX");
	assert_non_null(mkdtemp(r->dir));
	snprintf(path, sizeof(path), "%s/etc", r->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	put(r, "etc/grub", OLD_A);
	put(r, "etc/config", OLD_C);
	r->fd = open(r->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(r->fd >= 0);
	*state = r;
	return 0;
}

static int teardown(void **state)
{
	struct root *r = *state;
	const char *argv[] = { "rm", "-rf", r->dir, NULL };
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], (char **)argv);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	close(r->fd);
	free(r);
	return 0;
}

/* What a planner would hand back: grub changed, a new modprobe.d file
 * (its directory too), config changed. */
static void plan(const struct root *r, struct vk_changes *c)
{
	static const struct {
		const char *path, *text;
	} want[] = {
		{ "/etc/grub", NEW_A },
		{ "/etc/modprobe.d/vfiokit.conf", NEW_B },
		{ "/etc/config", NEW_C },
	};

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		struct vk_file f;

		assert_int_equal(vk_file_load(r->fd, want[i].path, 1 << 20, &f), 0);
		assert_int_equal(vk_changes_add(c, &f, false, want[i].path, want[i].text,
						strlen(want[i].text)),
				 0);
	}
}

static int apply(const struct root *r, const struct vk_tx_ops *ops)
{
	struct vk_tx tx = { .rootfd = r->fd, .prefix = "", .ops = ops };
	struct vk_changes c = {};
	int rc;

	plan(r, &c);
	rc = vk_tx_take(&tx, &c);
	vk_changes_clear(&c);
	if (rc == 0)
		rc = vk_tx_apply(&tx, "/etc/vfiokit.conf", 0);
	vk_tx_clear(&tx);
	return rc;
}

/* Undo everything (force: take changed files back too). */
static int undo(const struct root *r)
{
	struct vk_undo u = { .rootfd = r->fd, .prefix = "" };
	int rc = vk_undo_open(&u);

	for (size_t i = 0; rc == 0 && i < u.j.n; i++)
		rc = vk_undo_restore(&u, i);
	if (rc == 0)
		rc = vk_undo_finish(&u);
	vk_undo_clear(&u);
	return rc;
}

static void assert_file(const struct root *r, const char *rel, const char *want)
{
	_cleanup_free_ char *text = get(r, rel);

	if (!want) {
		assert_null(text);
		return;
	}
	assert_non_null(text);
	assert_string_equal(text, want);
}

static void apply_and_undo(void **state)
{
	struct root *r = *state;
	struct vk_tx tx = { .rootfd = r->fd, .prefix = "" };
	struct vk_changes c = {};

	assert_int_equal(apply(r, NULL), 0);
	assert_file(r, "etc/grub", NEW_A);
	assert_file(r, "etc/modprobe.d/vfiokit.conf", NEW_B);
	assert_file(r, "etc/config", NEW_C);
	assert_file(r, "var/lib/vfiokit/backup/1/etc/grub", OLD_A);
	/* The same plan again changes nothing. */
	plan(r, &c);
	assert_int_equal(vk_changes_count(&c), 0);
	assert_int_equal(vk_tx_take(&tx, &c), 0);
	assert_int_equal(tx.changes.n, 0);
	vk_changes_clear(&c);
	vk_tx_clear(&tx);
	assert_int_equal(undo(r), 0);
	assert_file(r, "etc/grub", OLD_A);
	assert_file(r, "etc/config", OLD_C);
	assert_file(r, "etc/modprobe.d/vfiokit.conf", NULL);
	/* A file apply created and nobody changed since goes without a copy;
	 * no empty backup folder stays. */
	assert_file(r, "etc/modprobe.d/vfiokit.conf.vfiokit-bak", NULL);
	assert_file(r, "var/lib/vfiokit/journal", NULL);
	assert_file(r, "var/lib/vfiokit/backup/1/etc/grub", NULL);
	assert_int_equal(faccessat(r->fd, "var/lib/vfiokit/backup", F_OK, 0), -1);
	assert_int_equal(faccessat(r->fd, "var/lib/vfiokit", F_OK, 0), 0);
	/* Nothing left to undo. */
	assert_int_equal(undo(r), -ENOENT);
}

/* An apply of files keeps the entry of a libvirt domain (vfiokit libvirt
 * apply's) in the journal as it was. */
static void apply_keeps_domain(void **state)
{
	static const char domain[] =
		"  { path = \"win10\";\n    uri = \"qemu:///system\";\n    existed = true;\n"
		"    before = "
		"\"ca978112ca1bbdcafac231b39a23dc4da786eff8146d8e2efa9a45a2b5fa1a0a\";\n"
		"    backup = \"/var/lib/vfiokit/backup/1/libvirt-domain/win10.xml\";\n"
		"    after = \"3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d\"; "
		"}";
	struct root *r = *state;
	_cleanup_free_ char *text = NULL;
	struct vk_journal j;
	char err[256], path[128];

	snprintf(path, sizeof(path), "%s/var", r->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/var/lib", r->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/var/lib/vfiokit", r->dir);
	mkdir(path, 0755);
	text = malloc(sizeof(domain) + 256);
	sprintf(text, "generation = 1L;\ncomplete = true;\nfiles = (\n%s\n);\n", domain);
	put(r, "var/lib/vfiokit/journal", text);
	assert_int_equal(apply(r, NULL), 0);
	free(text);
	text = get(r, "var/lib/vfiokit/journal");
	assert_non_null(strstr(text, domain));
	assert_int_equal(vk_journal_parse(text, "journal", &j, err, sizeof(err)), 0);
	assert_int_equal(j.generation, 2);
	assert_int_equal(j.n, 4);
	assert_non_null(vk_journal_find_domain(&j, "qemu:///system", "win10"));
	assert_non_null(vk_journal_find(&j, "/etc/grub"));
	vk_journal_clear(&j);
}

static void undo_refuses_edited(void **state)
{
	struct root *r = *state;
	struct vk_undo u = { .rootfd = r->fd, .prefix = "" };

	assert_int_equal(apply(r, NULL), 0);
	put(r, "etc/grub", "edited by hand\n");
	assert_int_equal(vk_undo_open(&u), 0);
	assert_int_equal(u.n_conflicts, 1);
	for (size_t i = 0; i < u.j.n; i++) {
		assert_int_equal(u.items[i].action, streq(u.j.v[i].path, "/etc/grub")
							    ? VK_UNDO_CONFLICT
							    : VK_UNDO_RESTORE);
		/* What apply wrote is there to merge from, for the changed one. */
		if (u.items[i].action == VK_UNDO_CONFLICT) {
			assert_non_null(u.items[i].applied);
			assert_int_equal(u.items[i].applied_len, strlen(NEW_A));
			assert_memory_equal(u.items[i].applied, NEW_A, strlen(NEW_A));
		} else {
			assert_null(u.items[i].applied);
		}
	}
	vk_undo_clear(&u);
	/* A copy that is not what apply wrote is not shown. */
	put(r, "var/lib/vfiokit/backup/1/etc/grub" VK_APPLIED_SUFFIX, "tampered\n");
	u = (struct vk_undo){ .rootfd = r->fd, .prefix = "" };
	assert_int_equal(vk_undo_open(&u), 0);
	for (size_t i = 0; i < u.j.n; i++)
		assert_null(u.items[i].applied);
	vk_undo_clear(&u);
}

static void take_refuses(void **state)
{
	struct root *r = *state;
	struct vk_tx tx = { .rootfd = r->fd, .prefix = r->dir };
	struct vk_changes c = {};
	struct vk_file f;
	_cleanup_close_ int host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	/* A file of the host outside the root. */
	assert_int_equal(vk_file_load(host, "/proc/version", 1 << 20, &f), 0);
	assert_int_equal(vk_changes_add(&c, &f, true, "/proc/version", "x", 1), 0);
	assert_int_equal(vk_tx_take(&tx, &c), -EXDEV);
	assert_int_equal(tx.notes.n, 1);
	assert_non_null(strstr(tx.notes.v[0].text, "outside the root"));
	vk_changes_clear(&c);
	vk_tx_clear(&tx);
	/* The same file twice. */
	tx = (struct vk_tx){ .rootfd = r->fd, .prefix = "" };
	for (int i = 0; i < 2; i++) {
		assert_int_equal(vk_file_load(r->fd, "/etc/grub", 1 << 20, &f), 0);
		assert_int_equal(vk_changes_add(&c, &f, false, "/etc/grub", "x", 1), 0);
	}
	assert_int_equal(vk_tx_take(&tx, &c), -EEXIST);
	vk_changes_clear(&c);
	vk_tx_clear(&tx);
}

/* ---- a stop before each file operation ------------------------------------ */

static int stop_at, ops_seen;

static void maybe_stop(void)
{
	if (ops_seen++ == stop_at)
		_exit(0); /* as a crash: nothing after this happens */
}

static int stop_replace(int rootfd, const struct vk_file *f, const char *data, size_t len)
{
	maybe_stop();
	return vk_file_replace(rootfd, f, data, len);
}

static int stop_mkdir(int rootfd, const char *rel)
{
	maybe_stop();
	return vk_mkdir_parents(rootfd, rel);
}

static const struct vk_tx_ops stop_ops = { stop_replace, stop_mkdir };

static void stop_anywhere(void **state)
{
	struct root *r = *state;
	int points = 0;

	for (stop_at = 0;; stop_at++) {
		pid_t pid = fork();
		int status;

		assert_true(pid >= 0);
		if (pid == 0) {
			ops_seen = 0;
			_exit(apply(r, &stop_ops) == 0 ? 1 : 2);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		if (WEXITSTATUS(status) == 1)
			break; /* the apply got through: every point was tried */
		assert_int_equal(WEXITSTATUS(status), 0);
		points++;
		/* Every file is whole: as before or as after. */
		{
			_cleanup_free_ char *a = get(r, "etc/grub"),
					    *b = get(r, "etc/modprobe.d/"
							"vfiokit.conf"),
					    *c = get(r, "etc/config");

			assert_true(streq(a, OLD_A) || streq(a, NEW_A));
			assert_true(!b || streq(b, NEW_B));
			assert_true(streq(c, OLD_C) || streq(c, NEW_C));
		}
		/* Undo brings back the start (no journal yet: nothing changed). */
		{
			int u = undo(r);

			assert_true(u == 0 || u == -ENOENT);
		}
		assert_file(r, "etc/grub", OLD_A);
		assert_file(r, "etc/config", OLD_C);
		assert_file(r, "etc/modprobe.d/vfiokit.conf", NULL);
	}
	/* backups (2), journal, 3 files and a directory, journal again */
	assert_true(points >= 7);
	print_message("stopped at %d points\n", points);
	assert_int_equal(undo(r), 0);
	assert_file(r, "etc/grub", OLD_A);
}

/* ---- a failure of each file operation ------------------------------------ */

static int fail_at;

static bool fails_now(void)
{
	return ops_seen++ == fail_at;
}

static int fail_replace(int rootfd, const struct vk_file *f, const char *data, size_t len)
{
	return fails_now() ? -EIO : vk_file_replace(rootfd, f, data, len);
}

static int fail_mkdir(int rootfd, const char *rel)
{
	return fails_now() ? -EIO : vk_mkdir_parents(rootfd, rel);
}

static const struct vk_tx_ops fail_ops = { fail_replace, fail_mkdir };

/* Every regular file under dir (rel to the root) with its content, in
 * order: "name\ncontent\n..." appended to *out. */
static void snapshot(const struct root *r, const char *rel, char **out)
{
	struct dirent **names;
	char path[512];
	int n;

	snprintf(path, sizeof(path), "%s/%s", r->dir, rel);
	n = scandir(path, &names, NULL, alphasort);
	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;
		struct stat st;

		if (!streq(name, ".") && !streq(name, "..")) {
			_cleanup_free_ char *sub = NULL;

			assert_true(asprintf(&sub, "%s/%s", rel, name) >= 0);
			assert_int_equal(fstatat(r->fd, sub, &st, AT_SYMLINK_NOFOLLOW), 0);
			if (S_ISDIR(st.st_mode)) {
				snapshot(r, sub, out);
			} else {
				_cleanup_free_ char *text = get(r, sub);
				char *more;

				assert_non_null(text);
				assert_true(asprintf(&more, "%s%s\n%s\n", *out, sub, text) >= 0);
				free(*out);
				*out = more;
			}
		}
		free(names[i]);
	}
	free(names);
}

static char *tree(const struct root *r)
{
	char *out = strdup("");

	snapshot(r, ".", &out);
	return out;
}

/* A failure at each point, on a first apply and on a second one that
 * finds the journal and FILE.vfiokit-bak files of the first: the files
 * are as at the start, and the journal as it was (none, or the first's). */
static void fail_anywhere(void **state)
{
	struct root *r = *state;

	for (int round = 0; round < 2; round++) {
		_cleanup_free_ char *start = NULL;
		int points = 0;

		if (round == 1) {
			/* A first apply, then the files as the user left them. */
			assert_int_equal(apply(r, NULL), 0);
			put(r, "etc/grub", OLD_A);
			put(r, "etc/config", OLD_C);
			assert_int_equal(unlinkat(r->fd, "etc/modprobe.d/vfiokit.conf", 0), 0);
		}
		start = tree(r);
		for (fail_at = 0;; fail_at++) {
			_cleanup_free_ char *now = NULL;
			int rc;

			ops_seen = 0;
			rc = apply(r, &fail_ops);
			if (rc == 0)
				break; /* no failure any more: every point was tried */
			assert_int_equal(rc, -EIO);
			points++;
			now = tree(r);
			assert_string_equal(now, start);
			if (round == 0) {
				assert_file(r, "var/lib/vfiokit/journal", NULL);
				/* The directory made for the new file goes too. */
				assert_int_equal(faccessat(r->fd, "etc/modprobe.d", F_OK, 0), -1);
			}
		}
		/* backups, journal, 3 files and a directory, journal again */
		assert_true(points >= 7);
		print_message("round %d: failed at %d points\n", round, points);
		assert_file(r, "etc/grub", NEW_A);
		assert_file(r, "etc/modprobe.d/vfiokit.conf", NEW_B);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(apply_and_undo, setup, teardown),
		cmocka_unit_test_setup_teardown(apply_keeps_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(undo_refuses_edited, setup, teardown),
		cmocka_unit_test_setup_teardown(take_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(stop_anywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(fail_anywhere, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
