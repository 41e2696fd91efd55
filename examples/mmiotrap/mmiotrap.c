/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The trap: a SIGSEGV handler that emulates the faulting instruction with
 * x86assist against a vCPU made of the signal context.
 *
 * The vCPU it presents: 64-bit user mode (CPL 3, CS.L=1, flat data segments;
 * FS and GS bases from arch_prctl) with 4-level paging that identity-maps the
 * whole address space in 1 GiB pages, so a linear address is its own
 * "guest-physical" address. Long mode needs paging (a CPU cannot have
 * EFER.LMA=1 with CR0.PG=0, and x86assist's walker refuses that state), so the
 * page tables are made up on the fly: mem_read answers the walker's reads at
 * PT_BASE with the entries of that identity map, and no table exists in memory.
 *
 * Everything the handler calls is async-signal-safe: x86assist (no global
 * state, no heap), memcpy, write(2), and the device callbacks.
 */
#define _GNU_SOURCE
#include "mmiotrap.h"

#include <asm/prctl.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <x86assist/x86assist.h>

#define PAGE         4096u
#define MAX_REGIONS  8
#define MAX_ACCESSES 8   /* accesses one instruction makes that the trace shows */
#define MAX_RETRIES  100 /* XA_RETRY in a row at one address before giving up */

/* The made-up page tables (see the top): above every user address, below MAXPHYADDR. */
#define PT_BASE   (UINT64_C(1) << 48)
#define PT_TABLES (1u + 512u) /* the PML4, then one PDPT per PML4 entry */
#define PTE_P     UINT64_C(0x001)
#define PTE_RW    UINT64_C(0x002)
#define PTE_US    UINT64_C(0x004)
#define PTE_A     UINT64_C(0x020)
#define PTE_D     UINT64_C(0x040)
#define PTE_PS    UINT64_C(0x080)

/* What Linux runs user code with. */
#define CR0_USER  UINT64_C(0x80050033) /* PG AM WP NE ET MP PE */
#define CR4_USER  UINT64_C(0x00000620) /* OSXMMEXCPT OSFXSR PAE */
#define EFER_USER UINT64_C(0x00000d01) /* NXE LMA LME SCE */
#define SEG_CODE64                                                                                 \
    (0xbu | XA_SEG_ATTR_S | (3u << XA_SEG_ATTR_DPL_SHIFT) | XA_SEG_ATTR_P | XA_SEG_ATTR_L |        \
     XA_SEG_ATTR_G)
#define SEG_DATA                                                                                   \
    (0x3u | XA_SEG_ATTR_S | (3u << XA_SEG_ATTR_DPL_SHIFT) | XA_SEG_ATTR_P | XA_SEG_ATTR_DB |       \
     XA_SEG_ATTR_G)

struct region {
    uintptr_t base;
    size_t size;
    struct mmiotrap_device dev;
};

/* One device access, kept for the trace line printed once the instruction is done. */
struct access {
    const struct region *r;
    uint64_t offset;
    uint64_t value;
    unsigned size;
    bool write;
};

/* The state of one trap: the signal context and the accesses made so far. */
struct trap {
    ucontext_t *uc;
    struct access acc[MAX_ACCESSES];
    unsigned nacc;
};

static struct region regions[MAX_REGIONS];
static bool handler_installed;
static int trace_fd = -1;
static unsigned trace_left;
static unsigned long untraced, emulated;
static unsigned long mnemonic_count[XA_MNEM_COUNT];
static uintptr_t retry_addr;
static unsigned retries;

/* ---- async-signal-safe output -------------------------------------------- */

struct line {
    char buf[256];
    size_t len;
};

static void put_str(struct line *l, const char *s)
{
    while (*s && l->len < sizeof(l->buf) - 1)
        l->buf[l->len++] = *s++;
}

static void put_hex(struct line *l, uint64_t v, unsigned min_digits)
{
    char tmp[16];
    unsigned n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v || n < min_digits);
    put_str(l, "0x");
    while (n && l->len < sizeof(l->buf) - 1)
        l->buf[l->len++] = tmp[--n];
}

static void put_dec(struct line *l, uint64_t v)
{
    char tmp[20];
    unsigned n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n && l->len < sizeof(l->buf) - 1)
        l->buf[l->len++] = tmp[--n];
}

static void pad_to(struct line *l, size_t col)
{
    while (l->len < col && l->len < sizeof(l->buf) - 1)
        l->buf[l->len++] = ' ';
}

static void emit(int fd, struct line *l)
{
    l->buf[l->len++] = '\n';
    const char *p = l->buf;
    size_t left = l->len;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        p += n;
        left -= (size_t)n;
    }
    l->len = 0;
}

/* ---- regions ------------------------------------------------------------- */

static const struct region *region_of(uint64_t addr)
{
    for (unsigned i = 0; i < MAX_REGIONS; i++)
        if (regions[i].size && addr - regions[i].base < regions[i].size)
            return &regions[i];
    return NULL;
}

/* ---- registers: the signal context --------------------------------------- */

/* enum xa_regname order (RAX RCX RDX RBX RSP RBP RSI RDI R8..R15) -> gregs index. */
static const int greg_of[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                REG_R12, REG_R13, REG_R14, REG_R15};

static void flat_segment(struct xa_segment *s, uint16_t selector, uint32_t attr, uint64_t base)
{
    s->selector = selector;
    s->base = base;
    s->limit = 0xffffffffu;
    s->attr = attr;
}

static uint64_t segment_base(int code)
{
    unsigned long base = 0;
    if (syscall(SYS_arch_prctl, code, &base) != 0)
        return 0;
    return base;
}

static int get_regs(void *ctx, const uint16_t *names, unsigned count, union xa_regval *values)
{
    struct trap *t = ctx;
    const greg_t *g = t->uc->uc_mcontext.gregs;
    const struct _libc_fpstate *fp = t->uc->uc_mcontext.fpregs;
    for (unsigned i = 0; i < count; i++) {
        unsigned n = names[i];
        union xa_regval *v = &values[i];
        memset(v, 0, sizeof(*v));
        if (n <= XA_R_R15) {
            v->u64 = (uint64_t)g[greg_of[n]];
        } else if (n >= XA_R_ZMM0 && n <= XA_R_ZMM31) {
            /* The signal frame holds the legacy (FXSAVE) image: XMM0-15, no upper halves
             * (the vCPU has no AVX: see the model in mmiotrap_handler). */
            if (!fp)
                return -1;
            if (n - XA_R_ZMM0 < 16)
                memcpy(v->vec, &fp->_xmm[n - XA_R_ZMM0], 16);
        } else if (n >= XA_R_MM0 && n <= XA_R_MM7) {
            if (!fp)
                return -1;
            memcpy(&v->u64, fp->_st[n - XA_R_MM0].significand, 8);
        } else {
            switch (n) {
            case XA_R_RIP: v->u64 = (uint64_t)g[REG_RIP]; break;
            case XA_R_RFLAGS: v->u64 = (uint64_t)g[REG_EFL]; break;
            case XA_R_CS: flat_segment(&v->seg, (uint16_t)g[REG_CSGSFS], SEG_CODE64, 0); break;
            case XA_R_SS:
            case XA_R_DS:
            case XA_R_ES: flat_segment(&v->seg, 0x2b, SEG_DATA, 0); break;
            case XA_R_FS: flat_segment(&v->seg, 0, SEG_DATA, segment_base(ARCH_GET_FS)); break;
            case XA_R_GS: flat_segment(&v->seg, 0, SEG_DATA, segment_base(ARCH_GET_GS)); break;
            case XA_R_TR:
            case XA_R_LDTR: v->seg.attr = XA_SEG_ATTR_UNUSABLE; break;
            case XA_R_CR0: v->u64 = CR0_USER; break;
            case XA_R_CR3: v->u64 = PT_BASE; break;
            case XA_R_CR4: v->u64 = CR4_USER; break;
            case XA_R_EFER: v->u64 = EFER_USER; break;
            case XA_R_XCR0: v->u64 = 3; break; /* x87 and SSE state */
            default: break;                    /* CR2, CR8, PKRU, PKRS, K0-7: zero */
            }
        }
    }
    return 0;
}

static int set_regs(void *ctx, const uint16_t *names, unsigned count, const union xa_regval *values)
{
    struct trap *t = ctx;
    greg_t *g = t->uc->uc_mcontext.gregs;
    struct _libc_fpstate *fp = t->uc->uc_mcontext.fpregs;
    /* Check everything first: set_regs writes all or nothing. */
    for (unsigned i = 0; i < count; i++) {
        unsigned n = names[i];
        bool ok = n <= XA_R_R15 || n == XA_R_RIP || n == XA_R_RFLAGS ||
                  (fp && n >= XA_R_ZMM0 && n < XA_R_ZMM0 + 16) ||
                  (fp && n >= XA_R_MM0 && n <= XA_R_MM7);
        if (!ok)
            return -1; /* segments, control registers: a user process cannot change them */
    }
    for (unsigned i = 0; i < count; i++) {
        unsigned n = names[i];
        const union xa_regval *v = &values[i];
        if (n <= XA_R_R15)
            g[greg_of[n]] = (greg_t)v->u64;
        else if (n == XA_R_RIP)
            g[REG_RIP] = (greg_t)v->u64;
        else if (n == XA_R_RFLAGS)
            g[REG_EFL] = (greg_t)v->u64;
        else if (n >= XA_R_ZMM0 && n < XA_R_ZMM0 + 16)
            memcpy(&fp->_xmm[n - XA_R_ZMM0], v->vec, 16);
        else
            memcpy(fp->_st[n - XA_R_MM0].significand, &v->u64, 8);
    }
    return 0;
}

/* ---- memory: the device, the made-up page tables, the process's own memory */

/* An entry of the identity map (see the top of the file). */
static bool page_table_entry(uint64_t gpa, uint64_t *entry)
{
    if (gpa < PT_BASE || gpa >= PT_BASE + (uint64_t)PT_TABLES * PAGE)
        return false;
    uint64_t table = (gpa - PT_BASE) / PAGE, index = (gpa % PAGE) / 8;
    if (table == 0) /* PML4E[index] -> the PDPT of that index */
        *entry = (PT_BASE + (index + 1) * PAGE) | PTE_P | PTE_RW | PTE_US | PTE_A;
    else /* PDPTE[index] of PML4E[table - 1] -> a 1 GiB page */
        *entry =
            ((table - 1) << 39 | index << 30) | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D | PTE_PS;
    return true;
}

static unsigned elem_size(size_t size, unsigned flags)
{
    if (flags & XA_MEM_BATCHED)
        return 1u << ((flags & XA_MEM_ELEM_MASK) >> XA_MEM_ELEM_SHIFT);
    return size <= 8 ? (unsigned)size : 8;
}

static void record(struct trap *t, const struct region *r, uint64_t off, unsigned size,
                   uint64_t value, bool write)
{
    if (t->nacc < MAX_ACCESSES)
        t->acc[t->nacc] = (struct access){r, off, value, size, write};
    t->nacc++;
}

static int mem_read(void *ctx, uint64_t gpa, void *buf, size_t size, unsigned flags)
{
    struct trap *t = ctx;
    if ((flags & XA_MEM_KIND_MASK) == XA_MEM_PAGE_WALK) {
        uint64_t entry;
        if (size > 8 || !page_table_entry(gpa - gpa % 8, &entry))
            return -1;
        uint8_t le[8];
        for (unsigned k = 0; k < 8; k++)
            le[k] = (uint8_t)(entry >> (8 * k));
        memcpy(buf, le + gpa % 8, size);
        return 0;
    }
    const struct region *r = region_of(gpa);
    if (!r) {
        memcpy(buf, (const void *)(uintptr_t)gpa, size); /* the code, the stack, RAM */
        return 0;
    }
    if (gpa + size - r->base > r->size)
        return -1; /* half in the device, half outside: not a thing a driver does */
    if ((flags & XA_MEM_KIND_MASK) == XA_MEM_FETCH)
        return -1; /* executing from the device */
    unsigned es = elem_size(size, flags);
    uint8_t *out = buf;
    for (size_t done = 0; done < size; done += es) {
        unsigned n = size - done < es ? (unsigned)(size - done) : es;
        uint64_t off = gpa + done - r->base;
        uint64_t v = r->dev.read(r->dev.ctx, off, n);
        record(t, r, off, n, v, false);
        for (unsigned k = 0; k < n; k++)
            out[done + k] = (uint8_t)(v >> (8 * k));
    }
    return 0;
}

static int mem_write(void *ctx, uint64_t gpa, const void *buf, size_t size, unsigned flags)
{
    struct trap *t = ctx;
    if ((flags & XA_MEM_KIND_MASK) != XA_MEM_DATA)
        return -1; /* the identity map has its A and D bits set: no page-walk writes */
    const struct region *r = region_of(gpa);
    if (!r) {
        memcpy((void *)(uintptr_t)gpa, buf, size);
        return 0;
    }
    if (gpa + size - r->base > r->size)
        return -1;
    unsigned es = elem_size(size, flags);
    const uint8_t *in = buf;
    for (size_t done = 0; done < size; done += es) {
        unsigned n = size - done < es ? (unsigned)(size - done) : es;
        uint64_t off = gpa + done - r->base, v = 0;
        for (unsigned k = n; k-- > 0;)
            v = v << 8 | in[done + k];
        r->dev.write(r->dev.ctx, off, n, v);
        record(t, r, off, n, v, true);
    }
    return 0;
}

static const struct xa_cpu_ops cpu_ops = {
    .get_regs = get_regs,
    .set_regs = set_regs,
    .mem_read = mem_read,
    .mem_write = mem_write,
};

/* ---- the handler ---------------------------------------------------------- */

static void trace_instruction(const struct trap *t, const struct xa_outcome *out, uint64_t rip)
{
    char text[96];
    xa_format(&out->insn, rip, text, sizeof(text));
    for (unsigned i = 0; i < t->nacc; i++) {
        if (!trace_left || i >= MAX_ACCESSES) {
            untraced++;
            continue;
        }
        trace_left--;
        const struct access *a = &t->acc[i];
        const char *reg =
            a->r->dev.reg_name ? a->r->dev.reg_name(a->r->dev.ctx, a->offset, a->write) : NULL;
        struct line l = {.len = 0};
        put_str(&l, a->r->dev.name);
        put_str(&l, a->write ? ": write " : ": read  ");
        if (reg) {
            put_str(&l, reg);
        } else {
            put_str(&l, "+");
            put_hex(&l, a->offset, 2);
        }
        pad_to(&l, 24);
        put_str(&l, a->write ? "<- " : "-> ");
        put_hex(&l, a->value, 2 * a->size);
        pad_to(&l, 46);
        put_str(&l, text);
        emit(trace_fd, &l);
    }
}

static void die(const struct xa_outcome *out, xa_status st, uint64_t rip, const uint8_t *bytes,
                unsigned nbytes)
{
    struct line l = {.len = 0};
    put_str(&l, "mmiotrap: ");
    if (st == XA_ERR_UNSUPPORTED) {
        put_str(&l, "unsupported instruction '");
        put_str(&l, xa_mnemonic_name(out->mnemonic));
        put_str(&l, "'");
    } else if (st == XA_EXCEPTION) {
        put_str(&l, "'");
        put_str(&l, xa_mnemonic_name(out->mnemonic));
        put_str(&l, "' raises exception vector ");
        put_dec(&l, out->exception.vector);
        if (out->exception.has_error_code) {
            put_str(&l, " error code ");
            put_hex(&l, out->exception.error_code, 1);
        }
    } else {
        put_str(&l, "cannot emulate: ");
        put_str(&l, xa_status_name(st));
        if (out->mnemonic) {
            put_str(&l, " ('");
            put_str(&l, xa_mnemonic_name(out->mnemonic));
            put_str(&l, "')");
        }
    }
    put_str(&l, " at rip ");
    put_hex(&l, rip, 1);
    put_str(&l, ", bytes");
    unsigned len = st == XA_ERR_UNSUPPORTED || st == XA_EXCEPTION ? out->insn.length : 0;
    if (!len || len > nbytes)
        len = nbytes;
    for (unsigned i = 0; i < len; i++) {
        put_str(&l, i ? " " : " ");
        char hx[3] = {"0123456789abcdef"[bytes[i] >> 4], "0123456789abcdef"[bytes[i] & 15], 0};
        put_str(&l, hx);
    }
    emit(2, &l);
    _exit(3);
}

static void on_segv(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    uint64_t addr = (uintptr_t)si->si_addr;
    if (si->si_code != SEGV_ACCERR || !region_of(addr)) {
        /* Not ours: the default action, when the instruction faults again. */
        signal(sig, SIG_DFL);
        return;
    }
    int saved_errno = errno;
    uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];

    /* The instruction bytes, up to 15 but not past the end of the code's page (the next
     * page may not exist; x86assist fetches more through mem_read if it needs them). */
    struct xa_mmio_exit exit = {.gpa = addr, .gva = addr, .gva_valid = true};
    unsigned n = PAGE - (unsigned)(rip % PAGE);
    exit.nbytes = (uint8_t)(n < XA_MAX_INSN_LENGTH ? n : XA_MAX_INSN_LENGTH);
    memcpy(exit.bytes, (const void *)(uintptr_t)rip, exit.nbytes);

    /* The vCPU: SSE but no AVX (the signal frame's FXSAVE image holds only XMM0-15). */
    struct xa_cpu_model model = {
        .vendor = XA_VENDOR_INTEL,
        .maxphyaddr = 52,
        .features =
            XA_FEAT_ALL & ~(uint32_t)(XA_FEAT_AVX | XA_FEAT_AVX2 | XA_FEAT_AVX512F |
                                      XA_FEAT_AVX512BW | XA_FEAT_AVX512DQ | XA_FEAT_AVX512VL),
    };
    struct trap t = {.uc = uc, .nacc = 0};
    struct xa_vcpu vcpu;
    struct xa_outcome out;
    xa_status st = xa_vcpu_init(&vcpu, &cpu_ops, &t, &model);
    if (st == XA_OK)
        st = xa_assist_mmio(&vcpu, &exit, &out);
    if (st == XA_RETRY) {
        /* Nothing happened: run the instruction again (it faults again). */
        retries = addr == retry_addr ? retries + 1 : 1;
        retry_addr = addr;
        if (retries < MAX_RETRIES) {
            errno = saved_errno;
            return;
        }
    }
    if (st != XA_OK)
        die(&out, st, rip, exit.bytes, exit.nbytes);
    retries = 0;
    emulated++;
    if (out.mnemonic < XA_MNEM_COUNT)
        mnemonic_count[out.mnemonic]++;
    if (trace_fd >= 0)
        trace_instruction(&t, &out, rip);
    else
        untraced += t.nacc;
    errno = saved_errno;
}

/* ---- the API ----------------------------------------------------------- */

void *mmiotrap_map(size_t size, const struct mmiotrap_device *dev)
{
    if (!size || !dev || !dev->read || !dev->write) {
        errno = EINVAL;
        return NULL;
    }
    struct region *slot = NULL;
    for (unsigned i = 0; i < MAX_REGIONS && !slot; i++)
        if (!regions[i].size)
            slot = &regions[i];
    if (!slot) {
        errno = ENOSPC;
        return NULL;
    }
    if (!handler_installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGSEGV, &sa, NULL) != 0)
            return NULL;
        handler_installed = true;
    }
    size = (size + PAGE - 1) / PAGE * PAGE;
    void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    slot->dev = *dev;
    slot->base = (uintptr_t)p;
    slot->size = size; /* last: the handler sees the region only once it is complete */
    return p;
}

void mmiotrap_unmap(void *region)
{
    for (unsigned i = 0; i < MAX_REGIONS; i++)
        if (regions[i].size && regions[i].base == (uintptr_t)region) {
            munmap(region, regions[i].size);
            regions[i].size = 0;
        }
}

void mmiotrap_trace(int fd, unsigned max_lines)
{
    trace_fd = max_lines ? fd : -1;
    trace_left = max_lines;
    untraced = 0;
}

unsigned long mmiotrap_untraced(void)
{
    return untraced;
}

unsigned long mmiotrap_emulated(void)
{
    return emulated;
}

void mmiotrap_print_mnemonics(FILE *f)
{
    bool shown[XA_MNEM_COUNT] = {false};
    const char *sep = "";
    for (;;) {
        unsigned best = 0;
        for (unsigned m = 1; m < XA_MNEM_COUNT; m++)
            if (mnemonic_count[m] && !shown[m] && mnemonic_count[m] > mnemonic_count[best])
                best = m;
        if (!best)
            break;
        shown[best] = true;
        fprintf(f, "%s%s x%lu", sep, xa_mnemonic_name(best), mnemonic_count[best]);
        sep = ", ";
    }
    fputc('\n', f);
}
