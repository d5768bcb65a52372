// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the .config model (src/kconfig/dotconfig.c): a
 * file that parses prints back byte for byte; setting symbols gives a
 * file that parses, holds the values, and that the same settings leave
 * alone; an error names a line inside the file.
 */
#include "fuzz.h"
#include "kconfig/dotconfig.h"

static const char *const sets[][2] = {
	{ "CONFIG_VFIO", "y" },
	{ "CONFIG_VFIO_PCI", "m" },
	{ "CONFIG_CMDLINE", "\"iommu=pt\"" },
	{ "CONFIG_KVM", NULL },
};

static char *set_all(struct vk_dotconfig *c, size_t *len)
{
	for (size_t i = 0; i < 4; i++)
		if (vk_dotconfig_set(c, sets[i][0], sets[i][1]) < 0)
			abort();
	return vk_dotconfig_text(c, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vk_dotconfig c, d;
	char err[512] = "", *text, *out, *out2;
	size_t len, len2;

	if (size > FUZZ_MAX)
		return 0;
	text = fuzz_text(data, size);
	if (vk_dotconfig_parse("t.config", text, size, false, &c, err, sizeof(err)) < 0) {
		fuzz_check_error(err, "t.config", fuzz_lines(text, size));
		vk_dotconfig_clear(&c);
		free(text);
		return 0;
	}
	out = vk_dotconfig_text(&c, &len);
	if (!out || len != size || memcmp(out, text, size))
		abort(); /* the model lost or changed a byte */
	free(out);
	out = set_all(&c, &len);
	if (!out || vk_dotconfig_parse("t.config", out, len, false, &d, err, sizeof(err)) < 0)
		abort(); /* an edit the parser refuses */
	if (!vk_dotconfig_value(&d, "CONFIG_VFIO") ||
	    strcmp(vk_dotconfig_value(&d, "CONFIG_VFIO"), "y") ||
	    vk_dotconfig_value(&d, "CONFIG_KVM"))
		abort();
	out2 = set_all(&d, &len2);
	if (!out2 || len2 != len || memcmp(out, out2, len))
		abort(); /* a second run changes it again */
	free(out);
	free(out2);
	vk_dotconfig_clear(&d);
	vk_dotconfig_clear(&c);
	free(text);
	return 0;
}
