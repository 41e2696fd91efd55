/* SPDX-License-Identifier: BSD-2-Clause */
/* The reviewed allowlist: "MODE HEX ORACLE:FIELD REASON..." per line (README.md). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Copies the next whitespace-separated token of [*p, end) into tok; false at the end. */
static bool next_token(const char **p, const char *end, char *tok, size_t size)
{
    const char *s = *p;
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    size_t n = 0;
    while (s < end && *s != ' ' && *s != '\t') {
        if (n + 1 < size)
            tok[n++] = *s;
        s++;
    }
    tok[n] = 0;
    *p = s;
    return n > 0;
}

static int parse_line(const char *s, const char *end, struct ref_allow_entry *e, char *err,
                      size_t errsize)
{
    char tok[96];
    memset(e, 0, sizeof *e);
    if (!next_token(&s, end, tok, sizeof tok) || ref_mode_parse(tok) < 0) {
        snprintf(err, errsize, "bad mode '%s' (real, 16, 32 or 64)", tok);
        return -1;
    }
    e->mode = (uint8_t)ref_mode_parse(tok);
    if (!next_token(&s, end, tok, sizeof tok)) {
        snprintf(err, errsize, "missing bytes");
        return -1;
    }
    size_t hl = strlen(tok);
    if (tok[0] == '@') {
        /* An opcode group: every instruction of the group, for a rule of the oracle. */
        memcpy(e->key, tok + 1, strlen(tok));  /* tok is shorter than key */
        for (char *k = e->key; *k; k++)
            if (*k == '_')
                *k = ' ';
        hl = 0;
    } else if (hl % 2 || hl == 0 || hl / 2 > XA_MAX_INSN_LENGTH) {
        snprintf(err, errsize, "bad bytes '%.40s' (1 to 15 bytes of hex)", tok);
        return -1;
    }
    for (size_t i = 0; i < hl / 2 && !e->key[0]; i++) {
        int hi = hexval(tok[2 * i]), lo = hexval(tok[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            snprintf(err, errsize, "bad hex '%.40s'", tok);
            return -1;
        }
        e->bytes[i] = (uint8_t)(hi << 4 | lo);
    }
    e->len = (uint8_t)(hl / 2);
    if (!next_token(&s, end, tok, sizeof tok)) {
        snprintf(err, errsize, "missing ORACLE:FIELD");
        return -1;
    }
    char *colon = strchr(tok, ':');
    if (!colon) {
        snprintf(err, errsize, "field '%s' is not ORACLE:FIELD", tok);
        return -1;
    }
    *colon = 0;
    if (strcmp(tok, "zydis") == 0)
        e->oracle = REF_ZYDIS;
    else if (strcmp(tok, "capstone") == 0)
        e->oracle = REF_CAPSTONE;
    else if (strcmp(tok, "any") == 0)
        e->oracle = -1;
    else {
        snprintf(err, errsize, "bad oracle '%s' (zydis, capstone or any)", tok);
        return -1;
    }
    int cat = ref_category_parse(colon + 1);
    if (cat < 0) {
        snprintf(err, errsize, "bad field '%s'", colon + 1);
        return -1;
    }
    e->category = (int16_t)cat;
    if (!next_token(&s, end, tok, sizeof tok)) {
        snprintf(err, errsize, "missing reason (cite the SDM section, objdump or capstone)");
        return -1;
    }
    return 0;
}

int ref_allowlist_parse(const char *text, size_t len, struct ref_allowlist *al, char *err,
                        size_t errsize)
{
    al->e = NULL;
    al->n = 0;
    size_t cap = 0;
    const char *p = text, *end = text + len;
    unsigned line = 0;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        line++;
        const char *s = p;
        while (s < eol && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        const char *e = eol;
        while (e > s && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (s < e && *s != '#') {
            if (al->n == cap) {
                cap = cap ? cap * 2 : 16;
                struct ref_allow_entry *ne = realloc(al->e, cap * sizeof *ne);
                if (!ne) {
                    snprintf(err, errsize, "out of memory");
                    ref_allowlist_free(al);
                    return -1;
                }
                al->e = ne;
            }
            char msg[160];
            if (parse_line(s, e, &al->e[al->n], msg, sizeof msg) != 0) {
                snprintf(err, errsize, "line %u: %s", line, msg);
                ref_allowlist_free(al);
                return -1;
            }
            al->n++;
        }
        p = eol + (eol < end);
    }
    return 0;
}

int ref_allowlist_load(const char *path, struct ref_allowlist *al, char *err, size_t errsize)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsize, "%s: cannot open", path);
        return -1;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n < cap)
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    fclose(f);
    if (!buf) {
        snprintf(err, errsize, "out of memory");
        return -1;
    }
    char msg[200];
    int rc = ref_allowlist_parse(buf, n, al, msg, sizeof msg);
    free(buf);
    if (rc != 0)
        snprintf(err, errsize, "%s: %s", path, msg);
    return rc;
}

void ref_allowlist_free(struct ref_allowlist *al)
{
    free(al->e);
    al->e = NULL;
    al->n = 0;
}

bool ref_allowlist_match(const struct ref_allowlist *al, int mode, int oracle, int category,
                         const uint8_t *bytes, size_t len, const char *key)
{
    for (size_t i = 0; al && i < al->n; i++) {
        const struct ref_allow_entry *e = &al->e[i];
        if (e->mode != mode || (e->oracle >= 0 && e->oracle != oracle))
            continue;
        if (e->category != REF_CAT_COUNT && e->category != category)
            continue;
        if (e->key[0]) {
            if (key && strcmp(e->key, key) == 0)
                return true;
        } else if (e->len == len && memcmp(e->bytes, bytes, len) == 0)
            return true;
    }
    return false;
}
