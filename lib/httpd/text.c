/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

static bool reserve(struct httpd_text *t, size_t more)
{
	size_t need = t->len + more + 1, cap = t->cap ? t->cap : 256;
	char *p;

	if (t->failed)
		return false;
	if (need <= t->cap)
		return true;
	while (cap < need)
		cap *= 2;
	p = realloc(t->buf, cap);
	if (!p) {
		t->failed = true;
		return false;
	}
	t->buf = p;
	t->cap = cap;
	return true;
}

void httpd_text_append(struct httpd_text *t, const char *s, size_t len)
{
	if (!reserve(t, len))
		return;
	memcpy(t->buf + t->len, s, len);
	t->len += len;
	t->buf[t->len] = '\0';
}

void httpd_text_printf(struct httpd_text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(t, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

bool httpd_text_ok(const struct httpd_text *t)
{
	return !t->failed;
}

char *httpd_text_take(struct httpd_text *t, size_t *len)
{
	char *p = t->buf;

	if (!p && reserve(t, 0)) {
		p = t->buf;
		p[0] = '\0';
	}
	*len = t->len;
	t->buf = NULL;
	t->len = t->cap = 0;
	return p;
}

void httpd_text_reset(struct httpd_text *t)
{
	t->len = 0;
	t->failed = false;
	if (t->buf)
		t->buf[0] = '\0';
}

void httpd_text_free(struct httpd_text *t)
{
	free(t->buf);
	*t = (struct httpd_text)HTTPD_TEXT_INIT;
}
