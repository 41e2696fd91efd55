/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86assist emulate: run one instruction of a STATE through the library the way
 * a hypervisor does (cli-json.md, "emulate"). The tool plays the hypervisor:
 * its callbacks read and write the STATE's registers and memory, hand MMIO
 * accesses to the "device" element by element, and log every data access.
 */
#define _POSIX_C_SOURCE 200809L /* getline, strdup */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <x86assist/x86assist.h>

#include "insn_json.h"
#include "jsonl.h"
#include "state.h"
#include "tool.h"

/* Calls of the library for one instruction (REP instructions return XA_CONTINUE). */
#define MAX_CALLS 100000

struct hv {
    struct state *st;
    json_t *mem_log, *io_log;
    uint8_t fetched[XA_MAX_INSN_LENGTH]; /* instruction bytes, in order */
    size_t nfetched;
};

/* ---- registers ---------------------------------------------------------- */

static int reg_io(struct state *st, unsigned r, union xa_regval *v, bool set)
{
    uint64_t *p = NULL;
    if (r <= XA_R_R15)
        p = &st->gpr[r];
    else if (r == XA_R_RIP)
        p = &st->rip;
    else if (r == XA_R_RFLAGS)
        p = &st->rflags;
    else if (r >= XA_R_ES && r <= XA_R_LDTR) {
        struct state_segment *s = &st->seg[r - XA_R_ES];
        if (set) {
            s->sel = v->seg.selector;
            s->base = v->seg.base;
            s->limit = v->seg.limit;
            s->attr = v->seg.attr;
        } else {
            memset(&v->seg, 0, sizeof(v->seg));
            v->seg.selector = s->sel;
            v->seg.base = s->base;
            v->seg.limit = s->limit;
            v->seg.attr = s->attr;
        }
        return 0;
    } else if (r == XA_R_CR0)
        p = &st->cr0;
    else if (r == XA_R_CR2)
        p = &st->cr2;
    else if (r == XA_R_CR3)
        p = &st->cr3;
    else if (r == XA_R_CR4)
        p = &st->cr4;
    else if (r == XA_R_CR8)
        p = &st->cr8;
    else if (r == XA_R_EFER)
        p = &st->efer;
    else if (r == XA_R_XCR0)
        p = &st->xcr0;
    else if (r == XA_R_PKRS)
        p = &st->pkrs;
    else if (r == XA_R_PKRU) {
        if (set)
            st->pkru = (uint32_t)v->u64;
        else
            v->u64 = st->pkru;
        return 0;
    } else if (r >= XA_R_ZMM0 && r <= XA_R_ZMM31) {
        if (set)
            memcpy(st->zmm[r - XA_R_ZMM0], v->vec, 64);
        else
            memcpy(v->vec, st->zmm[r - XA_R_ZMM0], 64);
        return 0;
    } else if (r >= XA_R_K0 && r <= XA_R_K7)
        p = &st->k[r - XA_R_K0];
    else if (r >= XA_R_MM0 && r <= XA_R_MM7)
        p = &st->mm[r - XA_R_MM0];
    else
        return -1;
    if (set)
        *p = v->u64;
    else
        v->u64 = *p;
    return 0;
}

static int get_regs_cb(void *ctx, const uint16_t *names, unsigned count, union xa_regval *values)
{
    struct hv *hv = ctx;
    for (unsigned i = 0; i < count; i++)
        if (reg_io(hv->st, names[i], &values[i], false) != 0)
            return -1;
    return 0;
}

static int set_regs_cb(void *ctx, const uint16_t *names, unsigned count,
                       const union xa_regval *values)
{
    struct hv *hv = ctx;
    for (unsigned i = 0; i < count; i++) {
        union xa_regval v = values[i];
        if (reg_io(hv->st, names[i], &v, true) != 0)
            return -1;
    }
    return 0;
}

/* ---- memory -------------------------------------------------------------- */

static void log_mem(struct hv *hv, const char *op, uint64_t gpa, const void *buf, size_t size,
                    bool locked)
{
    char data[2 * 4096 + 1];
    json_t *o = json_object();
    json_object_set_new(o, "op", json_string(op));
    json_set_hex(o, "gpa", gpa);
    json_object_set_new(o, "size", json_integer((json_int_t)size));
    format_hex_bytes(buf, size, data);
    json_object_set_new(o, "data", json_string(data));
    if (locked)
        json_object_set_new(o, "locked", json_true());
    json_array_append_new(hv->mem_log, o);
}

/* Logs a data access: RAM as made; MMIO one entry per element. */
static void log_access(struct hv *hv, const char *op, uint64_t gpa, const uint8_t *buf, size_t size,
                       unsigned flags)
{
    bool locked = (flags & XA_MEM_LOCKED) != 0;
    size_t elem = size;
    if (flags & XA_MEM_BATCHED)
        elem = (size_t)1 << ((flags & XA_MEM_ELEM_MASK) >> XA_MEM_ELEM_SHIFT);
    if (elem == size || elem == 0 || !state_is_mmio(&hv->st->mem, gpa)) {
        log_mem(hv, op, gpa, buf, size, locked);
        return;
    }
    size_t n = size / elem;
    for (size_t i = 0; i < n; i++) {
        /* In the order the instruction made them: downwards with DF=1. */
        size_t k = (flags & XA_MEM_DOWN) ? n - 1 - i : i;
        log_mem(hv, op, gpa + k * elem, buf + k * elem, elem, locked);
    }
}

static int mem_read_cb(void *ctx, uint64_t gpa, void *buf, size_t size, unsigned flags)
{
    struct hv *hv = ctx;
    if (state_mem_read(&hv->st->mem, gpa, buf, size) != 0)
        return -1;
    unsigned kind = flags & XA_MEM_KIND_MASK;
    if (kind == XA_MEM_FETCH) {
        size_t n = size;
        if (n > sizeof(hv->fetched) - hv->nfetched)
            n = sizeof(hv->fetched) - hv->nfetched;
        memcpy(hv->fetched + hv->nfetched, buf, n);
        hv->nfetched += n;
    } else if (kind == XA_MEM_DATA) {
        log_access(hv, "read", gpa, buf, size, flags);
    }
    return 0;
}

static int mem_write_cb(void *ctx, uint64_t gpa, const void *buf, size_t size, unsigned flags)
{
    struct hv *hv = ctx;
    if (state_mem_write(&hv->st->mem, gpa, buf, size) != 0)
        return -1;
    if ((flags & XA_MEM_KIND_MASK) == XA_MEM_DATA)
        log_access(hv, "write", gpa, buf, size, flags);
    return 0;
}

static int mem_cmpxchg_cb(void *ctx, uint64_t gpa, void *expected, const void *desired, size_t size,
                          unsigned flags)
{
    struct hv *hv = ctx;
    uint8_t cur[16];
    if (size > sizeof(cur) || state_mem_read(&hv->st->mem, gpa, cur, size) != 0)
        return -1;
    if (memcmp(cur, expected, size) != 0) {
        memcpy(expected, cur, size);
        return 1;
    }
    if (state_mem_write(&hv->st->mem, gpa, desired, size) != 0)
        return -1;
    if ((flags & XA_MEM_KIND_MASK) == XA_MEM_DATA)
        log_access(hv, "write", gpa, desired, size, flags | XA_MEM_LOCKED);
    return 0;
}

/* ---- port I/O -------------------------------------------------------------- */

static void log_io(struct hv *hv, const char *op, uint16_t port, const void *buf, unsigned size,
                   unsigned count)
{
    size_t n = (size_t)size * count;
    char *data = malloc(2 * n + 1);
    json_t *o = json_object();
    json_object_set_new(o, "op", json_string(op));
    json_set_hex(o, "port", port);
    json_object_set_new(o, "size", json_integer(size));
    json_object_set_new(o, "count", json_integer(count));
    if (data) {
        format_hex_bytes(buf, n, data);
        json_object_set_new(o, "data", json_string(data));
        free(data);
    }
    json_array_append_new(hv->io_log, o);
}

static int io_read_cb(void *ctx, uint16_t port, void *buf, unsigned size, unsigned count)
{
    struct hv *hv = ctx;
    uint8_t *b = buf;
    struct state_port *p = NULL;
    for (size_t i = 0; i < hv->st->nports; i++)
        if (hv->st->ports[i].port == port)
            p = &hv->st->ports[i];
    for (size_t i = 0; i < (size_t)size * count; i++)
        b[i] = p && p->pos < p->len ? p->data[p->pos++] : 0xff;
    log_io(hv, "in", port, buf, size, count);
    return 0;
}

static int io_write_cb(void *ctx, uint16_t port, const void *buf, unsigned size, unsigned count)
{
    log_io(ctx, "out", port, buf, size, count);
    return 0;
}

static const struct xa_cpu_ops hv_ops = {
    .get_regs = get_regs_cb,
    .set_regs = set_regs_cb,
    .mem_read = mem_read_cb,
    .mem_write = mem_write_cb,
    .mem_cmpxchg = mem_cmpxchg_cb,
    .io_read = io_read_cb,
    .io_write = io_write_cb,
};

/* ---- the result ------------------------------------------------------------ */

static const char *const gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const seg_names[SEG_COUNT] = {"es", "cs", "ss", "ds", "fs", "gs", "tr", "ldtr"};

/* The registers that differ between a and b, in STATE order. */
static json_t *changed_regs(const struct state *a, const struct state *b)
{
    json_t *o = json_object();
    char name[8];
    for (int i = 0; i < 16; i++)
        if (a->gpr[i] != b->gpr[i])
            json_set_hex(o, gpr_names[i], b->gpr[i]);
    if (a->rip != b->rip)
        json_set_hex(o, "rip", b->rip);
    if (a->rflags != b->rflags)
        json_set_hex(o, "rflags", b->rflags);
    const struct {
        const char *n;
        uint64_t x, y;
    } cr[] = {{"cr0", a->cr0, b->cr0},    {"cr2", a->cr2, b->cr2},    {"cr3", a->cr3, b->cr3},
              {"cr4", a->cr4, b->cr4},    {"cr8", a->cr8, b->cr8},    {"efer", a->efer, b->efer},
              {"xcr0", a->xcr0, b->xcr0}, {"pkru", a->pkru, b->pkru}, {"pkrs", a->pkrs, b->pkrs}};
    for (size_t i = 0; i < sizeof(cr) / sizeof(cr[0]); i++)
        if (cr[i].x != cr[i].y)
            json_set_hex(o, cr[i].n, cr[i].y);
    for (int i = 0; i < SEG_COUNT; i++) {
        const struct state_segment *x = &a->seg[i], *y = &b->seg[i];
        if (x->sel != y->sel || x->base != y->base || x->limit != y->limit || x->attr != y->attr) {
            json_t *s = json_object();
            json_set_hex(s, "sel", y->sel);
            json_set_hex(s, "base", y->base);
            json_set_hex(s, "limit", y->limit);
            json_set_hex(s, "attr", y->attr);
            json_object_set_new(o, seg_names[i], s);
        }
    }
    for (int i = 0; i < 32; i++)
        if (memcmp(a->zmm[i], b->zmm[i], 64) != 0) {
            char hex[129];
            format_hex_bytes(b->zmm[i], 64, hex);
            snprintf(name, sizeof(name), "zmm%d", i);
            json_object_set_new(o, name, json_string(hex));
        }
    for (int i = 0; i < 8; i++)
        if (a->k[i] != b->k[i]) {
            snprintf(name, sizeof(name), "k%d", i);
            json_set_hex(o, name, b->k[i]);
        }
    for (int i = 0; i < 8; i++)
        if (a->mm[i] != b->mm[i]) {
            snprintf(name, sizeof(name), "mm%d", i);
            json_set_hex(o, name, b->mm[i]);
        }
    return o;
}

static const char *status_word(xa_status s)
{
    switch (s) {
    case XA_OK: return "ok";
    case XA_EXCEPTION: return "exception";
    case XA_ERR_UNSUPPORTED: return "unsupported";
    default: return "error";
    }
}

/* Runs the instruction of st; returns the result object. */
static json_t *run(struct state *st)
{
    struct hv hv = {st, json_array(), json_array(), {0}, 0};
    struct state before = *st; /* registers only are compared */
    struct xa_vcpu vcpu;
    struct xa_outcome out;
    memset(&out, 0, sizeof(out));
    xa_status s = xa_vcpu_init(&vcpu, &hv_ops, &hv, &st->cpu);
    struct xa_mmio_exit ex;
    memset(&ex, 0, sizeof(ex));
    bool mmio_exit = st->exit.present && !st->exit.is_io;
    if (mmio_exit) {
        ex.gpa = st->exit.gpa;
        ex.gva = st->exit.gva;
        ex.gva_valid = st->exit.has_gva;
        ex.nbytes = (uint8_t)st->exit.nbytes;
        memcpy(ex.bytes, st->exit.bytes, st->exit.nbytes);
        memcpy(hv.fetched, ex.bytes, ex.nbytes);
        hv.nfetched = ex.nbytes;
    }
    struct xa_io_exit iox;
    memset(&iox, 0, sizeof(iox));
    bool io_exit = st->exit.present && st->exit.is_io;
    if (io_exit) {
        iox.port = st->exit.port;
        iox.size = (uint8_t)st->exit.size;
        iox.in = st->exit.in;
        iox.string = st->exit.string;
        iox.rep = st->exit.rep;
        iox.nbytes = (uint8_t)st->exit.nbytes;
        memcpy(iox.bytes, st->exit.bytes, st->exit.nbytes);
        memcpy(hv.fetched, iox.bytes, iox.nbytes);
        hv.nfetched = iox.nbytes;
    }
    uint64_t rip = st->rip;
    for (unsigned calls = 0; s == XA_OK && calls < MAX_CALLS; calls++) {
        /* After XA_CONTINUE an MMIO exit no longer names the next element: the rest of
         * the REP instruction goes the fetch path (an I/O exit still describes it). */
        if (io_exit)
            s = xa_assist_io(&vcpu, &iox, &out);
        else if (mmio_exit && calls == 0)
            s = xa_assist_mmio(&vcpu, &ex, &out);
        else
            s = xa_step(&vcpu, &out);
        if (s != XA_CONTINUE)
            break;
        s = XA_OK;
        hv.nfetched = io_exit ? iox.nbytes : 0;
    }

    json_t *o = json_object();
    json_object_set_new(o, "status", json_string(status_word(s)));
    if (s == XA_EXCEPTION) {
        json_t *x = json_object();
        json_object_set_new(x, "vector", json_integer(out.exception.vector));
        json_set_hex(x, "error_code", out.exception.error_code);
        if (out.exception.vector == XA_VEC_PF)
            json_set_hex(x, "cr2", out.exception.cr2);
        json_object_set_new(o, "exception", x);
    } else if (s == XA_ERR_UNSUPPORTED) {
        json_object_set_new(o, "mnemonic", json_string(xa_mnemonic_name(out.mnemonic)));
    } else if (s != XA_OK) {
        json_object_set_new(o, "error", json_string(xa_status_name(s)));
    }
    if (out.insn.mnemonic != XA_MNEM_INVALID && out.insn.length && out.insn.length <= hv.nfetched) {
        json_t *insn = insn_to_json(&out.insn, rip, hv.fetched);
        if (insn)
            json_object_set_new(o, "insn", insn);
    }
    json_object_set_new(o, "regs", changed_regs(&before, st));
    json_object_set_new(o, "mem_log", hv.mem_log);
    json_object_set_new(o, "io_log", hv.io_log);
    return o;
}

/* The text form: the status line, then one line per change. */
static char *to_text(const json_t *o)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    const json_t *insn = json_object_get(o, "insn");
    fprintf(f, "%s: %s",
            insn ? json_string_value(json_object_get(insn, "text")) : "(no instruction)",
            json_string_value(json_object_get(o, "status")));
    const json_t *x = json_object_get(o, "exception");
    if (x) {
        fprintf(f, " vector %" JSON_INTEGER_FORMAT " error_code %s",
                json_integer_value(json_object_get(x, "vector")),
                json_string_value(json_object_get(x, "error_code")));
        if (json_object_get(x, "cr2"))
            fprintf(f, " cr2 %s", json_string_value(json_object_get(x, "cr2")));
    }
    const json_t *v;
    if ((v = json_object_get(o, "mnemonic")))
        fprintf(f, " (%s)", json_string_value(v));
    if ((v = json_object_get(o, "error")))
        fprintf(f, " (%s)", json_string_value(v));
    fprintf(f, "\n");
    const char *key;
    json_object_foreach((json_t *)json_object_get(o, "regs"), key, v)
    {
        if (json_is_string(v))
            fprintf(f, "  %s = %s\n", key, json_string_value(v));
        else
            fprintf(f, "  %s changed\n", key);
    }
    size_t i;
    json_array_foreach(json_object_get(o, "mem_log"), i, v)
    {
        fprintf(f, "  %s gpa %s size %" JSON_INTEGER_FORMAT " data %s\n",
                json_string_value(json_object_get(v, "op")),
                json_string_value(json_object_get(v, "gpa")),
                json_integer_value(json_object_get(v, "size")),
                json_string_value(json_object_get(v, "data")));
    }
    json_array_foreach(json_object_get(o, "io_log"), i, v)
    {
        fprintf(f, "  %s port %s size %" JSON_INTEGER_FORMAT " count %" JSON_INTEGER_FORMAT "\n",
                json_string_value(json_object_get(v, "op")),
                json_string_value(json_object_get(v, "port")),
                json_integer_value(json_object_get(v, "size")),
                json_integer_value(json_object_get(v, "count")));
    }
    fclose(f);
    if (len && buf[len - 1] == '\n')
        buf[len - 1] = 0;
    return buf;
}

/* Emulates the STATE in root: 0 with the output line in *line (malloced), or -1. */
static int emulate_one(const json_t *root, bool json, char **line, char *err, size_t errlen)
{
    struct state st;
    if (state_from_json(root, &st, err, errlen) != 0) {
        state_free(&st);
        return -1;
    }
    json_t *o = run(&st);
    state_free(&st);
    *line = json ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : to_text(o);
    json_decref(o);
    if (!*line) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: x86assist emulate STATE.json [--json] | x86assist emulate --jsonl\n");
    return 1;
}

static int emulate_line(json_t *root, char **out, char *err, size_t errlen)
{
    return emulate_one(root, true, out, err, errlen);
}

int cmd_emulate(int argc, char **argv)
{
    const char *file = NULL;
    bool json = false, jsonl = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json"))
            json = true;
        else if (!strcmp(a, "--jsonl"))
            jsonl = true;
        else if ((a[0] != '-' || !strcmp(a, "-")) && !file)
            file = a;
        else {
            fprintf(stderr, "emulate: unknown or extra argument: %s\n", a);
            return usage();
        }
    }
    if (jsonl) {
        if (file || json) {
            fprintf(stderr, "emulate: --jsonl takes no other argument\n");
            return 1;
        }
        return jsonl_run(emulate_line);
    }
    if (!file)
        return usage();
    json_error_t je;
    json_t *root = !strcmp(file, "-") ? json_loadf(stdin, 0, &je) : json_load_file(file, 0, &je);
    if (!root) {
        fprintf(stderr, "emulate: %s: line %d: %s\n", file, je.line, je.text);
        return 1;
    }
    char err[256], *line = NULL;
    int bad = emulate_one(root, json, &line, err, sizeof(err));
    json_decref(root);
    if (bad) {
        fprintf(stderr, "emulate: %s\n", err);
        return 1;
    }
    printf("%s\n", line);
    free(line);
    return 0;
}
