/* SPDX-License-Identifier: MIT */
/*
 * intel-ipsec-mb back end: one job of the burst API per op, each job with
 * its own key and nonce, so a burst mixes packets of many peers and the
 * library's multi-buffer code still runs them side by side.
 *
 * Facts about ipsec-mb 1.3 this relies on (checked by tests/unit/aead):
 * - IMB_CIPHER_CHACHA20_POLY1305 accepts msg_len 0: the job completes with
 *   the tag of the empty message, which equals libsodium's. We still point
 *   src/dst of an empty message at a scratch buffer, so no NULL pointer is
 *   ever handed to the library.
 * - Decryption computes the tag of the ciphertext into auth_tag_output; it
 *   does not verify. We compare it with the received tag ourselves.
 * - For this cipher mode chain_order is accepted either way and changes
 *   nothing; we set the usual AEAD order (encrypt: cipher then hash).
 * - alloc_mb_mgr() fills mgr->features from CPUID; an init_mb_mgr_<arch>()
 *   for an instruction set the CPU lacks leaves an error in imb_get_errno().
 * Jobs are checked once at creation (IMB_SUBMIT_BURST against libsodium);
 * the data path uses IMB_SUBMIT_BURST_NOCHECK, its inputs having been
 * checked by aead.c.
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>
#include <sodium.h>

#include "aead/aead_backend.h"

struct ipsecmb {
	IMB_MGR *mgr;
	const char *name;
	/* 12 bytes used per nonce; bytes 0..3 stay zero. Indexed by slot. */
	uint8_t nonce[WG_AEAD_BURST_MAX][16];
	uint8_t tag[WG_AEAD_BURST_MAX][WG_AEAD_TAG_BYTES]; /* open: computed */
	uint8_t empty[16];                                 /* src/dst of empty messages */
};

static const struct arch_desc {
	const char *name;
	uint64_t cpuflags; /* all of these needed */
	void (*init)(IMB_MGR *mgr);
} arch_descs[] = {
	[WG_AEAD_ARCH_AVX512] = { "ipsec-mb-avx512", IMB_CPUFLAGS_AVX512, init_mb_mgr_avx512 },
	[WG_AEAD_ARCH_AVX2] = { "ipsec-mb-avx2", IMB_CPUFLAGS_AVX2, init_mb_mgr_avx2 },
	[WG_AEAD_ARCH_SSE] = { "ipsec-mb-sse", IMB_CPUFLAGS_SSE, init_mb_mgr_sse },
};

static int cpu_has(const IMB_MGR *mgr, enum wg_aead_arch arch)
{
	uint64_t need = arch_descs[arch].cpuflags;

	return (mgr->features & need) == need;
}

static enum wg_aead_arch best_arch(const IMB_MGR *mgr)
{
	if (cpu_has(mgr, WG_AEAD_ARCH_AVX512))
		return WG_AEAD_ARCH_AVX512;
	if (cpu_has(mgr, WG_AEAD_ARCH_AVX2))
		return WG_AEAD_ARCH_AVX2;
	if (cpu_has(mgr, WG_AEAD_ARCH_SSE))
		return WG_AEAD_ARCH_SSE;
	return WG_AEAD_ARCH_BEST; /* none */
}

static inline void fill_job(struct ipsecmb *s, IMB_JOB *job, struct wg_aead_op *op, unsigned slot,
			    IMB_CIPHER_DIRECTION dir)
{
	uint64_t le = htole64(op->counter);
	int empty = op->len == 0;

	memcpy(&s->nonce[slot][4], &le, sizeof(le));
	job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
	job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
	job->cipher_direction = dir;
	job->chain_order = dir == IMB_DIR_ENCRYPT ? IMB_ORDER_CIPHER_HASH : IMB_ORDER_HASH_CIPHER;
	job->enc_keys = op->key;
	job->dec_keys = op->key;
	job->key_len_in_bytes = WG_AEAD_KEY_LEN;
	job->src = empty ? s->empty : op->src;
	job->dst = empty ? s->empty : op->dst;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = op->len;
	job->hash_start_src_offset_in_bytes = 0;
	job->msg_len_to_hash_in_bytes = op->len;
	job->iv = s->nonce[slot];
	job->iv_len_in_bytes = WG_AEAD_NONCE_LEN;
	job->auth_tag_output = dir == IMB_DIR_ENCRYPT ? op->tag : s->tag[slot];
	job->auth_tag_output_len_in_bytes = WG_AEAD_TAG_BYTES;
	job->u.CHACHA20_POLY1305.aad = NULL;
	job->u.CHACHA20_POLY1305.aad_len_in_bytes = 0;
	job->user_data = op;
	op->status = -EINPROGRESS;
}

/* Final status of the op of a completed job; returns 1 when it is 0. */
static inline unsigned finish_job(const IMB_JOB *job, IMB_CIPHER_DIRECTION dir)
{
	struct wg_aead_op *op = job->user_data;

	if (job->status != IMB_STATUS_COMPLETED) {
		op->status = -EINVAL;
		return 0;
	}
	if (dir == IMB_DIR_DECRYPT &&
	    sodium_memcmp(job->auth_tag_output, op->tag, WG_AEAD_TAG_BYTES)) {
		if (op->len != 0)
			sodium_memzero(op->dst, op->len);
		op->status = -EBADMSG;
		return 0;
	}
	op->status = 0;
	return 1;
}

/* Submits got filled jobs and waits for all; returns how many came back. */
static unsigned submit_all(IMB_MGR *mgr, IMB_JOB **jobs, unsigned got, int checked)
{
	unsigned done, more;

	done = checked ? IMB_SUBMIT_BURST(mgr, got, jobs) :
			 IMB_SUBMIT_BURST_NOCHECK(mgr, got, jobs);
	while (done < got) {
		more = IMB_FLUSH_BURST(mgr, got - done, jobs + done);
		if (more == 0)
			break;
		done += more;
	}
	return done;
}

/*
 * Runs the ops with status 0 through the manager. Normally one chunk: the
 * queue (IMB_MAX_JOBS) is empty on entry and larger than a burst. Should the
 * library ever return fewer jobs than asked or lose one, the ops left
 * without a result get -EINVAL rather than a stale status. Inlined into
 * seal and open so that dir is a constant there.
 */
static inline __attribute__((always_inline)) unsigned
run(struct ipsecmb *s, struct wg_aead_op *ops, unsigned n, unsigned valid, IMB_CIPHER_DIRECTION dir)
{
	IMB_JOB *jobs[WG_AEAD_BURST_MAX];
	unsigned i = 0, first, slot, got, done, j, ok = 0;

	while (valid > 0) {
		got = IMB_GET_NEXT_BURST(s->mgr, valid, jobs);
		if (got == 0)
			break;
		first = i;
		for (slot = 0; slot < got; i++) {
			if (ops[i].status != 0)
				continue;
			fill_job(s, jobs[slot], &ops[i], slot, dir);
			slot++;
		}
		done = submit_all(s->mgr, jobs, got, 0);
		for (j = 0; j < done; j++)
			ok += finish_job(jobs[j], dir);
		if (done < got)
			for (j = first; j < i; j++)
				if (ops[j].status == -EINPROGRESS)
					ops[j].status = -EINVAL;
		valid -= got;
	}
	for (; valid > 0 && i < n; i++)
		if (ops[i].status == 0) {
			ops[i].status = -EINVAL;
			valid--;
		}
	return ok;
}

static unsigned ipsecmb_seal(void *priv, struct wg_aead_op *ops, unsigned n, unsigned valid)
{
	return run(priv, ops, n, valid, IMB_DIR_ENCRYPT);
}

static unsigned ipsecmb_open(void *priv, struct wg_aead_op *ops, unsigned n, unsigned valid)
{
	return run(priv, ops, n, valid, IMB_DIR_DECRYPT);
}

static void ipsecmb_fini(void *priv)
{
	struct ipsecmb *s = priv;

	if (s == NULL)
		return;
	free_mb_mgr(s->mgr);
	sodium_memzero(s, sizeof(*s));
	free(s);
}

static const struct wg_aead_ops ipsecmb_ops = {
	.seal = ipsecmb_seal,
	.open = ipsecmb_open,
	.fini = ipsecmb_fini,
};

/* Runs two ops through the checking submit; returns how many ended 0. */
static unsigned checked_pair(struct ipsecmb *s, struct wg_aead_op ops[2], IMB_CIPHER_DIRECTION dir)
{
	IMB_JOB *jobs[2];
	unsigned i, ok = 0;

	if (IMB_GET_NEXT_BURST(s->mgr, 2, jobs) != 2)
		return 0;
	for (i = 0; i < 2; i++)
		fill_job(s, jobs[i], &ops[i], i, dir);
	if (submit_all(s->mgr, jobs, 2, 1) != 2 || imb_get_errno(s->mgr) != 0)
		return 0;
	for (i = 0; i < 2; i++)
		ok += finish_job(jobs[i], dir);
	return ok;
}

/*
 * Seals an empty and a 97-byte message with the checking submit, compares
 * with libsodium, and opens them again: proves on this CPU, once, that the
 * library accepts our jobs (empty message included) and computes what we
 * expect, so the data path can use the non-checking submit.
 */
static int selftest(struct ipsecmb *s)
{
	static const uint32_t lens[2] = { 0, 97 };
	uint8_t key[WG_AEAD_KEY_LEN], pt[97], ct[2][97], tag[2][16];
	uint8_t ref_ct[97], ref_tag[16], nonce[WG_AEAD_NONCE_LEN] = { 0 };
	struct wg_aead_op ops[2];
	unsigned i;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(i * 7 + 1);
	for (i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)i;
	nonce[4] = 5; /* counter 5, little endian */
	for (i = 0; i < 2; i++)
		ops[i] = (struct wg_aead_op){ .key = key,
					      .counter = 5,
					      .src = pt,
					      .dst = ct[i],
					      .len = lens[i],
					      .tag = tag[i] };
	if (checked_pair(s, ops, IMB_DIR_ENCRYPT) != 2)
		return -ENOTSUP;
	for (i = 0; i < 2; i++) {
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(ref_ct, ref_tag, NULL, pt,
								   lens[i], NULL, 0, NULL, nonce,
								   key);
		if (memcmp(ref_ct, ct[i], lens[i]) != 0 ||
		    memcmp(ref_tag, tag[i], sizeof(ref_tag)) != 0)
			return -ENOTSUP;
		ops[i].src = ct[i]; /* open in place */
	}
	if (checked_pair(s, ops, IMB_DIR_DECRYPT) != 2 || memcmp(ct[1], pt, sizeof(pt)) != 0)
		return -ENOTSUP;
	return 0;
}

int wg_aead_ipsecmb_init(struct wg_aead *aead, enum wg_aead_arch arch)
{
	struct ipsecmb *s;
	int ret;

	s = aligned_alloc(64, (sizeof(*s) + 63) & ~(size_t)63);
	if (s == NULL)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	s->mgr = alloc_mb_mgr(0);
	if (s->mgr == NULL) {
		ret = -ENOMEM;
		goto free_state;
	}
	if (arch == WG_AEAD_ARCH_BEST)
		arch = best_arch(s->mgr);
	if (arch == WG_AEAD_ARCH_BEST || !cpu_has(s->mgr, arch)) {
		ret = -ENOTSUP;
		goto free_mgr;
	}
	arch_descs[arch].init(s->mgr);
	if (imb_get_errno(s->mgr) != 0) {
		ret = -ENOTSUP;
		goto free_mgr;
	}
	ret = selftest(s);
	if (ret < 0)
		goto free_mgr;
	s->name = arch_descs[arch].name;
	aead->ops = &ipsecmb_ops;
	aead->priv = s;
	aead->name = s->name;
	return 0;

free_mgr:
	free_mb_mgr(s->mgr);
free_state:
	free(s);
	return ret;
}
