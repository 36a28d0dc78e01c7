/* SPDX-License-Identifier: Apache-2.0 */
/* The subcommands of the multi-call program `timonier`: one file each, one
 * row each in the table of main.c. */
#ifndef TIMONIER_CMD_COMMANDS_H
#define TIMONIER_CMD_COMMANDS_H

typedef struct command {
        const char *name;
        const char *summary;
        int (*run)(int argc, char **argv); /* argv[0] is the subcommand */
} command;

int cmd_version(int argc, char **argv);

#endif
