/* SPDX-License-Identifier: BSD-2-Clause */
/* The --jsonl loop shared by the subcommands: one request per input line. */
#define _POSIX_C_SOURCE 200809L /* getline */
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>

#include "jsonl.h"

int jsonl_run(jsonl_fn fn)
{
    char *buf = NULL, err[256];
    size_t cap = 0;
    ssize_t len;
    unsigned long lineno = 0;
    int rc = 0;
    while ((len = getline(&buf, &cap, stdin)) >= 0) {
        lineno++;
        size_t k = 0;
        while (k < (size_t)len &&
               (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\n' || buf[k] == '\r'))
            k++;
        if (k == (size_t)len)
            continue; /* blank line */
        json_error_t je;
        json_t *root = json_loadb(buf, (size_t)len, 0, &je);
        if (!root) {
            fprintf(stderr, "line %lu: invalid JSON: %s\n", lineno, je.text);
            rc = 1;
            break;
        }
        char *out = NULL;
        err[0] = 0;
        int bad = fn(root, &out, err, sizeof(err));
        json_decref(root);
        if (bad) {
            fprintf(stderr, "line %lu: %s\n", lineno, err);
            free(out);
            rc = 1;
            break;
        }
        printf("%s\n", out);
        fflush(stdout);
        free(out);
    }
    free(buf);
    return rc;
}
