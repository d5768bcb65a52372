// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the VFIO probe (src/verify/probe.c): its decisions on the
 * kernel's answers, replayed through its operations table. The answers of
 * the traces in tests/unit/probe/ were recorded in real boots by
 * tests/vm/record-probe.sh; the short ones written here are for what those
 * boots cannot show (no root, a captured tree, iommufd, a GPU that fails
 * reset). A call the trace does not expect fails the test. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/vfio.h>

#include "verify/probe.h"
#include "verify/verify.h"

struct replay {
	char *text; /* the trace, cut into lines in place */
	char **lines;
	size_t n, at;
	char why[512]; /* the first call that did not match, or "" */
};

static void replay_load(struct replay *r, const char *text)
{
	char *save = NULL;

	memset(r, 0, sizeof(*r));
	r->text = strdup(text);
	assert_non_null(r->text);
	for (char *l = strtok_r(r->text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(l, '#');

		if (hash)
			*hash = '\0';
		while (*l == ' ')
			l++;
		if (!*l)
			continue;
		r->lines = realloc(r->lines, (r->n + 1) * sizeof(*r->lines));
		assert_non_null(r->lines);
		r->lines[r->n++] = l;
	}
}

static void replay_file(struct replay *r, const char *name)
{
	char path[512], *text = NULL;
	const char *top = getenv("TOP");
	size_t len = 0;
	FILE *f, *m = open_memstream(&text, &len);
	int c;

	snprintf(path, sizeof(path), "%s/tests/unit/probe/%s", top ? top : ".", name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("%s: cannot open: run tests/vm/record-probe.sh", path);
	while ((c = fgetc(f)) != EOF)
		fputc(c, m);
	fclose(f);
	fclose(m);
	replay_load(r, text);
	free(text);
}

static void replay_free(struct replay *r)
{
	free(r->lines);
	free(r->text);
}

/* The next expected call, which must begin with call; its answer after
 * " = " in *answer. */
static bool expect(struct replay *r, const char *call, const char **answer)
{
	const char *l, *eq;

	if (*r->why)
		return false;
	if (r->at == r->n) {
		snprintf(r->why, sizeof(r->why), "call '%s' after the end of the trace", call);
		return false;
	}
	l = r->lines[r->at++];
	eq = strstr(l, " = ");
	if (!eq || (size_t)(eq - l) != strlen(call) || strncmp(l, call, strlen(call)) != 0) {
		snprintf(r->why, sizeof(r->why), "call '%s' where the trace has '%s'", call, l);
		return false;
	}
	*answer = eq + 3;
	return true;
}

static int replay_open(void *data, const char *path)
{
	struct replay *r = data;
	char call[256];
	const char *answer;

	snprintf(call, sizeof(call), "open %s", path);
	return expect(r, call, &answer) ? atoi(answer) : -EPROTO;
}

static int replay_ioctl(void *data, int fd, unsigned long req, void *arg)
{
	struct replay *r = data;
	char call[256], in[128];
	const char *answer, *name = vk_vfio_ioctl_name(req);
	char *rest;
	long v;

	vk_vfio_trace_in(req, arg, in, sizeof(in));
	snprintf(call, sizeof(call), "ioctl %d %s%s%s", fd, name ? name : "?", *in ? " " : "", in);
	if (!expect(r, call, &answer))
		return -EPROTO;
	v = strtol(answer, &rest, 10);
	while (*rest == ' ')
		rest++;
	if (v >= 0 && vk_vfio_trace_parse_out(req, rest, arg) < 0) {
		snprintf(r->why, sizeof(r->why), "'%s': cannot read its answer", call);
		return -EPROTO;
	}
	return (int)v;
}

static void replay_close(void *data, int fd)
{
	struct replay *r = data;
	char call[64];
	const char *l;

	snprintf(call, sizeof(call), "close %d", fd);
	if (*r->why)
		return;
	l = r->at < r->n ? r->lines[r->at++] : "the end of the trace";
	if (strcmp(l, call) != 0 && strncmp(l, call, strlen(call)) != 0)
		snprintf(r->why, sizeof(r->why), "'%s' where the trace has '%s'", call, l);
}

/* Probe groups against the trace; every call must be the trace's, in
 * order, and every recorded call made. */
static void run(struct replay *r, const struct vk_probe_group *g, size_t n,
		const struct vk_probe_opts *o, struct vk_verify *v)
{
	struct vk_vfio_ops ops = { replay_open, replay_ioctl, replay_close, r };

	vk_vfio_probe(&ops, g, n, o, v);
	if (*r->why)
		fail_msg("the probe left the trace: %s", r->why);
	if (r->at != r->n)
		fail_msg("the probe stopped before the trace's '%s'", r->lines[r->at]);
	assert_int_equal(v->err, 0);
}

static void run_text(const char *text, const struct vk_probe_group *g, size_t n,
		     const struct vk_probe_opts *o, struct vk_verify *v)
{
	struct replay r;

	replay_load(&r, text);
	run(&r, g, n, o, v);
	replay_free(&r);
}

static void run_file(const char *name, const struct vk_probe_group *g, size_t n,
		     const struct vk_probe_opts *o, struct vk_verify *v)
{
	struct replay r;

	replay_file(&r, name);
	run(&r, g, n, o, v);
	replay_free(&r);
}

/* The result of the line named what (exactly); the test fails without one. */
static enum vk_result line(const struct vk_verify *v, const char *what, const char **detail)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i].what, what) == 0) {
			if (detail)
				*detail = v->v[i].detail ? v->v[i].detail : "";
			return v->v[i].result;
		}
	fail_msg("no line '%s'", what);
	return VK_RESULT_UNKNOWN;
}

static bool has_line(const struct vk_verify *v, const char *what)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->v[i].what, what) == 0)
			return true;
	return false;
}

/* The intel machine: two e1000e, each alone in its group. */
static const struct vk_probe_dev intel_dev2[] = { { .addr = "0000:00:02.0" } };
static const struct vk_probe_dev intel_dev3[] = { { .addr = "0000:00:03.0" } };
static const struct vk_probe_group intel[] = {
	{ .id = 2, .devs = intel_dev2, .n_devs = 1 },
	{ .id = 3, .devs = intel_dev3, .n_devs = 1 },
};

static void recorded_type1(void **state)
{
	struct vk_verify v = {};
	struct vk_probe_opts o = { .open_devices = true };
	const char *d;

	run_file("type1.trace", intel, 2, &o, &v);
	assert_int_equal(line(&v, "VFIO container /dev/vfio/vfio", &d), VK_RESULT_PASS);
	assert_string_equal(d, "API version 0");
	assert_int_equal(line(&v, "VFIO IOMMU backend", &d), VK_RESULT_PASS);
	assert_string_equal(d, "type1v2");
	for (int g = 2; g <= 3; g++) {
		char what[64];

		snprintf(what, sizeof(what), "VFIO group %d opens", g);
		assert_int_equal(line(&v, what, NULL), VK_RESULT_PASS);
		snprintf(what, sizeof(what), "VFIO group %d viable", g);
		assert_int_equal(line(&v, what, NULL), VK_RESULT_PASS);
		snprintf(what, sizeof(what), "VFIO group %d attaches to a container", g);
		assert_int_equal(line(&v, what, NULL), VK_RESULT_PASS);
	}
	/* The 82574L's BARs and interrupts as QEMU's e1000e has them. */
	assert_int_equal(line(&v, "0000:00:02.0 opens through VFIO", &d), VK_RESULT_PASS);
	assert_non_null(strstr(d, "BARs: 0 (128 KiB)"));
	assert_non_null(strstr(d, "MSI-X 5"));
	assert_null(strstr(d, "VGA"));
	assert_int_equal(line(&v, "0000:00:02.0 reset through VFIO", NULL), VK_RESULT_PASS);
	assert_false(vk_verify_failed(&v));
	vk_verify_clear(&v);
}

static void recorded_no_type1(void **state)
{
	struct vk_verify v = {};
	struct vk_probe_opts o = {};
	const char *d;

	run_file("no-type1.trace", intel, 2, &o, &v);
	assert_int_equal(line(&v, "VFIO container /dev/vfio/vfio", NULL), VK_RESULT_PASS);
	assert_int_equal(line(&v, "VFIO IOMMU backend", &d), VK_RESULT_FAIL);
	assert_non_null(strstr(d, "modprobe vfio_iommu_type1"));
	assert_int_equal(line(&v, "VFIO group 2 viable", NULL), VK_RESULT_PASS);
	assert_int_equal(line(&v, "VFIO group 2 attaches to a container", &d), VK_RESULT_FAIL);
	assert_non_null(strstr(d, "failed to setup container"));
	/* Without --probe the devices stay closed. */
	assert_false(has_line(&v, "0000:00:02.0 opens through VFIO"));
	vk_verify_clear(&v);
}

static void recorded_in_use(void **state)
{
	struct vk_verify v = {};
	struct vk_probe_opts o = {};
	const char *d;

	run_file("in-use.trace", intel, 2, &o, &v);
	assert_int_equal(line(&v, "VFIO group 2 opens", &d), VK_RESULT_WARN);
	assert_non_null(strstr(d, "in use"));
	assert_false(has_line(&v, "VFIO group 2 viable"));
	assert_int_equal(line(&v, "VFIO group 3 attaches to a container", NULL), VK_RESULT_PASS);
	assert_false(vk_verify_failed(&v));
	vk_verify_clear(&v);
}

static void recorded_not_viable(void **state)
{
	static const struct vk_probe_dev e1000[] = { { .addr = "0000:02:01.0" } };
	static const struct vk_probe_group g = { .id = 3, .devs = e1000, .n_devs = 1 };
	struct vk_verify v = {};
	struct vk_probe_opts o = {};
	const char *d;

	run_file("not-viable.trace", &g, 1, &o, &v);
	assert_int_equal(line(&v, "VFIO group 3 opens", NULL), VK_RESULT_PASS);
	assert_int_equal(line(&v, "VFIO group 3 viable", &d), VK_RESULT_FAIL);
	assert_non_null(strstr(d, "not viable"));
	assert_false(has_line(&v, "VFIO group 3 attaches to a container"));
	vk_verify_clear(&v);
}

static void recorded_pci_stub(void **state)
{
	static const struct vk_probe_dev e1000e[] = { { .addr = "0000:00:01.0" } };
	static const struct vk_probe_group g = {
		.id = 1, .stub = true, .no_node = true, .devs = e1000e, .n_devs = 1
	};
	struct vk_verify v = {};
	struct vk_probe_opts o = {};
	const char *d;

	run_file("pci-stub.trace", &g, 1, &o, &v);
	assert_int_equal(line(&v, "VFIO group 1 opens", &d), VK_RESULT_WARN);
	assert_non_null(strstr(d, "pci-stub"));
	vk_verify_clear(&v);
}

/* Not root, no vfio module, a captured tree: UNKNOWN with the reason, and
 * nothing more is asked. */
static void container_unknown(void **state)
{
	static const struct {
		int err;
		const char *reason;
	} cases[] = {
		{ -EACCES, "needs root" },
		{ -ENOENT, "modprobe vfio-pci" },
		{ -ENOTTY, "captured tree" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[64];
		struct vk_verify v = {};
		struct vk_probe_opts o = { .open_devices = true };
		const char *d;

		snprintf(text, sizeof(text), "open /dev/vfio/vfio = %d\n", cases[i].err);
		run_text(text, intel, 2, &o, &v);
		assert_int_equal(v.n, 1);
		assert_int_equal(line(&v, "VFIO container /dev/vfio/vfio", &d), VK_RESULT_UNKNOWN);
		assert_non_null(strstr(d, cases[i].reason));
		vk_verify_clear(&v);
	}
}

static void api_version(void **state)
{
	struct vk_verify v = {};
	struct vk_probe_opts o = {};
	const char *d;

	run_text("open /dev/vfio/vfio = 3\n"
		 "ioctl 3 VFIO_GET_API_VERSION = 1\n"
		 "close 3\n",
		 intel, 1, &o, &v);
	assert_int_equal(line(&v, "VFIO container /dev/vfio/vfio", &d), VK_RESULT_FAIL);
	assert_non_null(strstr(d, "1, where QEMU needs 0"));
	assert_int_equal(v.n, 1);
	vk_verify_clear(&v);
}

/* A GPU known to fail reset stays closed under --probe, and is opened with
 * --force-probe; its VGA region is named. */
static const char gpu_trace[] = "open /dev/vfio/vfio = 3\n"
				"ioctl 3 VFIO_GET_API_VERSION = 0\n"
				"ioctl 3 VFIO_CHECK_EXTENSION type=3 = 1\n"
				"close 3\n"
				"open /dev/vfio/14 = 4\n"
				"ioctl 4 VFIO_GROUP_GET_STATUS = 0 flags=0x1\n"
				"open /dev/vfio/vfio = 5\n"
				"ioctl 4 VFIO_GROUP_SET_CONTAINER container=5 = 0\n"
				"ioctl 5 VFIO_SET_IOMMU type=3 = 0\n";
static const char gpu_open_trace[] =
	"ioctl 4 VFIO_GROUP_GET_DEVICE_FD device=0000:0b:00.0 = 6\n"
	"ioctl 6 VFIO_DEVICE_GET_INFO = 0 flags=0x3 regions=9 irqs=5\n"
	"ioctl 6 VFIO_DEVICE_GET_REGION_INFO index=0 = 0 flags=0x7 size=268435456\n"
	"ioctl 6 VFIO_DEVICE_GET_REGION_INFO index=1 = 0 flags=0x0 size=0\n"
	"ioctl 6 VFIO_DEVICE_GET_REGION_INFO index=2 = 0 flags=0x7 size=2097152\n"
	"ioctl 6 VFIO_DEVICE_GET_REGION_INFO index=3 = 0 flags=0x0 size=0\n"
	"ioctl 6 VFIO_DEVICE_GET_REGION_INFO index=4 = 0 flags=0x3 size=256\n"
	"ioctl 6 VFIO_DEVICE_GET_REGION_INFO index=5 = 0 flags=0x7 size=262144\n"
	"ioctl 6 VFIO_DEVICE_GET_REGION_INFO index=6 = 0 flags=0x1 size=131072\n"
	"ioctl 6 VFIO_DEVICE_GET_REGION_INFO index=7 = 0 flags=0x3 size=4096\n"
	"ioctl 6 VFIO_DEVICE_GET_REGION_INFO index=8 = 0 flags=0x3 size=196608\n"
	"ioctl 6 VFIO_DEVICE_GET_IRQ_INFO index=0 = 0 flags=0x7 count=1\n"
	"ioctl 6 VFIO_DEVICE_GET_IRQ_INFO index=1 = 0 flags=0x9 count=1\n"
	"ioctl 6 VFIO_DEVICE_GET_IRQ_INFO index=2 = 0 flags=0x9 count=0\n"
	"close 6\n";
static const struct vk_probe_dev gpu[] = {
	{ .addr = "0000:0b:00.0", .no_reset = "it is an AMD GPU known to fail reset" },
};
static const struct vk_probe_group gpu_group = { .id = 14, .devs = gpu, .n_devs = 1 };

static void reset_quirk_closed(void **state)
{
	char text[2048];
	struct vk_verify v = {};
	struct vk_probe_opts o = { .open_devices = true };
	const char *d;

	snprintf(text, sizeof(text), "%sclose 5\nclose 4\n", gpu_trace);
	run_text(text, &gpu_group, 1, &o, &v);
	assert_int_equal(line(&v, "0000:0b:00.0 opens through VFIO", &d), VK_RESULT_WARN);
	assert_non_null(strstr(d, "--force-probe"));
	vk_verify_clear(&v);
}

static void reset_quirk_forced(void **state)
{
	char text[4096];
	struct vk_verify v = {};
	struct vk_probe_opts o = { .open_devices = true, .force = true };
	const char *d;

	snprintf(text, sizeof(text), "%s%sclose 5\nclose 4\n", gpu_trace, gpu_open_trace);
	run_text(text, &gpu_group, 1, &o, &v);
	assert_int_equal(line(&v, "0000:0b:00.0 opens through VFIO", &d), VK_RESULT_PASS);
	assert_non_null(strstr(d, "BARs: 0 (256 MiB) 2 (2 MiB) 4 (256 bytes) 5 (256 KiB)"));
	assert_non_null(strstr(d, "a VGA region"));
	assert_non_null(strstr(d, "interrupts: INTx 1, MSI 1, MSI-X 0"));
	assert_int_equal(line(&v, "0000:0b:00.0 reset through VFIO", NULL), VK_RESULT_PASS);
	vk_verify_clear(&v);
}

/* iommufd: no group node, the device's cdev and /dev/iommu. */
static const struct vk_probe_dev cdev_dev[] = { { .addr = "0000:00:02.0", .cdev = "vfio0" } };
static const struct vk_probe_group cdev_group = {
	.id = 2, .no_node = true, .devs = cdev_dev, .n_devs = 1
};

static void iommufd_without_probe(void **state)
{
	struct vk_verify v = {};
	struct vk_probe_opts o = {};
	const char *d;

	run_text("open /dev/iommu = 3\n"
		 "open /dev/vfio/devices/vfio0 = 4\n"
		 "close 4\nclose 3\n",
		 &cdev_group, 1, &o, &v);
	assert_int_equal(line(&v, "iommufd /dev/iommu", NULL), VK_RESULT_PASS);
	assert_int_equal(line(&v, "VFIO device /dev/vfio/devices/vfio0 opens", &d), VK_RESULT_PASS);
	assert_non_null(strstr(d, "--probe"));
	assert_false(has_line(&v, "VFIO container /dev/vfio/vfio"));
	vk_verify_clear(&v);
}

static void iommufd_probe(void **state)
{
	struct vk_verify v = {};
	struct vk_probe_opts o = { .open_devices = true };
	const char *d;

	run_text("open /dev/iommu = 3\n"
		 "open /dev/vfio/devices/vfio0 = 4\n"
		 "ioctl 4 VFIO_DEVICE_BIND_IOMMUFD iommufd=3 = 0 devid=1\n"
		 "ioctl 3 IOMMU_IOAS_ALLOC = 0 ioas=2\n"
		 "ioctl 4 VFIO_DEVICE_ATTACH_IOMMUFD_PT pt=2 = 0\n"
		 "ioctl 4 VFIO_DEVICE_GET_INFO = 0 flags=0x2 regions=1 irqs=0\n"
		 "ioctl 4 VFIO_DEVICE_GET_REGION_INFO index=0 = 0 flags=0x7 size=131072\n"
		 "close 4\nclose 3\n",
		 &cdev_group, 1, &o, &v);
	assert_int_equal(line(&v, "VFIO device /dev/vfio/devices/vfio0 opens", &d), VK_RESULT_PASS);
	assert_string_equal(d, "bound to iommufd, attached to IOAS 2");
	assert_int_equal(line(&v, "0000:00:02.0 opens through VFIO", &d), VK_RESULT_PASS);
	assert_string_equal(d, "1 regions, BARs: 0 (128 KiB)");
	assert_int_equal(line(&v, "0000:00:02.0 reset through VFIO", &d), VK_RESULT_WARN);
	vk_verify_clear(&v);
}

static void iommufd_in_use_and_missing(void **state)
{
	struct vk_verify v = {};
	struct vk_probe_opts o = { .open_devices = true };
	const char *d;

	run_text("open /dev/iommu = 3\n"
		 "open /dev/vfio/devices/vfio0 = 4\n"
		 "ioctl 4 VFIO_DEVICE_BIND_IOMMUFD iommufd=3 = -16\n"
		 "close 4\nclose 3\n",
		 &cdev_group, 1, &o, &v);
	assert_int_equal(line(&v, "VFIO device /dev/vfio/devices/vfio0 opens", &d), VK_RESULT_WARN);
	assert_non_null(strstr(d, "in use"));
	vk_verify_clear(&v);

	run_text("open /dev/iommu = -2\n", &cdev_group, 1, &o, &v);
	assert_int_equal(line(&v, "iommufd /dev/iommu", &d), VK_RESULT_FAIL);
	assert_non_null(strstr(d, "modprobe iommufd"));
	vk_verify_clear(&v);
}

/* The trace's words read back what they wrote. */
static void trace_round_trip(void **state)
{
	struct vfio_region_info a = { .index = 3, .flags = 0x7, .size = 1ULL << 33 }, b = {};
	char out[128];

	vk_vfio_trace_out(VFIO_DEVICE_GET_REGION_INFO, &a, out, sizeof(out));
	assert_string_equal(out, "flags=0x7 size=8589934592");
	assert_int_equal(vk_vfio_trace_parse_out(VFIO_DEVICE_GET_REGION_INFO, out, &b), 0);
	assert_true(b.size == a.size && b.flags == a.flags);
	assert_int_equal(vk_vfio_trace_parse_out(VFIO_GROUP_GET_STATUS, "flags=zz", &b), -EINVAL);
	assert_int_equal(vk_vfio_ioctl_req("VFIO_GROUP_GET_STATUS"), VFIO_GROUP_GET_STATUS);
	assert_int_equal(vk_vfio_ioctl_req("VFIO_NOPE"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recorded_type1),     cmocka_unit_test(recorded_no_type1),
		cmocka_unit_test(recorded_in_use),    cmocka_unit_test(recorded_not_viable),
		cmocka_unit_test(recorded_pci_stub),  cmocka_unit_test(container_unknown),
		cmocka_unit_test(api_version),	      cmocka_unit_test(reset_quirk_closed),
		cmocka_unit_test(reset_quirk_forced), cmocka_unit_test(iommufd_without_probe),
		cmocka_unit_test(iommufd_probe),      cmocka_unit_test(iommufd_in_use_and_missing),
		cmocka_unit_test(trace_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
