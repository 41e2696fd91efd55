/* SPDX-License-Identifier: BSD-2-Clause */
/* The x86assist command-line tool: one function per subcommand. */
#ifndef XA_TOOL_H
#define XA_TOOL_H

#include <stddef.h>
#include <stdint.h>

/* Each subcommand takes argv after the subcommand name; returns the exit code:
 * 0 when it produced a result, 1 on a usage or input error (message on stderr). */
int cmd_decode(int argc, char **argv);
int cmd_walk(int argc, char **argv);
int cmd_emulate(int argc, char **argv);

/* Parses "0x1f" or "31" (or a JSON-style decimal) into *out; 0 on success, -1 on error. */
int parse_u64(const char *s, uint64_t *out);
/* Parses hex bytes ("48c700", spaces allowed) into buf; returns the count or -1. */
long parse_hex_bytes(const char *s, uint8_t *buf, size_t cap);
/* Writes bytes as lowercase hex (2*n+1 chars including NUL) into out. */
void format_hex_bytes(const uint8_t *bytes, size_t n, char *out);

#endif
