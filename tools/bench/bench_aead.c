/* SPDX-License-Identifier: MIT */
/*
 * Bulk ChaCha20-Poly1305 seal throughput, one core, per back end.
 *
 * Each burst is 32 packets under 32 different keys with fresh counters,
 * as a worker serving many peers would see. Next to every ipsec-mb back
 * end runs a baseline: the same work written directly against the
 * ipsec-mb burst API over the same buffers, no wrapper. The two alternate
 * round by round (ABBA order), since the machine is shared and noisy: the
 * rates shown are the best round of each, the ratio the median of the
 * per-round ratios. The wrapper should stay within 5% of
 * the baseline: printed as PASS or WARN, never an exit status.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <intel-ipsec-mb.h>

#include "aead/aead.h"
#include "bench.h"

enum {
	BURST = 32,
	MAX_PKT = 1420,
	CHUNK = 8, /* bursts between two clock reads */
	TARGET_PERCENT = 95,
};

static const uint32_t pkt_sizes[] = { 64, 512, 1420 };

struct bench_bufs {
	uint8_t src[BURST][MAX_PKT];
	uint8_t dst[BURST][MAX_PKT];
	uint8_t key[BURST][WG_AEAD_KEY_LEN];
	uint8_t tag[BURST][WG_AEAD_TAG_BYTES];
	uint8_t nonce[BURST][16]; /* baseline only; 12 bytes used */
};

/* One thing being timed: a wg_aead back end or a baseline manager. */
struct contender {
	struct wg_aead *aead;
	IMB_MGR *mgr;
	uint64_t counter;
	unsigned long errors;
};

static const struct baseline_arch {
	const char *aead_name; /* the wg_aead back end it is paired with */
	void (*init)(IMB_MGR *mgr);
} baseline_archs[] = {
	{ "ipsec-mb-avx512", init_mb_mgr_avx512 },
	{ "ipsec-mb-avx2", init_mb_mgr_avx2 },
	{ "ipsec-mb-sse", init_mb_mgr_sse },
};

static const char *const row_names[] = { "sodium", "ipsec-mb", "ipsec-mb-avx512", "ipsec-mb-avx2",
					 "ipsec-mb-sse" };

/* ---- the two loops being compared -------------------------------------- */

static void wrapper_bursts(struct contender *c, struct bench_bufs *b, uint32_t len, unsigned bursts)
{
	struct wg_aead_op ops[BURST];
	unsigned k, i;

	for (k = 0; k < bursts; k++) {
		for (i = 0; i < BURST; i++)
			ops[i] = (struct wg_aead_op){ .key = b->key[i],
						      .counter = c->counter++,
						      .src = b->src[i],
						      .dst = b->dst[i],
						      .len = len,
						      .tag = b->tag[i] };
		c->errors += BURST - wg_aead_seal_burst(c->aead, ops, BURST);
	}
}

/* The plain loop: what a hand-written data path would do, nothing more. */
static void baseline_bursts(struct contender *c, struct bench_bufs *b, uint32_t len,
			    unsigned bursts)
{
	IMB_JOB *jobs[BURST];
	unsigned k, i, got, done;

	for (k = 0; k < bursts; k++) {
		got = IMB_GET_NEXT_BURST(c->mgr, BURST, jobs);
		for (i = 0; i < got; i++) {
			IMB_JOB *job = jobs[i];
			uint64_t le = htole64(c->counter++);

			memcpy(&b->nonce[i][4], &le, sizeof(le));
			job->cipher_mode = IMB_CIPHER_CHACHA20_POLY1305;
			job->hash_alg = IMB_AUTH_CHACHA20_POLY1305;
			job->cipher_direction = IMB_DIR_ENCRYPT;
			job->chain_order = IMB_ORDER_CIPHER_HASH;
			job->enc_keys = b->key[i];
			job->dec_keys = b->key[i];
			job->key_len_in_bytes = WG_AEAD_KEY_LEN;
			job->src = b->src[i];
			job->dst = b->dst[i];
			job->cipher_start_src_offset_in_bytes = 0;
			job->msg_len_to_cipher_in_bytes = len;
			job->hash_start_src_offset_in_bytes = 0;
			job->msg_len_to_hash_in_bytes = len;
			job->iv = b->nonce[i];
			job->iv_len_in_bytes = 12;
			job->auth_tag_output = b->tag[i];
			job->auth_tag_output_len_in_bytes = WG_AEAD_TAG_BYTES;
			job->u.CHACHA20_POLY1305.aad = NULL;
			job->u.CHACHA20_POLY1305.aad_len_in_bytes = 0;
		}
		done = IMB_SUBMIT_BURST_NOCHECK(c->mgr, got, jobs);
		if (done < got)
			done += IMB_FLUSH_BURST(c->mgr, got - done, jobs + done);
		for (i = 0; i < done; i++)
			c->errors += jobs[i]->status != IMB_STATUS_COMPLETED;
		c->errors += BURST - done;
	}
}

/* ---- timing ------------------------------------------------------------- */

/* Packets per second over one slice of about slice_ns. */
static double measure(struct contender *c, struct bench_bufs *b, uint32_t len, uint64_t slice_ns)
{
	uint64_t t0, now, pkts = 0;

	t0 = bench_now_ns();
	do {
		if (c->mgr != NULL)
			baseline_bursts(c, b, len, CHUNK);
		else
			wrapper_bursts(c, b, len, CHUNK);
		pkts += CHUNK * BURST;
		now = bench_now_ns();
	} while (now - t0 < slice_ns);
	return (double)pkts * 1e9 / (double)(now - t0);
}

struct timing {
	unsigned rounds; /* at most MAX_ROUNDS */
	uint64_t slice_ns;
};

enum { MAX_ROUNDS = 32 };

struct result {
	double wrap_pps; /* best round */
	double base_pps; /* best round; 0 without a baseline */
	double ratio;    /* median over rounds of wrapper / baseline */
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double max2(double a, double b)
{
	return a > b ? a : b;
}

/*
 * Rounds of wrapper and baseline back to back, in ABBA order. Throughput
 * is the best round of each; the ratio is the median of the per-round
 * ratios, since the two slices of a round see the same machine load.
 */
static void race(struct contender *wrap, struct contender *base, struct bench_bufs *b, uint32_t len,
		 const struct timing *tm, struct result *res)
{
	double ratios[MAX_ROUNDS], w, bp = 0;
	unsigned r;

	memset(res, 0, sizeof(*res));
	measure(wrap, b, len, tm->slice_ns / 4); /* warm caches and clocks */
	if (base != NULL)
		measure(base, b, len, tm->slice_ns / 4);
	for (r = 0; r < tm->rounds; r++) {
		if (base != NULL && r % 2 == 1)
			bp = measure(base, b, len, tm->slice_ns);
		w = measure(wrap, b, len, tm->slice_ns);
		if (base != NULL && r % 2 == 0)
			bp = measure(base, b, len, tm->slice_ns);
		res->wrap_pps = max2(res->wrap_pps, w);
		res->base_pps = max2(res->base_pps, bp);
		ratios[r] = base != NULL ? w / bp : 0;
	}
	qsort(ratios, tm->rounds, sizeof(ratios[0]), cmp_double);
	res->ratio = ratios[tm->rounds / 2];
}

/* ---- set up and report -------------------------------------------------- */

static IMB_MGR *baseline_mgr(const char *aead_name)
{
	size_t i;
	IMB_MGR *mgr;

	for (i = 0; i < sizeof(baseline_archs) / sizeof(baseline_archs[0]); i++) {
		if (strcmp(aead_name, baseline_archs[i].aead_name) != 0)
			continue;
		mgr = alloc_mb_mgr(0);
		if (mgr == NULL)
			return NULL;
		baseline_archs[i].init(mgr);
		if (imb_get_errno(mgr) != 0) {
			free_mb_mgr(mgr);
			return NULL;
		}
		return mgr;
	}
	return NULL;
}

static double gbps(double pps, uint32_t len)
{
	return pps * len * 8 / 1e9;
}

static void print_row(const char *name, uint32_t len, const struct result *r)
{
	printf("%-16s %5u %8.2f %8.2f", name, len, gbps(r->wrap_pps, len), r->wrap_pps / 1e6);
	if (r->base_pps <= 0) {
		printf("\n");
		return;
	}
	printf(" %9.2f %8.2f %6.1f%%  %s\n", gbps(r->base_pps, len), r->base_pps / 1e6,
	       100.0 * r->ratio, 100.0 * r->ratio >= TARGET_PERCENT ? "PASS" : "WARN");
}

/* One back end at every packet size; returns -1 if it sealed wrongly. */
static int bench_row(const char *row, struct bench_bufs *b, const struct timing *tm)
{
	struct contender wrap = { 0 }, base = { 0 };
	struct result res;
	size_t s;
	int ret = 0;

	wrap.aead = wg_aead_create(row);
	if (wrap.aead == NULL) {
		printf("%-16s (not available: %s)\n", row, strerror(errno));
		return 0;
	}
	if (strcmp(row, "sodium") != 0)
		base.mgr = baseline_mgr(wg_aead_name(wrap.aead));
	for (s = 0; s < sizeof(pkt_sizes) / sizeof(pkt_sizes[0]); s++) {
		race(&wrap, base.mgr ? &base : NULL, b, pkt_sizes[s], tm, &res);
		print_row(row, pkt_sizes[s], &res);
	}
	if (wrap.errors || base.errors) {
		fprintf(stderr, "omni-bench: %s: %lu failed seals (baseline %lu)\n", row,
			wrap.errors, base.errors);
		ret = -1;
	}
	if (base.mgr != NULL)
		free_mb_mgr(base.mgr);
	wg_aead_destroy(wrap.aead);
	return ret;
}

static void fill_bufs(struct bench_bufs *b)
{
	size_t i;
	uint8_t *p = (uint8_t *)b;

	for (i = 0; i < sizeof(*b); i++)
		p[i] = (uint8_t)(i * 131 + (i >> 8));
	for (i = 0; i < BURST; i++)
		memset(b->nonce[i], 0, 4);
}

int bench_aead_run(const struct bench_opts *opts)
{
	const struct timing tm = {
		.rounds = opts->quick ? 7 : 25,
		.slice_ns = opts->quick ? 10000000u : 30000000u,
	};
	struct wg_aead *best = wg_aead_create("ipsec-mb");
	struct bench_bufs *b;
	size_t i;
	int ret = 0;

	b = aligned_alloc(64, (sizeof(*b) + 63) & ~(size_t)63);
	if (b == NULL) {
		perror("omni-bench");
		wg_aead_destroy(best);
		return -1;
	}
	fill_bufs(b);
	printf("== AEAD: ChaCha20-Poly1305 seal, 1 core, bursts of %d packets "
	       "under %d keys\n",
	       BURST, BURST);
	printf("intel-ipsec-mb %s, \"ipsec-mb\" = %s; %u rounds of %u ms: "
	       "best rate, median paired ratio\n",
	       imb_get_version_str(), best ? wg_aead_name(best) : "unavailable", tm.rounds,
	       (unsigned)(tm.slice_ns / 1000000));
	printf("%-16s %5s %8s %8s %9s %8s %7s  (target >= %d%%)\n", "backend", "bytes", "Gbps",
	       "Mpps", "base Gbps", "base Mpps", "ratio", TARGET_PERCENT);
	wg_aead_destroy(best);
	for (i = 0; i < sizeof(row_names) / sizeof(row_names[0]); i++)
		if (bench_row(row_names[i], b, &tm) < 0)
			ret = -1;
	free(b);
	return ret;
}
