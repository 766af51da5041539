/* SPDX-License-Identifier: MIT */
/*
 * Identity key files.
 *
 * The file holds what `wg genkey` prints: 44 base64 characters and a newline,
 * so a key made by wireguard-tools works here and ours work with `wg pubkey`.
 *
 * Loading follows a symbolic link (deployments that mount secrets often use
 * them) and judges the file actually opened, by fstat on its descriptor:
 * regular file, owned by the effective user or root, no permission bits for
 * group or others. Creating never follows anything: the key goes to a fresh
 * mkostemp() file beside the target, and link() gives it its name, which
 * fails if the name exists in any form, dangling symbolic link included.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "identity.h"
#include "secrets.h"

static enum cfg_identity_result fail(char *msg, size_t msg_len, enum cfg_identity_result r,
				     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum cfg_identity_result fail(char *msg, size_t msg_len, enum cfg_identity_result r,
				     const char *fmt, ...)
{
	va_list ap;

	if (msg && msg_len) {
		va_start(ap, fmt);
		vsnprintf(msg, msg_len, fmt, ap);
		va_end(ap);
	}
	return r;
}

const char *cfg_identity_path(const char *flag)
{
	const char *env;

	if (flag)
		return flag;
	env = getenv(CFG_IDENTITY_ENV);
	if (env && *env)
		return env;
	return CFG_IDENTITY_DEFAULT_PATH;
}

void cfg_identity_wipe(struct cfg_identity *id)
{
	sodium_memzero(id, sizeof(*id));
}

const char *cfg_identity_result_str(enum cfg_identity_result r)
{
	static const char *const names[] = {
		[CFG_IDENTITY_OK] = "ok",
		[CFG_IDENTITY_ERR_MISSING] = "missing",
		[CFG_IDENTITY_ERR_EXISTS] = "exists",
		[CFG_IDENTITY_ERR_IO] = "io",
		[CFG_IDENTITY_ERR_NOT_FILE] = "not-a-file",
		[CFG_IDENTITY_ERR_OWNER] = "owner",
		[CFG_IDENTITY_ERR_MODE] = "mode",
		[CFG_IDENTITY_ERR_FORMAT] = "format",
		[CFG_IDENTITY_ERR_KEY] = "key",
	};

	if ((size_t)r < sizeof(names) / sizeof(names[0]) && names[r])
		return names[r];
	return "unknown";
}

/* ---- content ---------------------------------------------------------- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

enum cfg_identity_result cfg_identity_parse(struct cfg_identity *id, const char *text, size_t len,
					    const char *what, char *msg, size_t msg_len)
{
	char line[WG_KEY_B64_LEN + 1];
	bool ok;

	cfg_identity_wipe(id);
	while (len && is_space(text[0])) {
		text++;
		len--;
	}
	while (len && is_space(text[len - 1]))
		len--;
	if (len != WG_KEY_B64_LEN)
		return fail(msg, msg_len, CFG_IDENTITY_ERR_FORMAT,
			    "%s is not a WireGuard private key: expected one line of %d base64 "
			    "characters as `wg genkey` writes it, found %zu bytes",
			    what, WG_KEY_B64_LEN, len);

	memcpy(line, text, len);
	line[len] = '\0';
	ok = wg_key_from_base64(id->private_key, line);
	sodium_memzero(line, sizeof(line));
	if (!ok)
		return fail(msg, msg_len, CFG_IDENTITY_ERR_FORMAT,
			    "%s is not a WireGuard private key: its %d characters are not the "
			    "base64 of 32 bytes as `wg genkey` writes it",
			    what, WG_KEY_B64_LEN);

	if (!wg_key_public(id->public_key, id->private_key)) {
		cfg_identity_wipe(id);
		return fail(msg, msg_len, CFG_IDENTITY_ERR_KEY,
			    "%s holds an unusable private key; make a new one with --init", what);
	}
	return CFG_IDENTITY_OK;
}

/* ---- loading ---------------------------------------------------------- */

/* The rule every file with a secret follows (secrets.h), on what was opened. */
static enum cfg_identity_result check_file(int fd, const char *path, char *msg, size_t msg_len)
{
	static const enum cfg_identity_result result[] = {
		[CFG_PRIVATE_OK] = CFG_IDENTITY_OK,
		[CFG_PRIVATE_NOT_FILE] = CFG_IDENTITY_ERR_NOT_FILE,
		[CFG_PRIVATE_OWNER] = CFG_IDENTITY_ERR_OWNER,
		[CFG_PRIVATE_MODE] = CFG_IDENTITY_ERR_MODE,
	};
	const struct cfg_private_file f = { .what = "identity key ",
					    .path = path,
					    .holds = "a private key",
					    .regular = true };
	char none[1];
	struct stat st;

	if (fstat(fd, &st) < 0)
		return fail(msg, msg_len, CFG_IDENTITY_ERR_IO, "cannot stat identity key %s: %s",
			    path, strerror(errno));
	return result[cfg_private_check(&f, &st, msg && msg_len ? msg : none,
					msg && msg_len ? msg_len : sizeof(none))];
}

/* Reads the whole file into buf (cap bytes); a file that fills it is too big. */
static enum cfg_identity_result read_small(int fd, char *buf, size_t cap, size_t *len,
					   const char *path, char *msg, size_t msg_len)
{
	size_t n = 0;
	ssize_t got;

	while (n < cap) {
		got = read(fd, buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return fail(msg, msg_len, CFG_IDENTITY_ERR_IO,
				    "cannot read identity key %s: %s", path, strerror(errno));
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*len = n;
	if (n == cap)
		return fail(msg, msg_len, CFG_IDENTITY_ERR_FORMAT,
			    "%s is not a WireGuard private key: larger than %zu bytes", path,
			    cap - 1);
	return CFG_IDENTITY_OK;
}

enum cfg_identity_result cfg_identity_load(struct cfg_identity *id, const char *path, char *msg,
					   size_t msg_len)
{
	char buf[CFG_IDENTITY_MAX_FILE + 1];
	enum cfg_identity_result r;
	size_t len = 0;
	int fd;

	cfg_identity_wipe(id);
	/* O_NONBLOCK: a FIFO must not hang us before fstat refuses it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return fail(msg, msg_len, CFG_IDENTITY_ERR_MISSING,
			    "no identity key at %s; create one with: omninervous --init --key %s",
			    path, path);
	if (fd < 0)
		return fail(msg, msg_len, CFG_IDENTITY_ERR_IO, "cannot open identity key %s: %s",
			    path, strerror(errno));

	r = check_file(fd, path, msg, msg_len);
	if (r == CFG_IDENTITY_OK)
		r = read_small(fd, buf, sizeof(buf), &len, path, msg, msg_len);
	close(fd);
	if (r == CFG_IDENTITY_OK)
		r = cfg_identity_parse(id, buf, len, path, msg, msg_len);
	sodium_memzero(buf, sizeof(buf));
	return r;
}

/* ---- creating --------------------------------------------------------- */

/* dir gets the directory part of path ("." or "/" when it has none). */
static int parent_of(char dir[PATH_MAX], const char *path)
{
	size_t len = strlen(path);
	char *slash;

	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(dir, path, len + 1);
	slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	return 0;
}

/* mkdir -p, each directory it makes getting mode 0700 whatever the umask. */
static int ensure_dir(char *dir)
{
	struct stat st;
	char *slash;
	int err;

	if (stat(dir, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
	if (errno != ENOENT)
		return -errno;
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		err = ensure_dir(dir);
		*slash = '/';
		if (err)
			return err;
	}
	if (mkdir(dir, 0700) == 0)
		return chmod(dir, 0700) < 0 ? -errno : 0;
	return errno == EEXIST ? 0 : -errno;
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Best effort: make the new directory entry durable. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static enum cfg_identity_result exists(const char *path, char *msg, size_t msg_len)
{
	return fail(msg, msg_len, CFG_IDENTITY_ERR_EXISTS,
		    "%s already exists; refusing to overwrite an identity (move it away "
		    "first to make a new one)",
		    path);
}

/* Writes text to a new file named path, mode 0600, all or nothing. */
static enum cfg_identity_result write_new(const char *path, const char *text, size_t len, char *msg,
					  size_t msg_len)
{
	enum cfg_identity_result r = CFG_IDENTITY_OK;
	char tmp[PATH_MAX];
	int fd, n;

	n = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return fail(msg, msg_len, CFG_IDENTITY_ERR_IO, "identity key path too long: %s",
			    path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return fail(msg, msg_len, CFG_IDENTITY_ERR_IO,
			    "cannot create a temporary file beside %s: %s", path, strerror(errno));
	if (fchmod(fd, 0600) < 0 || write_all(fd, text, len) < 0 || fsync(fd) < 0)
		r = fail(msg, msg_len, CFG_IDENTITY_ERR_IO, "cannot write %s: %s", tmp,
			 strerror(errno));
	if (close(fd) < 0 && r == CFG_IDENTITY_OK)
		r = fail(msg, msg_len, CFG_IDENTITY_ERR_IO, "cannot write %s: %s", tmp,
			 strerror(errno));
	if (r == CFG_IDENTITY_OK && link(tmp, path) < 0)
		r = errno == EEXIST ? exists(path, msg, msg_len) :
				      fail(msg, msg_len, CFG_IDENTITY_ERR_IO,
					   "cannot create %s: %s", path, strerror(errno));
	unlink(tmp);
	return r;
}

enum cfg_identity_result cfg_identity_create(struct cfg_identity *id, const char *path, char *msg,
					     size_t msg_len)
{
	char text[WG_KEY_B64_LEN + 2];
	enum cfg_identity_result r;
	char dir[PATH_MAX];
	struct stat st;
	int err;

	cfg_identity_wipe(id);
	if (!*path)
		return fail(msg, msg_len, CFG_IDENTITY_ERR_IO, "the identity key path is empty");
	if (lstat(path, &st) == 0)
		return exists(path, msg, msg_len);
	if (errno != ENOENT)
		return fail(msg, msg_len, CFG_IDENTITY_ERR_IO, "cannot check %s: %s", path,
			    strerror(errno));
	err = parent_of(dir, path);
	if (!err)
		err = ensure_dir(dir);
	if (err)
		return fail(msg, msg_len, CFG_IDENTITY_ERR_IO,
			    "cannot create the directory of %s: %s", path, strerror(-err));

	wg_key_generate_private(id->private_key);
	if (!wg_key_public(id->public_key, id->private_key)) {
		cfg_identity_wipe(id);
		return fail(msg, msg_len, CFG_IDENTITY_ERR_KEY, "key generation failed");
	}
	wg_key_to_base64(text, id->private_key);
	text[WG_KEY_B64_LEN] = '\n';
	text[WG_KEY_B64_LEN + 1] = '\0';
	r = write_new(path, text, WG_KEY_B64_LEN + 1, msg, msg_len);
	sodium_memzero(text, sizeof(text));
	if (r != CFG_IDENTITY_OK)
		cfg_identity_wipe(id);
	else
		sync_dir(dir);
	return r;
}
