// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../shared/macro.h"
#include "../shared/strv.h"
#include "../shared/paths.h"
#include "archive-dl.h"
#include "initramfs.h"
#include "kmod.h"

#define NEWC_HEADER 110
#define MAX_CONF    (256 << 10) /* a config file larger than this is not read */

static void set_err(char *err, size_t size, const char *fmt, ...) _printf_(3, 4);
static void set_err(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
}

void vk_initramfs_clear(struct vk_initramfs *ir)
{
	for (size_t i = 0; i < ir->n_files; i++) {
		free(ir->files[i].path);
		free(ir->files[i].data);
	}
	for (size_t i = 0; i < ir->n_modules; i++) {
		free(ir->modules[i].name);
		free(ir->modules[i].path);
	}
	for (size_t i = 0; i < ir->n_kvers; i++)
		free(ir->kvers[i]);
	free(ir->files);
	free(ir->modules);
	free(ir->kvers);
	vk_strmap_free(&ir->kver_index);
	free(ir->compression);
	memset(ir, 0, sizeof(*ir));
}

/* ---- what an entry is ---------------------------------------------------- */

static bool has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && streq(s + a - b, suffix);
}

static bool in_dir(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	return !strncmp(path, dir, len) && path[len] == '/' && !strchr(path + len + 1, '/');
}

/* The kind of a config file worth reading, or -1. */
static int conf_kind(const char *path)
{
	if ((in_dir(path, "etc/modprobe.d") || in_dir(path, "lib/modprobe.d") ||
	     in_dir(path, "usr/lib/modprobe.d")) &&
	    has_suffix(path, ".conf"))
		return VK_IR_MODPROBE;
	if (in_dir(path, "etc/cmdline.d") && has_suffix(path, ".conf"))
		return VK_IR_DRACUT_CMDLINE;
	if ((in_dir(path, "etc/modules-load.d") || in_dir(path, "usr/lib/modules-load.d")) &&
	    has_suffix(path, ".conf"))
		return VK_IR_MODULES_LOAD;
	if (streq(path, "conf/modules"))
		return VK_IR_CONF_MODULES;
	if (in_dir(path, "etc/modules"))
		return VK_IR_GENKERNEL_GROUP;
	return -1;
}

/* "lib/modules/<kver>/.../name.ko[.xz]": the module's name, or false. */
static bool module_name(const char *path, char *name, size_t size)
{
	static const char *const exts[] = { ".ko", ".ko.gz", ".ko.xz", ".ko.zst" };
	const char *base;

	if (strncmp(path, "lib/modules/", 12) && strncmp(path, "usr/lib/modules/", 16))
		return false;
	base = strrchr(path, '/') + 1;
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++) {
		size_t len = strlen(base), e = strlen(exts[i]);
		char tmp[256];

		if (!has_suffix(base, exts[i]) || len - e >= sizeof(tmp))
			continue;
		memcpy(tmp, base, len - e);
		tmp[len - e] = '\0';
		vk_modname_normalize(tmp, name, size);
		return true;
	}
	return false;
}

/* Note the lib/modules/<kver> directory of path, once. */
static int note_kver(struct vk_initramfs *ir, const char *path)
{
	const char *p = !strncmp(path, "usr/", 4) ? path + 4 : path;
	char kver[256];
	size_t len;
	int r;

	if (strncmp(p, "lib/modules/", 12))
		return 0;
	p += 12;
	len = strcspn(p, "/");
	if (!len || len >= sizeof(kver))
		return 0;
	memcpy(kver, p, len);
	kver[len] = '\0';
	if (vk_strmap_get(&ir->kver_index, kver, len))
		return 0;
	r = vk_strv_push(&ir->kvers, &ir->n_kvers, kver);
	if (r < 0)
		return r;
	p = ir->kvers[ir->n_kvers - 1];
	return vk_strmap_put(&ir->kver_index, p, len, (void *)p);
}

/* path without "./" and "/" in front. */
static const char *clean(const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	while (path[0] == '/')
		path++;
	return path;
}

static void note_generator(struct vk_initramfs *ir, const char *path)
{
	if (!strncmp(path, "usr/lib/dracut/", 15))
		ir->generator = "dracut";
	else if (streq(path, "conf/initramfs.conf") && !ir->generator)
		ir->generator = "initramfs-tools";
	else if (streq(path, "etc/initrd.defaults") && !ir->generator)
		ir->generator = "genkernel";
}

/* One entry; data (of a regular file, NULL otherwise) only matters for
 * config files. */
static int add_entry(struct vk_initramfs *ir, const char *raw, bool regular, const char *data,
		     size_t len)
{
	const char *path = clean(raw);
	char name[256];
	int kind, r;

	ir->n_entries++;
	note_generator(ir, path);
	r = note_kver(ir, path);
	if (r < 0)
		return r;
	if (!regular)
		return 0;
	if (module_name(path, name, sizeof(name))) {
		struct vk_irmodule *nv = realloc(ir->modules, (ir->n_modules + 1) * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		ir->modules = nv;
		nv[ir->n_modules].name = strdup(name);
		nv[ir->n_modules].path = strdup(path);
		ir->n_modules++;
		return nv[ir->n_modules - 1].name && nv[ir->n_modules - 1].path ? 0 : -ENOMEM;
	}
	kind = conf_kind(path);
	if (kind >= 0 && data) {
		struct vk_irfile *nv = realloc(ir->files, (ir->n_files + 1) * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		ir->files = nv;
		nv[ir->n_files].kind = kind;
		nv[ir->n_files].path = strdup(path);
		nv[ir->n_files].data = strndup(data, len);
		ir->n_files++;
		return nv[ir->n_files - 1].path && nv[ir->n_files - 1].data ? 0 : -ENOMEM;
	}
	return 0;
}

/* ---- the uncompressed parts ---------------------------------------------- */

static bool is_newc(const unsigned char *p, size_t len)
{
	return len >= 6 && (!memcmp(p, "070701", 6) || !memcmp(p, "070702", 6));
}

static int hex8(const unsigned char *p, unsigned long *out)
{
	unsigned long v = 0;

	for (int i = 0; i < 8; i++) {
		int c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/*
 * Parse one newc archive at buf[*off...] up to its TRAILER!!!, as the
 * kernel's init/initramfs.c does. On return *off is past it.
 */
static int parse_newc(const unsigned char *buf, size_t len, size_t *off, struct vk_initramfs *ir,
		      char *err, size_t err_size)
{
	size_t pos = *off;

	for (;;) {
		unsigned long f[13], namesize, filesize, mode;
		const unsigned char *h = buf + pos;
		char name[4096];
		size_t data_at;
		int r;

		if (pos + NEWC_HEADER > len) {
			set_err(err, err_size,
				"truncated: an uncompressed cpio archive ends at byte %zu, inside "
				"an entry header (no TRAILER!!!)",
				len);
			return -EINVAL;
		}
		if (!is_newc(h, len - pos)) {
			set_err(err, err_size, "damaged: no cpio header at byte %zu", pos);
			return -EINVAL;
		}
		for (int i = 0; i < 13; i++)
			if (hex8(h + 6 + 8 * i, &f[i]) < 0) {
				set_err(err, err_size,
					"damaged: a cpio header at byte %zu is not hex", pos);
				return -EINVAL;
			}
		mode = f[1];
		filesize = f[6];
		namesize = f[11];
		if (namesize == 0 || namesize > sizeof(name) ||
		    pos + NEWC_HEADER + namesize > len) {
			set_err(err, err_size, "%s: the name of the entry at byte %zu",
				pos + NEWC_HEADER + namesize > len ? "truncated" : "damaged", pos);
			return -EINVAL;
		}
		memcpy(name, h + NEWC_HEADER, namesize);
		name[namesize - 1] = '\0';
		data_at = pos + pad4(NEWC_HEADER + namesize);
		if (streq(name, "TRAILER!!!")) {
			*off = data_at > len ? len : data_at;
			return 0;
		}
		if (data_at > len || filesize > len - data_at) {
			set_err(err, err_size,
				"truncated: %s needs %lu bytes at byte %zu, the file ends at %zu",
				name, filesize, data_at, len);
			return -EINVAL;
		}
		r = add_entry(ir, name, (mode & 0170000) == 0100000, (const char *)buf + data_at,
			      filesize > MAX_CONF ? 0 : filesize);
		if (r < 0)
			return r;
		pos = data_at + pad4(filesize);
	}
}

/* ---- the compressed part --------------------------------------------------- */

static int read_data(struct archive *a, size_t size, char **out, size_t *len)
{
	char *buf = malloc(size + 1);
	la_ssize_t n;
	size_t got = 0;

	if (!buf)
		return -ENOMEM;
	while (got < size && (n = sym_archive_read_data(a, buf + got, size - got)) > 0)
		got += n;
	if (got < size) {
		free(buf);
		return -EIO;
	}
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
}

static int parse_archive(const unsigned char *buf, size_t len, struct vk_initramfs *ir, char *err,
			 size_t err_size)
{
	struct archive_entry *e;
	struct archive *a;
	size_t entries = 0;
	int r, ar;

	r = vk_archive_dlopen(err, err_size);
	if (r < 0)
		return r;
	a = sym_archive_read_new();
	if (!a)
		return -ENOMEM;
	sym_archive_read_support_format_cpio(a);
	/* Each with its library: no external program is ever started. */
	sym_archive_read_support_filter_gzip(a);
	sym_archive_read_support_filter_xz(a);
	sym_archive_read_support_filter_lzma(a);
	sym_archive_read_support_filter_bzip2(a);
	sym_archive_read_support_filter_zstd(a);
	sym_archive_read_support_filter_lz4(a);
	if (sym_archive_read_open_memory(a, buf, len) != ARCHIVE_OK) {
		set_err(err, err_size, "not a cpio archive: %s", sym_archive_error_string(a));
		sym_archive_read_free(a);
		return -EINVAL;
	}
	while ((ar = sym_archive_read_next_header(a, &e)) == ARCHIVE_OK || ar == ARCHIVE_WARN) {
		const char *name = sym_archive_entry_pathname(e);
		bool regular = sym_archive_entry_filetype(e) == AE_IFREG;
		la_int64_t size = sym_archive_entry_size(e);
		_cleanup_free_ char *data = NULL;
		size_t dlen = 0;

		if (!entries++) {
			free(ir->compression);
			ir->compression = strdup(sym_archive_filter_count(a) > 1
							 ? sym_archive_filter_name(a, 0)
							 : "none");
			if (!ir->compression) {
				r = -ENOMEM;
				break;
			}
		}
		if (!name)
			continue;
		if (regular && size >= 0 && size <= MAX_CONF && conf_kind(clean(name)) >= 0) {
			r = read_data(a, size, &data, &dlen);
			if (r == -EIO) {
				set_err(err, err_size, "truncated or damaged inside %s: %s", name,
					sym_archive_error_string(a) ?: "short read");
				r = -EINVAL;
			}
			if (r < 0)
				break;
		}
		r = add_entry(ir, name, regular, data ? data : "", dlen);
		if (r < 0)
			break;
	}
	if (r == 0 && ar != ARCHIVE_EOF) {
		if (!entries)
			set_err(err, err_size, "not a cpio archive: %s",
				sym_archive_error_string(a) ?: "unknown format");
		else
			set_err(err, err_size, "truncated or damaged after %zu entries: %s",
				entries, sym_archive_error_string(a) ?: "read error");
		r = -EINVAL;
	}
	sym_archive_read_free(a);
	return r;
}

int vk_initramfs_read_mem(const unsigned char *buf, size_t len, struct vk_initramfs *ir, char *err,
			  size_t err_size)
{
	size_t off = 0;
	int r;

	memset(ir, 0, sizeof(*ir));
	*err = '\0';
	if (len == 0) {
		set_err(err, err_size, "the file is empty");
		return -EINVAL;
	}
	while (is_newc(buf + off, len - off)) {
		r = parse_newc(buf, len, &off, ir, err, err_size);
		if (r < 0)
			goto fail;
		/* The kernel skips the zeros that pad one archive to the next. */
		while (off < len && buf[off] == 0)
			off++;
		if (off == len) {
			ir->compression = strdup("none");
			return ir->compression ? 0 : -ENOMEM;
		}
		ir->n_early++;
	}
	r = parse_archive(buf + off, len - off, ir, err, err_size);
	if (r < 0)
		goto fail;
	return 0;
fail:
	vk_initramfs_clear(ir);
	return r;
}

int vk_initramfs_read(int fd, struct vk_initramfs *ir, char *err, size_t err_size)
{
	struct stat st;
	void *map;
	int r;

	memset(ir, 0, sizeof(*ir));
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, err_size, "%s",
			 S_ISDIR(st.st_mode) ? "a directory, not an initramfs image"
					     : "not a regular file, not an initramfs image");
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	if (st.st_size == 0)
		return vk_initramfs_read_mem((const unsigned char *)"", 0, ir, err, err_size);
	map = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return -errno;
	r = vk_initramfs_read_mem(map, st.st_size, ir, err, err_size);
	munmap(map, st.st_size);
	return r;
}

char *vk_initramfs_find(const struct vk_ctx *ctx, const char *kver)
{
	/* Name before and after the release, as the generators write them. */
	static const struct {
		const char *pre, *post;
	} names[] = {
		{ "initramfs-", ".img" }, { "initrd.img-", "" },
		{ "initramfs-", "" },	  { "initrd-", ".img" },
		{ "initrd-", "" },	  { "initramfs-genkernel-x86_64-", "" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char *path;
		struct stat st;

		if (asprintf(&path, "%s/%s%s%s", VK_PATH_BOOT, names[i].pre, kver, names[i].post) <
		    0)
			return NULL;
		if (fstatat(ctx->rootfd, vk_rel(path), &st, 0) == 0 && S_ISREG(st.st_mode))
			return path;
		free(path);
	}
	return NULL;
}

/* ---- questions ------------------------------------------------------------ */

const struct vk_irmodule *vk_initramfs_module(const struct vk_initramfs *ir, const char *name)
{
	for (size_t i = 0; i < ir->n_modules; i++)
		if (vk_modname_eq(ir->modules[i].name, name))
			return &ir->modules[i];
	return NULL;
}

/* Does a whitespace/comma separated list in s name mod? */
static bool list_has(const char *s, const char *mod)
{
	_cleanup_free_ char *v = strdup(s);
	char *save = NULL;

	if (!v)
		return false;
	for (char *t = strtok_r(v, " \t\n,\"'", &save); t; t = strtok_r(NULL, " \t\n,\"'", &save))
		if (vk_modname_eq(t, mod))
			return true;
	return false;
}

/* The rd.driver.pre= values of a command line text list mod. */
static bool driver_pre(const char *text, const char *mod)
{
	for (const char *p = strstr(text, "rd.driver.pre="); p;
	     p = strstr(p + 1, "rd.driver.pre=")) {
		char val[1024];

		snprintf(val, sizeof(val), "%.*s", (int)strcspn(p + 14, " \t\n"), p + 14);
		if (list_has(val, mod))
			return true;
	}
	return false;
}

/* Each non-comment line of text, its words in list_has's sense. */
static bool lines_list(const char *text, const char *mod)
{
	_cleanup_free_ char *v = strdup(text);
	char *save = NULL;

	if (!v)
		return false;
	for (char *l = strtok_r(v, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		l[strcspn(l, "#")] = '\0';
		if (list_has(l, mod))
			return true;
	}
	return false;
}

char *vk_initramfs_early(const struct vk_initramfs *ir, const struct vk_cmdline *cl,
			 const char *mod)
{
	char *s = NULL;

	for (size_t i = 0; i < ir->n_files; i++) {
		const struct vk_irfile *f = &ir->files[i];
		bool yes = false;

		switch (f->kind) {
		case VK_IR_DRACUT_CMDLINE:
			yes = driver_pre(f->data, mod);
			break;
		case VK_IR_MODULES_LOAD:
		case VK_IR_CONF_MODULES:
		case VK_IR_GENKERNEL_GROUP:
			yes = lines_list(f->data, mod);
			break;
		default:
			break;
		}
		if (yes) {
			if (asprintf(&s, "%s in the initramfs", f->path) < 0)
				return NULL;
			return s;
		}
	}
	for (size_t i = 0; cl && i < cl->n_args; i++) {
		const struct vk_cmdline_arg *a = &cl->args[i];

		if (!a->init && a->key && a->value && streq(a->key, "rd.driver.pre") &&
		    list_has(a->value, mod))
			return strdup("rd.driver.pre= on the command line");
	}
	return NULL;
}

/* Call fn for each "cmd mod rest" line of the initramfs's modprobe.d. */
static bool each_line(const struct vk_initramfs *ir, const char *cmd, const char *mod,
		      bool (*fn)(const char *rest, void *data), void *data)
{
	for (size_t i = 0; i < ir->n_files; i++) {
		_cleanup_free_ char *v = NULL;
		char *save = NULL;

		if (ir->files[i].kind != VK_IR_MODPROBE)
			continue;
		v = strdup(ir->files[i].data);
		if (!v)
			return false;
		for (char *l = strtok_r(v, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			char *p = l + strspn(l, " \t"), *name;
			size_t n;

			if (strncmp(p, cmd, strlen(cmd)) || !strchr(" \t", p[strlen(cmd)]))
				continue;
			p += strlen(cmd);
			p += strspn(p, " \t");
			name = p;
			n = strcspn(p, " \t");
			if (!p[n])
				continue;
			p[n] = '\0';
			if (vk_modname_eq(name, mod) && fn(p + n + 1, data))
				return true;
		}
	}
	return false;
}

static bool add_option(const char *rest, void *data)
{
	char **s = data, *n;

	if (asprintf(&n, "%s%s%s", *s, **s ? " " : "", rest + strspn(rest, " \t")) < 0)
		return true;
	free(*s);
	*s = n;
	return false;
}

char *vk_initramfs_options(const struct vk_initramfs *ir, const char *mod)
{
	char *s = strdup("");

	if (s)
		each_line(ir, "options", mod, add_option, &s);
	return s;
}

static bool pre_has(const char *rest, void *data)
{
	const char *pre = strstr(rest, "pre:");
	_cleanup_free_ char *v = NULL;
	char *post;

	if (!pre)
		return false;
	v = strdup(pre + 4);
	if (!v)
		return false;
	post = strstr(v, "post:");
	if (post)
		*post = '\0';
	return list_has(v, data);
}

bool vk_initramfs_softdep_pre(const struct vk_initramfs *ir, const char *mod, const char *dep)
{
	return each_line(ir, "softdep", mod, pre_has, (void *)dep);
}
