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

enum cfg_private cfg_private_check(const struct cfg_private_file *f, const struct stat *st,
				   char *msg, size_t msglen)
{
	const char *what = f->what ? f->what : "";

	if (f->regular && !S_ISREG(st->st_mode)) {
		snprintf(msg, msglen, "%s%s is not a regular file", what, f->path);
		return CFG_PRIVATE_NOT_FILE;
	}
	if (st->st_uid != geteuid() && st->st_uid != 0) {
		snprintf(msg, msglen,
			 "%s%s is owned by uid %u, which is neither you (uid %u) nor root; "
			 "fix with: chown %u %s",
			 what, f->path, (unsigned)st->st_uid, (unsigned)geteuid(),
			 (unsigned)geteuid(), f->path);
		return CFG_PRIVATE_OWNER;
	}
	if (st->st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(msg, msglen,
			 "%s%s has mode %04o: group or others have access to this file, which "
			 "holds %s; fix with: chmod 600 %s",
			 what, f->path, (unsigned)(st->st_mode & 07777), f->holds, f->path);
		return CFG_PRIVATE_MODE;
	}
	return CFG_PRIVATE_OK;
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
 * the heap (*out); 0 or a negative errno with "PATH: why" in msg. The file
 * is judged on the descriptor opened (a symbolic link is followed, as for
 * the identity key) before a byte is read; O_NONBLOCK so that a FIFO cannot
 * hang us before it is refused. */
static int read_private_text(const char *path, const char *holds, char **out, size_t *len,
			     char *msg, size_t msglen)
{
	const struct cfg_private_file f = { .path = path, .holds = holds, .regular = true };
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	char *buf;
	int rc;

	if (fd < 0 || fstat(fd, &st) != 0) {
		rc = -errno;
		if (fd >= 0)
			close(fd);
		snprintf(msg, msglen, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	if (cfg_private_check(&f, &st, msg, msglen) != CFG_PRIVATE_OK) {
		close(fd);
		return -EPERM;
	}
	rc = read_all(fd, CFG_SECRET_FILE_MAX, &buf, len);
	close(fd);
	if (rc) {
		snprintf(msg, msglen, "cannot read %s: %s", path,
			 rc == -EFBIG ? "larger than 4096 bytes" : strerror(-rc));
		return rc;
	}
	while (*len && strchr(" \t\r\n", buf[*len - 1]))
		buf[--*len] = '\0';
	if (strlen(buf) != *len) {
		cfg_file_free(buf, *len);
		snprintf(msg, msglen, "%s: a NUL byte in the file", path);
		return -EINVAL;
	}
	*out = buf;
	return 0;
}

/* NULL when s (len bytes) is one line of printable text, else why not. */
static const char *secret_text_error(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return "a control character or line break in the secret (one line expected)";
	}
	return NULL;
}

static int read_private(const struct loader *l, const char *where, const char *path,
			const char *holds, char **out, size_t *len)
{
	char msg[CFG_CONFIG_ERR_MAX];
	int rc = read_private_text(path, holds, out, len, msg, sizeof(msg));

	return rc ? fail(l, rc, "%s: %s", where, msg) : 0;
}

/* A cluster secret from a file: printable text, no line breaks inside. */
static int load_secret_text(const struct loader *l, const char *where, const char *path,
			    char **secret)
{
	const char *why;
	size_t len;
	char *buf;
	int rc = read_private(l, where, path, "a cluster secret", &buf, &len);

	if (rc)
		return rc;
	why = secret_text_error(buf, len);
	if (why) {
		cfg_file_free(buf, len);
		return fail(l, -EINVAL, "%s: %s: %s", where, path, why);
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
	rc = read_private(l, where, peer->preshared_key_file, "a preshared key", &buf, &len);
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
	if (n->turn_secret_file) {
		rc = load_secret_text(&l, "nucleus.turn_secret_file", n->turn_secret_file,
				      &n->turn_secret);
		if (rc)
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

void cfg_secret_free(char *s)
{
	if (s)
		sodium_memzero(s, strlen(s));
	free(s);
}

/* The rules of a cluster secret, said with where it came from. */
static int check_secret(const char *label, const char *s, char *err, size_t errlen)
{
	size_t len = strlen(s);
	const char *why = secret_text_error(s, len);

	if (len == 0) {
		snprintf(err, errlen, "%s: empty (the cluster secret, %u characters or more)",
			 label, CFG_SECRET_MIN);
		return -EINVAL;
	}
	if (why) {
		snprintf(err, errlen, "%s: %s", label, why);
		return -EINVAL;
	}
	if (len < CFG_SECRET_MIN) {
		snprintf(err, errlen, "%s: too short (%zu characters; at least %u)", label, len,
			 CFG_SECRET_MIN);
		return -EINVAL;
	}
	return 0;
}

static int secret_from_file(const char *path, char **out, char *err, size_t errlen)
{
	char msg[CFG_CONFIG_ERR_MAX];
	size_t len;
	int rc = read_private_text(path, "a cluster secret", out, &len, msg, sizeof(msg));

	if (rc)
		snprintf(err, errlen, "--secret-file: %s", msg);
	return rc;
}

int cfg_secret_resolve(const struct cfg_secret_args *a, char **out, const char **from, char *err,
		       size_t errlen)
{
	char label[CFG_CONFIG_ERR_MAX / 2];
	int rc = 0;

	*out = NULL;
	*from = NULL;
	if (errlen)
		err[0] = '\0';
	if (a->flag && a->flag_file) {
		snprintf(err, errlen, "--secret and --secret-file cannot be combined: give one");
		return -EINVAL;
	}
	if (a->flag) {
		*from = "--secret";
		*out = strdup(a->flag);
	} else if (a->flag_file) {
		*from = "--secret-file";
		rc = secret_from_file(a->flag_file, out, err, errlen);
	} else if (a->env && a->env[0]) {
		*from = CFG_SECRET_ENV;
		*out = strdup(a->env);
	} else {
		return 0;
	}
	if (!rc && !*out) {
		snprintf(err, errlen, "%s: out of memory", *from);
		rc = -ENOMEM;
	}
	if (rc)
		return rc;
	snprintf(label, sizeof(label), "%s%s%s", *from, a->flag_file ? " " : "",
		 a->flag_file ? a->flag_file : "");
	rc = check_secret(label, *out, err, errlen);
	if (rc) {
		cfg_secret_free(*out);
		*out = NULL;
	}
	return rc;
}

int cfg_config_file_private(struct cfg_config *cfg, const char *path, const struct stat *st,
			    const char *holds, char *err, size_t errlen)
{
	const struct cfg_private_file f = { .path = path, .holds = holds };

	if (!holds || cfg_private_check(&f, st, err, errlen) == CFG_PRIVATE_OK)
		return 0;
	cfg_config_free(cfg);
	cfg_config_init(cfg);
	return -EPERM;
}
