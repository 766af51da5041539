/* SPDX-License-Identifier: MIT */
/*
 * Inside the JSON reader: the walker (json.c) and the key tables with their
 * setters (json_keys.c). Not an API: include json.h instead.
 */
#ifndef OMNI_CONFIG_JSON_INT_H
#define OMNI_CONFIG_JSON_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "json.h"
#include "model.h"
#include "value.h"

struct cfg_jctx {
	const char *name; /* the file, for messages */
	char *dir;        /* its directory ("" or ending in '/'), for relative names */
	unsigned flags;   /* OMNI_VALUE_* */
	struct cfg_config cfg;
	char path[CFG_JSON_PATH_MAX]; /* where we are: "peers[2].allowed_ips[0]" */
	size_t plen;
	char *err;
	size_t errlen;
};

enum cfg_jkind {
	CFG_JK_FN = 0, /* fn does it all */
	CFG_JK_U16,    /* integer min..max into a uint16_t */
	CFG_JK_U32,    /* integer min..max into a uint32_t */
	CFG_JK_BOOL,   /* true/false into a bool */
	CFG_JK_STR,    /* string of min..max characters, strdup'ed into a char * */
	CFG_JK_TEXT,   /* string of min..max characters, handed to text */
};

/* One key of an object: a kind and an offset from the object's base, or a
 * function. */
struct cfg_jkey {
	const char *name;
	enum cfg_jkind kind;
	size_t off;
	unsigned long min, max;
	int (*fn)(struct cfg_jctx *c, const json_t *v, void *base);
	int (*text)(struct cfg_jctx *c, const char *s, void *base);
};

/* "FILE: PATH: message" (no PATH at the top). Return -EINVAL. */
int cfg_jerr(struct cfg_jctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "FILE: PATH: "VALUE" RULE (WHY)", VALUE quoted safely (never a secret). */
int cfg_jerr_value(struct cfg_jctx *c, const char *value, const char *rule, const char *why);
/* "expected EXPECTED, got a string". */
int cfg_jtype_error(struct cfg_jctx *c, const json_t *v, const char *expected);
int cfg_joom(struct cfg_jctx *c); /* -ENOMEM */

size_t cfg_jpush_key(struct cfg_jctx *c, const char *key);
size_t cfg_jpush_index(struct cfg_jctx *c, size_t i);
void cfg_jpop(struct cfg_jctx *c, size_t old);

/* Typed values; 0 or -EINVAL with the message written. */
int cfg_jstring(struct cfg_jctx *c, const json_t *v, size_t min, size_t max, const char **out);
int cfg_juint(struct cfg_jctx *c, const json_t *v, unsigned long min, unsigned long max,
	      unsigned long *out);
int cfg_jbool(struct cfg_jctx *c, const json_t *v, bool *out);
int cfg_jdup(struct cfg_jctx *c, const char *s, char **slot);

/* Every key of obj through the table (unknown keys refused, "_comment"
 * allowed), each with the path extended by its name. */
int cfg_jwalk(struct cfg_jctx *c, const json_t *obj, const struct cfg_jkey *keys, size_t n,
	      void *base);
/* fn on every item of the list v (at most max), path extended by "[i]". */
int cfg_jeach(struct cfg_jctx *c, const json_t *v, size_t max,
	      int (*fn)(struct cfg_jctx *c, const json_t *item, size_t i, void *arg), void *arg);
/* Refuses obj having both keys a and b. */
int cfg_jexclusive(struct cfg_jctx *c, const json_t *obj, const char *a, const char *b);

/* The top-level object into c->cfg (json_keys.c). */
int cfg_json_read_root(struct cfg_jctx *c, const json_t *root);

#endif /* OMNI_CONFIG_JSON_INT_H */
