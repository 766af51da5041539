/* SPDX-License-Identifier: MIT */
/*
 * A cluster's admission list (docs/signaling.md, "Admission and
 * revocation"): the member keys that may register, as an operator
 * approves nodes; the secret alone no longer admits. Sorted, so a REGISTER
 * costs a binary search. A new list removes the members it leaves out.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nucleus_int.h"

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, SIG_PUBKEY_LEN);
}

bool sig_cluster_admits(const struct cluster *c, const uint8_t *key)
{
	return !c->admit_list ||
	       (c->n_admit && bsearch(key, c->admit, c->n_admit, SIG_PUBKEY_LEN, key_cmp));
}

int sig_cluster_set_admit(struct cluster *c, bool admit_list, const uint8_t (*keys)[SIG_PUBKEY_LEN],
			  size_t n_keys)
{
	uint8_t(*copy)[SIG_PUBKEY_LEN] = NULL;

	if (admit_list && n_keys) {
		copy = malloc(n_keys * SIG_PUBKEY_LEN);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, keys, n_keys * SIG_PUBKEY_LEN);
		qsort(copy, n_keys, SIG_PUBKEY_LEN, key_cmp);
	}
	free(c->admit);
	c->admit = copy;
	c->n_admit = admit_list ? n_keys : 0;
	c->admit_list = admit_list;
	return 0;
}

int sig_nucleus_set_members(struct sig_nucleus *n, size_t ci, bool admit_list,
			    const uint8_t (*keys)[SIG_PUBKEY_LEN], size_t n_keys)
{
	struct cluster *c = &n->clusters[ci];
	int gone = 0;

	if (sig_cluster_set_admit(c, admit_list, keys, n_keys) < 0)
		return -ENOMEM;
	for (uint32_t i = sig_peerset_next(&c->members, 0); i != SIG_NONE;
	     i = sig_peerset_next(&c->members, i + 1))
		if (!sig_cluster_admits(c, member_at(c, i)->peer.pubkey)) {
			sig_member_remove(c, i);
			gone++;
		}
	return gone;
}
