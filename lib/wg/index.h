/* SPDX-License-Identifier: MIT */
/*
 * Receiver-index table for the control plane: random, unique 32-bit indices
 * (so they reveal nothing and cannot be guessed) mapped to a handshake or a
 * keypair. Open addressing; single writer, not thread-safe.
 */
#ifndef OMNI_WG_INDEX_H
#define OMNI_WG_INDEX_H

#include <stdint.h>

enum wg_index_kind { WG_INDEX_FREE = 0, WG_INDEX_HANDSHAKE, WG_INDEX_KEYPAIR };

struct wg_index_entry {
	uint32_t index;
	enum wg_index_kind kind;
	void *ptr;
};

struct wg_index_table;

/* capacity: most live entries. NULL with errno on failure. */
struct wg_index_table *wg_index_table_create(unsigned capacity);
void wg_index_table_destroy(struct wg_index_table *t);

/* Allocate a new random index for ptr; returns it, or 0 with errno=ENOSPC. */
uint32_t wg_index_insert(struct wg_index_table *t, enum wg_index_kind kind, void *ptr);
/* Point an existing index at something else (handshake -> keypair). */
int wg_index_replace(struct wg_index_table *t, uint32_t index, enum wg_index_kind kind, void *ptr);
/* Entry for index, or NULL. */
const struct wg_index_entry *wg_index_lookup(const struct wg_index_table *t, uint32_t index);
void wg_index_remove(struct wg_index_table *t, uint32_t index);
unsigned wg_index_count(const struct wg_index_table *t);

#endif /* OMNI_WG_INDEX_H */
