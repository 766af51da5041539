/* SPDX-License-Identifier: MIT */
/*
 * Start-up logs that say what is true (see quiet.h). Seen at every start
 * on Debian 12 (DPDK 22.11, libbpf 1.1, libxdp 1.3, kernel 6.18), and why
 * each is expected:
 *
 *   libbpf: prog 'xdp_pass': BPF program load failed: Operation not permitted
 *   libbpf: permission error while running as root; try raising 'ulimit -l'? ...
 *   libbpf: prog 'xdp_pass': failed to load: -1
 *   libbpf: failed to load object '.../xdp-dispatcher.o'
 *   libxdp: Compatibility check for dispatcher program failed: Operation not permitted
 *   libxdp: Falling back to loading single prog without dispatcher
 *      net_af_xdp asks libxdp for its socket program; libxdp first tries its
 *      multi-program dispatcher (several programs on one interface), which
 *      this kernel refuses, then attaches the program alone. One program
 *      on omni0-dp is all the gateway wants: the fallback is the outcome.
 *   libbpf: elf: skipping unrecognized data section(7) xdp_metadata
 *      libbpf's information level, about libxdp's own objects.
 *   TELEMETRY: No legacy callbacks, legacy socket not created
 *      we register no legacy telemetry callbacks; the v2 socket is there.
 *
 * libbpf's and libxdp's other warnings pass as ours ("libbpf: ..." at
 * WARNING), their information and debug lines go to omni.dp's DEBUG
 * (--log-level=omni.dp:debug shows all of them, the dispatcher's too).
 */
#include "dp/quiet.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "dp/log.h"

/* Start-up thread only (ports are opened there), so plain statics. */
static bool in_dispatcher; /* libbpf is telling of libxdp's dispatcher check */
static bool fallback_told;
static char dispatcher_why[128] = "refused by the kernel";

static void format_line(char *buf, size_t len, const char *fmt, va_list ap)
{
	size_t n;

	vsnprintf(buf, len, fmt, ap);
	n = strlen(buf);
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
}

/* Lines about the dispatcher: its object, its programs (xdp_dispatcher and
 * the xdp_pass it checks compatibility with). */
static bool names_dispatcher(const char *line)
{
	return strstr(line, "dispatcher") || strstr(line, "'xdp_pass'");
}

static int on_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[1024];

	format_line(line, sizeof(line), fmt, ap);
	if (level == LIBBPF_WARN && names_dispatcher(line))
		in_dispatcher = true;
	/* The line has its "libbpf: " already. */
	if (level == LIBBPF_WARN && !in_dispatcher)
		DP_LOG(WARNING, "%s", line);
	else
		DP_LOG(DEBUG, "%s", line);
	return 0;
}

static void tell_fallback(void)
{
	in_dispatcher = false;
	if (fallback_told)
		return;
	fallback_told = true;
	DP_LOG(INFO,
	       "AF_XDP: socket program attached alone, without libxdp's multi-program "
	       "dispatcher (%s here); one program per interface is all the gateway needs",
	       dispatcher_why);
}

static int on_libxdp(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	const char *why;
	char line[1024];

	format_line(line, sizeof(line), fmt, ap);
	if (strstr(line, "Falling back to loading single prog")) {
		tell_fallback();
	} else if (names_dispatcher(line)) {
		why = strrchr(line, ':');
		if (why && why[1] == ' ')
			snprintf(dispatcher_why, sizeof(dispatcher_why), "its check failed: %s",
				 why + 2);
		in_dispatcher = true;
		DP_LOG(DEBUG, "%s", line);
	} else if (level == LIBXDP_WARN) {
		in_dispatcher = false;
		DP_LOG(WARNING, "%s", line); /* "libxdp: " is in it */
	} else {
		DP_LOG(DEBUG, "%s", line);
	}
	return 0;
}

/* DPDK's log lines known to mean nothing here (see the top). */
static const char *const eal_noise[] = {
	"TELEMETRY: No legacy callbacks, legacy socket not created",
};

struct line_filter {
	char buf[2048];
	size_t len;
};

static void filter_flush(struct line_filter *f)
{
	for (size_t i = 0; i < sizeof(eal_noise) / sizeof(eal_noise[0]); i++)
		if (strstr(f->buf, eal_noise[i]))
			goto out;
	fwrite(f->buf, 1, f->len, stderr);
	fflush(stderr);
out:
	f->len = 0;
	f->buf[0] = '\0';
}

/* fopencookie write: whole lines, each passed to stderr unless noise. A
 * line longer than the buffer passes in pieces. Under the FILE's lock. */
static ssize_t filter_write(void *cookie, const char *data, size_t n)
{
	struct line_filter *f = cookie;

	for (size_t i = 0; i < n; i++) {
		f->buf[f->len++] = data[i];
		f->buf[f->len] = '\0';
		if (data[i] == '\n' || f->len + 1 >= sizeof(f->buf))
			filter_flush(f);
	}
	return (ssize_t)n;
}

void dp_quiet_install(void)
{
	static struct line_filter filter;
	static bool done;
	cookie_io_functions_t io = { .write = filter_write };
	FILE *stream;

	if (done)
		return;
	done = true;
	libbpf_set_print(on_libbpf);
	libxdp_set_print(on_libxdp);
	stream = fopencookie(&filter, "w", io);
	if (stream) {
		setvbuf(stream, NULL, _IONBF, 0);
		rte_openlog_stream(stream);
	}
}
