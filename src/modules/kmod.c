// SPDX-License-Identifier: GPL-2.0-or-later
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
#include "../shared/strv.h"
#include "../shared/paths.h"
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

/*
 * libkmod parses modprobe.d inside kmod_new(), before a log function can
 * be set, and reports to stderr as "libkmod: ERROR file:line fn: msg".
 * stderr is pointed at a memory stream for that call; each line it got is
 * stored without libkmod's prefix.
 */
static void take_startup_log(struct vk_kmod *km, const char *text)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		_cleanup_free_ char *one = strndup(line, end ? (size_t)(end - line) : strlen(line));
		const char *msg;

		line = end ? end + 1 : NULL;
		if (!one)
			return;
		msg = one;
		if (!strncmp(msg, "libkmod: ", 9)) {
			const char *colon = strstr(msg + 9, ": ");

			msg = colon ? colon + 2 : msg + 9;
		}
		msg_add(km, msg);
	}
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

static int new_ctx(struct vk_kmod *km, const char *dirname, const char *const *paths)
{
	_cleanup_free_ char *log = NULL;
	size_t log_len = 0;
	FILE *mem, *saved;

	mem = open_memstream(&log, &log_len);
	if (!mem)
		return -ENOMEM;
	fflush(stderr);
	saved = stderr;
	stderr = mem;
	km->kctx = kmod_new(dirname, paths);
	stderr = saved;
	fclose(mem);
	if (!km->kctx)
		return -ENOMEM;
	kmod_set_log_priority(km->kctx, LOG_WARNING);
	kmod_set_log_fn(km->kctx, log_capture, km);
	if (log)
		take_startup_log(km, log);
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
		r = new_ctx(km, dirname, (const char *const *)paths);
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
