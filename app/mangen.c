/* SPDX-License-Identifier: MIT */
/*
 * omni-mangen: a build tool, never installed.
 *
 *   omni-mangen man     omninervous(8) on stdout, from cli_doc.c's tables
 *   omni-mangen flags   every flag cli.c's parser takes, one a line: "--key ARG",
 *                       "--init", "-i" (the unit test cli_doc holds them
 *                       against --help and the man page)
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_doc.h"
#include "version.h"

static void print_flags(void)
{
	const struct option *o;
	const char *s;

	for (o = omni_cli_long_options(); o->name; o++)
		printf("--%s%s\n", o->name, o->has_arg == no_argument ? "" : " ARG");
	for (s = omni_cli_short_options(); *s; s++) {
		if (*s == '+' || *s == ':')
			continue;
		printf("-%c%s\n", *s, s[1] == ':' ? " ARG" : "");
	}
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "man") == 0) {
		omni_cli_man(stdout, OMNI_VERSION);
	} else if (argc == 2 && strcmp(argv[1], "flags") == 0) {
		print_flags();
	} else {
		fprintf(stderr, "usage: %s man|flags\n", argv[0]);
		return 2;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
