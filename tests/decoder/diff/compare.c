/* SPDX-License-Identifier: BSD-2-Clause */
/* Field-by-field comparison of two normalised records, printing, the opcode key. */
#include <stdio.h>
#include <string.h>

#include "ref.h"

static const char *const cat_names[REF_CAT_COUNT] = {
    [REF_CAT_NONE] = "none",
    [REF_CAT_VALIDITY] = "validity",
    [REF_CAT_LENGTH] = "length",
    [REF_CAT_OPCOUNT] = "operand-count",
    [REF_CAT_OPKIND] = "op-kind",
    [REF_CAT_OPSIZE] = "op-size",
    [REF_CAT_REG] = "reg",
    [REF_CAT_MEMSEG] = "mem-seg",
    [REF_CAT_MEMBASE] = "mem-base",
    [REF_CAT_MEMINDEX] = "mem-index",
    [REF_CAT_MEMSCALE] = "mem-scale",
    [REF_CAT_MEMDISP] = "mem-disp",
    [REF_CAT_MEMADSIZE] = "mem-adsize",
    [REF_CAT_IMM] = "imm",
    [REF_CAT_REL] = "rel",
    [REF_CAT_FAR] = "far",
};

const char *ref_category_name(int cat)
{
    return cat >= 0 && cat < REF_CAT_COUNT ? cat_names[cat] : "?";
}

int ref_category_parse(const char *name)
{
    if (strcmp(name, "*") == 0)
        return REF_CAT_COUNT;
    for (int i = 1; i < REF_CAT_COUNT; i++)
        if (strcmp(name, cat_names[i]) == 0)
            return i;
    return -1;
}

static const char *const kind_names[] = {"none", "reg", "mem", "imm", "rel", "far"};

static const char *kind_name(unsigned k)
{
    return k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

static const char *status_name(unsigned s)
{
    switch (s) {
    case REF_VALID: return "valid";
    case REF_INVALID: return "invalid";
    case REF_TRUNCATED: return "truncated";
    case REF_TOO_LONG: return "too-long";
    default: return "error";
    }
}

/* A register's class for grouping: the name without digits ("xmm3" -> "xmm", "r8d" -> "rd"). */
static void reg_class(const char *name, char *buf, size_t size)
{
    size_t n = 0;
    for (; *name && n + 1 < size; name++)
        if (*name < '0' || *name > '9')
            buf[n++] = *name;
    buf[n] = 0;
    if (n == 0 && size > 2)
        snprintf(buf, size, "-");
}

static uint64_t mask_bits(unsigned bytes)
{
    return bytes >= 8 || bytes == 0 ? ~0ull : (1ull << (bytes * 8)) - 1;
}

static bool set(struct ref_diff *d, int cat)
{
    d->category = cat;
    return true;
}

bool ref_compare(const struct ref_insn *a, const struct ref_insn *b, struct ref_diff *d)
{
    memset(d, 0, sizeof *d);
    bool va = a->status == REF_VALID, vb = b->status == REF_VALID;
    if (va != vb) {
        snprintf(d->what, sizeof d->what, "validity: %s vs %s", va ? "valid" : "invalid",
                 vb ? "valid" : "invalid");
        snprintf(d->detail, sizeof d->detail, "validity: %s vs %s", status_name(a->status),
                 status_name(b->status));
        return set(d, REF_CAT_VALIDITY);
    }
    if (!va)
        return false;
    if (a->length != b->length) {
        snprintf(d->what, sizeof d->what, "length: %u vs %u", a->length, b->length);
        snprintf(d->detail, sizeof d->detail, "%s", d->what);
        return set(d, REF_CAT_LENGTH);
    }
    if (a->op_count != b->op_count) {
        snprintf(d->what, sizeof d->what, "operand-count: %u vs %u", a->op_count, b->op_count);
        snprintf(d->detail, sizeof d->detail, "%s", d->what);
        return set(d, REF_CAT_OPCOUNT);
    }
    for (unsigned i = 0; i < a->op_count; i++) {
        const struct ref_operand *x = &a->ops[i], *y = &b->ops[i];
        char ca[REF_NAME], cb[REF_NAME];
        if (x->kind != y->kind) {
            snprintf(d->what, sizeof d->what, "op%u kind: %s vs %s", i, kind_name(x->kind),
                     kind_name(y->kind));
            snprintf(d->detail, sizeof d->detail, "%s", d->what);
            return set(d, REF_CAT_OPKIND);
        }
        if (x->size != y->size) {
            snprintf(d->what, sizeof d->what, "op%u %s size: %u vs %u", i, kind_name(x->kind),
                     x->size, y->size);
            snprintf(d->detail, sizeof d->detail, "%s", d->what);
            return set(d, REF_CAT_OPSIZE);
        }
        switch (x->kind) {
        case REF_OP_REG:
            if (strcmp(x->reg, y->reg) != 0) {
                reg_class(x->reg, ca, sizeof ca);
                reg_class(y->reg, cb, sizeof cb);
                snprintf(d->what, sizeof d->what, "op%u reg: %s vs %s", i, ca, cb);
                snprintf(d->detail, sizeof d->detail, "op%u reg: %s vs %s", i, x->reg, y->reg);
                return set(d, REF_CAT_REG);
            }
            break;
        case REF_OP_MEM:
            if (strcmp(x->seg, y->seg) != 0) {
                snprintf(d->what, sizeof d->what, "op%u seg: %s vs %s", i, x->seg, y->seg);
                snprintf(d->detail, sizeof d->detail, "%s", d->what);
                return set(d, REF_CAT_MEMSEG);
            }
            if (strcmp(x->base, y->base) != 0) {
                reg_class(x->base, ca, sizeof ca);
                reg_class(y->base, cb, sizeof cb);
                snprintf(d->what, sizeof d->what, "op%u base: %s vs %s", i, ca, cb);
                snprintf(d->detail, sizeof d->detail, "op%u base: '%s' vs '%s'", i, x->base,
                         y->base);
                return set(d, REF_CAT_MEMBASE);
            }
            if (strcmp(x->index, y->index) != 0) {
                reg_class(x->index, ca, sizeof ca);
                reg_class(y->index, cb, sizeof cb);
                snprintf(d->what, sizeof d->what, "op%u index: %s vs %s", i, ca, cb);
                snprintf(d->detail, sizeof d->detail, "op%u index: '%s' vs '%s'", i, x->index,
                         y->index);
                return set(d, REF_CAT_MEMINDEX);
            }
            if (x->scale != y->scale) {
                snprintf(d->what, sizeof d->what, "op%u scale: %u vs %u", i, x->scale, y->scale);
                snprintf(d->detail, sizeof d->detail, "%s", d->what);
                return set(d, REF_CAT_MEMSCALE);
            }
            if (a->adsize != b->adsize) {
                snprintf(d->what, sizeof d->what, "adsize: %u vs %u", a->adsize, b->adsize);
                snprintf(d->detail, sizeof d->detail, "%s", d->what);
                return set(d, REF_CAT_MEMADSIZE);
            }
            /* Effective addresses wrap at the address size. */
            if (((uint64_t)x->disp ^ (uint64_t)y->disp) & mask_bits(a->adsize / 8u)) {
                snprintf(d->what, sizeof d->what, "op%u disp", i);
                snprintf(d->detail, sizeof d->detail, "op%u disp: %#llx vs %#llx", i,
                         (unsigned long long)x->disp, (unsigned long long)y->disp);
                return set(d, REF_CAT_MEMDISP);
            }
            break;
        case REF_OP_IMM:
        case REF_OP_REL:
            /* Compared on the encoded width: extension conventions differ. */
            if ((x->imm ^ y->imm) & mask_bits(x->size)) {
                snprintf(d->what, sizeof d->what, "op%u %s value", i, kind_name(x->kind));
                snprintf(d->detail, sizeof d->detail, "op%u %s: %#llx vs %#llx", i,
                         kind_name(x->kind), (unsigned long long)x->imm,
                         (unsigned long long)y->imm);
                return set(d, x->kind == REF_OP_IMM ? REF_CAT_IMM : REF_CAT_REL);
            }
            break;
        case REF_OP_FAR:
            if (x->sel != y->sel ||
                ((x->imm ^ y->imm) & mask_bits(x->size > 2 ? x->size - 2u : 8u))) {
                snprintf(d->what, sizeof d->what, "op%u far pointer", i);
                snprintf(d->detail, sizeof d->detail, "op%u far: %#x:%#llx vs %#x:%#llx", i, x->sel,
                         (unsigned long long)x->imm, y->sel, (unsigned long long)y->imm);
                return set(d, REF_CAT_FAR);
            }
            break;
        default: break;
        }
    }
    return false;
}

/* Skips legacy prefixes (and, in 64-bit mode, REX); returns the index of the first other byte. */
static size_t skip_prefixes(int mode, const uint8_t *b, size_t len, bool *lock)
{
    size_t i = 0;
    *lock = false;
    for (; i < len && i < XA_MAX_INSN_LENGTH; i++) {
        uint8_t c = b[i];
        if (c == 0xF0)
            *lock = true;
        else if (c == 0x66 || c == 0x67 || c == 0xF2 || c == 0xF3 || c == 0x2E || c == 0x36 ||
                 c == 0x3E || c == 0x26 || c == 0x64 || c == 0x65)
            continue;
        else if (mode == XA_MODE_64 && (c & 0xF0) == 0x40)
            continue;
        else
            break;
    }
    return i;
}

const char *ref_capstone_known(const struct ref_insn *ours, const struct ref_insn *cs,
                               const struct ref_diff *d, const uint8_t *bytes, size_t len)
{
    if (d->category == REF_CAT_VALIDITY && ours->status == REF_VALID) {
        for (unsigned i = 0; i < ours->op_count; i++)
            if (ours->ops[i].kind == REF_OP_REG && ours->ops[i].reg[0] == 'k' &&
                ours->ops[i].reg[1] >= '0' && ours->ops[i].reg[1] <= '7')
                return "avx512-mask";
    }
    if ((strcmp(ours->mnemonic, "ud0") == 0 || strcmp(ours->mnemonic, "ud1") == 0) &&
        cs->status == REF_VALID && cs->length < ours->length)
        return "ud0-ud1-modrm";
    if (d->category == REF_CAT_VALIDITY && ours->status != REF_VALID && cs->status == REF_VALID) {
        bool lock = false;
        size_t n = cs->length < len ? cs->length : len;
        for (size_t i = 0; i < n; i++) {
            uint8_t c = bytes[i];
            if (c == 0xF0) {
                lock = true;
                continue;
            }
            if (c == 0x66 || c == 0x67 || c == 0xF2 || c == 0xF3 || c == 0x2E || c == 0x36 ||
                c == 0x3E || c == 0x26 || c == 0x64 || c == 0x65 || (c & 0xF0) == 0x40)
                continue;
            break;
        }
        if (lock)
            return "illegal-lock";
    }
    return NULL;
}

size_t ref_insn_span(const struct ref_insn *a, const struct ref_insn *b, size_t avail)
{
    size_t n = 0;
    if (a->status == REF_VALID)
        n = a->length;
    if (b->status == REF_VALID && b->length > n)
        n = b->length;
    if (n == 0)
        n = 1;
    return n < avail ? n : avail;
}

void ref_hex(const uint8_t *b, size_t n, char *buf)
{
    static const char hx[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        buf[2 * i] = hx[b[i] >> 4];
        buf[2 * i + 1] = hx[b[i] & 15];
    }
    buf[2 * n] = 0;
}

void ref_print(const char *who, const struct ref_insn *r)
{
    if (r->status != REF_VALID) {
        printf("%-9s %s\n", who, status_name(r->status));
        return;
    }
    printf("%-9s len=%u adsize=%u %-10s  %s\n", who, r->length, r->adsize, r->mnemonic, r->text);
    for (unsigned i = 0; i < r->op_count; i++) {
        const struct ref_operand *o = &r->ops[i];
        printf("          op%u %-3s size=%-3u", i, kind_name(o->kind), o->size);
        switch (o->kind) {
        case REF_OP_REG: printf(" %s", o->reg); break;
        case REF_OP_MEM:
            printf(" %s:[base=%s index=%s scale=%u disp=%#llx]%s", o->seg,
                   o->base[0] ? o->base : "-", o->index[0] ? o->index : "-", o->scale,
                   (unsigned long long)o->disp, o->rip_rel ? " rip-relative" : "");
            break;
        case REF_OP_IMM: printf(" %#llx", (unsigned long long)o->imm); break;
        case REF_OP_REL: printf(" next%+lld", (long long)o->imm); break;
        case REF_OP_FAR: printf(" %#x:%#llx", o->sel, (unsigned long long)o->imm); break;
        default: break;
        }
        printf("\n");
    }
}

/* ---- the opcode key ---- */

static bool is_group(int space, uint8_t op)
{
    switch (space) {
    case 0: /* one-byte */
        return (op >= 0x80 && op <= 0x83) || op == 0x8F || op == 0xC0 || op == 0xC1 || op == 0xC6 ||
               op == 0xC7 || (op >= 0xD0 && op <= 0xD3) || (op >= 0xD8 && op <= 0xDF) ||
               op == 0xF6 || op == 0xF7 || op == 0xFE || op == 0xFF;
    case 1: /* 0F */
        return op == 0x00 || op == 0x01 || op == 0x0D || (op >= 0x18 && op <= 0x1F) ||
               (op >= 0x71 && op <= 0x73) || op == 0xAE || op == 0xB9 || op == 0xBA || op == 0xC7;
    case 10: /* VEX 0F */
    case 20: /* EVEX 0F */ return (op >= 0x71 && op <= 0x73) || op == 0xAE;
    case 11: /* VEX 0F38 */ return op == 0xF3 || op == 0x49;
    case 21: /* EVEX 0F38 */ return op == 0xC6 || op == 0xC7;
    case 39: /* XOP 9 */ return op == 0x01 || op == 0x02 || op == 0x12;
    case 40: /* XOP A */ return op == 0x12;
    default: return false;
    }
}

static const char *pp_name(unsigned pp)
{
    static const char *const n[4] = {"", ".66", ".F3", ".F2"};
    return n[pp & 3];
}

static void add_group(char *buf, size_t size, int space, uint8_t op, const uint8_t *b, size_t len,
                      size_t modrm_at)
{
    if (!is_group(space, op) || modrm_at >= len)
        return;
    size_t n = strlen(buf);
    uint8_t m = b[modrm_at];
    snprintf(buf + n, size - n, " /%u %s", (m >> 3) & 7, (m >> 6) == 3 ? "r" : "m");
}

void ref_opcode_key(int mode, const uint8_t *b, size_t len, char *buf, size_t size)
{
    bool lock;
    size_t i = skip_prefixes(mode, b, len, &lock);
    /* The prefixes that select an opcode: the last of F2/F3, 66, REX.W. */
    bool p66 = false, w = false;
    uint8_t rep = 0;
    for (size_t j = 0; j < i; j++) {
        if (b[j] == 0x66)
            p66 = true;
        else if (b[j] == 0xF2 || b[j] == 0xF3)
            rep = b[j];
        if (mode == XA_MODE_64)
            w = (b[j] & 0xF8) == 0x48; /* only the REX right before the opcode counts */
    }
    if (i >= len) {
        snprintf(buf, size, "prefixes only");
        return;
    }
    uint8_t c = b[i];
    bool can_vex =
        mode != XA_MODE_REAL && i + 1 < len && (mode == XA_MODE_64 || (b[i + 1] >> 6) == 3);
    if ((c == 0xC4 || c == 0xC5) && can_vex) {
        unsigned map, L, pp, W = 0;
        size_t op_at;
        if (c == 0xC5) {
            map = 1;
            L = (b[i + 1] >> 2) & 1;
            pp = b[i + 1] & 3;
            op_at = i + 2;
        } else {
            if (i + 2 >= len) {
                snprintf(buf, size, "VEX truncated");
                return;
            }
            map = b[i + 1] & 0x1F;
            W = b[i + 2] >> 7;
            L = (b[i + 2] >> 2) & 1;
            pp = b[i + 2] & 3;
            op_at = i + 3;
        }
        static const char *const maps[4] = {"M00", "0F", "0F38", "0F3A"};
        char mname[8];
        if (map < 4)
            snprintf(mname, sizeof mname, "%s", maps[map]);
        else
            snprintf(mname, sizeof mname, "M%02X", map);
        if (op_at >= len) {
            snprintf(buf, size, "VEX.L%u%s.%s.W%u ??", L, pp_name(pp), mname, W);
            return;
        }
        snprintf(buf, size, "VEX.L%u%s.%s.W%u %02X", L, pp_name(pp), mname, W, b[op_at]);
        add_group(buf, size, map >= 1 && map <= 3 ? (int)(9 + map) : -1, b[op_at], b, len,
                  op_at + 1);
        return;
    }
    if (c == 0x62 && can_vex) {
        if (i + 4 >= len) {
            snprintf(buf, size, "EVEX truncated");
            return;
        }
        unsigned map = b[i + 1] & 7, W = b[i + 2] >> 7, pp = b[i + 2] & 3;
        static const char *const maps[8] = {"M0", "0F", "0F38", "0F3A", "M4", "MAP5", "MAP6", "M7"};
        uint8_t op = b[i + 4];
        snprintf(buf, size, "EVEX%s.%s.W%u %02X", pp_name(pp), maps[map], W, op);
        add_group(buf, size, map >= 1 && map <= 3 ? (int)(19 + map) : -1, op, b, len, i + 5);
        return;
    }
    if (c == 0x8F && mode != XA_MODE_REAL && i + 1 < len && (b[i + 1] & 0x1F) >= 8) {
        if (i + 3 >= len) {
            snprintf(buf, size, "XOP truncated");
            return;
        }
        unsigned map = b[i + 1] & 0x1F, W = b[i + 2] >> 7, L = (b[i + 2] >> 2) & 1,
                 pp = b[i + 2] & 3;
        uint8_t op = b[i + 3];
        snprintf(buf, size, "XOP.L%u%s.M%02X.W%u %02X", L, pp_name(pp), map, W, op);
        add_group(buf, size, map == 9 ? 39 : map == 10 ? 40 : -1, op, b, len, i + 4);
        return;
    }
    char pfx[16];
    snprintf(pfx, sizeof pfx, "%s%s%s", p66 ? "66 " : "",
             rep == 0xF3   ? "F3 "
             : rep == 0xF2 ? "F2 "
                           : "",
             w ? "W1 " : "");
    if (c != 0x0F) {
        snprintf(buf, size, "legacy %s%02X", pfx, c);
        add_group(buf, size, 0, c, b, len, i + 1);
        return;
    }
    if (i + 1 >= len) {
        snprintf(buf, size, "legacy %s0F ??", pfx);
        return;
    }
    uint8_t o2 = b[i + 1];
    if (o2 == 0x38 || o2 == 0x3A) {
        if (i + 2 >= len)
            snprintf(buf, size, "legacy %s0F %02X ??", pfx, o2);
        else
            snprintf(buf, size, "legacy %s0F %02X %02X", pfx, o2, b[i + 2]);
        return;
    }
    if (o2 == 0x0F) {
        snprintf(buf, size, "3DNow %s0F 0F", pfx);
        return;
    }
    snprintf(buf, size, "legacy %s0F %02X", pfx, o2);
    add_group(buf, size, 1, o2, b, len, i + 2);
}

/* True when s is prefix followed by a decimal number in [lo, hi]. */
static bool numbered(const char *s, const char *prefix, unsigned lo, unsigned hi)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0 || s[n] == 0)
        return false;
    unsigned v = 0;
    for (s += n; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100)
            return false;
        v = v * 10 + (unsigned)(*s - '0');
    }
    return v >= lo && v <= hi;
}

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (strcmp(s, *list) == 0)
            return true;
    return false;
}

uint16_t ref_reg_width(const char *r, int mode)
{
    static const char *const b1[] = {"al", "cl",  "dl",  "bl",  "ah",  "ch", "dh",
                                     "bh", "spl", "bpl", "sil", "dil", NULL};
    static const char *const b2[] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
                                     "es", "cs", "ss", "ds", "fs", "gs", "ip", NULL};
    static const char *const b4[] = {"eax", "ecx", "edx", "ebx", "esp",
                                     "ebp", "esi", "edi", "eip", NULL};
    static const char *const b8[] = {"rax", "rcx", "rdx", "rbx", "rsp",
                                     "rbp", "rsi", "rdi", "rip", NULL};
    size_t n = strlen(r);
    if (in_list(r, b1))
        return 1;
    if (in_list(r, b2))
        return 2;
    if (in_list(r, b4))
        return 4;
    if (in_list(r, b8))
        return 8;
    if (r[0] == 'r' && n >= 2 && r[1] >= '0' && r[1] <= '9') {
        char suf = r[n - 1];
        if (suf == 'b')
            return 1;
        if (suf == 'w')
            return 2;
        if (suf == 'd')
            return 4;
        return 8;
    }
    if (numbered(r, "cr", 0, 15) || numbered(r, "dr", 0, 15))
        return mode == XA_MODE_64 ? 8 : 4;
    if (numbered(r, "st", 0, 7))
        return 10;
    if (numbered(r, "mm", 0, 7))
        return 8;
    if (numbered(r, "xmm", 0, 31))
        return 16;
    if (numbered(r, "ymm", 0, 31))
        return 32;
    if (numbered(r, "zmm", 0, 31))
        return 64;
    if (numbered(r, "k", 0, 7))
        return 8;
    if (numbered(r, "bnd", 0, 3))
        return 16;
    if (numbered(r, "tmm", 0, 7))
        return 1024;
    return 0;
}

int ref_mode_parse(const char *s)
{
    if (strcmp(s, "real") == 0)
        return XA_MODE_REAL;
    if (strcmp(s, "16") == 0)
        return XA_MODE_16;
    if (strcmp(s, "32") == 0)
        return XA_MODE_32;
    if (strcmp(s, "64") == 0)
        return XA_MODE_64;
    return -1;
}

const char *ref_mode_name(int mode)
{
    switch (mode) {
    case XA_MODE_REAL: return "real";
    case XA_MODE_16: return "16";
    case XA_MODE_32: return "32";
    case XA_MODE_64: return "64";
    default: return "?";
    }
}
