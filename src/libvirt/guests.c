// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The libvirt-guests planner (see guests.h): one key set in a shell-style
 * file, every other byte kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../shared/macro.h"
#include "../shared/paths.h"
#include "../shared/write.h"
#include "guests.h"

#define MAX_FILE (1u << 20)

static bool exists(const struct vk_ctx *ctx, const char *abs)
{
	return faccessat(ctx->rootfd, vk_rel(abs), F_OK, 0) == 0;
}

/* The file libvirt-guests reads here and its key: an existing file in the
 * order vfiokit verify reads them, else the init system's. */
static void choose(const struct vk_ctx *ctx, const char **path, const char **key)
{
	*key = "ON_SHUTDOWN";
	if (exists(ctx, VK_PATH_LIBVIRT_GUESTS_CONFD) || exists(ctx, VK_PATH_LIBVIRT_GUESTS_INIT)) {
		*path = VK_PATH_LIBVIRT_GUESTS_CONFD;
		*key = "LIBVIRT_SHUTDOWN";
	} else if (exists(ctx, VK_PATH_LIBVIRT_GUESTS_DEFAULT) ||
		   !exists(ctx, VK_PATH_ETC_SYSCONFIG)) {
		*path = VK_PATH_LIBVIRT_GUESTS_DEFAULT;
	} else {
		*path = VK_PATH_LIBVIRT_GUESTS_SYSCONFIG;
	}
}

/* Whether line (up to its end) assigns key: "KEY=..." after blanks; with
 * commented, "#KEY=..." (the shipped default, commented out). */
static bool assigns(const char *line, const char *key, bool commented)
{
	size_t n = strlen(key);

	line += strspn(line, " \t");
	if (commented) {
		if (*line != '#')
			return false;
		line++;
		line += strspn(line, " \t");
	}
	return !strncmp(line, key, n) && line[n] == '=';
}

/* The value of the assignment at line, unquoted, into buf. */
static void value_of(const char *line, const char *key, char *buf, size_t size)
{
	const char *v = strchr(line, '=') + 1;
	size_t len;

	(void)key;
	v += strspn(v, "\"'");
	len = strcspn(v, "\"' \t#\n");
	snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), v);
}

int vk_libvirt_guests_plan(const struct vk_ctx *ctx, struct vk_changes *changes,
			   struct vk_notes *notes)
{
	_cleanup_free_ char *text = NULL;
	struct vk_file f = {};
	const char *path, *key, *active = NULL, *commented = NULL, *p;
	char shown[4096], value[64] = "";
	size_t len, cap;
	int r;

	if (!exists(ctx, VK_PATH_ETC_LIBVIRT))
		return 0;
	choose(ctx, &path, &key);
	snprintf(shown, sizeof(shown), "%s%s", ctx->prefix, path);
	r = vk_file_load(ctx->rootfd, path, MAX_FILE, &f);
	if (r < 0) {
		vk_file_clear(&f);
		return vk_notes_add(notes, VK_NOTE_WARN,
				    "%s: %s: libvirt-guests left as it is (it may suspend guests "
				    "at shutdown, which a VFIO device does not survive)",
				    shown, strerror(-r));
	}
	/* the last assignment is the one the shell keeps */
	for (p = f.data; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		if (assigns(p, key, false))
			active = p;
		else if (assigns(p, key, true))
			commented = p;
	}
	if (active)
		value_of(active, key, value, sizeof(value));
	if (streq(value, "shutdown")) {
		r = vk_changes_add(changes, &f, false, shown, f.data, f.len);
		vk_file_clear(&f);
		return r;
	}
	cap = f.len + strlen(key) + 128;
	text = malloc(cap);
	if (!text) {
		vk_file_clear(&f);
		return -ENOMEM;
	}
	if (active) {
		/* that line, its indentation kept, says shutdown */
		size_t at = (size_t)(active - f.data), indent = strspn(active, " \t");
		const char *eol = strchr(active, '\n');
		size_t rest = eol ? (size_t)(eol - f.data) : f.len;

		len = (size_t)snprintf(text, cap, "%.*s%s=\"shutdown\"", (int)(at + indent), f.data,
				       key);
		memcpy(text + len, f.data + rest, f.len - rest);
		len += f.len - rest;
	} else {
		/* after the shipped commented default, or at the end */
		size_t at = f.len;
		const char *eol = commented ? strchr(commented, '\n') : NULL;

		if (eol)
			at = (size_t)(eol - f.data) + 1;
		memcpy(text, f.data, at);
		len = at;
		if (len && text[len - 1] != '\n')
			text[len++] = '\n';
		len += (size_t)snprintf(text + len, cap - len,
					"# vfiokit: shut guests down, a VFIO device cannot be "
					"saved\n%s=\"shutdown\"\n",
					key);
		memcpy(text + len, f.data + at, f.len - at);
		len += f.len - at;
	}
	text[len] = '\0';
	r = vk_notes_add(notes, VK_NOTE_INFO,
			 "%s: %s=\"shutdown\" (was %s): libvirt-guests shuts guests down at host "
			 "shutdown instead of saving them, which a VFIO device does not survive",
			 shown, key,
			 *value ? value
				: (streq(key, "LIBVIRT_SHUTDOWN") ? "managedsave, the default"
								  : "suspend, the default"));
	if (r == 0)
		r = vk_changes_add(changes, &f, false, shown, text, len);
	vk_file_clear(&f);
	return r;
}
