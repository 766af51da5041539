/* SPDX-License-Identifier: MIT */
/*
 * Identity key files (config/identity.c): content rules from a numbered table of
 * files, then permissions, ownership, file kinds, symbolic links, creation.
 * Every test works in its own mkdtemp directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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
#include <sodium.h>

#include "identity.h"

/* Known answer, from wireguard-tools: `echo PRIV | wg pubkey` gives PUB. */
#define KAT_PRIV "6HEVSvJtUKNN30QmSG777e3jnTu4jPGqBrx/bRTaMGY="
#define KAT_PUB "kOTPkSkSm/ts4eC4HJg054WPPOIylrU2uW8GVa5RVww="

struct fixture {
	char dir[64];
	char path[128];
	char msg[CFG_IDENTITY_MSG_LEN];
	struct cfg_identity id;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/omni-identity-test.XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "%s/identity.key", f->dir);
	*state = f;
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	int err = nftw(f->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);

	free(f);
	return err;
}

/* Writes exactly len bytes with exactly this mode, whatever the umask. */
static void write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static void public_b64(char out[WG_KEY_B64_LEN + 1], const struct cfg_identity *id)
{
	wg_key_to_base64(out, id->public_key);
}

static void assert_wiped(const struct cfg_identity *id)
{
	static const struct cfg_identity zero;

	assert_memory_equal(id, &zero, sizeof(zero));
}

static enum cfg_identity_result load(struct fixture *f, const char *path)
{
	f->msg[0] = '\0';
	return cfg_identity_load(&f->id, path, f->msg, sizeof(f->msg));
}

/* ---- content: a numbered table ------------------------------------------ */

struct content_case {
	const char *name;
	const char *data;
	size_t len; /* 0: strlen(data) */
	enum cfg_identity_result want;
};

static const struct content_case content_cases[] = {
	/*  0 */ { "empty", "", 0, CFG_IDENTITY_ERR_FORMAT },
	/*  1 */ { "only whitespace", " \n\t\r\n", 0, CFG_IDENTITY_ERR_FORMAT },
	/*  2 */
	{ "43 characters", "6HEVSvJtUKNN30QmSG777e3jnTu4jPGqBrx/bRTaMGY\n", 0,
	  CFG_IDENTITY_ERR_FORMAT },
	/*  3 */ { "45 characters", KAT_PRIV "A\n", 0, CFG_IDENTITY_ERR_FORMAT },
	/*  4 */
	{ "bad base64 character", "6HEVSvJtUKNN30QmSG777e3jn*u4jPGqBrx/bRTaMGY=\n", 0,
	  CFG_IDENTITY_ERR_FORMAT },
	/*  5 */
	{ "missing '='", "6HEVSvJtUKNN30QmSG777e3jnTu4jPGqBrx/bRTaMGYA\n", 0,
	  CFG_IDENTITY_ERR_FORMAT },
	/*  6 */ { "two keys, two lines", KAT_PRIV "\n" KAT_PRIV "\n", 0, CFG_IDENTITY_ERR_FORMAT },
	/*  7 */ { "two keys, one line", KAT_PRIV " " KAT_PRIV "\n", 0, CFG_IDENTITY_ERR_FORMAT },
	/*  8 */
	{ "URL-safe alphabet", "6HEVSvJtUKNN30QmSG777e3jnTu4jPGqBrx_bRTaMGY=\n", 0,
	  CFG_IDENTITY_ERR_FORMAT },
	/*  9 */
	{ "non-canonical last character", "6HEVSvJtUKNN30QmSG777e3jnTu4jPGqBrx/bRTaMGZ=\n", 0,
	  CFG_IDENTITY_ERR_FORMAT },
	/* 10 */
	{ "NUL inside the key", "6HEVSvJtUKNN30QmSG777e3jn\0u4jPGqBrx/bRTaMGY=\n", 45,
	  CFG_IDENTITY_ERR_FORMAT },
	/* 11 */
	{ "44 bytes of binary junk",
	  "\x01\xff\x80\x7f\x00\x10\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\x00\x01"
	  "\x02\x03\x04\x05\x06\x07\x08\x0b\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19"
	  "\x1a\x1b\x1c=",
	  44, CFG_IDENTITY_ERR_FORMAT },
	/* 12 */
	{ "public-key line followed by text", KAT_PRIV "\n# comment\n", 0,
	  CFG_IDENTITY_ERR_FORMAT },
	/* 13 */ { "exactly as wg genkey writes it", KAT_PRIV "\n", 0, CFG_IDENTITY_OK },
	/* 14 */ { "no trailing newline", KAT_PRIV, 0, CFG_IDENTITY_OK },
	/* 15 */ { "CRLF", KAT_PRIV "\r\n", 0, CFG_IDENTITY_OK },
	/* 16 */ { "surrounded by whitespace", " \t\n" KAT_PRIV " \n\n\t", 0, CFG_IDENTITY_OK },
};

static void test_content_table(void **state)
{
	struct fixture *f = *state;
	char pub[WG_KEY_B64_LEN + 1];
	size_t i, len;

	for (i = 0; i < sizeof(content_cases) / sizeof(content_cases[0]); i++) {
		const struct content_case *c = &content_cases[i];
		enum cfg_identity_result r;

		len = c->len ? c->len : strlen(c->data);
		write_file(f->path, c->data, len, 0600);
		r = load(f, f->path);
		if (r != c->want)
			fail_msg("case %zu (%s): got %s, want %s (%s)", i, c->name,
				 cfg_identity_result_str(r), cfg_identity_result_str(c->want),
				 f->msg);
		if (r == CFG_IDENTITY_OK) {
			public_b64(pub, &f->id);
			assert_string_equal(pub, KAT_PUB);
		} else {
			assert_wiped(&f->id);
			assert_non_null(strstr(f->msg, f->path));
			assert_null(strstr(f->msg, "6HEVSvJtUKNN30QmSG777e3jn"));
		}
		assert_int_equal(unlink(f->path), 0);
	}
}

static void test_binary_junk_large(void **state)
{
	struct fixture *f = *state;
	uint8_t junk[4096];

	randombytes_buf(junk, sizeof(junk));
	write_file(f->path, junk, sizeof(junk), 0600);
	assert_int_equal(load(f, f->path), CFG_IDENTITY_ERR_FORMAT);
	assert_non_null(strstr(f->msg, "larger than"));
	assert_wiped(&f->id);

	/* Just over the limit, even if the key sits at its start. */
	memset(junk, ' ', sizeof(junk));
	memcpy(junk, KAT_PRIV, WG_KEY_B64_LEN);
	write_file(f->path, junk, CFG_IDENTITY_MAX_FILE + 1, 0600);
	assert_int_equal(load(f, f->path), CFG_IDENTITY_ERR_FORMAT);
	write_file(f->path, junk, CFG_IDENTITY_MAX_FILE, 0600);
	assert_int_equal(load(f, f->path), CFG_IDENTITY_OK);
}

static void test_parse_direct(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_identity_parse(&f->id, KAT_PRIV, WG_KEY_B64_LEN, "x", f->msg,
					    sizeof(f->msg)),
			 CFG_IDENTITY_OK);
	/* Length counts, not the NUL: a 43-byte prefix is refused. */
	assert_int_equal(cfg_identity_parse(&f->id, KAT_PRIV, WG_KEY_B64_LEN - 1, "x", f->msg,
					    sizeof(f->msg)),
			 CFG_IDENTITY_ERR_FORMAT);
	assert_wiped(&f->id);
	/* A NULL message buffer is allowed. */
	assert_int_equal(cfg_identity_parse(&f->id, "", 0, "x", NULL, 0), CFG_IDENTITY_ERR_FORMAT);
}

/* ---- permissions and ownership ------------------------------------------ */

static void test_modes(void **state)
{
	static const struct {
		mode_t mode;
		enum cfg_identity_result want;
	} cases[] = {
		{ 0600, CFG_IDENTITY_OK },       { 0400, CFG_IDENTITY_OK },
		{ 0640, CFG_IDENTITY_ERR_MODE }, { 0604, CFG_IDENTITY_ERR_MODE },
		{ 0660, CFG_IDENTITY_ERR_MODE }, { 0644, CFG_IDENTITY_ERR_MODE },
		{ 0620, CFG_IDENTITY_ERR_MODE }, { 0602, CFG_IDENTITY_ERR_MODE },
		{ 0610, CFG_IDENTITY_ERR_MODE }, { 0666, CFG_IDENTITY_ERR_MODE },
	};
	struct fixture *f = *state;
	char want_mode[16];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file(f->path, KAT_PRIV "\n", WG_KEY_B64_LEN + 1, cases[i].mode);
		if (load(f, f->path) != cases[i].want)
			fail_msg("mode %04o: got %s (%s)", (unsigned)cases[i].mode,
				 cfg_identity_result_str(load(f, f->path)), f->msg);
		if (cases[i].want == CFG_IDENTITY_ERR_MODE) {
			snprintf(want_mode, sizeof(want_mode), "mode %04o",
				 (unsigned)cases[i].mode);
			assert_non_null(strstr(f->msg, want_mode));
			assert_non_null(strstr(f->msg, "chmod 600"));
			assert_non_null(strstr(f->msg, f->path));
			assert_null(strstr(f->msg, "6HEVSvJtUKNN30QmSG777e3jn"));
			assert_wiped(&f->id);
		}
		assert_int_equal(unlink(f->path), 0);
	}
}

static void test_owner(void **state)
{
	struct fixture *f = *state;

	if (geteuid() != 0)
		skip(); /* only root can give a file away */
	write_file(f->path, KAT_PRIV "\n", WG_KEY_B64_LEN + 1, 0600);
	assert_int_equal(chown(f->path, 65534, 65534), 0);
	assert_int_equal(load(f, f->path), CFG_IDENTITY_ERR_OWNER);
	assert_non_null(strstr(f->msg, "65534"));
	assert_wiped(&f->id);
	assert_int_equal(chown(f->path, 0, 0), 0);
	assert_int_equal(load(f, f->path), CFG_IDENTITY_OK);
}

/* ---- kinds of file and symbolic links ----------------------------------- */

static void test_not_regular(void **state)
{
	struct fixture *f = *state;
	char p[160];

	assert_int_equal(load(f, f->path), CFG_IDENTITY_ERR_MISSING);
	assert_non_null(strstr(f->msg, "--init"));

	assert_int_equal(load(f, f->dir), CFG_IDENTITY_ERR_NOT_FILE);

	/* A FIFO must be refused, not waited on. */
	snprintf(p, sizeof(p), "%s/fifo", f->dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(load(f, p), CFG_IDENTITY_ERR_NOT_FILE);

	assert_int_equal(load(f, "/dev/null"), CFG_IDENTITY_ERR_NOT_FILE);
}

/* Decision: loading follows a link and judges its target; creating never
 * goes through one. */
static void test_symlinks(void **state)
{
	struct fixture *f = *state;
	char target[160], link_path[160], pub[WG_KEY_B64_LEN + 1];
	struct stat st;

	snprintf(target, sizeof(target), "%s/real.key", f->dir);
	snprintf(link_path, sizeof(link_path), "%s/link.key", f->dir);
	assert_int_equal(symlink(target, link_path), 0);

	/* Dangling: missing on load, and --init refuses to create the target. */
	assert_int_equal(load(f, link_path), CFG_IDENTITY_ERR_MISSING);
	assert_int_equal(cfg_identity_create(&f->id, link_path, f->msg, sizeof(f->msg)),
			 CFG_IDENTITY_ERR_EXISTS);
	assert_int_equal(lstat(target, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_wiped(&f->id);

	/* To a good file: accepted. */
	write_file(target, KAT_PRIV "\n", WG_KEY_B64_LEN + 1, 0600);
	assert_int_equal(load(f, link_path), CFG_IDENTITY_OK);
	public_b64(pub, &f->id);
	assert_string_equal(pub, KAT_PUB);

	/* To a file others can read: refused, although the link itself is 0777. */
	assert_int_equal(chmod(target, 0644), 0);
	assert_int_equal(load(f, link_path), CFG_IDENTITY_ERR_MODE);
	assert_non_null(strstr(f->msg, "chmod 600"));

	/* Never overwritten through the link. */
	assert_int_equal(cfg_identity_create(&f->id, link_path, f->msg, sizeof(f->msg)),
			 CFG_IDENTITY_ERR_EXISTS);
	assert_int_equal(chmod(target, 0600), 0);
	assert_int_equal(load(f, target), CFG_IDENTITY_OK);
	public_b64(pub, &f->id);
	assert_string_equal(pub, KAT_PUB);
}

/* ---- creation ----------------------------------------------------------- */

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct cfg_identity made;
	char text[64];
	struct stat st;
	mode_t old;
	int fd;

	old = umask(0); /* the file must be 0600 whatever the umask */
	assert_int_equal(cfg_identity_create(&made, f->path, f->msg, sizeof(f->msg)),
			 CFG_IDENTITY_OK);
	umask(old);
	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, WG_KEY_B64_LEN + 1);

	fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, text, sizeof(text)), WG_KEY_B64_LEN + 1);
	close(fd);
	assert_int_equal(text[WG_KEY_B64_LEN - 1], '=');
	assert_int_equal(text[WG_KEY_B64_LEN], '\n');
	sodium_memzero(text, sizeof(text));

	assert_int_equal(load(f, f->path), CFG_IDENTITY_OK);
	assert_memory_equal(f->id.public_key, made.public_key, WG_KEY_LEN);
	assert_memory_equal(f->id.private_key, made.private_key, WG_KEY_LEN);
	/* Clamped as `wg genkey` clamps. */
	assert_int_equal(made.private_key[0] & 7, 0);
	assert_int_equal(made.private_key[31] & 0xc0, 0x40);
	cfg_identity_wipe(&made);
	assert_wiped(&made);
}

static void test_overwrite_refused(void **state)
{
	struct fixture *f = *state;
	struct cfg_identity first, again;

	assert_int_equal(cfg_identity_create(&first, f->path, f->msg, sizeof(f->msg)),
			 CFG_IDENTITY_OK);
	assert_int_equal(cfg_identity_create(&again, f->path, f->msg, sizeof(f->msg)),
			 CFG_IDENTITY_ERR_EXISTS);
	assert_non_null(strstr(f->msg, "already exists"));
	assert_wiped(&again);
	assert_int_equal(load(f, f->path), CFG_IDENTITY_OK);
	assert_memory_equal(f->id.public_key, first.public_key, WG_KEY_LEN);
	cfg_identity_wipe(&first);

	/* A file that is not a key is not overwritten either. */
	write_file(f->path, "x", 1, 0644);
	assert_int_equal(cfg_identity_create(&again, f->path, f->msg, sizeof(f->msg)),
			 CFG_IDENTITY_ERR_EXISTS);
	/* Nor is a directory. */
	assert_int_equal(cfg_identity_create(&again, f->dir, f->msg, sizeof(f->msg)),
			 CFG_IDENTITY_ERR_EXISTS);
}

static void test_parent_created(void **state)
{
	struct fixture *f = *state;
	char path[192], dir[160];
	struct stat st;
	mode_t old;

	snprintf(dir, sizeof(dir), "%s/a/b", f->dir);
	snprintf(path, sizeof(path), "%s/identity.key", dir);
	old = umask(0);
	assert_int_equal(cfg_identity_create(&f->id, path, f->msg, sizeof(f->msg)),
			 CFG_IDENTITY_OK);
	umask(old);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	snprintf(dir, sizeof(dir), "%s/a", f->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
}

static void test_parent_is_file(void **state)
{
	struct fixture *f = *state;
	char path[192], file[160];

	snprintf(file, sizeof(file), "%s/plain", f->dir);
	write_file(file, "x", 1, 0600);
	snprintf(path, sizeof(path), "%s/identity.key", file);
	assert_int_equal(cfg_identity_create(&f->id, path, f->msg, sizeof(f->msg)),
			 CFG_IDENTITY_ERR_IO);
	assert_non_null(strstr(f->msg, path));
	assert_wiped(&f->id);
	assert_int_equal(cfg_identity_create(&f->id, "", f->msg, sizeof(f->msg)),
			 CFG_IDENTITY_ERR_IO);
}

static void test_default_path(void **state)
{
	(void)state;
	assert_int_equal(unsetenv(CFG_IDENTITY_ENV), 0);
	assert_string_equal(cfg_identity_path(NULL), CFG_IDENTITY_DEFAULT_PATH);
	assert_string_equal(cfg_identity_path(NULL), "/etc/omninervous/identity.key");
	assert_int_equal(setenv(CFG_IDENTITY_ENV, "", 1), 0);
	assert_string_equal(cfg_identity_path(NULL), CFG_IDENTITY_DEFAULT_PATH);
	assert_int_equal(setenv(CFG_IDENTITY_ENV, "/x/env.key", 1), 0);
	assert_string_equal(cfg_identity_path(NULL), "/x/env.key");
	assert_string_equal(cfg_identity_path("/x/flag.key"), "/x/flag.key");
	assert_int_equal(unsetenv(CFG_IDENTITY_ENV), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_content_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_binary_junk_large, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_direct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_modes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overwrite_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_created, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parent_is_file, setup, teardown),
		cmocka_unit_test(test_default_path),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
