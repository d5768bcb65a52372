// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "shared/ctx.h"
#include "shared/exit.h"

static const struct vk_ctx *log_ctx; /* its verbosity: the one setting */
const char *vk_log_command;
static char first_error[1024];

static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	va_list copy;

	va_copy(copy, ap);
	if (!*prefix && !*first_error)
		vsnprintf(first_error, sizeof(first_error), fmt, copy);
	va_end(copy);
	fflush(stdout);
	fprintf(stderr, "vfiokit: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void vk_log_init(const struct vk_ctx *ctx)
{
	log_ctx = ctx;
}

const char *vk_log_first_error(void)
{
	return *first_error ? first_error : NULL;
}

void vk_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void vk_warn(const char *fmt, ...)
{
	va_list ap;

	if (log_ctx && log_ctx->verbosity < 0)
		return;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

int vk_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'vfiokit %s%s--help' for more information.\n",
		vk_log_command ? vk_log_command : "", vk_log_command ? " " : "");
	return VK_EXIT_USAGE;
}
