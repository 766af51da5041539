/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "secrets.h"
#include "wg/key.h"

void cfg_file_free(char *buf, size_t len)
{
	if (buf)
		sodium_memzero(buf, len + 1);
	free(buf);
}

/* realloc that wipes the old copy: the file may hold keys. */
static char *grow_secret(char *b, size_t n, size_t cap)
{
	char *nb = malloc(cap);

	if (!nb)
		return NULL;
	if (n)
		memcpy(nb, b, n);
	if (b)
		sodium_memzero(b, n);
	free(b);
	return nb;
}

/* The whole file (any kind: a pipe from <(...) too) into a heap buffer,
 * with room for a NUL after it. */
static int read_all(int fd, size_t max, char **buf, size_t *len)
{
	size_t cap = 0, n = 0;
	char *b = NULL, *nb;
	ssize_t r;
	int rc;

	for (;;) {
		if (n + 1 >= cap) {
			rc = -EFBIG;
			if (cap > max)
				break;
			cap = cap ? cap * 2 : 4096;
			rc = -ENOMEM;
			nb = grow_secret(b, n, cap);
			if (!nb)
				break;
			b = nb;
		}
		r = read(fd, b + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		rc = r < 0 ? -errno : 0;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (rc == 0 && n > max)
		rc = -EFBIG;
	if (rc == 0) {
		b[n] = '\0';
		*buf = b;
		*len = n;
		return 0;
	}
	if (b)
		sodium_memzero(b, n);
	free(b);
	return rc;
}

int cfg_file_read(const char *path, size_t max, char **buf, size_t *len, struct stat *st)
{
	int fd, rc;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = fstat(fd, st) ? -errno : read_all(fd, max, buf, len);
	close(fd);
	return rc;
}

int cfg_file_check_private(const struct stat *st, const char **why)
{
	if (!S_ISREG(st->st_mode)) {
		*why = "not a regular file";
		return -EPERM;
	}
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		*why = "owned by another user";
		return -EPERM;
	}
	if (st->st_mode & (S_IRWXG | S_IRWXO)) {
		*why = "group or others have access to it (chmod 600 it)";
		return -EPERM;
	}
	return 0;
}

struct loader {
	const struct cfg_config *cfg;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int fail(const struct loader *l, int rc,
						      const char *fmt, ...)
{
	size_t used = 0;
	va_list ap;
	int n;

	if (!l->errlen)
		return rc;
	n = snprintf(l->err, l->errlen, "%s: ", l->cfg->source ? l->cfg->source : "config");
	used = n >= 0 && (size_t)n < l->errlen ? (size_t)n : l->errlen - 1;
	va_start(ap, fmt);
	vsnprintf(l->err + used, l->errlen - used, fmt, ap);
	va_end(ap);
	return rc;
}

/* The text of a private file without its trailing line end and blanks, on
 * the heap (*out); 0 or a negative errno with the reason in err. */
static int read_private(const struct loader *l, const char *where, const char *path, char **out,
			size_t *len)
{
	struct stat st;
	const char *why;
	char *buf;
	int rc = cfg_file_read(path, CFG_SECRET_FILE_MAX, &buf, len, &st);

	if (rc)
		return fail(l, rc, "%s: cannot read %s: %s", where, path,
			    rc == -EFBIG ? "larger than 4096 bytes" : strerror(-rc));
	rc = cfg_file_check_private(&st, &why);
	if (rc) {
		cfg_file_free(buf, *len);
		return fail(l, rc, "%s: %s: %s", where, path, why);
	}
	while (*len && strchr(" \t\r\n", buf[*len - 1]))
		buf[--*len] = '\0';
	if (strlen(buf) != *len) {
		cfg_file_free(buf, *len);
		return fail(l, -EINVAL, "%s: %s: a NUL byte in the file", where, path);
	}
	*out = buf;
	return 0;
}

/* A cluster secret from a file: printable text, no line breaks inside. */
static int load_secret_text(const struct loader *l, const char *where, const char *path,
			    char **secret)
{
	size_t len;
	char *buf;
	int rc = read_private(l, where, path, &buf, &len);

	if (rc)
		return rc;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f) {
			cfg_file_free(buf, len);
			return fail(l, -EINVAL,
				    "%s: %s: a control character or line break in "
				    "the secret (one line expected)",
				    where, path);
		}
	}
	if (*secret) {
		sodium_memzero(*secret, strlen(*secret));
		free(*secret);
	}
	*secret = buf;
	return 0;
}

static int load_psk(const struct loader *l, size_t i, struct cfg_peer *peer)
{
	char where[64];
	size_t len;
	char *buf;
	int rc;

	snprintf(where, sizeof(where), "peers[%zu].preshared_key_file", i);
	rc = read_private(l, where, peer->preshared_key_file, &buf, &len);
	if (rc)
		return rc;
	if (!wg_key_from_base64(peer->preshared_key, buf))
		rc = fail(l, -EINVAL,
			  "%s: %s: not a key (%zu characters; expected one line of "
			  "44 base64 characters, as `wg genpsk` writes)",
			  where, peer->preshared_key_file, len);
	else
		peer->has_preshared_key = true;
	cfg_file_free(buf, len);
	return rc;
}

int cfg_config_load_secrets(struct cfg_config *cfg, char *err, size_t errlen)
{
	const struct loader l = { cfg, err, errlen };
	struct cfg_nucleus *n = &cfg->nucleus;
	char where[64];
	int rc;

	if (errlen)
		err[0] = '\0';
	if (cfg->security.secret_file && !cfg->security.secret) {
		rc = load_secret_text(&l, "security.secret_file", cfg->security.secret_file,
				      &cfg->security.secret);
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < cfg->n_peers; i++) {
		if (cfg->peers[i].preshared_key_file && (rc = load_psk(&l, i, &cfg->peers[i])))
			return rc;
	}
	for (size_t i = 0; i < n->n_clusters; i++) {
		if (!n->clusters[i].secret_file)
			continue;
		snprintf(where, sizeof(where), "nucleus.clusters[%zu].secret_file", i);
		rc = load_secret_text(&l, where, n->clusters[i].secret_file,
				      &n->clusters[i].secret);
		if (rc)
			return rc;
	}
	return 0;
}
