/* SPDX-License-Identifier: MIT */
/*
 * Where a single lcore runs when the user named no CPUs (no -l, -c or
 * --lcores, no dpdk.lcores).
 *
 * EAL pins every lcore to one CPU. Pinning each gateway to the first usable
 * CPU put every gateway on a host on CPU 0, together, and with what the
 * kernel runs there. Instead each gateway claims a CPU of its own: an
 * exclusive flock(2) on DIR/omninervous-cpuN.lock, tried from the last
 * usable CPU down (CPU 0 is where most hosts route their interrupts and
 * housekeeping). The lock is held as long as the process lives, so the
 * kernel releases it on any exit, a crash included. When every usable CPU
 * is held by another gateway, or the directory cannot be used, the lcore
 * floats over all usable CPUs (--lcores 0@(set)) and the scheduler places
 * it.
 *
 * With workers (several lcores) or the user's lcore options, EAL's pinning
 * is kept as given: this file is not used.
 */
#ifndef OMNI_DP_PLACE_H
#define OMNI_DP_PLACE_H

#include <stddef.h>

#define DP_PLACE_LOCK_DIR "/run/lock"

enum {
	DP_PLACE_FLOAT = -1, /* no CPU of its own: float over the usable set */
};

/*
 * Writes "0-3,6" style text for cpus[] (ascending, as from
 * dp_eal_usable_cpus) to out. 0, -EINVAL (n == 0) or -E2BIG.
 */
int dp_place_cpu_list(char *out, size_t len, const unsigned *cpus, unsigned n);

/*
 * The --lcores value for one lcore: "0@C" when cpu >= 0, else
 * "0@(LIST)" over cpus[]. Pure. 0, -EINVAL or -E2BIG.
 */
int dp_place_lcore_arg(char *out, size_t len, const unsigned *cpus, unsigned n, int cpu);

/*
 * Claims one of cpus[] for this process, the last first, by an exclusive
 * non-blocking flock on dir/omninervous-cpuN.lock (dir NULL:
 * DP_PLACE_LOCK_DIR). Returns the CPU claimed with *fd the descriptor that
 * holds it (close it to give the CPU up), or DP_PLACE_FLOAT with *fd = -1
 * when every CPU is held or no lock file can be opened.
 */
int dp_place_claim(const unsigned *cpus, unsigned n, const char *dir, int *fd);

#endif /* OMNI_DP_PLACE_H */
