/* SPDX-License-Identifier: MIT */
/*
 * Seed corpus for the text targets, built twice: fuzz_console_seeds (every
 * console command, good and bad `peer add` options) and, with
 * -DFUZZ_SEEDS_HTTP, fuzz_http_seeds (requests for each route, each method,
 * with headers, bodies and bad request lines). Writes one file per seed
 * into the directory argv[1].
 *
 *   fuzz_console_seeds DIR
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define KEY "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw="

#ifdef FUZZ_SEEDS_HTTP
#define NAME "fuzz_http_seeds"
static const char *const seeds[] = {
	"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9586\r\nAccept: */*\r\n\r\n",
	"GET /health HTTP/1.0\r\n\r\n",
	"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /nothing?x=1&y=%41 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
	"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
	"PUT /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET /%2e%2e/%00 HTTP/1.1\r\nHost: x\r\nX-Long: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET http://127.0.0.1/metrics HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n",
	"GET /metrics\r\n\r\n",
	"GET /health HTTP/9.9\r\nHost: x\r\n folded: header\r\n\r\n",
};
#else
#define NAME "fuzz_console_seeds"
static const char *const seeds[] = {
	"peer add " KEY "\n",
	"peer add " KEY " endpoint 192.0.2.7:51820 allowed-ips 10.0.0.2/32,fd00::2/128 "
	"keepalive 25\n",
	"peer add " KEY " allowed-ips 10.0.0.0/8 endpoint [2001:db8::7]:51820\n",
	"peer add " KEY " endpoint [fe80::1%1]:51820 keepalive 0\n",
	"peer add " KEY " endpoint gw.example.net:51820\n",
	"peer add " KEY " keepalive 65536\n",
	"peer add " KEY " allowed-ips 10.0.0.1/33\n",
	"peer add " KEY " allowed-ips ,\n",
	"peer add " KEY " endpoint\n",
	"peer add " KEY " keepalive 1 keepalive 2\n",
	"peer add " KEY " colour blue\n",
	"peer add not-a-key\n",
	"peer del " KEY "\n",
	"peer del " KEY " extra\n",
	"set log-level debug\nset log-level loud\n",
	"show peers\nshow port stats\nclear stats\nreload\nhelp\nquit\n",
	"show fdb\nclear fdb\n",
	"\tpeer\tadd\t" KEY "\tallowed-ips\t192.0.2.0/24\n",
};
#endif

static int put(const char *dir, unsigned i, const char *text)
{
	size_t len = strlen(text);
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/seed-%02u", dir, i);
	f = fopen(path, "wb");
	if (!f || fwrite(text, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, NAME ": %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: " NAME " DIR\n");
		return 2;
	}
	for (unsigned i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		if (put(argv[1], i, seeds[i]) != 0)
			return 1;
	return 0;
}
