// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of src/flow and src/shared/sha256: /etc/vfiokit.conf and its
 * errors with file:line, the journal's round trip, SHA-256 against the
 * FIPS 180-4 examples. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "flow/config.h"
#include "flow/journal.h"
#include "shared/macro.h"
#include "shared/sha256.h"

static void sha256_known(void **state)
{
	char out[VK_SHA256_HEX_LEN];
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	vk_sha256_hex("", 0, out);
	assert_string_equal(out,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	vk_sha256_hex("abc", 3, out);
	assert_string_equal(out,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	vk_sha256_hex(two, strlen(two), out);
	assert_string_equal(out,
			    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* Load text as a configuration; returns vk_conf_load's result, err set. */
static int load(const char *text, struct vk_conf *c, char *err, size_t errlen)
{
	char dir[] = "/tmp/vfiokit-flow-XXXXXX", path[64];
	FILE *f;
	int fd, r;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vfiokit.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	fd = open(dir, O_PATH | O_DIRECTORY);
	assert_true(fd >= 0);
	r = vk_conf_load(fd, "/vfiokit.conf", "vfiokit.conf", c, err, errlen);
	close(fd);
	unlink(path);
	rmdir(dir);
	return r;
}

static void conf_good(void **state)
{
	struct vk_conf c;
	char err[512] = "";

	assert_int_equal(load("boot = \"grub\";\nkernel = \"dist\";\n"
			      "arguments = [ \"iommu=pt\" ];\nignore_msrs = true;\n"
			      "devices = {\n"
			      "  gpu = { address = \"0000:02:00.0\"; claim = \"override\"; };\n"
			      "  usb = { id = \"1912:0014\"; };\n"
			      "};\n",
			      &c, err, sizeof(err)),
			 0);
	assert_string_equal(c.boot, "grub");
	assert_string_equal(c.kernel, "dist");
	assert_int_equal(c.n_profiles, 1);
	assert_string_equal(c.profiles[0], "auto");
	assert_int_equal(c.n_arguments, 1);
	assert_true(c.ignore_msrs);
	assert_int_equal(c.n_devs, 2);
	assert_string_equal(c.devs[0].name, "gpu");
	assert_int_equal(c.devs[0].claim, VK_CONF_OVERRIDE);
	assert_true(c.devs[0].by_address);
	assert_int_equal(c.devs[0].line, 6);
	assert_string_equal(c.devs[1].spec, "1912:0014");
	assert_int_equal(c.devs[1].claim, VK_CONF_VFIO_PCI);
	vk_conf_clear(&c);

	/* An address claims that function only, with or without claim. */
	assert_int_equal(load("devices = {\n"
			      "  a = { address = \"0000:00:03.0\"; };\n"
			      "  b = { address = \"0000:00:04.0\"; claim = \"vfio-pci\"; };\n"
			      "};\n",
			      &c, err, sizeof(err)),
			 0);
	assert_int_equal(c.n_devs, 2);
	assert_int_equal(c.devs[0].claim, VK_CONF_OVERRIDE);
	assert_int_equal(c.devs[1].claim, VK_CONF_OVERRIDE);
	vk_conf_clear(&c);

	/* Defaults. */
	assert_int_equal(load("", &c, err, sizeof(err)), 0);
	assert_string_equal(c.boot, "auto");
	assert_string_equal(c.kernel, "none");
	assert_int_equal(c.n_devs, 0);
	vk_conf_clear(&c);
}

static void conf_error(const char *text, const char *want)
{
	struct vk_conf c;
	char err[512] = "";

	assert_int_equal(load(text, &c, err, sizeof(err)), -EINVAL);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not hold \"%s\"", err, want);
	vk_conf_clear(&c);
}

static void conf_bad(void **state)
{
	conf_error("boot = \"grub\";\nkernel == \"none\";\n", "vfiokit.conf:2: syntax error");
	conf_error("\n\nbootloader = \"grub\";\n", "vfiokit.conf:3: unknown setting 'bootloader'");
	conf_error("ignore_msrs = 1;\n", "vfiokit.conf:1: 'ignore_msrs' must be true or false");
	conf_error("devices = ( { id = \"10de:1c03\"; } );\n",
		   "vfiokit.conf:1: 'devices' must be a group of named devices");
	conf_error("devices = {\n gpu = { id = \"10de:1c03\"; colour = \"red\"; };\n};\n",
		   "vfiokit.conf:2: unknown setting 'colour' in a device");
	conf_error("devices = { gpu = { id = \"10de\"; }; };\n",
		   "id \"10de\" is not a vendor:device id");
	conf_error("devices = { gpu = { id = \"10de:1c03\"; address = \"01:00.0\"; }; };\n",
		   "exactly one");
	conf_error("devices = { gpu = { id = \"10de:1c03\"; claim = \"override\"; }; };\n",
		   "give address");
	conf_error(
		"devices = {\n gpu = { address = \"0000:01:00.0\"; claim = \"pci-stub\"; };\n};\n",
		"vfiokit.conf:2: pci-stub claims by id only");
	conf_error("devices = { gpu = { id = \"10de:1c03\"; claim = \"vfio\"; }; };\n",
		   "claim \"vfio\" is unknown");
	conf_error("kernel = \"linux\";\n", "must be an absolute directory");
	conf_error("boot = \"builtin\";\n", "boot \"builtin\" is unknown");
	conf_error("arguments = [ 1, 2 ];\n", "'arguments' must hold strings");
}

/* A SHA-256 in hex, for entries written by hand. */
#define SUM_A "ca978112ca1bbdcafac231b39a23dc4da786eff8146d8e2efa9a45a2b5fa1a0a"

static void journal_round_trip(void **state)
{
	struct vk_journal j = { .generation = 3, .config = "/etc/vfiokit.conf", .time = "T" };
	struct vk_journal back;
	struct vk_jentry *e;
	_cleanup_free_ char *text = NULL, *again = NULL;
	char err[256];

	e = vk_journal_add(&j, "/etc/default/\"grub\"");
	assert_non_null(e);
	e->existed = true;
	vk_sha256_hex("a", 1, e->before);
	vk_sha256_hex("b", 1, e->after);
	e->backup = strdup("/var/lib/vfiokit/backup/3/etc/default/\"grub\"");
	e = vk_journal_add(&j, "/etc/modprobe.d/vfiokit.conf");
	vk_sha256_hex("c", 1, e->after);
	text = vk_journal_render(&j);
	assert_non_null(text);
	assert_int_equal(vk_journal_parse(text, "journal", &back, err, sizeof(err)), 0);
	assert_int_equal(back.generation, 3);
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[0].path, "/etc/default/\"grub\"");
	assert_true(back.v[0].existed);
	assert_string_equal(back.v[0].before, j.v[0].before);
	assert_false(back.v[1].existed);
	assert_null(back.v[1].backup);
	assert_non_null(vk_journal_find(&back, "/etc/modprobe.d/vfiokit.conf"));
	again = vk_journal_render(&back);
	assert_string_equal(text, again);
	vk_journal_clear(&back);
	j.config = j.time = NULL; /* not ours to free */
	vk_journal_clear(&j);

	assert_int_equal(vk_journal_parse("files = ( { path = \"/x\"; } );\n", "journal", &back,
					  err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "journal:1: an entry needs path, after"));
}

/* A libvirt domain's entry comes back with its connection; a file of the
 * same name is another entry; a domain without a name is refused. */
static void journal_domain(void **state)
{
	struct vk_journal j = {}, back;
	struct vk_jentry *e;
	_cleanup_free_ char *text = NULL, *again = NULL;
	char err[256];

	e = vk_journal_add(&j, "win10");
	assert_non_null(e);
	e->uri = strdup("qemu:///embed?root=/tmp/x");
	e->existed = true;
	vk_sha256_hex("a", 1, e->before);
	vk_sha256_hex("b", 1, e->after);
	e->backup = strdup("/var/lib/vfiokit/backup/1/libvirt-domain/win10.xml");
	text = vk_journal_render(&j);
	assert_non_null(text);
	assert_int_equal(vk_journal_parse(text, "journal", &back, err, sizeof(err)), 0);
	assert_int_equal(back.n, 1);
	assert_string_equal(back.v[0].uri, "qemu:///embed?root=/tmp/x");
	assert_ptr_equal(vk_journal_find_domain(&back, "qemu:///embed?root=/tmp/x", "win10"),
			 &back.v[0]);
	assert_null(vk_journal_find_domain(&back, "qemu:///system", "win10"));
	assert_null(vk_journal_find(&back, "win10"));
	again = vk_journal_render(&back);
	assert_string_equal(text, again);
	vk_journal_clear(&back);
	vk_journal_clear(&j);

	assert_int_equal(vk_journal_parse("files = ( { path = \"win10\"; after = \"" SUM_A
					  "\"; } );\n",
					  "journal", &back, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(vk_journal_parse("files = ( { path = \"\"; uri = \"qemu:///system\"; "
					  "after = \"" SUM_A "\"; } );\n",
					  "journal", &back, err, sizeof(err)),
			 -EINVAL);
}

/* A generation above 2^31 comes back whole (libconfig needs the L suffix). */
static void journal_generation_64(void **state)
{
	const unsigned long gens[] = { (1ul << 31) + 5, 1ul << 40 };

	for (size_t i = 0; i < 2; i++) {
		struct vk_journal j = { .generation = gens[i] }, back;
		_cleanup_free_ char *text = vk_journal_render(&j);
		char err[256];

		assert_non_null(text);
		assert_int_equal(vk_journal_parse(text, "journal", &back, err, sizeof(err)), 0);
		assert_true(back.generation == gens[i]);
		vk_journal_clear(&back);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_known),
		cmocka_unit_test(conf_good),
		cmocka_unit_test(conf_bad),
		cmocka_unit_test(journal_round_trip),
		cmocka_unit_test(journal_generation_64),
		cmocka_unit_test(journal_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
