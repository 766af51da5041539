/* SPDX-License-Identifier: MIT */
/*
 * The UAPI socket (edge_uapi.h): created, polled on the control loop
 * without blocking, requests cut out of each connection's bytes, answers
 * written as the client reads them, removed at stop.
 *
 * The protocol's framing, as wireguard-go reads it: an operation line,
 * "get=1" or "set=1"; a get is followed by a blank line, a set by its
 * key=value lines and a blank line (or the end of the stream). The answer
 * ends with "errno=N" and a blank line. Several requests may follow on one
 * connection; an unknown operation closes it unanswered.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "edge.h"
#include "edge_uapi.h"

enum {
	CONNS = 8,        /* wg(8) opens one at a time */
	IN_MAX = 4 << 20, /* a request larger than this is refused */
	READ_CHUNK = 16384,
	POLL_NS = 4 * 1000 * 1000,       /* a few hundred polls a second */
	IDLE_NS = 30ull * 1000000000ull, /* a silent client is dropped */
};

struct conn {
	int fd; /* -1: free */
	char *in;
	size_t len, cap;
	struct omni_uapi_buf out;
	size_t out_at;
	size_t scanned; /* bytes of in already searched for a set's end */
	uint64_t last_ns;
	bool eof, closing;
};

struct omni_uapi {
	int lfd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	dev_t dev;
	ino_t ino;
	uint64_t next_ns;
	struct conn c[CONNS];
};

static void conn_close(struct conn *c)
{
	if (c->fd < 0)
		return;
	close(c->fd);
	if (c->in)
		sodium_memzero(c->in, c->cap);
	free(c->in);
	omni_uapi_buf_free(&c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Whether the process at the other end of fd lives in our network
 * namespace (where its interface and ours would be the same one). */
static bool same_netns(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct stat mine, theirs;
	char path[64];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)cred.pid);
	if (stat("/proc/self/ns/net", &mine) != 0 || stat(path, &theirs) != 0)
		return true;
	return mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev;
}

/*
 * The path is taken. A socket nobody answers on is a crashed gateway's:
 * replaced (0). One that answers: another gateway or wireguard-go for an
 * interface of this name; in our network namespace that refuses start
 * (-1), in another one (/var/run is shared by namespaces) this gateway runs
 * without the socket (1). Messages printed.
 */
static int take_stale(const char *path, const struct sockaddr_un *a, const char *prog)
{
	int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live, here = true;
	struct stat st;

	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "%s: %s exists and is not a socket: remove it\n", prog, path);
		if (probe >= 0)
			close(probe);
		return -1;
	}
	live = probe >= 0 && connect(probe, (const struct sockaddr *)a, sizeof(*a)) == 0;
	if (live)
		here = same_netns(probe);
	if (probe >= 0)
		close(probe);
	if (live && here) {
		fprintf(stderr,
			"%s: %s is in use: another gateway (or wireguard-go) serves an "
			"interface of this name; stop it first\n",
			prog, path);
		return -1;
	}
	if (live) {
		fprintf(stderr,
			"%s: warning: %s is served by a process in another network namespace: "
			"wg(8) does not reach this gateway (give it another host port name)\n",
			prog, path);
		return 1;
	}
	printf("%s: %s was left by a process that is gone: replaced\n", prog, path);
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

static int listen_on(struct omni_uapi *u, const char *prog)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int ret;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", u->path);
	u->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->lfd < 0)
		return -1;
	old = umask(077);
	ret = bind(u->lfd, (struct sockaddr *)&a, sizeof(a));
	if (ret < 0 && errno == EADDRINUSE) {
		int taken = take_stale(u->path, &a, prog);

		if (taken != 0) {
			umask(old);
			return taken > 0 ? 1 : -2; /* said why */
		}
		ret = bind(u->lfd, (struct sockaddr *)&a, sizeof(a));
	}
	umask(old);
	if (ret < 0 || chmod(u->path, 0600) < 0 || listen(u->lfd, CONNS) < 0 ||
	    stat(u->path, &st) < 0)
		return -1;
	u->dev = st.st_dev;
	u->ino = st.st_ino;
	return 0;
}

int omni_uapi_open(struct omni_uapi **out, struct omni_edge *e, const char *prog)
{
	struct omni_uapi *u = calloc(1, sizeof(*u));
	int ret;

	*out = NULL;
	if (!u)
		return -1;
	for (unsigned i = 0; i < CONNS; i++)
		u->c[i].fd = -1;
	snprintf(u->path, sizeof(u->path), "%s/%s.sock", OMNI_UAPI_DIR,
		 e->cfg.iface.host_port_name);
	/* Only a live socket of another gateway here stops the start: without
	 * the socket the gateway still forwards (wg(8) just cannot reach it). */
	if (mkdir(OMNI_UAPI_DIR, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr,
			"%s: warning: cannot create %s (%s): wg(8) does not reach this "
			"gateway\n",
			prog, OMNI_UAPI_DIR, strerror(errno));
		free(u);
		return 0;
	}
	ret = listen_on(u, prog);
	if (ret != 0) {
		if (ret == -1)
			fprintf(stderr, "%s: warning: %s: %s: wg(8) does not reach this gateway\n",
				prog, u->path, strerror(errno));
		if (u->lfd >= 0)
			close(u->lfd);
		free(u);
		return ret == -2 ? -1 : 0;
	}
	printf("%s: wg(8) works on %s (`wg show %s`)\n", prog, u->path,
	       e->cfg.iface.host_port_name);
	fflush(stdout);
	*out = u;
	return 0;
}

void omni_uapi_close(struct omni_uapi *u)
{
	struct stat st;

	if (!u)
		return;
	for (unsigned i = 0; i < CONNS; i++)
		conn_close(&u->c[i]);
	close(u->lfd);
	/* Only our own: a successor may have replaced it already. */
	if (stat(u->path, &st) == 0 && st.st_dev == u->dev && st.st_ino == u->ino)
		unlink(u->path);
	free(u);
}

static void accept_all(struct omni_uapi *u, uint64_t now)
{
	int fd;

	while ((fd = accept4(u->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		unsigned i;

		for (i = 0; i < CONNS && u->c[i].fd >= 0; i++)
			;
		if (i == CONNS) {
			close(fd); /* busy: wg(8) reports the closed stream */
			continue;
		}
		u->c[i].fd = fd;
		u->c[i].last_ns = now;
	}
}

static void read_all(struct conn *c)
{
	for (;;) {
		ssize_t n;

		if (c->cap - c->len < READ_CHUNK) {
			size_t cap = c->cap ? 2 * c->cap : 2 * READ_CHUNK;
			char *in;

			if (c->cap >= IN_MAX)
				return; /* serve() refuses the request */
			in = malloc(cap);
			if (!in) {
				c->closing = true;
				return;
			}
			if (c->in) {
				memcpy(in, c->in, c->len);
				sodium_memzero(c->in, c->cap);
				free(c->in);
			}
			c->in = in;
			c->cap = cap;
		}
		n = read(c->fd, c->in + c->len, c->cap - c->len);
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			c->eof = true;
		if (n == 0 || errno != EINTR)
			return;
	}
}

static void answer_errno(struct conn *c, int err)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "errno=%d\n\n", err);

	omni_uapi_buf_add(&c->out, line, (size_t)n);
}

/* Where the blank line ending a set request is: the index of the newline
 * before it (5 for an empty request), or 0 when it has not come yet. */
static size_t set_end(struct conn *c)
{
	size_t i = c->scanned > 6 ? c->scanned - 1 : 5;

	for (; i + 1 < c->len; i++)
		if (c->in[i] == '\n' && c->in[i + 1] == '\n')
			return i;
	c->scanned = c->len; /* a slow writer is not searched again */
	return 0;
}

/* One request from the front of c->in: how many bytes it took; 0 when it
 * needs more bytes (or the connection is to close). */
static size_t one_request(struct conn *c, struct omni_edge *e)
{
	size_t end;

	if (c->len >= 6 && memcmp(c->in, "get=1\n", 6) == 0) {
		if (c->len < 7) {
			c->closing = c->eof;
			return 0;
		}
		if (c->in[6] == '\n')
			omni_uapi_get(e, &c->out);
		else
			answer_errno(c, -EINVAL); /* wireguard-go: trailing character */
		return 7;
	}
	if (c->len >= 6 && memcmp(c->in, "set=1\n", 6) == 0) {
		end = set_end(c);
		if (end) {
			answer_errno(c, omni_uapi_set(e, c->in + 6, end > 6 ? end - 6 : 0));
			return end + 2;
		}
		if (c->eof) { /* the end of the stream ends it too */
			answer_errno(c, omni_uapi_set(e, c->in + 6, c->len - 6));
			return c->len;
		}
		if (c->len + READ_CHUNK > IN_MAX) { /* read_all reads no more */
			printf("omninervous: uapi: set refused: over %u bytes\n", (unsigned)IN_MAX);
			answer_errno(c, -EMSGSIZE);
			c->closing = true;
			return c->len;
		}
		return 0;
	}
	if (c->len >= 6 || memchr(c->in, '\n', c->len) || c->eof) {
		printf("omninervous: uapi: not a get=1 or set=1 operation: connection closed\n");
		c->closing = true;
	}
	return 0;
}

static unsigned serve(struct conn *c, struct omni_edge *e)
{
	unsigned n = 0;
	size_t took;

	while (!c->closing && c->len && c->out_at == c->out.len && (took = one_request(c, e)) > 0) {
		sodium_memzero(c->in, took); /* a set carries keys */
		memmove(c->in, c->in + took, c->len - took);
		c->len -= took;
		c->scanned = 0;
		n++;
	}
	fflush(stdout);
	return n;
}

static void flush_out(struct conn *c)
{
	while (c->out_at < c->out.len) {
		ssize_t n = write(c->fd, c->out.buf + c->out_at, c->out.len - c->out_at);

		if (n > 0) {
			c->out_at += (size_t)n;
		} else {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				c->closing = c->eof = true, c->out_at = c->out.len;
			if (n == 0 || errno != EINTR)
				break;
		}
	}
	if (c->out_at == c->out.len && c->out.len) {
		omni_uapi_buf_free(&c->out);
		c->out_at = 0;
	}
}

unsigned omni_uapi_poll(struct omni_uapi *u, struct omni_edge *e, uint64_t now)
{
	struct pollfd p[CONNS + 1];
	unsigned i, n = 0;

	if (!u || now < u->next_ns)
		return 0;
	u->next_ns = now + POLL_NS;
	p[0] = (struct pollfd){ .fd = u->lfd, .events = POLLIN };
	for (i = 0; i < CONNS; i++)
		p[i + 1] = (struct pollfd){ .fd = u->c[i].fd,
					    .events = (short)((u->c[i].eof ? 0 : POLLIN) |
							      (u->c[i].out.len ? POLLOUT : 0)) };
	if (poll(p, CONNS + 1, 0) < 0)
		return 0;
	if (p[0].revents & POLLIN)
		accept_all(u, now);
	for (i = 0; i < CONNS; i++) {
		struct conn *c = &u->c[i];

		if (c->fd < 0)
			continue;
		if (p[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) {
			read_all(c);
			c->last_ns = now;
		}
		n += serve(c, e);
		flush_out(c);
		if ((c->closing || c->eof || now - c->last_ns > IDLE_NS) && !c->out.len)
			conn_close(c);
	}
	return n;
}
