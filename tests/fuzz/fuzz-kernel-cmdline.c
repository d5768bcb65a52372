// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the /etc/kernel/cmdline editor
 * (src/boot/kernel-cmdline.c) and the CONFIG_CMDLINE editor
 * (src/boot/builtin.c): an edit is refused with a message or gives a
 * file that the same edit leaves alone; the .config keeps every other
 * line.
 */
#include "boot/builtin.h"
#include "boot/kernel-cmdline.h"
#include "fuzz.h"

static const char *const args[] = { "iommu=pt", "vfio-pci.ids=10de:1c03,10de:10f1", "quiet" };

static void kernel_cmdline(const char *text, size_t len, const struct vk_cmdline_op *ops)
{
	char *out = NULL, *again = NULL, err[512] = "";
	size_t olen = 0, alen = 0;
	int r = vk_kernel_cmdline_edit(text, len, ops, 3, &out, &olen, err, sizeof(err));

	if (r == -EINVAL && !err[0])
		abort();
	if (r <= 0)
		return;
	if (vk_kernel_cmdline_edit(out, olen, ops, 3, &again, &alen, err, sizeof(err)) != 0)
		abort(); /* a second run changes it again */
	free(out);
}

static void builtin(const char *text, size_t len, const struct vk_cmdline_op *ops)
{
	char *out = NULL, *again = NULL, err[512] = "";
	size_t olen = 0, alen = 0;
	int r = vk_builtin_edit("t.config", text, len, ops, 3, &out, &olen, err, sizeof(err));

	if (r == -EINVAL && !err[0])
		abort();
	if (r <= 0)
		return;
	if (vk_builtin_edit("t.config", out, olen, ops, 3, &again, &alen, err, sizeof(err)) != 0)
		abort(); /* a second run changes it again */
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vk_cmdline_op set[3], rm[3];
	char *text;

	if (size > FUZZ_MAX)
		return 0;
	text = fuzz_text(data, size);
	for (size_t i = 0; i < 3; i++)
		if (vk_cmdline_op_parse(args[i], VK_CMDLINE_SET, &set[i]) < 0 ||
		    vk_cmdline_op_parse(args[i], VK_CMDLINE_REMOVE, &rm[i]) < 0)
			abort();
	kernel_cmdline(text, size, set);
	kernel_cmdline(text, size, rm);
	builtin(text, size, set);
	builtin(text, size, rm);
	for (size_t i = 0; i < 3; i++) {
		vk_cmdline_op_clear(&set[i]);
		vk_cmdline_op_clear(&rm[i]);
	}
	free(text);
	return 0;
}
