// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The CPU topology under the root and the pinning rules of vfiokit libvirt
 * xml (see topology.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../shared/fileio.h"
#include "../shared/macro.h"
#include "../shared/paths.h"
#include "topology.h"

#define MAX_CPUS 8192

static int cmp_uint(const void *a, const void *b)
{
	unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;
	return (x > y) - (x < y);
}

/* Sort v and drop repeats. */
static size_t uniq(unsigned int *v, size_t n)
{
	size_t k = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_uint);
	for (size_t i = 0; i < n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

int vk_cpulist_parse(const char *s, unsigned int **out, size_t *n)
{
	_cleanup_free_ unsigned int *v = NULL;
	size_t len = 0, cap = 0;
	const char *p = s;

	while (*p == ' ')
		p++;
	while (*p) {
		char *end;
		unsigned long a, b;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				return -EINVAL;
			b = strtoul(p, &end, 10);
		}
		if (a > b || b >= MAX_CPUS)
			return -EINVAL;
		for (unsigned long c = a; c <= b; c++) {
			if (len == cap) {
				unsigned int *nv;

				cap = cap ? 2 * cap : 16;
				nv = realloc(v, cap * sizeof(*v));
				if (!nv)
					return -ENOMEM;
				v = nv;
			}
			v[len++] = (unsigned int)c;
		}
		p = end;
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -EINVAL;
		else if (*p)
			p++;
	}
	*n = uniq(v, len);
	*out = TAKE_PTR(v);
	return 0;
}

/* A node's cpumap ("ff,00000001": 32-bit hex words, the last one CPUs 0-31). */
static int cpumap_parse(const char *s, unsigned int **out, size_t *n)
{
	size_t len = strlen(s), k = 0;
	_cleanup_free_ unsigned int *v = calloc(len * 4 + 1, sizeof(*v));
	unsigned int bit = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = len; i-- > 0;) {
		char c = s[i];
		unsigned int d;

		if (c == ',')
			continue;
		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else
			return -EINVAL;
		for (unsigned int j = 0; j < 4; j++, bit++)
			if (d & (1u << j) && bit < MAX_CPUS)
				v[k++] = bit;
	}
	*n = uniq(v, k);
	*out = TAKE_PTR(v);
	return 0;
}

char *vk_cpulist_format(const unsigned int *cpus, size_t n)
{
	size_t cap = n * 12 + 1, len = 0;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	s[0] = '\0';
	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j + 1 < n && cpus[j + 1] == cpus[j] + 1)
			j++;
		if (j == i)
			len += (size_t)snprintf(s + len, cap - len, "%s%u", len ? "," : "",
						cpus[i]);
		else
			len += (size_t)snprintf(s + len, cap - len, "%s%u-%u", len ? "," : "",
						cpus[i], cpus[j]);
		i = j + 1;
	}
	return s;
}

/* One online CPU as its files say. */
struct cpu_info {
	bool online;
	unsigned int package, core_id;
	unsigned int first_sibling; /* lowest online SMT sibling */
	unsigned int l3_key;	    /* lowest CPU sharing its L3, or MAX_CPUS + package */
	int node;
	int core; /* index in the topology's cores, -1 before */
};

/* Read dir/name (relative to the root) into buf. */
static int read_at(const struct vk_ctx *ctx, const char *path, char *buf, size_t size, char *err,
		   size_t errlen)
{
	ssize_t r = vk_read_file(ctx->rootfd, vk_rel(path), buf, size);

	if (r < 0) {
		snprintf(err, errlen, "%s%s: %s", ctx->prefix, path, strerror((int)-r));
		return (int)r;
	}
	return 0;
}

static int read_uint(const struct vk_ctx *ctx, const char *path, unsigned int *out, char *err,
		     size_t errlen)
{
	char buf[64];
	unsigned long v;
	int r = read_at(ctx, path, buf, sizeof(buf), err, errlen);

	if (r < 0)
		return -EINVAL;
	if (vk_parse_ulong(buf, 10, &v) < 0 || v > UINT32_MAX) {
		snprintf(err, errlen, "%s%s: \"%s\" is not a number", ctx->prefix, path, buf);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

/* Read path as a CPU list (or, with map, a hex CPU mask). */
static int read_list(const struct vk_ctx *ctx, const char *path, bool map, unsigned int **v,
		     size_t *n, char *err, size_t errlen)
{
	char buf[16384];
	int r = read_at(ctx, path, buf, sizeof(buf), err, errlen);

	if (r < 0)
		return r == -ENOMEM ? r : -EINVAL;
	r = map ? cpumap_parse(buf, v, n) : vk_cpulist_parse(buf, v, n);
	if (r == -EINVAL)
		snprintf(err, errlen, "%s%s: \"%.60s\" is not a CPU %s", ctx->prefix, path, buf,
			 map ? "mask" : "list");
	return r;
}

/* The level-3 cache of cpu: its shared_cpu_list's lowest CPU, or none. */
static int read_l3(const struct vk_ctx *ctx, unsigned int cpu, struct cpu_info *info, char *err,
		   size_t errlen)
{
	char path[256], buf[32];

	/* index3 first: on x86 the L3 is there (L1d, L1i, L2, L3) */
	for (unsigned int k = 0; k < 16; k++) {
		unsigned int i = k == 0 ? 3 : k <= 3 ? k - 1 : k;
		_cleanup_free_ unsigned int *v = NULL;
		size_t n = 0;
		int r;

		snprintf(path, sizeof(path), VK_PATH_SYS_CPU "/cpu%u/cache/index%u/level", cpu, i);
		if (vk_read_file(ctx->rootfd, vk_rel(path), buf, sizeof(buf)) < 0) {
			if (i == 3)
				continue;
			break; /* the kernel numbers the cache indexes from 0 up */
		}
		if (!streq(buf, "3"))
			continue;
		snprintf(path, sizeof(path), VK_PATH_SYS_CPU "/cpu%u/cache/index%u/shared_cpu_list",
			 cpu, i);
		r = read_list(ctx, path, false, &v, &n, err, errlen);
		if (r < 0)
			return r;
		if (n) {
			info->l3_key = v[0];
			return 0;
		}
	}
	info->l3_key = MAX_CPUS + info->package;
	return 0;
}

/* NUMA nodes: nodeN/cpulist, or nodeN/cpumap on older kernels. */
static int read_nodes(const struct vk_ctx *ctx, struct cpu_info *cpus, char *err, size_t errlen)
{
	_cleanup_free_ char **names = NULL;
	size_t n = 0;
	int r = vk_list_dir(ctx->rootfd, vk_rel(VK_PATH_SYS_NODE), &names, &n);

	if (r < 0)
		return r == -ENOMEM ? r : 0;
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ unsigned int *v = NULL;
		size_t nv = 0;
		unsigned long node;
		char path[256];

		if (strncmp(names[i], "node", 4) || vk_parse_ulong(names[i] + 4, 10, &node) < 0)
			continue;
		snprintf(path, sizeof(path), VK_PATH_SYS_NODE "/%s/cpulist", names[i]);
		r = read_list(ctx, path, false, &v, &nv, err, errlen);
		if (r == -EINVAL) {
			snprintf(path, sizeof(path), VK_PATH_SYS_NODE "/%s/cpumap", names[i]);
			r = read_list(ctx, path, true, &v, &nv, err, errlen);
		}
		if (r < 0)
			return r;
		for (size_t k = 0; k < nv; k++)
			cpus[v[k]].node = (int)node;
	}
	return 0;
}

/* The online CPUs: the "online" list, or every cpuN directory. */
static int online_cpus(const struct vk_ctx *ctx, struct cpu_info *cpus, char *err, size_t errlen)
{
	_cleanup_free_ unsigned int *v = NULL;
	_cleanup_free_ char **names = NULL;
	size_t n = 0, nv = 0, found = 0;
	int r;

	r = vk_list_dir(ctx->rootfd, vk_rel(VK_PATH_SYS_CPU), &names, &n);
	if (r < 0) {
		snprintf(err, errlen, "%s%s: %s", ctx->prefix, VK_PATH_SYS_CPU, strerror(-r));
		return r;
	}
	r = read_list(ctx, VK_PATH_SYS_CPU "/online", false, &v, &nv, err, errlen);
	if (r == -ENOMEM)
		return r;
	for (size_t i = 0; i < n; i++) {
		unsigned long c;
		bool on = r < 0;
		char path[128];

		if (strncmp(names[i], "cpu", 3) || vk_parse_ulong(names[i] + 3, 10, &c) < 0 ||
		    c >= MAX_CPUS)
			continue;
		for (size_t k = 0; !on && k < nv; k++)
			on = v[k] == c;
		snprintf(path, sizeof(path), VK_PATH_SYS_CPU "/%s/topology", names[i]);
		if (on && faccessat(ctx->rootfd, vk_rel(path), F_OK, 0) == 0) {
			cpus[c].online = true;
			found++;
		}
	}
	if (!found) {
		snprintf(err, errlen, "%s%s: no online CPU with a topology directory", ctx->prefix,
			 VK_PATH_SYS_CPU);
		return -ENOENT;
	}
	return 0;
}

static int read_cpu(const struct vk_ctx *ctx, struct cpu_info *cpus, unsigned int c, char *err,
		    size_t errlen)
{
	_cleanup_free_ unsigned int *sib = NULL;
	struct cpu_info *info = &cpus[c];
	char path[256];
	size_t n = 0;
	int r;

	snprintf(path, sizeof(path), VK_PATH_SYS_CPU "/cpu%u/topology/physical_package_id", c);
	if ((r = read_uint(ctx, path, &info->package, err, errlen)) < 0)
		return r;
	snprintf(path, sizeof(path), VK_PATH_SYS_CPU "/cpu%u/topology/core_id", c);
	if ((r = read_uint(ctx, path, &info->core_id, err, errlen)) < 0)
		return r;
	snprintf(path, sizeof(path), VK_PATH_SYS_CPU "/cpu%u/topology/thread_siblings_list", c);
	if ((r = read_list(ctx, path, false, &sib, &n, err, errlen)) < 0)
		return r;
	info->first_sibling = c;
	for (size_t k = 0; k < n; k++)
		if (cpus[sib[k]].online && sib[k] < info->first_sibling)
			info->first_sibling = sib[k];
	return read_l3(ctx, c, info, err, errlen);
}

/* Add cpu to the core of its first sibling, making the core when new. */
static int add_to_core(struct vk_topology *t, struct cpu_info *cpus, unsigned int c,
		       unsigned int *l3_keys)
{
	struct cpu_info *info = &cpus[c], *first = &cpus[info->first_sibling];
	struct vk_core *core;
	unsigned int *nv;

	if (first->core < 0) {
		struct vk_core *cs = realloc(t->cores, (t->n_cores + 1) * sizeof(*cs));
		size_t l;

		if (!cs)
			return -ENOMEM;
		t->cores = cs;
		core = &cs[t->n_cores];
		*core = (struct vk_core){ .package = first->package,
					  .core_id = first->core_id,
					  .node = first->node };
		for (l = 0; l < t->n_l3 && l3_keys[l] != first->l3_key; l++)
			;
		if (l == t->n_l3)
			l3_keys[t->n_l3++] = first->l3_key;
		core->l3 = (unsigned int)l;
		first->core = (int)t->n_cores++;
	}
	info->core = first->core;
	core = &t->cores[info->core];
	nv = realloc(core->cpus, (core->n_cpus + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	core->cpus = nv;
	core->cpus[core->n_cpus++] = c;
	return 0;
}

int vk_topology_load(const struct vk_ctx *ctx, struct vk_topology *t, char *err, size_t errlen)
{
	_cleanup_free_ struct cpu_info *cpus = calloc(MAX_CPUS, sizeof(*cpus));
	_cleanup_free_ unsigned int *l3_keys = calloc(MAX_CPUS * 2, sizeof(*l3_keys));
	_cleanup_free_ unsigned int *packages = NULL;
	int r;

	*t = (struct vk_topology){};
	if (!cpus || !l3_keys)
		return -ENOMEM;
	for (unsigned int c = 0; c < MAX_CPUS; c++)
		cpus[c] = (struct cpu_info){ .node = -1, .core = -1 };
	if ((r = online_cpus(ctx, cpus, err, errlen)) < 0 ||
	    (r = read_nodes(ctx, cpus, err, errlen)) < 0)
		return r;
	for (unsigned int c = 0; c < MAX_CPUS; c++)
		if (cpus[c].online && (r = read_cpu(ctx, cpus, c, err, errlen)) < 0)
			return r;
	/* In CPU order, so that each core's first CPU makes it. */
	for (unsigned int c = 0; c < MAX_CPUS; c++) {
		if (!cpus[c].online)
			continue;
		if (cpus[c].first_sibling != c && !cpus[cpus[c].first_sibling].online)
			cpus[c].first_sibling = c;
		if ((r = add_to_core(t, cpus, c, l3_keys)) < 0) {
			vk_topology_clear(t);
			return r;
		}
		t->n_cpus++;
	}
	packages = calloc(t->n_cores, sizeof(*packages));
	if (!packages) {
		vk_topology_clear(t);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->n_cores; i++)
		packages[i] = t->cores[i].package;
	t->n_packages = uniq(packages, t->n_cores);
	t->threads = (unsigned int)t->cores[0].n_cpus;
	return 0;
}

void vk_topology_clear(struct vk_topology *t)
{
	for (size_t i = 0; i < t->n_cores; i++)
		free(t->cores[i].cpus);
	free(t->cores);
	*t = (struct vk_topology){};
}

/* A set of a package's free cores that share an L3 cache and a node. */
struct domain {
	unsigned int l3;
	int node;
	size_t *cores; /* indexes into t->cores, in order */
	size_t n;
};

static int cmp_domain(const void *a, const void *b)
{
	const struct domain *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return (x->cores[0] > y->cores[0]) - (x->cores[0] < y->cores[0]);
}

/* The domains of package's cores with threads siblings, the host's first
 * core left out, biggest first. */
static int package_domains(const struct vk_topology *t, unsigned int package, struct domain **out,
			   size_t *n_out)
{
	struct domain *d = calloc(t->n_cores, sizeof(*d));
	size_t nd = 0;

	if (!d)
		return -ENOMEM;
	for (size_t i = 1; i < t->n_cores; i++) {
		const struct vk_core *c = &t->cores[i];
		size_t k;

		if (c->package != package || c->n_cpus != t->threads)
			continue;
		for (k = 0; k < nd && (d[k].l3 != c->l3 || d[k].node != c->node); k++)
			;
		if (k == nd) {
			d[nd].l3 = c->l3;
			d[nd].node = c->node;
			d[nd].cores = calloc(t->n_cores, sizeof(size_t));
			if (!d[nd++].cores) {
				for (k = 0; k < nd; k++)
					free(d[k].cores);
				free(d);
				return -ENOMEM;
			}
		}
		d[k].cores[d[k].n++] = i;
	}
	if (nd)
		qsort(d, nd, sizeof(*d), cmp_domain);
	*out = d;
	*n_out = nd;
	return 0;
}

static void domains_free(struct domain *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].cores);
	free(d);
}

/* How many of d (biggest first) hold want cores; 0 when all cannot. */
static size_t domains_needed(const struct domain *d, size_t n, size_t want)
{
	size_t have = 0;

	for (size_t i = 0; i < n; i++) {
		have += d[i].n;
		if (have >= want)
			return i + 1;
	}
	return 0;
}

static int cmp_cpu_of_core(const void *a, const void *b, void *arg)
{
	const struct vk_topology *t = arg;
	unsigned int x = t->cores[*(const size_t *)a].cpus[0];
	unsigned int y = t->cores[*(const size_t *)b].cpus[0];

	return (x > y) - (x < y);
}

/* Fill p from the first want cores of the first used domains of d. */
static int pin_from(const struct vk_topology *t, const struct domain *d, size_t used, size_t want,
		    unsigned int package, struct vk_pinning *p)
{
	_cleanup_free_ size_t *chosen = calloc(want, sizeof(*chosen));
	_cleanup_free_ bool *taken = calloc(t->n_cores, sizeof(*taken));
	size_t k = 0;

	p->vcpu_cpu = calloc(want * t->threads, sizeof(*p->vcpu_cpu));
	p->host_cpus = calloc(t->n_cpus, sizeof(*p->host_cpus));
	if (!chosen || !taken || !p->vcpu_cpu || !p->host_cpus)
		return -ENOMEM;
	for (size_t i = 0; i < used; i++)
		for (size_t j = 0; j < d[i].n && k < want; j++)
			chosen[k++] = d[i].cores[j];
	qsort_r(chosen, want, sizeof(*chosen), cmp_cpu_of_core, (void *)t);
	for (size_t i = 0; i < want; i++) {
		const struct vk_core *c = &t->cores[chosen[i]];

		taken[chosen[i]] = true;
		for (size_t j = 0; j < c->n_cpus; j++)
			p->vcpu_cpu[p->n_vcpus++] = c->cpus[j];
	}
	for (size_t i = 0; i < t->n_cores; i++)
		if (!taken[i] && t->cores[i].package == package)
			for (size_t j = 0; j < t->cores[i].n_cpus; j++)
				p->host_cpus[p->n_host_cpus++] = t->cores[i].cpus[j];
	if (!p->n_host_cpus)
		for (size_t j = 0; j < t->cores[0].n_cpus; j++)
			p->host_cpus[p->n_host_cpus++] = t->cores[0].cpus[j];
	p->n_host_cpus = uniq(p->host_cpus, p->n_host_cpus);
	p->cores = (unsigned int)want;
	p->threads = t->threads;
	p->package = package;
	p->n_l3 = used;
	return 0;
}

/* Whether package already has a core before index i. */
static bool package_seen(const struct vk_topology *t, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (t->cores[j].package == t->cores[i].package)
			return true;
	return false;
}

int vk_pin_plan(const struct vk_topology *t, unsigned int vcpus, struct vk_pinning *p,
		struct vk_notes *notes, char *err, size_t errlen)
{
	struct domain *best = NULL;
	size_t best_nd = 0, best_used = 0, best_want = 0, most = 0, want, half;
	unsigned int best_pkg = 0;
	int r;

	*p = (struct vk_pinning){};
	if (!t->n_cores || !t->threads)
		return -EINVAL;
	if (vcpus % t->threads) {
		snprintf(err, errlen,
			 "%u vCPUs do not fill whole cores: each core of this host has %u "
			 "threads, and a guest core without its sibling shares a core with the "
			 "host; ask for a multiple of %u",
			 vcpus, t->threads, t->threads);
		return -EINVAL;
	}
	half = t->n_cores / 2 ? t->n_cores / 2 : 1;
	for (size_t i = 0; i < t->n_cores; i++) {
		struct domain *d;
		size_t nd, free_cores = 0, w, used;

		if (package_seen(t, i))
			continue;
		if ((r = package_domains(t, t->cores[i].package, &d, &nd)) < 0) {
			domains_free(best, best_nd);
			return r;
		}
		for (size_t k = 0; k < nd; k++)
			free_cores += d[k].n;
		if (free_cores > most)
			most = free_cores;
		/* the default: half the host's cores, as many as the package has */
		w = vcpus ? vcpus / t->threads : (half < free_cores ? half : free_cores);
		used = w ? domains_needed(d, nd, w) : 0;
		if (used && (!best || used < best_used || (!vcpus && w > best_want))) {
			domains_free(best, best_nd);
			best = TAKE_PTR(d);
			best_nd = nd;
			best_used = used;
			best_want = w;
			best_pkg = t->cores[i].package;
		}
		domains_free(d, d ? nd : 0);
	}
	if (!best) {
		if (!most)
			snprintf(err, errlen,
				 "this host has no core to give a guest: its first core stays "
				 "with the host, and no other core has %u threads",
				 t->threads);
		else
			snprintf(err, errlen,
				 "%u vCPUs need %u whole cores in one package; the most this host "
				 "has in one package, its first core left to the host, is %zu "
				 "cores (%zu vCPUs)",
				 vcpus, vcpus / t->threads, most, most * t->threads);
		return -EINVAL;
	}
	want = best_want;
	r = pin_from(t, best, best_used, want, best_pkg, p);
	if (r == 0 && best_used > 1) {
		size_t fit = 0;

		for (size_t k = 0; k + 1 < best_used; k++)
			fit += best[k].n;
		r = vk_notes_add(notes, VK_NOTE_NOTICE,
				 "%zu vCPUs span %zu L3 caches (CCX/CCD or NUMA node); %zu would "
				 "fit in %zu",
				 want * t->threads, best_used, fit * t->threads, best_used - 1);
	}
	domains_free(best, best_nd);
	if (r < 0)
		vk_pinning_clear(p);
	return r;
}

void vk_pinning_clear(struct vk_pinning *p)
{
	free(p->vcpu_cpu);
	free(p->host_cpus);
	*p = (struct vk_pinning){};
}
