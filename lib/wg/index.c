/* SPDX-License-Identifier: MIT */
/*
 * Linear probing over a power-of-two array at most half full. Indices are
 * our own random numbers, so their low bits are already a good hash. Index
 * 0 is never handed out: it marks an empty slot.
 */
#include <errno.h>
#include <stdlib.h>

#include <sodium.h>

#include "index.h"

struct wg_index_table {
	unsigned mask;
	unsigned capacity;
	unsigned count;
	struct wg_index_entry slots[];
};

struct wg_index_table *wg_index_table_create(unsigned capacity)
{
	struct wg_index_table *t;
	unsigned size = 16;

	if (capacity == 0 || capacity > (1u << 28)) {
		errno = EINVAL;
		return NULL;
	}
	while (size < 2 * capacity)
		size <<= 1;
	t = calloc(1, sizeof(*t) + size * sizeof(t->slots[0]));
	if (!t)
		return NULL;
	t->mask = size - 1;
	t->capacity = capacity;
	return t;
}

void wg_index_table_destroy(struct wg_index_table *t)
{
	free(t);
}

static struct wg_index_entry *find(const struct wg_index_table *t, uint32_t index)
{
	unsigned i = index & t->mask;

	if (index == 0)
		return NULL;
	while (t->slots[i].index) {
		if (t->slots[i].index == index)
			return (struct wg_index_entry *)&t->slots[i];
		i = (i + 1) & t->mask;
	}
	return NULL;
}

uint32_t wg_index_insert(struct wg_index_table *t, enum wg_index_kind kind, void *ptr)
{
	uint32_t index;
	unsigned i;

	if (t->count >= t->capacity) {
		errno = ENOSPC;
		return 0;
	}
	do
		index = randombytes_random();
	while (index == 0 || find(t, index));

	for (i = index & t->mask; t->slots[i].index; i = (i + 1) & t->mask)
		;
	t->slots[i] = (struct wg_index_entry){ .index = index, .kind = kind, .ptr = ptr };
	t->count++;
	return index;
}

int wg_index_replace(struct wg_index_table *t, uint32_t index, enum wg_index_kind kind, void *ptr)
{
	struct wg_index_entry *e = find(t, index);

	if (!e)
		return -ENOENT;
	e->kind = kind;
	e->ptr = ptr;
	return 0;
}

const struct wg_index_entry *wg_index_lookup(const struct wg_index_table *t, uint32_t index)
{
	return find(t, index);
}

/* Distance from the home slot of the entry in slot i. */
static unsigned probe_distance(const struct wg_index_table *t, unsigned i)
{
	return (i - (t->slots[i].index & t->mask)) & t->mask;
}

void wg_index_remove(struct wg_index_table *t, uint32_t index)
{
	struct wg_index_entry *e = find(t, index);
	unsigned hole, i, dist;

	if (!e)
		return;
	hole = (unsigned)(e - t->slots);
	/* Backward-shift deletion: pull later entries of the run into the hole. */
	for (i = (hole + 1) & t->mask, dist = 1; t->slots[i].index; i = (i + 1) & t->mask, dist++) {
		if (probe_distance(t, i) >= dist) {
			t->slots[hole] = t->slots[i];
			hole = i;
			dist = 0;
		}
	}
	t->slots[hole] = (struct wg_index_entry){ 0 };
	t->count--;
}

unsigned wg_index_count(const struct wg_index_table *t)
{
	return t->count;
}
