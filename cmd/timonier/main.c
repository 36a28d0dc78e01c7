/* SPDX-License-Identifier: Apache-2.0 */
/* timonier: the multi-call front end. It only dispatches; each subcommand's
 * work lives in its component's library. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "commands.h"
#include "log.h"
#include "util.h"

static const command commands[] = {
        { "version", "print the version of timonier and of the API it serves", cmd_version },
        { NULL, NULL, NULL },
};

static void usage(FILE *f) {
        fprintf(f, "Usage: timonier [--version] [--help] COMMAND [ARGS...]\n\n"
                   "timonier is a Kubernetes-compatible cluster runtime.\n\n"
                   "Commands:\n");
        for (const command *c = commands; c->name; c++)
                fprintf(f, "  %-12s %s\n", c->name, c->summary);
        fprintf(f, "\nRun 'timonier COMMAND --help' for a command's options; "
                   "see timonier(1).\n");
}

int main(int argc, char **argv) {
        log_set_ident("timonier");
        if (argc < 2) {
                usage(stderr);
                return 2;
        }
        if (streq(argv[1], "--help") || streq(argv[1], "-h") || streq(argv[1], "help")) {
                usage(stdout);
                return 0;
        }
        if (streq(argv[1], "--version"))
                return cmd_version(1, argv + 1);
        for (const command *c = commands; c->name; c++)
                if (streq(argv[1], c->name))
                        return c->run(argc - 1, argv + 1);
        fprintf(stderr, "timonier: unknown command \"%s\"\n\n", argv[1]);
        usage(stderr);
        return 2;
}
