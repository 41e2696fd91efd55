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

/*
 * Named rules: encoding patterns on which an oracle is wrong as a whole, too many
 * opcode groups to list one by one. Each is checked on the bytes alone.
 */
enum {
    RULE_NONE = 0,
    RULE_EVEX_P1_BIT2_CLEAR, /* EVEX with P1[2] = 0: the SDM fixes the bit at 1 */
    RULE_VEX_MAP_RESERVED,   /* C4 VEX with mmmmm outside 1..3 */
    RULE_SIB_NOBASE_REXB_67, /* 64-bit, 67, REX.B, SIB base 101 with mod 00: no base */
    RULE_FUCOMP_STI,         /* DD E8+i, whatever the prefixes: FUCOMP ST(i) */
    RULE_MOVSXD_66,          /* 66 63 in 64-bit mode: MOVSXD r16, r/m16 */
    RULE_LAR_LSL_REXW_REG,   /* REX.W 0F 02/03 with a register source: r64, r32 */
    RULE_SYSENTER_SYSEXIT,   /* 0F 34 / 0F 35, whatever the prefixes */
    RULE_AMD_66_FF_BRANCH,   /* 64-bit, 66 without REX.W, FF /2 or FF /4 (AMD: 16-bit) */
    RULE_AMD_0F0D_REG,       /* 0F 0D with a register operand, whatever the prefixes */
    RULE_SENDUIPI,           /* 64-bit F3 0F C7 /6 with a register: SENDUIPI r64 */
};

static int rule_parse(const char *name)
{
    if (!strcmp(name, "evex-p1-bit2-clear"))
        return RULE_EVEX_P1_BIT2_CLEAR;
    if (!strcmp(name, "vex-map-reserved"))
        return RULE_VEX_MAP_RESERVED;
    if (!strcmp(name, "sib-nobase-rexb-67"))
        return RULE_SIB_NOBASE_REXB_67;
    if (!strcmp(name, "fucomp-sti"))
        return RULE_FUCOMP_STI;
    if (!strcmp(name, "movsxd-66"))
        return RULE_MOVSXD_66;
    if (!strcmp(name, "lar-lsl-rexw-reg"))
        return RULE_LAR_LSL_REXW_REG;
    if (!strcmp(name, "sysenter-sysexit"))
        return RULE_SYSENTER_SYSEXIT;
    if (!strcmp(name, "amd-66-ff-branch"))
        return RULE_AMD_66_FF_BRANCH;
    if (!strcmp(name, "amd-0f0d-reg"))
        return RULE_AMD_0F0D_REG;
    if (!strcmp(name, "senduipi"))
        return RULE_SENDUIPI;
    return -1;
}

/* Skips legacy prefixes (and, in 64-bit mode, REX prefixes); returns the index of the
 * first other byte, with the last REX (0 if none counts) and whether 67 was seen. */
static size_t skip_prefixes(int mode, const uint8_t *b, size_t len, uint8_t *rex, bool *has67)
{
    size_t i = 0;
    *rex = 0;
    *has67 = false;
    for (; i < len; i++) {
        uint8_t c = b[i];
        if (c == 0xF0 || c == 0xF2 || c == 0xF3 || c == 0x66 || c == 0x2E || c == 0x36 ||
            c == 0x3E || c == 0x26 || c == 0x64 || c == 0x65) {
            *rex = 0;
        } else if (c == 0x67) {
            *has67 = true;
            *rex = 0;
        } else if (mode == XA_MODE_64 && (c & 0xF0) == 0x40) {
            *rex = c;
        } else {
            break;
        }
    }
    return i;
}

static bool rule_matches(int rule, int mode, const uint8_t *b, size_t len)
{
    uint8_t rex;
    bool has67;
    size_t i = skip_prefixes(mode, b, len, &rex, &has67);
    bool has66 = memchr(b, 0x66, i) != NULL;
    switch (rule) {
    case RULE_FUCOMP_STI: return i + 1 < len && b[i] == 0xDD && (b[i + 1] & 0xF8) == 0xE8;
    case RULE_MOVSXD_66:
        return mode == XA_MODE_64 && has66 && !(rex & 8) && i < len && b[i] == 0x63;
    case RULE_SENDUIPI:
        return mode == XA_MODE_64 && memchr(b, 0xF3, i) != NULL && i + 2 < len && b[i] == 0x0F &&
               b[i + 1] == 0xC7 && (b[i + 2] & 0xF8) == 0xF0;
    case RULE_AMD_0F0D_REG:
        return i + 2 < len && b[i] == 0x0F && b[i + 1] == 0x0D && (b[i + 2] & 0xC0) == 0xC0;
    case RULE_AMD_66_FF_BRANCH:
        return mode == XA_MODE_64 && has66 && !(rex & 8) && i + 1 < len && b[i] == 0xFF &&
               (((b[i + 1] >> 3) & 7) == 2 || ((b[i + 1] >> 3) & 7) == 4);
    case RULE_SYSENTER_SYSEXIT:
        return i + 1 < len && b[i] == 0x0F && (b[i + 1] == 0x34 || b[i + 1] == 0x35);
    case RULE_LAR_LSL_REXW_REG:
        return mode == XA_MODE_64 && (rex & 8) && i + 2 < len && b[i] == 0x0F &&
               (b[i + 1] == 0x02 || b[i + 1] == 0x03) && (b[i + 2] & 0xC0) == 0xC0;
    default: break;
    }
    if (i + 3 >= len)
        return false;
    switch (rule) {
    case RULE_EVEX_P1_BIT2_CLEAR:
        return b[i] == 0x62 && (mode == XA_MODE_64 || (b[i + 1] & 0xC0) == 0xC0) &&
               mode != XA_MODE_REAL && !(b[i + 2] & 0x04);
    case RULE_VEX_MAP_RESERVED: {
        unsigned map = b[i + 1] & 0x1F;
        return b[i] == 0xC4 && (mode == XA_MODE_64 || (b[i + 1] & 0xC0) == 0xC0) &&
               mode != XA_MODE_REAL && (map == 0 || map > 3);
    }
    case RULE_SIB_NOBASE_REXB_67: {
        /* The ModRM/SIB follow the opcode bytes; the B bit comes from REX, or from the
         * (inverted) B of a three-byte VEX/XOP or an EVEX prefix. */
        size_t m = i + 1;
        bool bbit = rex & 1;
        if (b[i] == 0x0F) {
            m = (b[i + 1] == 0x38 || b[i + 1] == 0x3A) ? i + 3 : i + 2;
        } else if (b[i] == 0xC4 || (b[i] == 0x8F && (b[i + 1] & 0x1F) >= 8)) {
            bbit = !(b[i + 1] & 0x20);
            m = i + 4;
        } else if (b[i] == 0x62) {
            bbit = !(b[i + 1] & 0x20);
            m = i + 5;
        }
        if (m + 1 >= len)
            return false;
        return mode == XA_MODE_64 && has67 && bbit && (b[m] & 0xC7) == 0x04 && (b[m + 1] & 7) == 5;
    }
    default: return false;
    }
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
    if (tok[0] == '!') {
        /* A named rule: an encoding pattern the oracle gets wrong (see rule_matches). */
        int r = rule_parse(tok + 1);
        if (r < 0) {
            snprintf(err, errsize, "unknown rule '%.40s'", tok);
            return -1;
        }
        e->rule = (uint8_t)r;
        hl = 0;
    } else if (tok[0] == '@') {
        /* An opcode group: every instruction of the group, for a rule of the oracle. */
        memcpy(e->key, tok + 1, strlen(tok)); /* tok is shorter than key */
        for (char *k = e->key; *k; k++)
            if (*k == '_')
                *k = ' ';
        hl = 0;
    } else if (hl % 2 || hl == 0 || hl / 2 > XA_MAX_INSN_LENGTH) {
        snprintf(err, errsize, "bad bytes '%.40s' (1 to 15 bytes of hex)", tok);
        return -1;
    }
    for (size_t i = 0; i < hl / 2 && !e->key[0] && !e->rule; i++) {
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
        if (e->rule) {
            if (rule_matches(e->rule, mode, bytes, len))
                return true;
        } else if (e->key[0]) {
            if (key && strcmp(e->key, key) == 0)
                return true;
        } else if (e->len == len && memcmp(e->bytes, bytes, len) == 0)
            return true;
    }
    return false;
}
