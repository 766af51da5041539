/* SPDX-License-Identifier: MIT */
/*
 * A growable text buffer for metrics expositions, console output and
 * reports. Appending never fails loudly: on out-of-memory the buffer is
 * marked and later appends are ignored, so a writer formats without a check
 * per line and looks at omni_text_ok() once at the end.
 */
#ifndef OMNI_HTTPD_TEXT_H
#define OMNI_HTTPD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct omni_text {
	char *buf;	/* NUL-terminated while ok */
	size_t len;
	size_t cap;
	bool failed;	/* an allocation failed: contents incomplete */
};

#define OMNI_TEXT_INIT { NULL, 0, 0, false }

__attribute__((format(printf, 2, 3)))
void omni_text_printf(struct omni_text *t, const char *fmt, ...);
void omni_text_append(struct omni_text *t, const char *s, size_t len);
bool omni_text_ok(const struct omni_text *t);
/* Hands the buffer over (caller frees it with free()); t is left empty. */
char *omni_text_take(struct omni_text *t, size_t *len);
void omni_text_reset(struct omni_text *t);
void omni_text_free(struct omni_text *t);

#endif /* OMNI_HTTPD_TEXT_H */
