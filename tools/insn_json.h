/* SPDX-License-Identifier: BSD-2-Clause */
/* The JSON form of a decoded instruction (cli-json.md, "decode --json"). */
#ifndef XA_TOOL_INSN_JSON_H
#define XA_TOOL_INSN_JSON_H

#include <jansson.h>
#include <x86assist/decoder.h>

/* Returns a new object for insn decoded at `address` from `bytes`; NULL on allocation failure. */
json_t *insn_to_json(const struct xa_insn *insn, uint64_t address, const uint8_t *bytes);

/* Sets key to a "0x..." hex string of v. */
void json_set_hex(json_t *obj, const char *key, uint64_t v);

#endif
