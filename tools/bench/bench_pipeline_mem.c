/* SPDX-License-Identifier: MIT */
/*
 * Memory of the configured gateway: DPDK heap (rte_malloc statistics and
 * the memzones inside it) and what the kernel says the process holds
 * (/proc/self/status). Under --no-huge the DPDK heap is ordinary anonymous
 * memory and shows in VmRSS as far as it has been touched; with hugepages
 * it shows in HugetlbPages instead. "In all" is VmRSS + HugetlbPages.
 *
 * Under --no-huge that figure flatters: heap pages nobody has touched yet
 * (rte_zmalloc skips clearing fresh memory) are not resident, while with
 * hugepages every page the heap spans is. So the report adds what the same
 * gateway would hold on hugepages: the heap in use plus the RSS that is
 * not DPDK memory (mincore() over the memseg lists tells the two apart).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include "bench_pipeline.h"

enum { TARGET_MB = 256 };

static void add_zone(const struct rte_memzone *mz, void *arg)
{
	*(uint64_t *)arg += mz->len;
}

/* Resident bytes of one memseg list (its pages are 4 KB under --no-huge). */
static int add_resident(const struct rte_memseg_list *msl, void *arg)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), n = msl->len / page, i;
	unsigned char *vec;

	if (msl->external || !msl->base_va || n == 0 || msl->page_sz != page)
		return 0;
	vec = malloc(n);
	if (vec && mincore(msl->base_va, msl->len, vec) == 0)
		for (i = 0; i < n; i++)
			*(uint64_t *)arg += (vec[i] & 1) ? page : 0;
	free(vec);
	return 0;
}

/* A "Key:   123 kB" line of /proc/self/status, in kB; 0 when absent. */
static uint64_t status_kb(const char *key)
{
	char line[256];
	size_t klen = strlen(key);
	uint64_t v = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			sscanf(line + klen + 1, "%" SCNu64, &v);
			break;
		}
	fclose(f);
	return v;
}

void pb_mem_snap(struct pb_mem *m, bool dpdk)
{
	struct rte_malloc_socket_stats st;
	unsigned i;

	memset(m, 0, sizeof(*m));
	m->rss_kb = status_kb("VmRSS");
	m->hugetlb_kb = status_kb("HugetlbPages");
	if (!dpdk)
		return;
	for (i = 0; i < rte_socket_count(); i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i), &st) == 0) {
			m->heap += st.heap_allocsz_bytes;
			m->heap_free += st.heap_freesz_bytes;
		}
	rte_memzone_walk(add_zone, &m->memzones);
	rte_memseg_list_walk(add_resident, &m->resident);
}

static double mb(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

void pb_mem_step(const char *what, const struct pb_mem *before, const struct pb_mem *after)
{
	printf("  %-40s heap %+8.1f MB   RSS %+8.1f MB\n", what, mb(after->heap - before->heap),
	       mb((after->rss_kb + after->hugetlb_kb - before->rss_kb - before->hugetlb_kb) *
		  1024));
}

static const char *verdict(uint64_t bytes)
{
	return bytes < (uint64_t)TARGET_MB << 20 ? "PASS" : "WARN";
}

void pb_mem_report(const struct pb_mem *now, bool huge)
{
	uint64_t measured = (now->rss_kb + now->hugetlb_kb) * 1024;
	uint64_t other = now->rss_kb * 1024 - RTE_MIN(now->resident, now->rss_kb * 1024);

	printf("  DPDK heap in use %.1f MB (memzones %.1f MB of it), free %.1f MB\n", mb(now->heap),
	       mb(now->memzones), mb(now->heap_free));
	printf("  measured: VmRSS %.1f MB + HugetlbPages %.1f MB = %.1f MB (target < %d MB)  %s\n",
	       mb(now->rss_kb * 1024), mb(now->hugetlb_kb * 1024), mb(measured), TARGET_MB,
	       verdict(measured));
	if (huge)
		return;
	printf("  on hugepages (--no-huge leaves %.1f MB of the heap untouched): "
	       "heap %.1f + other RSS %.1f = %.1f MB  %s\n",
	       mb(now->heap - RTE_MIN(now->resident, now->heap)), mb(now->heap), mb(other),
	       mb(now->heap + other), verdict(now->heap + other));
}
