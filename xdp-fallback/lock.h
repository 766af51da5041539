/* SPDX-License-Identifier: MIT */
/* The per-interface gateway lock (lock.c); used by loader.c. */
#ifndef OMNI_XDP_LOCK_H
#define OMNI_XDP_LOCK_H

#include <stddef.h>

/*
 * Take dir/ifname@netns.lock (dir is created). Returns the fd holding the
 * lock, -EBUSY with *holder = its pid when another process holds it, or
 * another -errno. path gets the file's name either way. On success,
 * *holder is the pid a run that died holding it left in the file (0:
 * none; a clean stop removes the file).
 */
int xdpfb_lock(const char *dir, const char *ifname, char *path, size_t path_len, long *holder);
/* Let go of the lock taken as fd, removing its file path (may be NULL). */
void xdpfb_unlock(int fd, const char *path);

#endif /* OMNI_XDP_LOCK_H */
