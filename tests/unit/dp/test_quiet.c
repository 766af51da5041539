/* SPDX-License-Identifier: MIT */
/*
 * Quiet, true start-up logs (lib/dp/quiet.c): the lines libbpf, libxdp
 * and DPDK print at every start here, fed to the installed callbacks and
 * log stream in their order, and what reaches stderr: libxdp's dispatcher
 * fallback as one line of ours with its reason, real warnings as they
 * are, the expected noise not at all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <bpf/libbpf.h>
#include <rte_log.h>
#include <xdp/libxdp.h>

#include "dp/quiet.h"

static libbpf_print_fn_t bpf_fn;
static libxdp_print_fn_t xdp_fn;

static void bpf(enum libbpf_print_level l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bpf_fn(l, fmt, ap);
	va_end(ap);
}

static void xdp(enum libxdp_print_level l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xdp_fn(l, fmt, ap);
	va_end(ap);
}

static void test_start_log(void **state)
{
	char path[] = "/tmp/omni-quiet.XXXXXX", out[8192] = "";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	FILE *f;
	size_t n;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	dp_quiet_install();
	bpf_fn = libbpf_set_print(NULL);
	libbpf_set_print(bpf_fn);
	xdp_fn = libxdp_set_print(NULL);
	libxdp_set_print(xdp_fn);
	assert_non_null(bpf_fn);
	assert_non_null(xdp_fn);

	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	/* What net_af_xdp's socket set-up prints here (see quiet.c). */
	bpf(LIBBPF_INFO, "libbpf: elf: skipping unrecognized data section(%d) %s\n", 7,
	    "xdp_metadata");
	bpf(LIBBPF_WARN, "libbpf: prog '%s': BPF program load failed: %s\n", "xdp_pass",
	    "Operation not permitted");
	bpf(LIBBPF_WARN, "libbpf: permission error while running as root; try raising 'ulimit "
			 "-l'? current value: 8.0 MiB\n");
	bpf(LIBBPF_WARN, "libbpf: prog '%s': failed to load: %d\n", "xdp_pass", -1);
	bpf(LIBBPF_WARN, "libbpf: failed to load object '%s'\n",
	    "/usr/lib/x86_64-linux-gnu/bpf/xdp-dispatcher.o");
	xdp(LIBXDP_WARN, "libxdp: Compatibility check for dispatcher program failed: %s\n",
	    "Operation not permitted");
	xdp(LIBXDP_INFO, "libxdp: Falling back to loading single prog without dispatcher\n");
	/* Once more (a second queue): told once. */
	xdp(LIBXDP_INFO, "libxdp: Falling back to loading single prog without dispatcher\n");
	/* Real trouble after it still shows. */
	bpf(LIBBPF_WARN, "libbpf: prog '%s': BPF program load failed: %s\n", "omni_xdp",
	    "Invalid argument");
	xdp(LIBXDP_WARN, "libxdp: Failed to create umem: %s\n", "Cannot allocate memory");
	rte_log(RTE_LOG_NOTICE, RTE_LOGTYPE_EAL,
		"TELEMETRY: No legacy callbacks, legacy socket not created\n");
	rte_log(RTE_LOG_ERR, RTE_LOGTYPE_EAL, "EAL: a real error\n");
	fflush(rte_log_get_stream());
	fflush(stderr);
	dup2(saved, STDERR_FILENO);

	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	unlink(path);
	printf("what reached stderr:\n%s", out);
	assert_non_null(strstr(out, "AF_XDP: socket program attached alone, without libxdp's "
				    "multi-program dispatcher (its check failed: Operation not "
				    "permitted here)"));
	assert_null(strstr(strstr(out, "attached alone") + 1, "attached alone"));
	assert_non_null(
		strstr(out, "libbpf: prog 'omni_xdp': BPF program load failed: Invalid argument"));
	assert_non_null(strstr(out, "libxdp: Failed to create umem"));
	assert_non_null(strstr(out, "EAL: a real error"));
	assert_null(strstr(out, "'xdp_pass'"));
	assert_null(strstr(out, "permission error while running as root"));
	assert_null(strstr(out, "Falling back"));
	assert_null(strstr(out, "skipping unrecognized"));
	assert_null(strstr(out, "xdp-dispatcher.o"));
	assert_null(strstr(out, "legacy socket not created"));
	assert_null(strstr(out, "libbpf: libbpf:"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
