/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * State fuzzing of the emulator (in the spirit of Xen's x86_instruction_emulator
 * fuzzer): the input gives the CPU state, the instruction bytes and every
 * answer of every callback (memory contents, page-table entries, failures,
 * compare-and-exchange outcomes). The callbacks assert the core's contract:
 *   - no callback at all after one failed (the instruction must end there);
 *   - no data write before every check is done: after the first data write only
 *     more writes, compare-and-exchanges and the one set_regs may follow;
 *   - guest-physical accesses never cross a page and stay below 2^52;
 *   - set_regs at most once, only as the last call, and only on XA_OK;
 *   - on any other outcome than XA_OK (and XA_ERR_CALLBACK, where completed
 *     writes stay) nothing was written: no data write, no set_regs.
 * A REP string instruction runs in chunks (one page run after another), so for it
 * reads, walks and port calls may follow a data write, and XA_EXCEPTION, XA_RETRY,
 * XA_CONTINUE and XA_ERR_CALLBACK may come after completed iterations: their writes
 * and one set_regs (the partial commit, always the last call).
 * The first input byte selects the entry point: bit 2 xa_step; otherwise bits 7:5 all
 * set xa_assist_io (its exit from the next bytes), else xa_assist_mmio (the seeds
 * before xa_assist_io existed never set all three there).
 *
 *   ./emulator_state -max_len=4096 fuzz/corpus/emulator_state/
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <x86assist/x86assist.h>

struct fz {
    const uint8_t *data;
    size_t size, pos;
    union xa_regval regs[XA_R_COUNT];
    bool failed; /* a callback returned an error */
    bool wrote;  /* a data write (or exchange) happened */
    bool late;   /* a read, walk access or port call after a data write (REP strings only) */
    bool set_after_fail; /* set_regs after a failed callback (a REP string's partial commit) */
    unsigned set_calls;
    unsigned calls;
};

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            abort();                                                                               \
    } while (0)

static uint8_t take(struct fz *f)
{
    return f->pos < f->size ? f->data[f->pos++] : 0;
}

static void take_bytes(struct fz *f, void *buf, size_t n)
{
    uint8_t *b = buf;
    for (size_t i = 0; i < n; i++)
        b[i] = take(f);
}

/* One byte decides whether a callback fails (about 1 in 64). */
static bool fails(struct fz *f)
{
    return (take(f) & 0x3f) == 0x3f;
}

static void enter(struct fz *f)
{
    CHECK(!f->failed);        /* nothing after a failure */
    CHECK(f->set_calls == 0); /* set_regs is the last call */
    f->calls++;
}

static int get_regs(void *ctx, const uint16_t *names, unsigned count, union xa_regval *values)
{
    struct fz *f = ctx;
    enter(f);
    CHECK(!f->wrote);
    CHECK(count > 0 && count <= XA_R_COUNT);
    if (fails(f)) {
        f->failed = true;
        return -1;
    }
    for (unsigned i = 0; i < count; i++) {
        CHECK(names[i] < XA_R_COUNT);
        values[i] = f->regs[names[i]];
    }
    return 0;
}

static int set_regs(void *ctx, const uint16_t *names, unsigned count, const union xa_regval *values)
{
    struct fz *f = ctx;
    /* enter(), except after a failure: a REP string commits its completed iterations. */
    CHECK(f->set_calls == 0);
    f->set_after_fail |= f->failed;
    f->calls++;
    for (unsigned i = 0; i < count; i++)
        CHECK(names[i] < XA_R_COUNT);
    (void)values;
    f->set_calls++;
    if (fails(f)) {
        f->failed = true;
        return -1;
    }
    return 0;
}

static void check_range(uint64_t gpa, size_t size)
{
    CHECK(size > 0 && size <= 4096);
    CHECK((gpa & 0xfff) + size <= 4096);
    CHECK(gpa < (UINT64_C(1) << 52));
}

static int mem_read(void *ctx, uint64_t gpa, void *buf, size_t size, unsigned flags)
{
    struct fz *f = ctx;
    enter(f);
    check_range(gpa, size);
    f->late |= f->wrote; /* every read comes before the commit, but for REP strings */
    (void)flags;
    if (fails(f)) {
        f->failed = true;
        return -1;
    }
    take_bytes(f, buf, size);
    return 0;
}

static int mem_write(void *ctx, uint64_t gpa, const void *buf, size_t size, unsigned flags)
{
    struct fz *f = ctx;
    enter(f);
    check_range(gpa, size);
    (void)buf;
    if ((flags & XA_MEM_KIND_MASK) == XA_MEM_DATA)
        f->wrote = true;
    else
        f->late |= f->wrote; /* A/D updates belong to the walks, before the commit */
    if (fails(f)) {
        f->failed = true;
        return -1;
    }
    return 0;
}

static int mem_cmpxchg(void *ctx, uint64_t gpa, void *expected, const void *desired, size_t size,
                       unsigned flags)
{
    struct fz *f = ctx;
    enter(f);
    check_range(gpa, size);
    CHECK(size == 1 || size == 2 || size == 4 || size == 8 || size == 16);
    (void)desired;
    bool data = (flags & XA_MEM_KIND_MASK) == XA_MEM_DATA;
    if (!data)
        f->late |= f->wrote;
    uint8_t r = take(f);
    if ((r & 0x3f) == 0x3f) {
        f->failed = true;
        return -1;
    }
    if (r & 0x40) {
        /* Memory changed: report the new value. The data write did not happen. */
        take_bytes(f, expected, size);
        return 1;
    }
    if (data)
        f->wrote = true;
    return 0;
}

static int io_read(void *ctx, uint16_t port, void *buf, unsigned size, unsigned count)
{
    struct fz *f = ctx;
    enter(f);
    (void)port;
    CHECK((size == 1 || size == 2 || size == 4) && count > 0 && (size_t)size * count <= 4096);
    f->late |= f->wrote;
    if (fails(f)) {
        f->failed = true;
        return -1;
    }
    take_bytes(f, buf, (size_t)size * count);
    return 0;
}

static int io_write(void *ctx, uint16_t port, const void *buf, unsigned size, unsigned count)
{
    struct fz *f = ctx;
    enter(f);
    (void)port, (void)buf;
    CHECK((size == 1 || size == 2 || size == 4) && count > 0 && (size_t)size * count <= 4096);
    f->late |= f->wrote;
    if (fails(f)) {
        f->failed = true;
        return -1;
    }
    return 0;
}

static const struct xa_cpu_ops ops_full = {get_regs,    set_regs, mem_read, mem_write,
                                           mem_cmpxchg, io_read,  io_write};
static const struct xa_cpu_ops ops_min = {get_regs, set_regs, mem_read, mem_write,
                                          NULL,     NULL,     NULL};

/* Plausible-ish register values: mostly the input's, with the mode registers steered
 * towards the states a guest can be in so that the walks and checks get exercised. */
static void fill_regs(struct fz *f)
{
    for (unsigned r = 0; r < XA_R_COUNT; r++)
        take_bytes(f, &f->regs[r], r >= XA_R_ZMM0 && r <= XA_R_ZMM31 ? 16 : 8);
    /* The vector registers' upper lanes: their low 16 bytes again, each lane varied. */
    for (unsigned r = XA_R_ZMM0; r <= XA_R_ZMM31; r++)
        for (unsigned k = 16; k < 64; k++)
            f->regs[r].vec[k] = (uint8_t)(f->regs[r].vec[k % 16] ^ (k / 16));
    uint8_t mode = take(f);
    /* CR4 bits kept: PAE, LA57, FSGSBASE, OSFXSR, OSXSAVE, SMEP, SMAP, PKE, PKS. */
    uint64_t cr0 = 0, cr4 = f->regs[XA_R_CR4].u64 & 0x1751220, efer = 0;
    switch (mode & 7) {
    case 0: cr0 = 0x10; break; /* real */
    case 1: cr0 = 0x11; break; /* protected, no paging */
    case 2:
        cr0 = 0x80000011;
        cr4 &= ~0x20u;
        break; /* 32-bit paging */
    case 3:
        cr0 = 0x80000011;
        cr4 |= 0x20;
        break; /* PAE */
    default:   /* long mode */
        cr0 = 0x80000011;
        cr4 |= 0x20;
        efer = 0x500;
        break;
    }
    cr0 |= f->regs[XA_R_CR0].u64 & 0x5000c; /* WP, AM, EM, TS */
    efer |= f->regs[XA_R_EFER].u64 & 0x800; /* NXE */
    f->regs[XA_R_CR0].u64 = cr0;
    f->regs[XA_R_CR4].u64 = cr4;
    f->regs[XA_R_EFER].u64 = efer;
    f->regs[XA_R_CR3].u64 &= 0xffffff000u;
    f->regs[XA_R_RFLAGS].u64 = (f->regs[XA_R_RFLAGS].u64 & 0x70fd5) | 2;
    for (unsigned r = XA_R_ES; r <= XA_R_LDTR; r++) {
        struct xa_segment s;
        memset(&s, 0, sizeof(s));
        uint8_t a = take(f);
        s.selector = (uint16_t)(take(f) | (take(f) << 8));
        s.base = (a & 1) ? (uint64_t)take(f) << 12 : 0;
        s.limit = (a & 2) ? 0xffffffffu : (uint32_t)take(f) << 8 | 0xff;
        if (r == XA_R_CS)
            s.attr = 0x9b | ((a & 4) ? 0x2000 : 0) | ((a & 8) ? 0x4000 : 0);
        else
            s.attr = (a & 16) ? 0x91 : 0x93 | ((a & 8) ? 0x4000u : 0);
        s.attr |= (unsigned)((a >> 5) & 3) << 5; /* DPL */
        if (a & 0x80)
            s.attr |= take(f) & 1 ? 0x10000u : 0x4u; /* unusable, or expand-down */
        f->regs[r].seg = s;
    }
    /* CPL = DPL of SS = RPL of CS: keep CS's DPL equal to SS's for consistency. */
    f->regs[XA_R_CS].seg.attr =
        (f->regs[XA_R_CS].seg.attr & ~0x60u) | (f->regs[XA_R_SS].seg.attr & 0x60u);
}

/* The contract of one call that returned @p s, from what the callbacks saw. */
static void check_outcome(const struct fz *f, xa_status s, const struct xa_outcome *out)
{
    CHECK(s == out->status);
    const struct xa_insn *in = &out->insn;
    bool rep_string = in->mnemonic != 0 && in->map == XA_MAP_1BYTE && in->operand_count == 0 &&
                      (in->attributes & (XA_ATTR_REP | XA_ATTR_REPCC)) &&
                      (in->prefixes & (XA_PFX_REP | XA_PFX_REPNE));
    CHECK(rep_string || (!f->late && !f->set_after_fail));
    if (rep_string && s != XA_OK && s != XA_ERR_BAD_ARGUMENT && s != XA_ERR_UNSUPPORTED) {
        /* Completed iterations: their writes and the one set_regs, or nothing at all. */
        CHECK(f->set_calls <= 1);
        if (s == XA_ERR_CALLBACK) {
            CHECK(f->failed);
            return;
        }
        CHECK(!f->failed);
        if (s == XA_CONTINUE)
            CHECK(f->set_calls == 1); /* the budget allows at least one iteration */
        else
            CHECK(s == XA_EXCEPTION || s == XA_RETRY);
        if (f->set_calls == 0)
            CHECK(!f->wrote); /* nothing completed: nothing written */
        return;
    }
    switch (s) {
    case XA_OK: CHECK(f->set_calls == 1 && !f->failed); break;
    case XA_ERR_CALLBACK: CHECK(f->failed); break;
    case XA_EXCEPTION:
        CHECK(out->exception.vector == XA_VEC_UD || out->exception.vector == XA_VEC_GP ||
              out->exception.vector == XA_VEC_SS || out->exception.vector == XA_VEC_PF ||
              out->exception.vector == XA_VEC_AC || out->exception.vector == XA_VEC_DE ||
              out->exception.vector == XA_VEC_NM || out->exception.vector == XA_VEC_NP ||
              out->exception.vector == XA_VEC_TS);
        /* fall through */
    case XA_RETRY:
    case XA_ERR_UNSUPPORTED: CHECK(!f->wrote && f->set_calls == 0 && !f->failed); break;
    default:
        CHECK(s == XA_CONTINUE || s == XA_ERR_BAD_ARGUMENT);
        CHECK(!f->failed || s != XA_ERR_BAD_ARGUMENT);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fz f; /* large: keep it off the stack */
    memset(&f, 0, sizeof(f));
    f.data = data;
    f.size = size;
    uint8_t how = take(&f);
    fill_regs(&f);

    struct xa_cpu_model model = {(uint8_t)(how & 1), (uint8_t)(36 + take(&f) % 17),
                                 (uint32_t)take(&f) << 16 | take(&f) | XA_FEAT_MOVBE |
                                     /* SSE3..AVX512BW from XCR0's (unused) bits 15:8 */
                                     (uint32_t)(f.regs[XA_R_XCR0].u64 & 0xff00)};
    struct xa_vcpu vcpu;
    if (xa_vcpu_init(&vcpu, (how & 2) ? &ops_min : &ops_full, &f, &model) != XA_OK)
        abort();
    vcpu.rep_budget = 4096; /* a REP with a huge RCX must not take the fuzzer's time */
    struct xa_outcome out;
    struct xa_mmio_exit ex;
    memset(&ex, 0, sizeof(ex));
    xa_status s;
    if (how & 4) {
        s = xa_step(&vcpu, &out);
    } else if ((how & 0xe0) == 0xe0) {
        struct xa_io_exit io;
        memset(&io, 0, sizeof(io));
        io.port = (uint16_t)(take(&f) | take(&f) << 8);
        uint8_t k = take(&f);
        io.size = (uint8_t)(1u << (k & 3)); /* 8: a bad argument */
        io.in = (k & 4) != 0;
        io.string = (k & 8) != 0;
        io.rep = (k & 16) != 0;
        io.nbytes = take(&f) % 16;
        take_bytes(&f, io.bytes, io.nbytes);
        vcpu.rep_budget = 1 + (take(&f) & 0x0f);
        s = xa_assist_io(&vcpu, &io, &out);
    } else {
        ex.nbytes = take(&f) % 16;
        take_bytes(&f, ex.bytes, ex.nbytes);
        take_bytes(&f, &ex.gpa, 8);
        ex.gpa &= (how & 8) ? 0xfffffffffull : 0x3fffull;
        ex.gva_valid = (how & 16) != 0;
        take_bytes(&f, &ex.gva, 8);
        /* The register window (the fuzzer's registers as they are) and a RAM window (page
         * tables and code read from there): the MMIO front's quick paths. */
        static uint8_t ram[0x4000];
        uint8_t windows = take(&f);
        if (windows & 1)
            vcpu.regfile = f.regs;
        if (windows & 2) {
            take_bytes(&f, ram, sizeof(ram));
            vcpu.ram = ram;
            vcpu.ram_size = sizeof(ram);
            if (windows & 4) /* the tables and the code in the window */
                f.regs[XA_R_CR3].u64 &= 0x3000, f.regs[XA_R_RIP].u64 &= 0x3fff;
        }
        s = xa_assist_mmio(&vcpu, &ex, &out);
        /* The same exit again on the same vCPU (what it remembers: the decode memo, the
         * walk cache and its memos), each time after changing input-chosen bytes of the
         * RAM window (page-table entries under a memo, say); every call keeps the
         * contract. */
        for (unsigned again = (windows >> 3) & 3; again > 0; again--) {
            check_outcome(&f, s, &out);
            for (unsigned n = take(&f) & 3; n > 0; n--) {
                unsigned at = (take(&f) | (unsigned)take(&f) << 8) % sizeof(ram);
                ram[at] ^= take(&f);
            }
            f.failed = f.wrote = f.late = f.set_after_fail = false;
            f.set_calls = 0;
            s = xa_assist_mmio(&vcpu, &ex, &out);
        }
    }
    check_outcome(&f, s, &out);
    return 0;
}
