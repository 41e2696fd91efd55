/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef XA_TOOL_JSONL_H
#define XA_TOOL_JSONL_H

#include <stddef.h>

#include <jansson.h>

/* Handles one request: sets *out to a malloc'd result line, or returns non-zero with a
 * message in err (the loop then stops with exit code 1). */
typedef int (*jsonl_fn)(json_t *request, char **out, char *err, size_t errlen);

/* Reads JSON Lines from stdin, one result line per request on stdout (blank lines are
 * skipped); returns the subcommand's exit code: 0, or 1 at the first bad line. */
int jsonl_run(jsonl_fn fn);

#endif
