// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for vfiokit apply's journal (src/flow/journal.c): a
 * journal that parses renders to a text that parses to the same journal
 * and renders the same again; an error names a line inside the file.
 */
#include "flow/journal.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vk_journal j, back;
	char err[512] = "", *text, *out, *again;

	if (size > FUZZ_MAX || memchr(data, '\0', size))
		return 0; /* the journal is read as a C string */
	text = fuzz_text(data, size);
	if (vk_journal_parse(text, "journal", &j, err, sizeof(err)) < 0) {
		fuzz_check_error(err, "journal", fuzz_lines(text, size));
		free(text);
		return 0;
	}
	out = vk_journal_render(&j);
	if (!out || vk_journal_parse(out, "journal", &back, err, sizeof(err)) < 0)
		abort(); /* vfiokit cannot read what it wrote */
	if (back.generation != j.generation || back.n != j.n || back.complete != j.complete)
		abort();
	for (size_t i = 0; i < j.n; i++)
		if (strcmp(back.v[i].path, j.v[i].path) || strcmp(back.v[i].after, j.v[i].after))
			abort();
	again = vk_journal_render(&back);
	if (!again || strcmp(out, again))
		abort();
	free(again);
	free(out);
	vk_journal_clear(&back);
	vk_journal_clear(&j);
	free(text);
	return 0;
}
