/* SPDX-License-Identifier: MIT */
/*
 * A growable text buffer for metrics expositions, console output and
 * reports. Appending never fails loudly: on out-of-memory the buffer is
 * marked and later appends are ignored, so a writer formats without a check
 * per line and looks at httpd_text_ok() once at the end.
 */
#ifndef OMNI_HTTPD_TEXT_H
#define OMNI_HTTPD_TEXT_H

#include <stdbool.h>
#include <stddef.h>

struct httpd_text {
	char *buf; /* NUL-terminated while ok */
	size_t len;
	size_t cap;
	bool failed; /* an allocation failed: contents incomplete */
};

#define HTTPD_TEXT_INIT           \
	{                         \
		NULL, 0, 0, false \
	}

__attribute__((format(printf, 2, 3))) void httpd_text_printf(struct httpd_text *t, const char *fmt,
							     ...);
void httpd_text_append(struct httpd_text *t, const char *s, size_t len);
bool httpd_text_ok(const struct httpd_text *t);
/* Hands the buffer over (caller frees it with free()); t is left empty. */
char *httpd_text_take(struct httpd_text *t, size_t *len);
void httpd_text_reset(struct httpd_text *t);
void httpd_text_free(struct httpd_text *t);

#endif /* OMNI_HTTPD_TEXT_H */
