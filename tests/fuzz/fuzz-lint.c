// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the command-line lint (src/boot/lint.c): for any
 * command line, every finding names a token of it, in token order, and
 * says what is wrong and what to do.
 */
#include "boot/lint.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vk_lint_gpu gpu = { "0000:01:00.0", 0x10de, 0x1c03, 0x1043, 0x85f4, 0x030000 };
	struct vk_lint_host host = { .cpu = VK_CPU_INTEL, .boot_gpus = &gpu, .n_boot_gpus = 1 };
	struct vk_findings f = {};
	struct vk_cmdline *cl = NULL;
	size_t n, prev = 0;

	if (size > FUZZ_MAX || vk_cmdline_parse((const char *)data, size, &cl) < 0)
		return 0;
	n = cl->n_args;
	if (vk_lint_check(cl, &host, &f) < 0)
		abort();
	for (size_t i = 0; i < f.n; i++) {
		if (f.v[i].arg >= n || f.v[i].arg < prev || !f.v[i].message || !*f.v[i].message)
			abort();
		prev = f.v[i].arg;
	}
	vk_findings_clear(&f);
	vk_cmdline_free(cl);
	return 0;
}
