// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of src/host/topology.c: the kernel's CPU lists, and the
 * pinning rules on small topologies built in memory (the captured trees
 * are tested through the program: tests/shell/libvirt-topology.sh).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host/topology.h"

static void cpulists(void **state)
{
	unsigned int *v = NULL;
	size_t n = 0;
	char *s;

	assert_int_equal(vk_cpulist_parse("0-3,8,10-11\n", &v, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(v[4], 8);
	s = vk_cpulist_format(v, n);
	assert_string_equal(s, "0-3,8,10-11");
	free(s);
	free(v);
	/* repeats and disorder collapse */
	assert_int_equal(vk_cpulist_parse("5,1-2,2", &v, &n), 0);
	assert_int_equal(n, 3);
	s = vk_cpulist_format(v, n);
	assert_string_equal(s, "1-2,5");
	free(s);
	free(v);
	assert_int_equal(vk_cpulist_parse("", &v, &n), 0);
	assert_int_equal(n, 0);
	free(v);
	assert_int_equal(vk_cpulist_parse("3-1", &v, &n), -EINVAL);
	assert_int_equal(vk_cpulist_parse("1,x", &v, &n), -EINVAL);
	assert_int_equal(vk_cpulist_parse("1-", &v, &n), -EINVAL);
	assert_int_equal(vk_cpulist_parse("99999", &v, &n), -EINVAL);
}

/* A one-package host: cores of two threads (CPU c and c + n), the cores
 * split over L3 domains of the sizes given. */
static void make_host(struct vk_topology *t, const size_t *l3_sizes, size_t n_l3)
{
	size_t n = 0;

	for (size_t i = 0; i < n_l3; i++)
		n += l3_sizes[i];
	*t = (struct vk_topology){ .cores = calloc(n, sizeof(struct vk_core)),
				   .n_cores = n,
				   .n_cpus = 2 * n,
				   .n_l3 = n_l3,
				   .n_packages = 1,
				   .threads = 2 };
	for (size_t i = 0, c = 0; i < n_l3; i++)
		for (size_t k = 0; k < l3_sizes[i]; k++, c++) {
			struct vk_core *core = &t->cores[c];

			core->l3 = (unsigned int)i;
			core->node = -1;
			core->core_id = (unsigned int)c;
			core->cpus = calloc(2, sizeof(unsigned int));
			core->cpus[0] = (unsigned int)c;
			core->cpus[1] = (unsigned int)(c + n);
			core->n_cpus = 2;
		}
}

static void pinning(void **state)
{
	/* a Ryzen 1800X: two CCX of four cores */
	static const size_t ccx[] = { 4, 4 };
	struct vk_topology t;
	struct vk_pinning p;
	struct vk_notes notes = {};
	char err[256];

	make_host(&t, ccx, 2);
	/* 8 vCPUs: the second CCX whole, not the first core's */
	assert_int_equal(vk_pin_plan(&t, 8, &p, &notes, err, sizeof(err)), 0);
	assert_int_equal(p.cores, 4);
	assert_int_equal(p.threads, 2);
	assert_int_equal(p.n_l3, 1);
	assert_int_equal(p.vcpu_cpu[0], 4);
	assert_int_equal(p.vcpu_cpu[1], 12);
	assert_int_equal(p.vcpu_cpu[7], 15);
	/* the emulator on the first CCX, the host's first core with it */
	assert_int_equal(p.n_host_cpus, 8);
	assert_int_equal(p.host_cpus[0], 0);
	assert_int_equal(notes.n, 0);
	vk_pinning_clear(&p);
	/* 12 vCPUs span both, and say so */
	assert_int_equal(vk_pin_plan(&t, 12, &p, &notes, err, sizeof(err)), 0);
	assert_int_equal(p.n_l3, 2);
	assert_int_equal(notes.n, 1);
	assert_non_null(strstr(notes.v[0].text, "8 would fit in 1"));
	vk_pinning_clear(&p);
	vk_notes_clear(&notes);
	/* 16 would need the host's first core */
	assert_int_equal(vk_pin_plan(&t, 16, &p, &notes, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is 7 cores (14 vCPUs)"));
	assert_int_equal(vk_pin_plan(&t, 3, &p, &notes, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "multiple of 2"));
	/* the default: half the cores */
	assert_int_equal(vk_pin_plan(&t, 0, &p, &notes, err, sizeof(err)), 0);
	assert_int_equal(p.n_vcpus, 8);
	vk_pinning_clear(&p);
	vk_topology_clear(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cpulists),
		cmocka_unit_test(pinning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
