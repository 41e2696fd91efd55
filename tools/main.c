/* SPDX-License-Identifier: BSD-2-Clause */
/* x86assist: try the library without writing C. See docs and cli-json.md. */
#include <stdio.h>
#include <string.h>

#include <x86assist/x86assist.h>

#include "tool.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: x86assist <command> [options]\n"
            "commands:\n"
            "  decode [--mode real|16|32|64] [--vendor intel|amd] [--json] HEX...\n"
            "  decode [--mode ...] [--json] --file FILE [--offset N] [--count N]\n"
            "  walk STATE.json --la ADDR --access read|write|fetch [--user] [--implicit] [--json]\n"
            "  walk --jsonl\n"
            "  version\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "decode"))
        return cmd_decode(argc - 2, argv + 2);
    if (!strcmp(cmd, "walk"))
        return cmd_walk(argc - 2, argv + 2);
    if (!strcmp(cmd, "emulate"))
        return cmd_emulate(argc - 2, argv + 2);
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        printf("x86assist %s\n", xa_version());
        return 0;
    }
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "x86assist: unknown command '%s'\n", cmd);
    usage(stderr);
    return 1;
}
