/* SPDX-License-Identifier: MIT */
/*
 * The nucleus's datagrams in batches: recvmmsg(2) reads up to
 * OMNI_NUCLEUS_BATCH at once, the answers are queued where the core writes
 * them and go out in one sendmmsg(2). At a million members (33,000
 * heartbeats a second) one system call per datagram each way was most of
 * the nucleus's time. The socket buffers are asked for with
 * SO_RCVBUFFORCE/SO_SNDBUFFORCE (root, or CAP_NET_ADMIN), else capped by
 * net.core.rmem_max / wmem_max; what the kernel granted is reported.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include "nucleus.h"

void omni_nucleus_io_init(struct omni_nucleus_io *io, bool v6)
{
	memset(io, 0, sizeof(*io));
	io->family = v6 ? AF_INET6 : AF_INET;
	for (unsigned i = 0; i < OMNI_NUCLEUS_BATCH; i++) {
		io->rx_iov[i] = (struct iovec){ io->rx_buf[i], sizeof(io->rx_buf[i]) };
		io->rx[i].msg_hdr = (struct msghdr){ .msg_iov = &io->rx_iov[i], .msg_iovlen = 1 };
	}
}

/* setsockopt FORCE, else the plain option; the size the kernel reports
 * (it doubles the request for its bookkeeping: halved back). */
static int sock_buf(int fd, int force, int opt, int want)
{
	int got = 0;
	socklen_t len = sizeof(got);

	if (setsockopt(fd, SOL_SOCKET, force, &want, sizeof(want)) != 0)
		setsockopt(fd, SOL_SOCKET, opt, &want, sizeof(want));
	if (getsockopt(fd, SOL_SOCKET, opt, &got, &len) != 0)
		return 0;
	return got / 2;
}

void omni_nucleus_io_bufs(int fd, int want, int *rx, int *tx)
{
	*rx = sock_buf(fd, SO_RCVBUFFORCE, SO_RCVBUF, want);
	*tx = sock_buf(fd, SO_SNDBUFFORCE, SO_SNDBUF, want);
}

unsigned omni_nucleus_recv(struct omni_nucleus_io *io, int fd)
{
	int n;

	for (unsigned i = 0; i < OMNI_NUCLEUS_BATCH; i++) {
		io->rx[i].msg_hdr.msg_name = &io->rx_from[i];
		io->rx[i].msg_hdr.msg_namelen = sizeof(io->rx_from[i]);
	}
	n = recvmmsg(fd, io->rx, OMNI_NUCLEUS_BATCH, MSG_DONTWAIT, NULL);
	return n > 0 ? (unsigned)n : 0;
}

/* Room for one more input's answers; flushes first when there is none. */
struct sig_out *omni_nucleus_tx_slot(struct omni_nucleus_io *io, int fd)
{
	if (io->n_tx + SIG_NUCLEUS_OUT_MAX > OMNI_NUCLEUS_TX_MAX)
		omni_nucleus_flush(io, fd);
	return &io->tx_out[io->n_tx];
}

/* A full send buffer: wait a little for room rather than lose answers. */
static bool wait_writable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };

	return poll(&p, 1, OMNI_NUCLEUS_TX_WAIT_MS) == 1;
}

void omni_nucleus_flush(struct omni_nucleus_io *io, int fd)
{
	unsigned n = 0, done = 0;

	for (unsigned i = 0; i < io->n_tx; i++) {
		socklen_t sl =
			net_endpoint_to_sockaddr(&io->tx_out[i].to, io->family, &io->tx_to[n]);

		if (!sl) {
			io->send_errors++;
			continue;
		}
		io->tx_iov[n] = (struct iovec){ io->tx_out[i].buf, io->tx_out[i].len };
		io->tx[n].msg_hdr = (struct msghdr){ .msg_name = &io->tx_to[n],
						     .msg_namelen = sl,
						     .msg_iov = &io->tx_iov[n],
						     .msg_iovlen = 1 };
		n++;
	}
	while (done < n) {
		int r = sendmmsg(fd, io->tx + done, n - done, MSG_DONTWAIT);

		if (r > 0) {
			done += (unsigned)r;
		} else if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			if (wait_writable(fd))
				continue;
			io->send_errors += n - done; /* no room in time: none of the rest */
			break;
		} else {
			io->send_errors++; /* this one cannot go (unreachable) */
			done++;
		}
	}
	io->n_tx = 0;
}
