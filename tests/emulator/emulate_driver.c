/* SPDX-License-Identifier: BSD-2-Clause */
/* The emulate subcommand on its own (the same source as the tool's), so its tests run
 * whether or not tools/main.c dispatches to it yet: `emulate_driver emulate ARGS...`. */
#include <string.h>

int cmd_emulate(int argc, char **argv);

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "emulate"))
        return cmd_emulate(argc - 2, argv + 2);
    return cmd_emulate(argc - 1, argv + 1);
}
