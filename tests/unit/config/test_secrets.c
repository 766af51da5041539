/* SPDX-License-Identifier: MIT */
/*
 * Files that hold secrets, and where the cluster secret comes from
 * (config/secrets.h):
 *   1. the one permission rule (cfg_private_check) on a table of modes and
 *      owners, then on real files of every kind that can hold a secret
 *      (JSON, wg-quick, secret file, identity key): 0600 and 0400 are read,
 *      0640/0604/0644/0660 refused with the file, its mode and the fix;
 *      files that hold no secret are read whatever their mode;
 *   2. the precedence --secret > --secret-file > OMNI_SECRET > the file,
 *      and both flags at once refused;
 *   3. bad --secret-file input, each with its message: missing, empty,
 *      too short, two lines, a directory, a FIFO, group-readable, another
 *      owner, unreadable (root drops to uid 65534 for that), and a symbolic
 *      link followed to a good file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "identity.h"
#include "json.h"
#include "model.h"
#include "secrets.h"
#include "wgquick.h"

#define PRIV "+Gxy1L3JWZHYYZFTF+8KJ9U8x06TFC60ggogpCDH6WU="
#define PSK "QZUd3rOML2VQzME0Hxaqe5OLTmj5b/fAZSemZTSX98M="
#define SECRET "correct-horse-battery-staple"
#define NOBODY 65534

static char dir[] = "/tmp/omni-test-secrets-XXXXXX";

/* dir/name, written with text and given mode. */
static const char *put(const char *name, const char *text, mode_t mode)
{
	static char path[4][256];
	static unsigned turn;
	char *p = path[turn++ % 4];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	unlink(p);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- 1. the rule ---------------------------------------------------------- */

static const struct mode_row {
	mode_t mode;
	enum cfg_private want;
} mode_rows[] = {
	/*  1 */ { S_IFREG | 0600, CFG_PRIVATE_OK },
	/*  2 */ { S_IFREG | 0400, CFG_PRIVATE_OK },
	/*  3 */ { S_IFREG | 0700, CFG_PRIVATE_OK },
	/*  4 */ { S_IFREG | 0640, CFG_PRIVATE_MODE },
	/*  5 */ { S_IFREG | 0604, CFG_PRIVATE_MODE },
	/*  6 */ { S_IFREG | 0644, CFG_PRIVATE_MODE },
	/*  7 */ { S_IFREG | 0660, CFG_PRIVATE_MODE },
	/*  8 */ { S_IFREG | 0620, CFG_PRIVATE_MODE },
	/*  9 */ { S_IFREG | 0601, CFG_PRIVATE_MODE },
	/* 10 */ { S_IFREG | 0610, CFG_PRIVATE_MODE },
	/* 11 */ { S_IFDIR | 0700, CFG_PRIVATE_NOT_FILE },
	/* 12 */ { S_IFIFO | 0600, CFG_PRIVATE_NOT_FILE },
};

static void test_rule_table(void **state)
{
	const struct cfg_private_file f = { .what = "thing ", .path = "/x/f", .holds = "a key" };
	struct cfg_private_file reg = f;
	char msg[512], want[512];
	struct stat st;

	(void)state;
	reg.regular = true;
	for (size_t i = 0; i < sizeof(mode_rows) / sizeof(mode_rows[0]); i++) {
		memset(&st, 0, sizeof(st));
		st.st_mode = mode_rows[i].mode;
		st.st_uid = geteuid();
		msg[0] = '\0';
		if (cfg_private_check(&reg, &st, msg, sizeof(msg)) != mode_rows[i].want)
			fail_msg("row %zu (%o): got %s", i + 1, (unsigned)st.st_mode, msg);
		if (mode_rows[i].want != CFG_PRIVATE_MODE)
			continue;
		snprintf(want, sizeof(want),
			 "thing /x/f has mode %04o: group or others have access to this file, "
			 "which holds a key; fix with: chmod 600 /x/f",
			 (unsigned)(st.st_mode & 07777));
		assert_string_equal(msg, want);
	}
	/* A configuration may be a pipe: only the mode counts then. */
	st.st_mode = S_IFIFO | 0600;
	assert_int_equal(cfg_private_check(&f, &st, msg, sizeof(msg)), CFG_PRIVATE_OK);
	/* Root's files are fine; another user's are not. */
	st.st_mode = S_IFREG | 0600;
	st.st_uid = 0;
	assert_int_equal(cfg_private_check(&f, &st, msg, sizeof(msg)), CFG_PRIVATE_OK);
	st.st_uid = geteuid() + 1;
	assert_int_equal(cfg_private_check(&f, &st, msg, sizeof(msg)), CFG_PRIVATE_OWNER);
	assert_non_null(strstr(msg, "thing /x/f is owned by uid "));
	assert_non_null(strstr(msg, "fix with: chown "));
}

/* Every reader of a file that can hold a secret, by mode. */
enum kind { JSON_SECRET, JSON_KEY, JSON_PLAIN, WGQ_KEY, WGQ_PSK, WGQ_PLAIN, SECRET_FILE, KEY_FILE };

static const char *const kind_text[] = {
	[JSON_SECRET] = "{\"security\": {\"secret\": \"" SECRET "\"}}",
	[JSON_KEY] = "{\"daemon\": {\"private_key\": \"" PRIV "\"}}",
	[JSON_PLAIN] = "{\"daemon\": {\"private_key_file\": \"k\", \"port\": 5000}}",
	[WGQ_KEY] = "[Interface]\nPrivateKey = " PRIV "\n",
	[WGQ_PSK] = "[Interface]\nListenPort = 5000\n[Peer]\nPublicKey = " PRIV
		    "\nPresharedKey = " PSK "\nAllowedIPs = 10.0.0.2/32\n",
	[WGQ_PLAIN] = "[Interface]\nListenPort = 5000\n[Peer]\nPublicKey = " PRIV
		      "\nAllowedIPs = 10.0.0.2/32\n",
	[SECRET_FILE] = SECRET "\n",
	[KEY_FILE] = PRIV "\n",
};

/* 0 or the reader's error (message in err). */
static int read_kind(enum kind k, const char *path, char *err, size_t errlen)
{
	const struct cfg_secret_args a = { .flag_file = path };
	struct cfg_identity id;
	struct cfg_config cfg;
	const char *from;
	char *s = NULL;
	int rc;

	switch (k) {
	case JSON_SECRET:
	case JSON_KEY:
	case JSON_PLAIN:
		rc = cfg_json_parse_file(path, &cfg, err, errlen);
		cfg_config_free(&cfg);
		return rc;
	case WGQ_KEY:
	case WGQ_PSK:
	case WGQ_PLAIN:
		rc = cfg_wgquick_parse_file(path, &cfg, err, errlen);
		cfg_config_free(&cfg);
		return rc;
	case SECRET_FILE:
		rc = cfg_secret_resolve(&a, &s, &from, err, errlen);
		cfg_secret_free(s);
		return rc;
	case KEY_FILE:
		rc = cfg_identity_load(&id, path, err, errlen) == CFG_IDENTITY_OK ? 0 : -EPERM;
		cfg_identity_wipe(&id);
		return rc;
	}
	return -EINVAL;
}

static void test_rule_on_files(void **state)
{
	static const mode_t ok[] = { 0600, 0400 }, bad[] = { 0640, 0604, 0644, 0660 };
	char err[1024], want[600];

	(void)state;
	for (unsigned k = 0; k <= KEY_FILE; k++) {
		bool holds = k != JSON_PLAIN && k != WGQ_PLAIN;
		const char *path;

		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
			path = put("f", kind_text[k], ok[i]);
			if (read_kind(k, path, err, sizeof(err)) != 0)
				fail_msg("kind %u, mode %04o: %s", k, (unsigned)ok[i], err);
		}
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			path = put("f", kind_text[k], bad[i]);
			err[0] = '\0';
			if ((read_kind(k, path, err, sizeof(err)) == 0) == holds)
				fail_msg("kind %u, mode %04o: %s", k, (unsigned)bad[i],
					 holds ? "accepted" : err);
			if (!holds)
				continue;
			snprintf(want, sizeof(want), "%s has mode %04o: group or others", path,
				 (unsigned)bad[i]);
			if (!strstr(err, want) || !strstr(err, "fix with: chmod 600 ") ||
			    !strstr(err, path) || strstr(err, SECRET) || strstr(err, PRIV) ||
			    strstr(err, PSK))
				fail_msg("kind %u, mode %04o: %s", k, (unsigned)bad[i], err);
		}
	}
}

/* ---- 2. precedence --------------------------------------------------------- */

static void resolve_ok(const struct cfg_secret_args *a, const char *want, const char *want_from)
{
	char err[512], *s = NULL;
	const char *from = NULL;

	if (cfg_secret_resolve(a, &s, &from, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	if (!want) {
		assert_null(s);
		assert_null(from);
		return;
	}
	assert_non_null(s);
	assert_string_equal(s, want);
	assert_string_equal(from, want_from);
	cfg_secret_free(s);
}

static void test_precedence(void **state)
{
	const char *file = put("s", "from-the-file-0123456789\n", 0600);
	const char *flag = "from-the-flag-0123456789", *env = "from-the-env-0123456789";
	char err[512], *s = (char *)"untouched";
	const char *from;

	(void)state;
	resolve_ok(&(struct cfg_secret_args){ 0 }, NULL, NULL);
	resolve_ok(&(struct cfg_secret_args){ .env = "" }, NULL, NULL);
	resolve_ok(&(struct cfg_secret_args){ .env = env }, env, CFG_SECRET_ENV);
	resolve_ok(&(struct cfg_secret_args){ .flag_file = file, .env = env },
		   "from-the-file-0123456789", "--secret-file");
	resolve_ok(&(struct cfg_secret_args){ .flag = flag, .env = env }, flag, "--secret");
	/* Two on the command line: refused, nothing returned. */
	assert_int_equal(cfg_secret_resolve(&(struct cfg_secret_args){ .flag = flag,
								       .flag_file = file },
					    &s, &from, err, sizeof(err)),
			 -EINVAL);
	assert_null(s);
	assert_string_equal(err, "--secret and --secret-file cannot be combined: give one");
}

/* The edge's model: the file's secret stays only when nothing else is
 * given (what app/edge_config.c does with the result). */
static void test_over_the_file(void **state)
{
	const char *json = put("c.json", "{\"security\": {\"secret_file\": \"s\"}}", 0644);
	const struct cfg_secret_args env = { .env = "from-the-env-0123456789" };
	struct cfg_config cfg;
	char err[512], *s;
	const char *from;

	(void)state;
	put("s", "from-the-json-file-0123456789\n", 0600);
	/* c.json holds no secret: its mode does not matter. */
	assert_int_equal(cfg_json_parse_file(json, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg_secret_resolve(&env, &s, &from, err, sizeof(err)), 0);
	assert_non_null(s);
	cfg_secret_free(s);
	assert_int_equal(cfg_config_load_secrets(&cfg, err, sizeof(err)), 0);
	assert_string_equal(cfg.security.secret, "from-the-json-file-0123456789");
	cfg_config_free(&cfg);
}

/* ---- 3. bad input ----------------------------------------------------------- */

static void resolve_bad(const char *path, int want_rc, const char *want)
{
	const struct cfg_secret_args a = { .flag_file = path, .env = "an-env-secret-0123456789" };
	char err[512], *s = NULL;
	const char *from;
	int rc = cfg_secret_resolve(&a, &s, &from, err, sizeof(err));

	if (rc != want_rc || s || !strstr(err, want) || strstr(err, "an-env-secret"))
		fail_msg("%s: rc %d (want %d): %s (want \"%s\")", path, rc, want_rc, err, want);
	assert_non_null(strstr(err, "--secret-file"));
}

static void test_bad_secret_files(void **state)
{
	char path[300], fifo[300], link[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/missing", dir);
	resolve_bad(path, -ENOENT, "cannot read /tmp/omni-test-secrets-");
	resolve_bad(put("e", "", 0600), -EINVAL, "e: empty (the cluster secret, 16 characters");
	resolve_bad(put("e", "\n \n", 0600), -EINVAL, "e: empty");
	resolve_bad(put("t", "short-secret\n", 0600), -EINVAL,
		    "/t: too short (12 characters; at least 16)");
	resolve_bad(put("l", "two-lines-of\nsecret-text-here\n", 0600), -EINVAL,
		    "a control character or line break in the secret");
	resolve_bad(dir, -EPERM, " is not a regular file");
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	resolve_bad(fifo, -EPERM, "fifo is not a regular file"); /* without hanging */
	resolve_bad(put("g", SECRET "\n", 0640), -EPERM,
		    "g has mode 0640: group or others have access to this file, which holds a "
		    "cluster secret; fix with: chmod 600 ");
	/* A symbolic link is followed; the file it leads to is judged. */
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(put("target", SECRET "\n", 0644), link), 0);
	resolve_bad(link, -EPERM, "link has mode 0644");
	put("target", SECRET "\n", 0600);
	resolve_ok(&(struct cfg_secret_args){ .flag_file = link }, SECRET, "--secret-file");
}

/* Root only: another owner, and a file the reader may not open. */
static void test_owner_and_unreadable(void **state)
{
	char path[300];
	int rc;

	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(path, sizeof(path), "%s", put("o", SECRET "\n", 0600));
	assert_int_equal(chown(path, NOBODY, NOBODY), 0);
	resolve_bad(path, -EPERM, "is owned by uid 65534, which is neither you (uid 0) nor root");
	assert_int_equal(chown(path, 0, 0), 0);
	assert_int_equal(chmod(dir, 0711), 0);
	assert_int_equal(seteuid(NOBODY), 0);
	rc = faccessat(AT_FDCWD, path, R_OK, AT_EACCESS); /* proof: we cannot */
	resolve_bad(path, -EACCES, "cannot read ");
	assert_int_equal(seteuid(0), 0);
	assert_int_equal(rc, -1);
	assert_int_equal(chmod(dir, 0700), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_table),
		cmocka_unit_test(test_rule_on_files),
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_over_the_file),
		cmocka_unit_test(test_bad_secret_files),
		cmocka_unit_test(test_owner_and_unreadable),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
