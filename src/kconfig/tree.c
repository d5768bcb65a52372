// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/spawn.h"
#include "tree.h"

int vk_tree_version(const char *kdir, char *buf, size_t size)
{
	_cleanup_free_ char *path = NULL, *line = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	int v[3] = { -1, -1, -1 }, n = 0;
	size_t cap = 0;

	if (asprintf(&path, "%s/Makefile", kdir) < 0)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (n < 40 && getline(&line, &cap, f) > 0) {
		static const char *const keys[] = { "VERSION", "PATCHLEVEL", "SUBLEVEL" };

		n++;
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			size_t len = strlen(keys[k]);
			const char *p = line + len;

			if (strncmp(line, keys[k], len) != 0)
				continue;
			p += strspn(p, " \t");
			if (*p == '=')
				v[k] = atoi(p + 1);
		}
	}
	if (v[0] < 0 || v[1] < 0)
		return -EINVAL;
	snprintf(buf, size, "%d.%d.%d", v[0], v[1], v[2] < 0 ? 0 : v[2]);
	return 0;
}

static int write_all(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ssize_t w;

	if (fd < 0)
		return -errno;
	while (len > 0) {
		w = write(fd, text, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			close(fd);
			return -errno;
		}
		text += w;
		len -= (size_t)w;
	}
	return close(fd) < 0 ? -errno : 0;
}

static int read_all(const char *path, char **out, size_t *len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	size_t cap = 0;
	FILE *m;

	if (!f)
		return -errno;
	*out = NULL;
	m = open_memstream(out, &cap);
	if (!m)
		return -ENOMEM;
	for (int c; (c = getc(f)) != EOF;)
		putc(c, m);
	if (fclose(m) != 0)
		return -ENOMEM;
	*len = cap;
	return 0;
}

int vk_tree_olddefconfig(const char *kdir, const char *outdir, const char *text, size_t len,
			 char **result, size_t *rlen, char **log)
{
	const char *tmp = getenv("TMPDIR");
	_cleanup_free_ char *dir = NULL, *cfg = NULL, *old = NULL, *karg = NULL, *oarg = NULL;
	const char *argv[8];
	int r, status, argc = 0;

	*log = NULL;
	if (asprintf(&dir, "%s/vfiokit-kconfig-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return -ENOMEM;
	if (!mkdtemp(dir))
		return -errno;
	if (asprintf(&cfg, "%s/.config", dir) < 0 || asprintf(&old, "%s/.config.old", dir) < 0 ||
	    asprintf(&karg, "KCONFIG_CONFIG=%s", cfg) < 0 ||
	    (outdir && asprintf(&oarg, "O=%s", outdir) < 0)) {
		r = -ENOMEM;
		goto out;
	}
	r = write_all(cfg, text, len);
	if (r < 0)
		goto out;
	argv[argc++] = "make";
	argv[argc++] = "-s";
	argv[argc++] = "-C";
	argv[argc++] = kdir;
	if (oarg)
		argv[argc++] = oarg;
	argv[argc++] = karg;
	argv[argc++] = "olddefconfig";
	argv[argc] = NULL;
	r = vk_spawn(argv, NULL, &status, log);
	if (r == 0 && status != 0)
		r = -ECHILD;
	if (r == 0)
		r = read_all(cfg, result, rlen);
out:
	if (cfg)
		unlink(cfg);
	if (old)
		unlink(old);
	rmdir(dir);
	return r;
}

int vk_tree_dist_kernel(const char *kdir, char *pkg, size_t size)
{
	_cleanup_free_ char *path = NULL;
	char buf[512];
	ssize_t n;
	char *p;

	if (asprintf(&path, "%s/dist-kernel", kdir) < 0)
		return -ENOMEM;
	n = vk_read_file(AT_FDCWD, path, buf, sizeof(buf));
	if (n == -ENOENT || n == -ENOTDIR)
		return 0;
	if (n < 0)
		return (int)n;
	buf[strcspn(buf, ":\n")] = '\0';
	/* PF is PN-PV[-rN]: the version starts after the last "-" followed by
	 * a digit that leaves a name before it. */
	for (p = strchr(buf, '/'); p && (p = strchr(p + 1, '-'));)
		if (p[1] >= '0' && p[1] <= '9') {
			*p = '\0';
			break;
		}
	if (!strchr(buf, '/') || !buf[strcspn(buf, "/") + 1])
		return -EINVAL;
	snprintf(pkg, size, "%s", buf);
	return 1;
}

const char *vk_dist_kernel_ignores_config_d(const char *pkg)
{
	if (!strcmp(pkg, "sys-kernel/gentoo-kernel-bin"))
		return "sys-kernel/gentoo-kernel-bin is built already and ignores "
		       "/etc/kernel/config.d: switch to sys-kernel/gentoo-kernel (the same kernel, "
		       "built on this machine) for the options to take effect";
	return NULL;
}
