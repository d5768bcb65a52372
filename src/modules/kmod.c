// SPDX-License-Identifier: GPL-2.0-or-later
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <libkmod.h>

#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/strv.h"
#include "../shared/write.h"
#include "kmod.h"

struct conf_option {
	char *mod, *val;
};

struct vk_kmod {
	struct kmod_ctx *kctx;
	char *kver;
	char *moddir; /* /lib/modules/<kver> */
	char *prefix; /* the root, "" for / */
	struct vk_kmod_msg *msgs;
	size_t n_msgs;
	struct conf_option *opts; /* modprobe.d's options, in order */
	size_t n_opts;
	char **blacklist; /* modprobe.d's blacklist */
	size_t n_blacklist;
	char **builtin; /* modules.builtin's names, '_' form, sorted */
	size_t n_builtin;
};

void vk_modname_normalize(const char *in, char *out, size_t size)
{
	size_t i;

	if (!size)
		return;
	for (i = 0; in[i] && i + 1 < size; i++)
		out[i] = in[i] == '-' ? '_' : in[i];
	out[i] = '\0';
}

bool vk_modname_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

/* ---- messages ------------------------------------------------------------ */

/* Store one message: "<root>/etc/x.conf line 3: text" becomes file
 * "/etc/x.conf", line 3, text "text". */
static void msg_add(struct vk_kmod *km, const char *raw)
{
	struct vk_kmod_msg m = {};
	_cleanup_free_ char *s = strdup(raw);
	struct vk_kmod_msg *v;
	char *p, *sep;
	size_t len;

	if (!s)
		return;
	len = strlen(s);
	while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
		s[--len] = '\0';
	if (!len)
		return;
	p = s;
	sep = strstr(p, " line ");
	if (p[0] == '/' && sep && !memchr(p, ' ', sep - p)) {
		unsigned int line;
		int n = 0;

		if (sscanf(sep, " line %u: %n", &line, &n) == 1 && n > 0) {
			size_t plen = strlen(km->prefix);

			*sep = '\0';
			if (plen && !strncmp(p, km->prefix, plen) && p[plen] == '/')
				p += plen;
			m.file = strdup(p);
			m.line = line;
			p = sep + n;
		}
	}
	m.text = strdup(p);
	v = realloc(km->msgs, (km->n_msgs + 1) * sizeof(*v));
	if (!m.text || !v) {
		free(m.text);
		free(m.file);
		if (v)
			km->msgs = v;
		return;
	}
	km->msgs = v;
	km->msgs[km->n_msgs++] = m;
}

static void log_capture(void *data, int priority, const char *file, int line, const char *fn,
			const char *format, va_list args)
{
	struct vk_kmod *km = data;
	_cleanup_free_ char *s = NULL;

	if (priority > LOG_WARNING)
		return;
	if (vasprintf(&s, format, args) < 0)
		return;
	msg_add(km, s);
}

/* ---- the command line entries libkmod adds ---------------------------- */

void vk_kcmdline_clear(struct vk_kcmdline *k)
{
	for (size_t i = 0; i < k->n_opts; i++) {
		free(k->opt_mod[i]);
		free(k->opt_val[i]);
	}
	for (size_t i = 0; i < k->n_blacklist; i++)
		free(k->blacklist[i]);
	free(k->opt_mod);
	free(k->opt_val);
	free(k->blacklist);
	memset(k, 0, sizeof(*k));
}

/* One token, the way kmod 30 reads it: the name ends at the first dot, the
 * parameter starts after the last dot, and only a token with a '=' after
 * its first dot counts. */
static int kcmdline_token(struct vk_kcmdline *k, char *tok)
{
	char *param = NULL, *value = NULL;
	char mod[256];

	for (char *p = tok; *p; p++) {
		if (*p == '.') {
			*p = '\0';
			param = p + 1;
		} else if (*p == '=' && param) {
			value = p + 1;
		}
	}
	if (!param || !value)
		return 0;
	if (streq(tok, "modprobe") && !strncmp(param, "blacklist=", 10)) {
		for (char *s = param + 10, *t; s; s = t) {
			t = strchr(s, ',');
			if (t)
				*t++ = '\0';
			if (vk_strv_push(&k->blacklist, &k->n_blacklist, s) < 0)
				return -ENOMEM;
		}
		return 0;
	}
	vk_modname_normalize(tok, mod, sizeof(mod));
	if (vk_strv_push(&k->opt_mod, &k->n_opts, mod) < 0)
		return -ENOMEM;
	k->n_opts--;
	if (vk_strv_push(&k->opt_val, &k->n_opts, param) < 0) {
		free(k->opt_mod[k->n_opts]);
		return -ENOMEM;
	}
	return 0;
}

int vk_kcmdline_parse(const char *text, struct vk_kcmdline *out)
{
	_cleanup_free_ char *s = strdup(text);
	char *save = NULL;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -ENOMEM;
	s[strcspn(s, "\n")] = '\0';
	for (char *tok = strtok_r(s, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (kcmdline_token(out, tok) < 0) {
			vk_kcmdline_clear(out);
			return -ENOMEM;
		}
	return 0;
}

/* ---- configuration snapshot -------------------------------------------- */

static int snapshot_config(struct vk_kmod *km)
{
	struct vk_kcmdline host = {};
	struct kmod_config_iter *it;
	char buf[4096];
	int r = 0;

	/* What libkmod took from the host's command line, to leave out. */
	if (vk_read_file(AT_FDCWD, VK_PATH_HOST_PROC_CMDLINE, buf, sizeof(buf)) >= 0)
		vk_kcmdline_parse(buf, &host);

	it = kmod_config_get_options(km->kctx);
	while (it && kmod_config_iter_next(it)) {
		struct conf_option *v = realloc(km->opts, (km->n_opts + 1) * sizeof(*v));

		if (!v) {
			r = -ENOMEM;
			break;
		}
		km->opts = v;
		v[km->n_opts].mod = strdup(kmod_config_iter_get_key(it));
		v[km->n_opts].val = strdup(kmod_config_iter_get_value(it) ?: "");
		km->n_opts++;
		if (!v[km->n_opts - 1].mod || !v[km->n_opts - 1].val) {
			r = -ENOMEM;
			break;
		}
	}
	kmod_config_iter_free_iter(it);
	it = kmod_config_get_blacklists(km->kctx);
	while (r == 0 && it && kmod_config_iter_next(it))
		r = vk_strv_push(&km->blacklist, &km->n_blacklist, kmod_config_iter_get_key(it));
	kmod_config_iter_free_iter(it);

	/* The host's entries come last, in the order of its command line. */
	for (size_t i = host.n_opts; r == 0 && i > 0 && km->n_opts > 0; i--) {
		struct conf_option *o = &km->opts[km->n_opts - 1];

		if (!streq(o->mod, host.opt_mod[i - 1]) || !streq(o->val, host.opt_val[i - 1]))
			break;
		free(o->mod);
		free(o->val);
		km->n_opts--;
	}
	for (size_t i = host.n_blacklist; r == 0 && i > 0 && km->n_blacklist > 0; i--) {
		if (!streq(km->blacklist[km->n_blacklist - 1], host.blacklist[i - 1]))
			break;
		free(km->blacklist[--km->n_blacklist]);
	}
	vk_kcmdline_clear(&host);
	return r;
}

/* ---- modules.builtin ---------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in modules.builtin ("kernel/drivers/vfio/pci/vfio-pci.ko").
 * libkmod's own answer (kmod_module_get_initstate) looks at the host's
 * /sys/module for modules it does not find there, so it is not asked. */
static int read_builtin(const struct vk_ctx *ctx, struct vk_kmod *km)
{
	_cleanup_free_ char *path = NULL, *line = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	size_t alloc = 0;
	int fd;

	if (asprintf(&path, "%s/modules.builtin", km->moddir) < 0)
		return -ENOMEM;
	fd = openat(ctx->rootfd, vk_rel(path), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -errno;
	}
	while (getline(&line, &alloc, f) > 0) {
		char *base = strrchr(line, '/'), name[256];

		base = base ? base + 1 : line;
		base[strcspn(base, ".\n")] = '\0';
		if (!*base)
			continue;
		vk_modname_normalize(base, name, sizeof(name));
		if (vk_strv_push(&km->builtin, &km->n_builtin, name) < 0)
			return -ENOMEM;
	}
	if (km->n_builtin)
		qsort(km->builtin, km->n_builtin, sizeof(char *), cmp_str);
	return 0;
}

bool vk_kmod_is_builtin(const struct vk_kmod *km, const char *mod)
{
	char name[256];
	const char *key = name;

	vk_modname_normalize(mod, name, sizeof(name));
	return km->n_builtin &&
	       bsearch(&key, km->builtin, km->n_builtin, sizeof(char *), cmp_str) != NULL;
}

/* ---- open ---------------------------------------------------------------- */

static const char *const modprobe_dirs[] = {
	VK_PATH_ETC_MODPROBE_D, VK_PATH_RUN_MODPROBE_D,	    VK_PATH_USR_LOCAL_LIB_MODPROBE_D,
	VK_PATH_LIB_MODPROBE_D, VK_PATH_USR_LIB_MODPROBE_D,
};

void vk_kmod_free(struct vk_kmod *km)
{
	if (!km)
		return;
	kmod_unref(km->kctx);
	for (size_t i = 0; i < km->n_msgs; i++) {
		free(km->msgs[i].file);
		free(km->msgs[i].text);
	}
	for (size_t i = 0; i < km->n_opts; i++) {
		free(km->opts[i].mod);
		free(km->opts[i].val);
	}
	for (size_t i = 0; i < km->n_blacklist; i++)
		free(km->blacklist[i]);
	for (size_t i = 0; i < km->n_builtin; i++)
		free(km->builtin[i]);
	free(km->builtin);
	free(km->msgs);
	free(km->opts);
	free(km->blacklist);
	free(km->kver);
	free(km->moddir);
	free(km->prefix);
	free(km);
}

/*
 * ---- the lines libkmod rejects -------------------------------------------
 *
 * libkmod reads modprobe.d inside kmod_new(), before a log function can be
 * set, and says what it rejects on stderr. Like kmod's own tools, vfiokit
 * sets its log function after kmod_new(); the lines libkmod rejects there
 * are found here instead, by libkmod's rules, file by file in its order, and
 * stored as libkmod words them. What kmod_new() itself logs before a log
 * function can be set goes where KMOD_LOG says (src/main.c sets it to 0
 * unless the user set it).
 */

/* A module name or alias as libkmod takes it: a '[' needs a ']' after it,
 * a ']' of its own is refused. */
static bool conf_name_ok(const char *s)
{
	if (!s)
		return false;
	for (; *s; s++) {
		if (*s == ']')
			return false;
		if (*s == '[' && !(s = strchr(s, ']')))
			return false;
	}
	return true;
}

/* Check one logical line of file (as libkmod names it), ending at line n. */
static void lint_line(struct vk_kmod *km, const char *file, unsigned int n, char *line,
		      bool weakdep)
{
	_cleanup_free_ char *msg = NULL;
	char *save = NULL, *cmd, *name;
	bool ok;

	if (!*line || *line == '#')
		return;
	cmd = strtok_r(line, "\t ", &save);
	if (!cmd)
		return;
	if (streq(cmd, "include") || streq(cmd, "config")) {
		if (asprintf(&msg, "%s: command %s is deprecated and not parsed anymore", file,
			     cmd) >= 0)
			msg_add(km, msg);
		return;
	}
	name = strtok_r(NULL, "\t ", &save);
	if (streq(cmd, "alias"))
		ok = conf_name_ok(name) && conf_name_ok(strtok_r(NULL, "\t ", &save));
	else if (streq(cmd, "blacklist"))
		ok = conf_name_ok(name);
	else if (streq(cmd, "options") || streq(cmd, "install") || streq(cmd, "remove") ||
		 streq(cmd, "softdep") || (weakdep && streq(cmd, "weakdep")))
		ok = conf_name_ok(name) && strtok_r(NULL, "", &save);
	else
		ok = false;
	if (!ok &&
	    asprintf(&msg, "%s line %u: ignoring bad line starting with '%s'", file, n, cmd) >= 0)
		msg_add(km, msg);
}

void vk_modprobe_lines(const char *text, size_t len, vk_modprobe_line_fn fn, void *data)
{
	const char *p = text, *end = text + len;
	_cleanup_free_ char *line = malloc(len + 1);
	unsigned int n = 0;

	if (!line)
		return;
	while (p < end) {
		size_t ll = 0;

		for (;;) {
			const char *nl = memchr(p, '\n', end - p), *e = nl ? nl : end;
			bool cont = e > p && e[-1] == '\\';

			n++;
			memcpy(line + ll, p, (e - p) - cont);
			ll += (e - p) - cont;
			p = nl ? nl + 1 : end;
			if (!cont)
				break;
			if (p >= end) {
				n++; /* libkmod counts the line it found missing */
				break;
			}
		}
		line[ll] = '\0';
		fn(data, n, line);
	}
}

struct conf_file {
	const char *dir, *name;
};

static int conf_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct conf_file *)a)->name, ((const struct conf_file *)b)->name);
}

/* Is dir/name a directory? libkmod skips it. */
static bool conf_dir(const struct vk_ctx *ctx, const char *dir, const char *name, char **abs)
{
	struct stat st;

	if (asprintf(abs, "%s/%s", dir, name) < 0) {
		*abs = NULL;
		return false;
	}
	return fstatat(ctx->rootfd, vk_rel(*abs), &st, 0) == 0 && S_ISDIR(st.st_mode);
}

void vk_modprobe_d_foreach(const struct vk_ctx *ctx, vk_modprobe_file_fn fn, void *data)
{
	char **names[ARRAY_SIZE(modprobe_dirs)] = {};
	size_t n_names[ARRAY_SIZE(modprobe_dirs)] = {}, n = 0, total = 0;
	_cleanup_free_ struct conf_file *files = NULL;

	for (size_t d = 0; d < ARRAY_SIZE(modprobe_dirs); d++)
		if (vk_list_dir(ctx->rootfd, vk_rel(modprobe_dirs[d]), &names[d], &n_names[d]) == 0)
			total += n_names[d];
	files = calloc(total ? total : 1, sizeof(*files));
	for (size_t d = 0; files && d < ARRAY_SIZE(modprobe_dirs); d++)
		for (size_t i = 0; i < n_names[d]; i++) {
			_cleanup_free_ char *abs = NULL;
			const char *name = names[d][i];
			size_t len = strlen(name);
			bool seen = false;

			if (name[0] == '.' || len < 6 || !streq(name + len - 5, ".conf"))
				continue;
			if (conf_dir(ctx, modprobe_dirs[d], name, &abs)) {
				fn(data, abs, NULL, 0);
				continue;
			}
			for (size_t k = 0; k < n && !seen; k++)
				seen = streq(files[k].name, name);
			if (!seen)
				files[n++] = (struct conf_file){ modprobe_dirs[d], name };
		}
	if (files)
		qsort(files, n, sizeof(*files), conf_file_cmp);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *abs = NULL, *text = NULL;
		size_t len = 0;

		if (asprintf(&abs, "%s/%s", files[i].dir, files[i].name) < 0)
			break;
		if (vk_file_read_all(ctx->rootfd, abs, 1 << 24, &text, &len) < 0)
			continue;
		fn(data, abs, text, len);
	}
	for (size_t d = 0; d < ARRAY_SIZE(modprobe_dirs); d++)
		free(names[d]);
}

struct lint {
	struct vk_kmod *km;
	const struct vk_ctx *ctx;
	const char *shown;
	bool weakdep;
};

static void lint_one(void *data, unsigned int n, char *line)
{
	struct lint *l = data;

	lint_line(l->km, l->shown, n, line, l->weakdep);
}

/* Each file libkmod reads, checked by libkmod's rules. */
static void lint_file(void *data, const char *abs, const char *text, size_t len)
{
	struct lint *l = data;
	_cleanup_free_ char *shown = vk_ctx_path(l->ctx, abs), *msg = NULL;

	if (!shown)
		return;
	if (!text) {
		if (asprintf(&msg, "Directories inside directories are not supported: %s", shown) >=
		    0)
			msg_add(l->km, msg);
		return;
	}
	l->shown = shown;
	vk_modprobe_lines(text, len, lint_one, l);
}

/* The *.conf files of the modprobe.d directories in libkmod's order. */
static void lint_config(struct vk_kmod *km, const struct vk_ctx *ctx)
{
	/* weakdep came with kmod 33, as did this function. */
	struct lint l = { km, ctx, NULL, dlsym(RTLD_DEFAULT, "kmod_module_get_weakdeps") != NULL };

	vk_modprobe_d_foreach(ctx, lint_file, &l);
}

static int new_ctx(struct vk_kmod *km, const struct vk_ctx *ctx, const char *dirname,
		   const char *const *paths)
{
	lint_config(km, ctx);
	km->kctx = kmod_new(dirname, paths);
	if (!km->kctx)
		return -ENOMEM;
	kmod_set_log_priority(km->kctx, LOG_WARNING);
	kmod_set_log_fn(km->kctx, log_capture, km);
	return 0;
}

int vk_kmod_open(const struct vk_ctx *ctx, const char *kver, struct vk_kmod **out)
{
	struct vk_kmod *km;
	char *paths[ARRAY_SIZE(modprobe_dirs) + 1] = {};
	_cleanup_free_ char *dirname = NULL, *dep = NULL, *depbin = NULL;
	struct stat st;
	size_t n_msgs;
	int r;

	km = calloc(1, sizeof(*km));
	if (!km)
		return -ENOMEM;
	r = -ENOMEM;
	km->kver = strdup(kver);
	km->prefix = strdup(ctx->prefix);
	if (!km->kver || !km->prefix ||
	    asprintf(&km->moddir, "%s/%s", VK_PATH_LIB_MODULES, kver) < 0)
		goto fail;
	dirname = vk_ctx_path(ctx, km->moddir);
	if (asprintf(&dep, "%s/modules.dep", km->moddir) < 0 ||
	    asprintf(&depbin, "%s/modules.dep.bin", km->moddir) < 0 || !dirname)
		goto fail;
	if (fstatat(ctx->rootfd, vk_rel(km->moddir), &st, 0) < 0 || !S_ISDIR(st.st_mode)) {
		r = -ENOENT;
		goto fail;
	}
	if (faccessat(ctx->rootfd, vk_rel(dep), F_OK, 0) < 0 &&
	    faccessat(ctx->rootfd, vk_rel(depbin), F_OK, 0) < 0) {
		r = -ENODATA;
		goto fail;
	}
	for (size_t i = 0; i < ARRAY_SIZE(modprobe_dirs); i++) {
		paths[i] = vk_ctx_path(ctx, modprobe_dirs[i]);
		if (!paths[i])
			goto fail_paths;
	}
	r = read_builtin(ctx, km);
	if (r >= 0)
		r = new_ctx(km, ctx, dirname, (const char *const *)paths);
	n_msgs = km->n_msgs;
	/* The indexes in memory make lookups fast; without them (a tree
	 * with modules.dep only) libkmod still answers. */
	if (r >= 0 && kmod_load_resources(km->kctx) < 0) {
		while (km->n_msgs > n_msgs) {
			km->n_msgs--;
			free(km->msgs[km->n_msgs].file);
			free(km->msgs[km->n_msgs].text);
		}
	}
	if (r >= 0)
		r = snapshot_config(km);
fail_paths:
	for (size_t i = 0; i < ARRAY_SIZE(modprobe_dirs); i++)
		free(paths[i]);
	if (r < 0)
		goto fail;
	*out = km;
	return 0;
fail:
	vk_kmod_free(km);
	return r;
}

struct kmod_ctx *vk_kmod_ctx(const struct vk_kmod *km)
{
	return km->kctx;
}

const char *vk_kmod_kver(const struct vk_kmod *km)
{
	return km->kver;
}

const char *vk_kmod_moddir(const struct vk_kmod *km)
{
	return km->moddir;
}

size_t vk_kmod_n_msgs(const struct vk_kmod *km)
{
	return km->n_msgs;
}

const struct vk_kmod_msg *vk_kmod_msg(const struct vk_kmod *km, size_t i)
{
	return &km->msgs[i];
}

bool vk_kmod_conf_blacklisted(const struct vk_kmod *km, const char *mod)
{
	for (size_t i = 0; i < km->n_blacklist; i++)
		if (vk_modname_eq(km->blacklist[i], mod))
			return true;
	return false;
}

char *vk_kmod_conf_options(const struct vk_kmod *km, const char *mod)
{
	char *s = strdup("");

	for (size_t i = 0; s && i < km->n_opts; i++) {
		char *n;

		if (!vk_modname_eq(km->opts[i].mod, mod))
			continue;
		if (asprintf(&n, "%s%s%s", s, *s ? " " : "", km->opts[i].val) < 0)
			n = NULL;
		free(s);
		s = n;
	}
	return s;
}

/* A softdep value as libkmod gives it ("pre: a b post: c", kmod 30 drops
 * the space before "post:"): does its pre: part name dep? */
static bool pre_names(const char *value, const char *dep)
{
	_cleanup_free_ char *v = NULL;
	const char *pre = value ? strstr(value, "pre:") : NULL;
	char *post, *save = NULL;

	if (!pre || !(v = strdup(pre + 4)))
		return false;
	post = strstr(v, "post:");
	if (post)
		*post = '\0';
	for (char *t = strtok_r(v, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
		if (vk_modname_eq(t, dep))
			return true;
	return false;
}

bool vk_kmod_conf_softdep_pre(const struct vk_kmod *km, const char *mod, const char *dep)
{
	struct kmod_config_iter *it = kmod_config_get_softdeps(km->kctx);
	struct kmod_module *m = NULL;
	struct kmod_list *pre = NULL, *post = NULL, *l;
	bool found = false;

	/* modprobe.d's own lines, whether or not dep is in this kernel. */
	while (it && !found && kmod_config_iter_next(it))
		found = vk_modname_eq(kmod_config_iter_get_key(it), mod) &&
			pre_names(kmod_config_iter_get_value(it), dep);
	kmod_config_iter_free_iter(it);
	if (found)
		return true;
	/* The module's own soft dependencies (modules.softdep). */
	if (kmod_module_new_from_name(km->kctx, mod, &m) < 0)
		return false;
	if (kmod_module_get_softdeps(m, &pre, &post) == 0) {
		kmod_list_foreach(l, pre)
		{
			struct kmod_module *d = kmod_module_get_module(l);

			found |= vk_modname_eq(kmod_module_get_name(d), dep);
			kmod_module_unref(d);
		}
	}
	kmod_module_unref_list(pre);
	kmod_module_unref_list(post);
	kmod_module_unref(m);
	return found;
}
