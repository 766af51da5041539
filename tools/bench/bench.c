/* SPDX-License-Identifier: MIT */
/*
 * omni-bench: data-plane micro benchmarks on one core. Each section lives
 * in its own file and prints its own table.
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bench.h"

uint64_t bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Stay on the CPU we started on: migrations add noise to short runs. */
static void pin_to_current_cpu(void)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		perror("omni-bench: sched_setaffinity (continuing unpinned)");
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: omni-bench [--quick] [--pipeline | --fdb]\n"
		"  --quick     shorter rounds, about 3 s in all (default about 30 s)\n"
		"  --pipeline  only the pipeline section (DPDK worker vs bulk AEAD, memory, fdb)\n"
		"  --fdb       only the L2 MAC table against the session table\n");
}

int main(int argc, char **argv)
{
	struct bench_opts opts = { 0 };
	int i, ret = 0, only_pipeline = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			opts.quick = 1;
		} else if (strcmp(argv[i], "--pipeline") == 0) {
			only_pipeline = 1;
		} else if (strcmp(argv[i], "--fdb") == 0) {
			only_pipeline = opts.only_fdb = 1;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "omni-bench: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	pin_to_current_cpu();
	if (!only_pipeline && bench_aead_run(&opts) < 0)
		ret = 1;
	if (!only_pipeline && bench_handshake_run(opts.quick ? 0.5 : 3.0) < 0)
		ret = 1;
	if (bench_pipeline_run(&opts) < 0)
		ret = 1;
	return ret;
}
