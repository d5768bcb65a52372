// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the in-place editor of vfiokit.conf
 * (src/flow/conf-edit.c): adding a device and taking out the first
 * device entry either gives a file that libconfig reads with exactly one
 * device more or less, or is refused with a message; never anything else.
 */
#include "flow/conf-edit.h"
#include "flow/config.h"
#include "fuzz.h"
#include "shared/macro.h"

/* out reads as a configuration with want devices. */
static void check(const char *out, size_t len, size_t want)
{
	struct vk_conf c;
	char err[1024];

	if (vk_conf_parse(out, len, "vfiokit.conf", &c, err, sizeof(err)) < 0 || c.n_devs != want)
		abort();
	vk_conf_clear(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vk_conf_add adds[] = {
		{ "gpu", "10de:1c03", false },
		{ "net", "0000:00:03.0", true },
	};
	char *text, *out = NULL, err[1024] = "", used[128];
	struct vk_conf c;
	size_t len, n_devs;
	int r;

	if (size > FUZZ_MAX)
		return 0;
	text = fuzz_text(data, size);
	r = vk_conf_parse(text, size, "vfiokit.conf", &c, err, sizeof(err));
	n_devs = c.n_devs;
	for (size_t i = 0; i < ARRAY_SIZE(adds) && r == 0; i++) {
		int e = vk_conf_edit_add(text, size, "vfiokit.conf", &adds[i], used, sizeof(used),
					 &out, &len, err, sizeof(err));

		if (e == 0)
			check(out, len, n_devs + 1);
		else if (e != -EINVAL || !*err)
			abort();
		free(out);
	}
	if (r == 0 && n_devs) {
		r = vk_conf_edit_remove(text, size, "vfiokit.conf", c.devs[0].name, &out, &len, err,
					sizeof(err));
		if (r == 0)
			check(out, len, n_devs - 1);
		else if (r != -EINVAL || !*err)
			abort();
		free(out);
	}
	vk_conf_clear(&c);
	free(text);
	return 0;
}
