// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the kernel command line token model and the
 * /etc/default/grub parser and editor (make fuzz-build builds it,
 * tests/shell/fuzz.sh runs it). The input is taken both as a command line and as a GRUB file;
 * what must hold for any input:
 *
 *  - a command line prints back byte for byte; edits keep it parseable and
 *    a second run of the same edit changes nothing;
 *  - the GRUB parser either refuses with a line number inside the file or
 *    gives values; an edit either is refused or gives a file that parses,
 *    holds the arguments, and that the same edit leaves alone.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/cmdline.h"
#include "boot/grub.h"

static const char *const set_args[] = { "iommu=pt", "vfio-pci.ids=10de:1c03,10de:10f1",
					"kvm.ignore_msrs=1", "quiet" };
static const char *const remove_args[] = { "iommu", "vfio_pci.ids=10de:1c03", "quiet" };

static void ops_make(struct vk_cmdline_op *ops, const char *const *args, size_t n,
		     enum vk_cmdline_op_kind kind)
{
	for (size_t i = 0; i < n; i++)
		if (vk_cmdline_op_parse(args[i], kind, &ops[i]) < 0)
			abort();
}

static void ops_clear(struct vk_cmdline_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++)
		vk_cmdline_op_clear(&ops[i]);
}

static void fuzz_cmdline(const char *text, size_t len, const struct vk_cmdline_op *ops, size_t n)
{
	struct vk_cmdline *cl = NULL, *again = NULL;
	char *s, *t;
	int r;

	if (vk_cmdline_parse(text, len, &cl) < 0)
		return;
	s = vk_cmdline_to_string(cl);
	if (!s || strlen(s) != len || memcmp(s, text, len))
		abort(); /* the model lost or changed a byte */
	free(s);
	r = vk_cmdline_apply(cl, ops, n);
	if (r == -EINVAL) {
		/* Only where double quotes are in the way. */
		if (!memchr(text, '"', len))
			abort();
		vk_cmdline_free(cl);
		return;
	}
	if (r < 0)
		abort();
	s = vk_cmdline_to_string(cl);
	if (!s || vk_cmdline_parse(s, strlen(s), &again) < 0)
		abort();
	if (vk_cmdline_apply(again, ops, n) != 0)
		abort(); /* not idempotent */
	t = vk_cmdline_to_string(again);
	if (!t || strcmp(s, t))
		abort();
	free(s);
	free(t);
	vk_cmdline_free(again);
	vk_cmdline_free(cl);
}

static void fuzz_grub(const char *text, size_t len, const struct vk_cmdline_op *ops, size_t n)
{
	struct vk_grub_request req = { VK_GRUB_LINUX_DEFAULT, VK_GRUB_LINUX, true, ops, n };
	struct vk_grub_value v;
	struct vk_grub_error err;
	struct vk_grub *g = NULL, *h = NULL;
	char *out = NULL, *out2 = NULL;
	size_t out_len = 0, out2_len = 0;
	unsigned int lines = 1;
	int r;

	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (vk_grub_parse(text, len, &g, &err) < 0) {
		if (err.line > lines || !err.msg[0])
			abort();
		return;
	}
	if (vk_grub_value(g, VK_GRUB_LINUX_DEFAULT, &v) < 0)
		abort();
	vk_grub_value_clear(&v);
	r = vk_grub_edit(g, &req, &out, &out_len, &err);
	if (r < 0 && !err.msg[0])
		abort();
	if (r > 0) {
		if (vk_grub_parse(out, out_len, &h, &err) < 0)
			abort(); /* the editor wrote a file it cannot read */
		if (vk_grub_edit(h, &req, &out2, &out2_len, &err) != 0)
			abort(); /* a second run would change it again */
		vk_grub_free(h);
	}
	free(out);
	free(out2);
	vk_grub_free(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vk_cmdline_op set[4], rm[3];
	const char *text = (const char *)data;

	if (size > 1 << 16)
		return 0;
	ops_make(set, set_args, 4, VK_CMDLINE_SET);
	ops_make(rm, remove_args, 3, VK_CMDLINE_REMOVE);
	fuzz_cmdline(text, size, set, 4);
	fuzz_cmdline(text, size, rm, 3);
	fuzz_grub(text, size, set, 4);
	fuzz_grub(text, size, rm, 3);
	ops_clear(set, 4);
	ops_clear(rm, 3);
	return 0;
}
