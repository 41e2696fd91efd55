/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the decoder alone, under ASan+UBSan. Input: byte 0 picks
 * the mode (bits 0-1), the vendor (bit 2) and how many bytes of the rest are
 * given (bits 3-7 as a cut); the rest are the instruction bytes.
 *
 * Invariants (any failure aborts):
 *  - the status is one of ok/invalid/truncated/too-long for valid arguments;
 *  - on XA_OK: 1 <= length <= min(len, 15), mnemonic named, operand_count <= 5,
 *    operand types known, registers below XA_REG_COUNT, at most one memory
 *    operand kind, scale 1/2/4/8;
 *  - on failure: the instruction is cleared (mnemonic and operand_count 0);
 *    XA_ERR_TRUNCATED says it needs more than len bytes;
 *  - xa_format never writes past the size it is given, always terminates and
 *    returns the same full length whatever the buffer size;
 *  - decoding the same bytes twice gives the same result;
 *  - with extra trailing bytes the result is the same (ok and invalid are
 *    decided by the bytes seen), and with exactly `length` bytes as well;
 *  - bad arguments give XA_ERR_BAD_ARGUMENT.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <x86assist/decoder.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "decoder_fuzz: %s:%d: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static bool same_insn(const struct xa_insn *a, const struct xa_insn *b)
{
    if (a->mnemonic != b->mnemonic || a->length != b->length || a->mode != b->mode ||
        a->opsize != b->opsize || a->adsize != b->adsize || a->encoding != b->encoding ||
        a->map != b->map || a->opcode != b->opcode || a->modrm != b->modrm || a->sib != b->sib ||
        a->has_modrm != b->has_modrm || a->has_sib != b->has_sib ||
        a->operand_count != b->operand_count || a->seg_override != b->seg_override ||
        a->rex != b->rex || a->vector_length != b->vector_length || a->vvvv != b->vvvv ||
        a->isa_set != b->isa_set || a->disp_offset != b->disp_offset ||
        a->disp_size != b->disp_size || a->imm_offset != b->imm_offset ||
        a->imm_size != b->imm_size || a->attributes != b->attributes || a->prefixes != b->prefixes)
        return false;
    if (a->evex.mask != b->evex.mask || a->evex.zeroing != b->evex.zeroing ||
        a->evex.broadcast != b->evex.broadcast || a->evex.rounding != b->evex.rounding)
        return false;
    if (a->mem.seg != b->mem.seg || a->mem.base != b->mem.base || a->mem.index != b->mem.index ||
        a->mem.scale != b->mem.scale || a->mem.disp != b->mem.disp)
        return false;
    if (a->imm[0] != b->imm[0] || a->imm[1] != b->imm[1])
        return false;
    for (unsigned i = 0; i < 5; i++) {
        const struct xa_operand *x = &a->ops[i], *y = &b->ops[i];
        if (x->type != y->type || x->access != y->access || x->size != y->size ||
            x->reg != y->reg || x->elem_size != y->elem_size || x->imm_index != y->imm_index)
            return false;
    }
    return true;
}

static void check_format(const struct xa_insn *in)
{
    enum { CANARY = 32 };
    static char buf[512 + CANARY];
    size_t full = xa_format(in, 0x1000, NULL, 0);
    CHECK(full < 512, "formatted text of %zu characters", full);
    static const size_t sizes[] = {1, 2, 5, 16, 40, 511};
    for (unsigned k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t sz = sizes[k];
        memset(buf, 0x5A, sizeof buf);
        size_t n = xa_format(in, 0x1000, buf, sz);
        CHECK(n == full, "xa_format returned %zu with size %zu, %zu with none", n, sz, full);
        size_t want = full < sz - 1 ? full : sz - 1;
        CHECK(memchr(buf, 0, sz) != NULL && strlen(buf) == want,
              "xa_format text of %zu characters in size %zu (full %zu)", strlen(buf), sz, full);
        for (size_t i = sz; i < sz + CANARY; i++)
            CHECK((unsigned char)buf[i] == 0x5A, "xa_format wrote byte %zu with size %zu", i, sz);
    }
}

static void check_ok(const struct xa_insn *in, size_t len, int mode)
{
    CHECK(in->length >= 1 && in->length <= XA_MAX_INSN_LENGTH && in->length <= len,
          "length %u of %zu bytes", in->length, len);
    CHECK(in->mnemonic != 0 && xa_mnemonic_name(in->mnemonic)[0] != 0, "mnemonic %u", in->mnemonic);
    CHECK(in->mode == mode, "mode %u, decoded in %d", in->mode, mode);
    CHECK(in->operand_count <= 5, "operand_count %u", in->operand_count);
    CHECK(in->adsize == 16 || in->adsize == 32 || in->adsize == 64, "adsize %u", in->adsize);
    for (unsigned i = 0; i < in->operand_count; i++) {
        const struct xa_operand *o = &in->ops[i];
        CHECK(o->type >= XA_OP_REG && o->type <= XA_OP_FAR, "op%u type %u", i, o->type);
        if (o->type == XA_OP_REG)
            CHECK(o->reg != XA_REG_NONE && o->reg < XA_REG_COUNT &&
                      xa_reg_name((enum xa_reg)o->reg)[0] != 0,
                  "op%u reg %u", i, o->reg);
        if (o->type == XA_OP_IMM || o->type == XA_OP_REL)
            CHECK(o->imm_index < 2, "op%u imm_index %u", i, o->imm_index);
        if (o->type == XA_OP_MEM) {
            CHECK(in->mem.seg >= XA_REG_ES && in->mem.seg <= XA_REG_GS, "mem seg %u", in->mem.seg);
            CHECK(in->mem.base < XA_REG_COUNT && in->mem.index < XA_REG_COUNT,
                  "mem base %u index %u", in->mem.base, in->mem.index);
            CHECK(in->mem.scale == 1 || in->mem.scale == 2 || in->mem.scale == 4 ||
                      in->mem.scale == 8,
                  "mem scale %u", in->mem.scale);
        }
    }
    CHECK(in->disp_offset + in->disp_size <= in->length, "disp at %u+%u beyond %u", in->disp_offset,
          in->disp_size, in->length);
    CHECK(in->imm_offset + in->imm_size <= in->length, "imm at %u+%u beyond %u", in->imm_offset,
          in->imm_size, in->length);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] & 3;
    int vendor = (data[0] >> 2) & 1;
    const uint8_t *bytes = data + 1;
    size_t len = size - 1;
    /* Sometimes cut the bytes short, to reach the truncation paths. */
    unsigned cut = data[0] >> 3;
    if (cut && cut < len)
        len = cut;

    struct xa_insn a, b;
    memset(&a, 0xA5, sizeof a);
    memset(&b, 0x5A, sizeof b);
    xa_status st = xa_decode(&a, (enum xa_mode)mode, (enum xa_vendor)vendor, bytes, len);
    xa_status st2 = xa_decode(&b, (enum xa_mode)mode, (enum xa_vendor)vendor, bytes, len);
    CHECK(st == XA_OK || st == XA_ERR_INVALID || st == XA_ERR_TRUNCATED || st == XA_ERR_TOO_LONG,
          "status %d (%s)", (int)st, xa_status_name(st));
    CHECK(st == st2 && same_insn(&a, &b), "two decodes differ (%s, %s)", xa_status_name(st),
          xa_status_name(st2));

    if (st == XA_OK) {
        check_ok(&a, len, mode);
        check_format(&a);
        /* Exactly the instruction's bytes decode the same. */
        xa_status s3 = xa_decode(&b, (enum xa_mode)mode, (enum xa_vendor)vendor, bytes, a.length);
        CHECK(s3 == XA_OK && same_insn(&a, &b), "with exactly %u bytes: %s", a.length,
              xa_status_name(s3));
    } else {
        CHECK(a.mnemonic == 0 && a.operand_count == 0, "not cleared on %s", xa_status_name(st));
        if (st == XA_ERR_TRUNCATED)
            CHECK(a.length > len, "truncated, needs %u of %zu", a.length, len);
        check_format(&a);
    }

    /* Trailing bytes change nothing that was decided. */
    if (st == XA_OK || st == XA_ERR_INVALID) {
        uint8_t more[XA_MAX_INSN_LENGTH + 16];
        size_t n = len < XA_MAX_INSN_LENGTH ? len : XA_MAX_INSN_LENGTH;
        memcpy(more, bytes, n);
        for (size_t i = n; i < sizeof more; i++)
            more[i] = (uint8_t)(0x0F + i * 0x3B);
        if (n == len) {
            xa_status s4 =
                xa_decode(&b, (enum xa_mode)mode, (enum xa_vendor)vendor, more, sizeof more);
            CHECK(s4 == st && (st != XA_OK || same_insn(&a, &b)),
                  "with trailing bytes: %s, without: %s", xa_status_name(s4), xa_status_name(st));
        }
    }

    /* Bad arguments. */
    CHECK(xa_decode(&b, (enum xa_mode)4, XA_VENDOR_INTEL, bytes, len) == XA_ERR_BAD_ARGUMENT,
          "mode 4 accepted");
    CHECK(xa_decode(NULL, (enum xa_mode)mode, XA_VENDOR_INTEL, bytes, len) == XA_ERR_BAD_ARGUMENT,
          "NULL insn accepted");
    return 0;
}
