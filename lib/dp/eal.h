/* SPDX-License-Identifier: MIT */
/*
 * EAL start-up from a few plain inputs, so a user need not know EAL.
 *
 * The argv we build, in this order (each default is left out when the user's
 * own EAL arguments set the same thing; theirs come last and win):
 *   --lcores 0@A,1@B,...   main lcore + workers on the usable CPUs A, B, ...
 *                          (default: main + 1 worker with >= 2 usable CPUs,
 *                          else a single lcore), or the lcore list given;
 *                          a single lcore gets a CPU no other gateway holds,
 *                          or floats over the usable set (dp/place.h)
 *   --in-memory [-m MB]    hugepages free and hugetlbfs mounted, or else
 *   --no-huge -m MB --no-shconf   with a warning on how to set hugepages up
 *   --file-prefix omniPID  always: several processes at once never share a
 *                          runtime directory (telemetry socket, config)
 *   --no-pci | -a ADDR...  no PCI probing unless devices are named
 *   --vdev ...             extra virtual devices (ports from lib/dp/port.h
 *                          are hot-plugged after start instead)
 *   --log-level ...
 *
 * Not thread-safe: call from main before anything else uses DPDK.
 */
#ifndef OMNI_DP_EAL_H
#define OMNI_DP_EAL_H

#include <stdbool.h>

enum {
	DP_EAL_MAX_ARGS = 64,
	DP_EAL_BUF = 2048,
	DP_EAL_DEFAULT_NOHUGE_MB = 512, /* address space: only what is used is resident */
	DP_EAL_MIN_HUGE_MB = 64,        /* less free hugepage memory: use --no-huge */
};

struct dp_eal_conf {
	const char *prog;       /* argv[0]; NULL: "omninervous" */
	unsigned lcores;        /* main + workers; 0: automatic */
	const char *lcore_list; /* --lcores value as given; NULL: from lcores */
	unsigned mem_mb;        /* memory (-m); 0: the --no-huge default, or
					  what EAL takes with hugepages */
	bool no_huge;           /* use --no-huge even with hugepages */
	bool need_huge;         /* fail (-ENOMEM) rather than run without */
	const char *const *pci; /* PCI addresses to allow */
	unsigned n_pci;
	const char *const *vdevs; /* extra --vdev values */
	unsigned n_vdevs;
	const char *log_level;      /* e.g. "notice"; NULL: ours and EAL's notices */
	const char *omni_log_level; /* level of our omni.* logs with the default
					  above ("debug"); NULL: "info" */
	int user_argc;              /* the user's EAL arguments (before --), */
	char *const *user_argv;     /* without a program name */
	/* For a single lcore's CPU claim (dp/place.h); NULL: DP_PLACE_LOCK_DIR. */
	const char *cpu_lock_dir;
};

struct dp_eal {
	int argc;
	char *argv[DP_EAL_MAX_ARGS + 1];
	char buf[DP_EAL_BUF]; /* the strings argv points to */
	char prefix[32];      /* --file-prefix we chose ("" if user's) */
	unsigned lcores;      /* what we asked for (0 if user's) */
	int cpu;              /* a single lcore's claimed CPU, or DP_PLACE_FLOAT */
	int cpu_fd;           /* holds the claim until dp_eal_stop; -1: none */
	char placement[600];  /* where the lcores run, for the start-up line */
	bool huge;            /* hugepages used */
	bool started;
};

/* Build e->argv from conf. 0, -EINVAL (bad conf) or -E2BIG (too many). */
int dp_eal_build(struct dp_eal *e, const struct dp_eal_conf *conf);

/*
 * dp_eal_build, log the argv, then rte_eal_init. 0 or -errno (never exits).
 * After success, rte_lcore_count() says how many lcores there really are.
 */
int dp_eal_start(struct dp_eal *e, const struct dp_eal_conf *conf);

/* rte_eal_cleanup and remove the runtime directory we named; gives the
 * CPU claim up. */
void dp_eal_stop(struct dp_eal *e);

/* Remove what dead runs with our default prefixes (omni<PID>) left: their
 * runtime directories (telemetry socket) and hugepage files; one line
 * says what was found (lib/dp/stale.c). dp_eal_start calls it. */
void dp_eal_clear_stale(void);
/* The same in one runtime base directory and one hugepage directory
 * (tests): how many directories and files it removed. */
unsigned dp_eal_clear_stale_in(const char *runtime_base, const char *huge_dir);
/* Gives up the CPU claim dp_eal_build made (done by dp_eal_stop, and by
 * dp_eal_start when it fails). */
void dp_eal_release_cpu(struct dp_eal *e);

/* Free hugepage memory in MB, 0 when none or no hugetlbfs is mounted. */
unsigned dp_eal_hugepages_free_mb(void);

/* CPUs this process may run on, written to cpus[] (at most max). */
unsigned dp_eal_usable_cpus(unsigned *cpus, unsigned max);

#endif /* OMNI_DP_EAL_H */
