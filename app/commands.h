/* SPDX-License-Identifier: MIT */
/* What the executable can do, one function per command; main.c dispatches.
 * Each returns an exit status (enum omni_exit). */
#ifndef OMNI_APP_COMMANDS_H
#define OMNI_APP_COMMANDS_H

#include "cli.h"

int omni_cmd_init(const struct omni_cli *cli);
int omni_cmd_show_identity(const struct omni_cli *cli);
/* --mode nucleus: app/nucleus_main.c */
int omni_cmd_nucleus(const struct omni_cli *cli);

#endif /* OMNI_APP_COMMANDS_H */
