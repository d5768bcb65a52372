// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the initramfs reader's own cpio part
 * (src/modules/initramfs.c; the decompressors are libraries'): a refusal
 * says why; what is read is consistent (files and modules among the
 * entries, each file's content a string, a compression named).
 */
#include "fuzz.h"
#include "modules/initramfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vk_initramfs ir = {};
	char err[512] = "";
	int r;

	if (size > FUZZ_MAX)
		return 0;
	r = vk_initramfs_read_mem(data, size, &ir, err, sizeof(err));
	if (r == -EINVAL && !err[0])
		abort();
	if (r == 0) {
		if (!ir.compression || ir.n_files > ir.n_entries || ir.n_modules > ir.n_entries)
			abort();
		for (size_t i = 0; i < ir.n_files; i++)
			if (!ir.files[i].path || !ir.files[i].data)
				abort();
	} else if (r != -EINVAL && r != -ENOMEM) {
		abort();
	}
	vk_initramfs_clear(&ir);
	return 0;
}
