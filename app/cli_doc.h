/* SPDX-License-Identifier: MIT */
/*
 * The one description of the command line: `--help` prints it and the build
 * turns it into the man page omninervous(8) (app/mangen.c), so the two
 * cannot disagree. The parser's own table is cli.c's; the unit test
 * cli_doc checks that every flag it parses is described here.
 */
#ifndef OMNI_APP_CLI_DOC_H
#define OMNI_APP_CLI_DOC_H

#include <stdio.h>

/* One option. A row with only a heading starts a group of options. */
struct omni_cli_doc {
	char short_name;     /* 'h', or 0 */
	const char *name;    /* long name without "--" */
	const char *arg;     /* the value's name, or NULL for a switch */
	const char *text;    /* one paragraph: --help wraps it, the man page fills it */
	const char *heading; /* group title (and nothing else in the row), or NULL */
};

/* A term and what it means: exit statuses, signals, files, environment. */
struct omni_doc_item {
	const char *term;
	const char *text;
};

/* Each table ends with a row whose text is NULL. */
extern const struct omni_cli_doc omni_cli_docs[];
extern const struct omni_doc_item omni_exit_docs[];
extern const struct omni_doc_item omni_signal_docs[];
extern const struct omni_doc_item omni_file_docs[];
extern const struct omni_doc_item omni_env_docs[];

/* `--help`: usage, options, exit statuses. */
void omni_cli_usage(FILE *out, const char *prog);
/* The man page omninervous(8) in roff, with VERSION in its footer. */
void omni_cli_man(FILE *out, const char *version);

#endif /* OMNI_APP_CLI_DOC_H */
