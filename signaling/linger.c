/* SPDX-License-Identifier: MIT */
/* LEFTs held for a grace period (linger.h). A linear table: 64 slots. */
#include <string.h>

#include "linger.h"

static int find(const struct sig_linger *l, const uint8_t *key)
{
	for (int i = 0; i < SIG_LINGER_MAX; i++)
		if (l->e[i].until && memcmp(l->e[i].key, key, SIG_PUBKEY_LEN) == 0)
			return i;
	return -1;
}

bool sig_linger_hold(struct sig_linger *l, const uint8_t *key, uint64_t now_ms)
{
	if (find(l, key) >= 0)
		return true;
	for (int i = 0; i < SIG_LINGER_MAX; i++)
		if (!l->e[i].until) {
			memcpy(l->e[i].key, key, SIG_PUBKEY_LEN);
			l->e[i].until = now_ms + SIG_LINGER_MS;
			return true;
		}
	return false;
}

bool sig_linger_cancel(struct sig_linger *l, const uint8_t *key)
{
	int i = find(l, key);

	if (i < 0)
		return false;
	l->e[i].until = 0;
	return true;
}

bool sig_linger_due(struct sig_linger *l, uint64_t now_ms, uint8_t key[SIG_PUBKEY_LEN])
{
	for (int i = 0; i < SIG_LINGER_MAX; i++)
		if (l->e[i].until && l->e[i].until <= now_ms) {
			memcpy(key, l->e[i].key, SIG_PUBKEY_LEN);
			l->e[i].until = 0;
			return true;
		}
	return false;
}

uint64_t sig_linger_next(const struct sig_linger *l)
{
	uint64_t t = UINT64_MAX;

	for (int i = 0; i < SIG_LINGER_MAX; i++)
		if (l->e[i].until && l->e[i].until < t)
			t = l->e[i].until;
	return t;
}
