/* SPDX-License-Identifier: MIT */
/* The tap-gso host port's queues: see tapq.h. */
#include "dp/tapq.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "net/gso.h"

#define TUN_DEV "/dev/net/tun"

/* Linux 6.2's USO offloads, which older headers lack. */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

enum {
	RING_SIZE = 1024,
	READ_BUF = NET_VNET_HLEN + 65536 + 256, /* a 64 KB IP packet and its headers */
	READS_PER_PULL = 4,
	PULL_ENOUGH = 32, /* a worker's burst: more waits for the next pass */
	PUSH_BURST = 64,
	MAX_IOV = NET_GSO_MAX_SEGS + 2,
};

/* TSO and, when wanted, USO: a kernel without USO (before 6.2) refuses
 * the unknown bits with EINVAL and gets TSO alone. */
static int set_offloads(int fd, bool want_uso, bool *uso)
{
	unsigned long tso = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;

	*uso = want_uso && ioctl(fd, TUNSETOFFLOAD, tso | TUN_F_USO4 | TUN_F_USO6) == 0;
	if (*uso)
		return 0;
	return ioctl(fd, TUNSETOFFLOAD, tso);
}

int dp_tapq_open_fd(const char *ifname, bool multi, bool want_uso, bool *uso)
{
	struct ifreq ifr = { 0 };
	int fd = open(TUN_DEV, O_RDWR | O_NONBLOCK | O_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	if (strlen(ifname) >= sizeof(ifr.ifr_name)) {
		close(fd);
		return -EINVAL;
	}
	strcpy(ifr.ifr_name, ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (multi ? IFF_MULTI_QUEUE : 0);
	if (ioctl(fd, TUNSETIFF, &ifr) != 0 || set_offloads(fd, want_uso, uso) != 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

static struct rte_ring *ring(const char *ifname, const char *dir, unsigned q, int socket)
{
	char name[RTE_RING_NAMESIZE];

	snprintf(name, sizeof(name), "tq%s%u_%s", dir, q, ifname);
	return rte_ring_create(name, RING_SIZE, socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
}

struct dp_tapq *dp_tapq_create(const char *ifname, unsigned q, int fd, int socket)
{
	struct dp_tapq *t = rte_zmalloc_socket("tapq", sizeof(*t), 64, socket);

	if (!t) {
		close(fd);
		return NULL;
	}
	t->fd = fd;
	t->rx = ring(ifname, "rx", q, socket);
	t->tx = ring(ifname, "tx", q, socket);
	t->buf = rte_malloc_socket("tapq_buf", READ_BUF, 64, socket);
	if (!t->rx || !t->tx || !t->buf) {
		dp_tapq_free(t);
		return NULL;
	}
	return t;
}

static void drain(struct rte_ring *r)
{
	struct rte_mbuf *m;

	while (r && rte_ring_dequeue(r, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

void dp_tapq_free(struct dp_tapq *q)
{
	if (!q)
		return;
	drain(q->rx);
	drain(q->tx);
	rte_ring_free(q->rx);
	rte_ring_free(q->tx);
	rte_free(q->buf);
	if (q->fd >= 0)
		close(q->fd);
	rte_free(q);
}

/* One frame as read into mbufs on the rx ring: the frames made. */
static unsigned segment(struct dp_tapq *q, size_t len)
{
	struct rte_mbuf *ms[NET_GSO_MAX_SEGS];
	struct net_gso g;
	unsigned i, n, done;
	size_t l;

	if (!net_gso_parse(q->buf, len, &g)) {
		q->st.bad++;
		return 0;
	}
	n = g.n_segs;
	q->st.gso_frames += g.mss != 0;
	q->st.udp_gso_frames += g.udp;
	if (rte_pktmbuf_alloc_bulk(q->pool, ms, n) != 0) {
		q->st.no_mbuf += n;
		return 0;
	}
	for (i = 0; i < n; i++) {
		l = net_gso_segment(&g, i, rte_pktmbuf_mtod(ms[i], uint8_t *),
				    rte_pktmbuf_tailroom(ms[i]));
		if (l == 0) { /* longer than an mbuf: not from a tap of our MTU */
			rte_pktmbuf_free_bulk(ms, n);
			q->st.bad++;
			return 0;
		}
		ms[i]->data_len = (uint16_t)l;
		ms[i]->pkt_len = (uint32_t)l;
	}
	done = rte_ring_sp_enqueue_burst(q->rx, (void **)ms, n, NULL);
	if (done < n) {
		rte_pktmbuf_free_bulk(ms + done, n - done);
		q->st.ring_full += n - done;
	}
	q->st.segments += done;
	return done;
}

unsigned dp_tapq_pull(struct dp_tapq *q)
{
	unsigned made = 0;
	ssize_t n;

	for (unsigned r = 0; r < READS_PER_PULL && made < PULL_ENOUGH; r++) {
		if (rte_ring_free_count(q->rx) < NET_GSO_MAX_SEGS)
			break;
		n = read(q->fd, q->buf, READ_BUF);
		if (n <= 0)
			break;
		q->st.reads++;
		made += segment(q, (size_t)n);
	}
	return made;
}

/* A run: frames coalesced into one write, linked by index. */
struct run {
	struct net_gro g;
	uint16_t head, tail;
	bool gro;
};

struct push {
	struct rte_mbuf *m[PUSH_BURST];
	const uint8_t *pl[PUSH_BURST]; /* payload appended, for members after the head */
	size_t plen[PUSH_BURST];
	uint16_t next[PUSH_BURST];
	struct run runs[PUSH_BURST];
	unsigned n, n_runs;
	bool udp; /* the kernel takes UDP_L4 GSO: coalesce UDP too */
};

/* Frame i joins the latest run of its flow, or starts a run. A frame of a
 * flow that cannot join closes that run, so the flow's order holds. */
static void place(struct push *p, unsigned i)
{
	uint8_t *f = rte_pktmbuf_mtod(p->m[i], uint8_t *);
	size_t len = p->m[i]->data_len;
	struct run *r;

	p->next[i] = UINT16_MAX;
	for (unsigned k = p->n_runs; k-- > 0;) {
		r = &p->runs[k];
		if (!r->gro || !net_gro_same_flow(&r->g, f, len))
			continue;
		if (net_gro_append(&r->g, f, len, &p->pl[i], &p->plen[i])) {
			p->next[r->tail] = (uint16_t)i;
			r->tail = (uint16_t)i;
			return;
		}
		r->g.closed = true;
		break;
	}
	r = &p->runs[p->n_runs++];
	r->gro = net_gro_start(&r->g, f, len) || (p->udp && net_gro_start_udp(&r->g, f, len));
	r->head = r->tail = (uint16_t)i;
}

static void write_run(struct dp_tapq *q, struct push *p, struct run *r)
{
	struct iovec iov[MAX_IOV];
	struct net_vnet_hdr vh = { 0 };
	struct rte_mbuf *first = p->m[r->head];
	unsigned n = 0;

	if (r->gro)
		net_gro_finish(&r->g, &vh);
	q->st.udp_gso_writes += vh.gso_type == NET_VNET_GSO_UDP_L4;
	iov[n++] = (struct iovec){ &vh, sizeof(vh) };
	iov[n].iov_base = rte_pktmbuf_mtod(first, void *);
	iov[n++].iov_len = r->gro && r->g.n > 1 ? (size_t)r->g.hdr_len + r->g.mss : first->data_len;
	for (uint16_t i = p->next[r->head]; i != UINT16_MAX; i = p->next[i]) {
		iov[n++] = (struct iovec){ (void *)(uintptr_t)p->pl[i], p->plen[i] };
		q->st.coalesced++;
	}
	q->st.writes++;
	if (writev(q->fd, iov, (int)n) < 0)
		q->st.write_err += n - 1;
}

unsigned dp_tapq_push(struct dp_tapq *q)
{
	struct push p;
	unsigned i;

	p.n = rte_ring_sc_dequeue_burst(q->tx, (void **)p.m, PUSH_BURST, NULL);
	if (p.n == 0)
		return 0;
	p.n_runs = 0;
	p.udp = q->uso;
	for (i = 0; i < p.n; i++)
		place(&p, i);
	for (i = 0; i < p.n_runs; i++)
		write_run(q, &p, &p.runs[i]);
	rte_pktmbuf_free_bulk(p.m, p.n);
	return p.n;
}
