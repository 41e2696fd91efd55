/* SPDX-License-Identifier: BSD-2-Clause */
/* Parsing the STATE JSON into struct state, and its sparse guest memory. */
#include "state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define MAX_MMIO_SIZE (16u << 20) /* per range */
#define MAX_DATA      (64u << 20) /* bytes of one "data" string */
#define PHYS_LIMIT    (1ull << 52)

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int state_json_u64(const json_t *v, uint64_t *out)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0)
            return -1;
        *out = (uint64_t)i;
        return 0;
    }
    if (json_is_string(v))
        return parse_u64(json_string_value(v), out);
    return -1;
}

/* ---- memory ---------------------------------------------------------- */

static struct state_page *find_page(struct state_mem *m, uint64_t pfn, size_t *pos)
{
    size_t lo = 0, hi = m->npages;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->pages[mid].pfn < pfn)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return lo < m->npages && m->pages[lo].pfn == pfn ? &m->pages[lo] : NULL;
}

static struct state_page *get_page(struct state_mem *m, uint64_t pfn)
{
    size_t pos;
    struct state_page *p = find_page(m, pfn, &pos);
    if (p)
        return p;
    if (m->npages == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 16;
        struct state_page *np = realloc(m->pages, cap * sizeof(*np));
        if (!np)
            return NULL;
        m->pages = np;
        m->cap = cap;
    }
    uint8_t *data = calloc(1, 4096);
    if (!data)
        return NULL;
    memmove(&m->pages[pos + 1], &m->pages[pos], (m->npages - pos) * sizeof(*m->pages));
    m->pages[pos].pfn = pfn;
    m->pages[pos].data = data;
    m->npages++;
    return &m->pages[pos];
}

static struct state_mmio *find_mmio(struct state_mem *m, uint64_t gpa)
{
    for (size_t i = 0; i < m->nmmio; i++)
        if (gpa >= m->mmio[i].gpa && gpa - m->mmio[i].gpa < m->mmio[i].size)
            return &m->mmio[i];
    return NULL;
}

bool state_is_mmio(struct state_mem *m, uint64_t gpa)
{
    return find_mmio(m, gpa) != NULL;
}

static int mem_byte(struct state_mem *m, uint64_t gpa, uint8_t *b, bool write)
{
    if (gpa >= PHYS_LIMIT)
        return -1;
    struct state_mmio *r = find_mmio(m, gpa);
    if (r) {
        if (write)
            r->data[gpa - r->gpa] = *b;
        else
            *b = r->data[gpa - r->gpa];
        return 0;
    }
    size_t pos;
    struct state_page *p = write ? get_page(m, gpa >> 12) : find_page(m, gpa >> 12, &pos);
    if (write) {
        if (!p)
            return -1;
        p->data[gpa & 0xfff] = *b;
    } else {
        *b = p ? p->data[gpa & 0xfff] : 0;
    }
    return 0;
}

int state_mem_read(struct state_mem *m, uint64_t gpa, void *buf, size_t n)
{
    uint8_t *b = buf;
    for (size_t i = 0; i < n; i++)
        if (mem_byte(m, gpa + i, &b[i], false) != 0)
            return -1;
    return 0;
}

int state_mem_write(struct state_mem *m, uint64_t gpa, const void *buf, size_t n)
{
    const uint8_t *b = buf;
    for (size_t i = 0; i < n; i++) {
        uint8_t v = b[i];
        if (mem_byte(m, gpa + i, &v, true) != 0)
            return -1;
    }
    return 0;
}

/* ---- fields ---------------------------------------------------------- */

static int get_u64(const json_t *obj, const char *key, const char *path, uint64_t *out,
                   uint64_t max, char *err, size_t errlen)
{
    const json_t *v = json_object_get(obj, key);
    if (!v)
        return 1; /* absent */
    if (state_json_u64(v, out) != 0)
        return fail(err, errlen, "%s%s: not a number", path, key);
    if (*out > max)
        return fail(err, errlen, "%s%s: out of range", path, key);
    return 0;
}

/* Decodes a "data" hex string into a fresh buffer. */
static long get_hex(const json_t *v, const char *path, uint8_t **out, char *err, size_t errlen)
{
    if (!json_is_string(v))
        return fail(err, errlen, "%s: not a hex string", path);
    size_t len = json_string_length(v);
    if (len / 2 > MAX_DATA)
        return fail(err, errlen, "%s: too long", path);
    uint8_t *buf = malloc(len / 2 + 1);
    if (!buf)
        return fail(err, errlen, "%s: out of memory", path);
    long n = parse_hex_bytes(json_string_value(v), buf, len / 2 + 1);
    if (n < 0) {
        free(buf);
        return fail(err, errlen, "%s: bad hex bytes", path);
    }
    *out = buf;
    return n;
}

static const struct {
    const char *name;
    uint32_t bits;
} feature_names[] = {
    {"pse36", XA_FEAT_PSE36},
    {"1g", XA_FEAT_1G},
    {"la57", XA_FEAT_LA57},
    {"nx", XA_FEAT_NX},
    {"smep", XA_FEAT_SMEP},
    {"smap", XA_FEAT_SMAP},
    {"pku", XA_FEAT_PKU},
    {"pks", XA_FEAT_PKS},
    {"sse3", XA_FEAT_SSE3},
    {"ssse3", XA_FEAT_SSSE3},
    {"sse4.1", XA_FEAT_SSE4_1},
    {"sse4.2", XA_FEAT_SSE4_2},
    {"avx", XA_FEAT_AVX},
    {"avx2", XA_FEAT_AVX2},
    {"avx512f", XA_FEAT_AVX512F},
    {"avx512bw", XA_FEAT_AVX512BW},
    {"avx512dq", XA_FEAT_AVX512DQ},
    {"avx512vl", XA_FEAT_AVX512VL},
    {"avx512", XA_FEAT_AVX512F | XA_FEAT_AVX512BW | XA_FEAT_AVX512DQ | XA_FEAT_AVX512VL},
    {"movbe", XA_FEAT_MOVBE},
    {"movdiri", XA_FEAT_MOVDIRI},
    {"movdir64b", XA_FEAT_MOVDIR64B},
    {"popcnt", XA_FEAT_POPCNT},
    {"lzcnt", XA_FEAT_LZCNT},
    {"bmi1", XA_FEAT_BMI1},
    {"bmi2", XA_FEAT_BMI2},
    {"cx16", XA_FEAT_CX16},
    {"clflushopt", XA_FEAT_CLFLUSHOPT},
    {"clwb", XA_FEAT_CLWB},
};

static int parse_cpu(const json_t *cpu, struct state *st, char *err, size_t errlen)
{
    st->cpu.vendor = XA_VENDOR_INTEL;
    st->cpu.maxphyaddr = 52;
    st->cpu.features = XA_FEAT_ALL;
    if (!cpu)
        return 0;
    if (!json_is_object(cpu))
        return fail(err, errlen, "cpu: not an object");
    const json_t *v = json_object_get(cpu, "vendor");
    if (v) {
        const char *s = json_string_value(v);
        if (s && !strcmp(s, "intel"))
            st->cpu.vendor = XA_VENDOR_INTEL;
        else if (s && !strcmp(s, "amd"))
            st->cpu.vendor = XA_VENDOR_AMD;
        else
            return fail(err, errlen, "cpu.vendor: not \"intel\" or \"amd\"");
    }
    uint64_t m;
    int r = get_u64(cpu, "maxphyaddr", "cpu.", &m, 52, err, errlen);
    if (r < 0)
        return -1;
    if (r == 0) {
        if (m < 32)
            return fail(err, errlen, "cpu.maxphyaddr: out of range (32..52)");
        st->cpu.maxphyaddr = (uint8_t)m;
    }
    v = json_object_get(cpu, "features");
    if (v) {
        if (!json_is_array(v))
            return fail(err, errlen, "cpu.features: not an array");
        st->cpu.features = 0;
        size_t i;
        const json_t *f;
        json_array_foreach(v, i, f)
        {
            const char *s = json_string_value(f);
            size_t k = 0, n = sizeof(feature_names) / sizeof(feature_names[0]);
            while (k < n && (!s || strcmp(s, feature_names[k].name)))
                k++;
            if (k == n)
                return fail(err, errlen, "cpu.features[%zu]: unknown feature %s%s%s", i,
                            s ? "\"" : "", s ? s : "(not a string)", s ? "\"" : "");
            st->cpu.features |= feature_names[k].bits;
        }
    }
    return 0;
}

static const char *const gpr_names[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                          "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const seg_names[SEG_COUNT] = {"es", "cs", "ss", "ds", "fs", "gs", "tr", "ldtr"};

/* Segments absent from the STATE: flat segments of the current mode. */
static void default_segments(struct state *st, const bool given[SEG_COUNT])
{
    bool pe = st->cr0 & 1, lma = (st->efer >> 10) & 1, vm = (st->rflags >> 17) & 1;
    for (int i = 0; i < SEG_COUNT; i++) {
        if (given[i])
            continue;
        struct state_segment *s = &st->seg[i];
        memset(s, 0, sizeof(*s));
        if (i == SEG_TR) {
            s->limit = 0xffff;
            s->attr = 0x8b;
        } else if (i == SEG_LDTR) {
            s->attr = 0x10000;
        } else if (!pe || vm) {
            s->limit = 0xffff;
            s->attr = (i == SEG_CS ? 0x9bu : 0x93u) | (vm ? 0x60u : 0u);
        } else {
            s->limit = 0xffffffffu;
            if (i != SEG_CS)
                s->attr = 0xc093;
            else
                s->attr = lma ? 0xa09b : 0xc09b;
        }
    }
}

static int parse_segment(const json_t *v, const char *name, struct state_segment *s, char *err,
                         size_t errlen)
{
    char path[32];
    snprintf(path, sizeof(path), "regs.%s.", name);
    if (!json_is_object(v))
        return fail(err, errlen, "regs.%s: not an object", name);
    const char *key;
    const json_t *f;
    json_object_foreach((json_t *)v, key, f)
    {
        if (strcmp(key, "sel") && strcmp(key, "base") && strcmp(key, "limit") &&
            strcmp(key, "attr"))
            return fail(err, errlen, "regs.%s.%s: unknown member", name, key);
    }
    uint64_t x;
    int r;
    if ((r = get_u64(v, "sel", path, &x, 0xffff, err, errlen)) < 0)
        return -1;
    s->sel = r ? 0 : (uint16_t)x;
    if ((r = get_u64(v, "base", path, &x, UINT64_MAX, err, errlen)) < 0)
        return -1;
    s->base = r ? 0 : x;
    if ((r = get_u64(v, "limit", path, &x, 0xffffffffu, err, errlen)) < 0)
        return -1;
    s->limit = r ? 0xffffffffu : (uint32_t)x;
    if ((r = get_u64(v, "attr", path, &x, 0x1ffff, err, errlen)) < 0)
        return -1;
    s->attr = r ? 0xc093 : (uint32_t)x;
    return 0;
}

static int parse_vector(const json_t *v, const char *key, struct state *st, char *err,
                        size_t errlen)
{
    unsigned n;
    size_t width;
    if (sscanf(key, "xmm%u", &n) == 1)
        width = 16;
    else if (sscanf(key, "ymm%u", &n) == 1)
        width = 32;
    else
        width = 64, (void)sscanf(key, "zmm%u", &n);
    uint8_t *buf;
    char path[32];
    snprintf(path, sizeof(path), "regs.%s", key);
    long got = get_hex(v, path, &buf, err, errlen);
    if (got < 0)
        return -1;
    if ((size_t)got != width) {
        free(buf);
        return fail(err, errlen, "regs.%s: needs %zu bytes", key, width);
    }
    memcpy(st->zmm[n], buf, width);
    free(buf);
    return 0;
}

static bool is_vector_name(const char *key)
{
    unsigned n;
    char tail;
    if ((key[0] == 'x' || key[0] == 'y' || key[0] == 'z') && !strncmp(key + 1, "mm", 2) &&
        sscanf(key + 3, "%u%c", &n, &tail) == 1 && n < 32 && key[3] >= '0' && key[3] <= '9' &&
        !(key[3] == '0' && key[4]))
        return true;
    return false;
}

static int parse_regs(const json_t *regs, struct state *st, char *err, size_t errlen)
{
    bool given[SEG_COUNT] = {false};
    st->rflags = 0x2;
    if (regs && !json_is_object(regs))
        return fail(err, errlen, "regs: not an object");
    if (regs) {
        const char *key;
        const json_t *v;
        json_object_foreach((json_t *)regs, key, v)
        {
            uint64_t *dst = NULL;
            uint64_t max = UINT64_MAX;
            for (int i = 0; i < 16; i++)
                if (!strcmp(key, gpr_names[i]))
                    dst = &st->gpr[i];
            int seg = -1;
            for (int i = 0; i < SEG_COUNT; i++)
                if (!strcmp(key, seg_names[i]))
                    seg = i;
            uint64_t tmp;
            if (seg >= 0) {
                if (parse_segment(v, key, &st->seg[seg], err, errlen) != 0)
                    return -1;
                given[seg] = true;
                continue;
            }
            if (is_vector_name(key)) {
                if (parse_vector(v, key, st, err, errlen) != 0)
                    return -1;
                continue;
            }
            if (key[0] == 'k' && key[1] >= '0' && key[1] <= '7' && !key[2]) {
                dst = &st->k[key[1] - '0'];
            } else if (key[0] == 'm' && key[1] == 'm' && key[2] >= '0' && key[2] <= '7' &&
                       !key[3]) {
                dst = &st->mm[key[2] - '0'];
            } else if (!strcmp(key, "rip")) {
                dst = &st->rip;
            } else if (!strcmp(key, "rflags")) {
                dst = &st->rflags;
            } else if (!strcmp(key, "cr0")) {
                dst = &st->cr0;
            } else if (!strcmp(key, "cr2")) {
                dst = &st->cr2;
            } else if (!strcmp(key, "cr3")) {
                dst = &st->cr3;
            } else if (!strcmp(key, "cr4")) {
                dst = &st->cr4;
            } else if (!strcmp(key, "cr8")) {
                dst = &st->cr8;
            } else if (!strcmp(key, "efer")) {
                dst = &st->efer;
            } else if (!strcmp(key, "xcr0")) {
                dst = &st->xcr0;
            } else if (!strcmp(key, "pkrs")) {
                dst = &st->pkrs;
            } else if (!strcmp(key, "pkru")) {
                dst = &tmp;
                max = 0xffffffffu;
            }
            if (!dst)
                return fail(err, errlen, "regs.%s: unknown register", key);
            if (state_json_u64(v, dst) != 0)
                return fail(err, errlen, "regs.%s: not a number", key);
            if (*dst > max)
                return fail(err, errlen, "regs.%s: out of range", key);
            if (dst == &tmp)
                st->pkru = (uint32_t)tmp;
        }
    }
    default_segments(st, given);
    return 0;
}

static int parse_ram(const json_t *ram, struct state *st, char *err, size_t errlen)
{
    if (!ram)
        return 0;
    if (!json_is_array(ram))
        return fail(err, errlen, "ram: not an array");
    size_t i;
    const json_t *e;
    json_array_foreach(ram, i, e)
    {
        char path[48];
        uint64_t gpa;
        if (!json_is_object(e))
            return fail(err, errlen, "ram[%zu]: not an object", i);
        snprintf(path, sizeof(path), "ram[%zu].", i);
        int r = get_u64(e, "gpa", path, &gpa, PHYS_LIMIT - 1, err, errlen);
        if (r != 0)
            return r < 0 ? -1 : fail(err, errlen, "ram[%zu].gpa: missing", i);
        const json_t *d = json_object_get(e, "data");
        if (!d)
            return fail(err, errlen, "ram[%zu].data: missing", i);
        snprintf(path, sizeof(path), "ram[%zu].data", i);
        uint8_t *buf;
        long n = get_hex(d, path, &buf, err, errlen);
        if (n < 0)
            return -1;
        if ((uint64_t)n > PHYS_LIMIT - gpa) {
            free(buf);
            return fail(err, errlen, "ram[%zu].data: beyond the physical address space", i);
        }
        /* RAM given here goes to pages even under an MMIO range (MMIO wins on access). */
        for (long k = 0; k < n; k++) {
            struct state_page *p = get_page(&st->mem, (gpa + (uint64_t)k) >> 12);
            if (!p) {
                free(buf);
                return fail(err, errlen, "ram[%zu]: out of memory", i);
            }
            p->data[(gpa + (uint64_t)k) & 0xfff] = buf[k];
        }
        free(buf);
    }
    return 0;
}

static int parse_mmio(const json_t *mmio, struct state *st, char *err, size_t errlen)
{
    if (!mmio)
        return 0;
    if (!json_is_array(mmio))
        return fail(err, errlen, "mmio: not an array");
    size_t n = json_array_size(mmio);
    st->mem.mmio = calloc(n ? n : 1, sizeof(*st->mem.mmio));
    if (!st->mem.mmio)
        return fail(err, errlen, "mmio: out of memory");
    size_t i;
    const json_t *e;
    json_array_foreach(mmio, i, e)
    {
        char path[48];
        uint64_t gpa, size;
        if (!json_is_object(e))
            return fail(err, errlen, "mmio[%zu]: not an object", i);
        snprintf(path, sizeof(path), "mmio[%zu].", i);
        int r = get_u64(e, "gpa", path, &gpa, PHYS_LIMIT - 1, err, errlen);
        if (r != 0)
            return r < 0 ? -1 : fail(err, errlen, "mmio[%zu].gpa: missing", i);
        r = get_u64(e, "size", path, &size, MAX_MMIO_SIZE, err, errlen);
        if (r != 0)
            return r < 0 ? -1 : fail(err, errlen, "mmio[%zu].size: missing", i);
        if (size == 0 || size > PHYS_LIMIT - gpa)
            return fail(err, errlen, "mmio[%zu].size: out of range", i);
        struct state_mmio *m = &st->mem.mmio[st->mem.nmmio];
        m->data = calloc(1, size);
        if (!m->data)
            return fail(err, errlen, "mmio[%zu]: out of memory", i);
        m->gpa = gpa;
        m->size = size;
        st->mem.nmmio++;
        const json_t *d = json_object_get(e, "data");
        if (d) {
            uint8_t *buf;
            snprintf(path, sizeof(path), "mmio[%zu].data", i);
            long len = get_hex(d, path, &buf, err, errlen);
            if (len < 0)
                return -1;
            if ((uint64_t)len > size) {
                free(buf);
                return fail(err, errlen, "mmio[%zu].data: longer than size", i);
            }
            memcpy(m->data, buf, (size_t)len);
            free(buf);
        }
    }
    return 0;
}

static int parse_io(const json_t *io, struct state *st, char *err, size_t errlen)
{
    if (!io)
        return 0;
    if (!json_is_array(io))
        return fail(err, errlen, "io: not an array");
    size_t n = json_array_size(io);
    st->ports = calloc(n ? n : 1, sizeof(*st->ports));
    if (!st->ports)
        return fail(err, errlen, "io: out of memory");
    size_t i;
    const json_t *e;
    json_array_foreach(io, i, e)
    {
        char path[48];
        uint64_t port;
        if (!json_is_object(e))
            return fail(err, errlen, "io[%zu]: not an object", i);
        snprintf(path, sizeof(path), "io[%zu].", i);
        int r = get_u64(e, "port", path, &port, 0xffff, err, errlen);
        if (r != 0)
            return r < 0 ? -1 : fail(err, errlen, "io[%zu].port: missing", i);
        struct state_port *p = &st->ports[st->nports++];
        p->port = (uint16_t)port;
        const json_t *d = json_object_get(e, "data");
        if (d) {
            snprintf(path, sizeof(path), "io[%zu].data", i);
            long len = get_hex(d, path, &p->data, err, errlen);
            if (len < 0)
                return -1;
            p->len = (size_t)len;
        }
    }
    return 0;
}

static int get_bool(const json_t *obj, const char *key, const char *path, bool *out, char *err,
                    size_t errlen)
{
    const json_t *v = json_object_get(obj, key);
    if (!v) {
        *out = false;
        return 0;
    }
    if (!json_is_boolean(v))
        return fail(err, errlen, "%s%s: not a boolean", path, key);
    *out = json_is_true(v);
    return 0;
}

static int parse_exit(const json_t *ex, struct state *st, char *err, size_t errlen)
{
    if (!ex)
        return 0;
    if (!json_is_object(ex))
        return fail(err, errlen, "exit: not an object");
    struct state_exit *x = &st->exit;
    x->present = true;
    const char *kind = json_string_value(json_object_get(ex, "kind"));
    if (!kind || (strcmp(kind, "mmio") && strcmp(kind, "io")))
        return fail(err, errlen, "exit.kind: not \"mmio\" or \"io\"");
    x->is_io = !strcmp(kind, "io");
    uint64_t v;
    int r;
    /* The instruction bytes, as either kind of exit may give them. */
    const json_t *b = json_object_get(ex, "bytes");
    if (b) {
        uint8_t *buf;
        long n = get_hex(b, "exit.bytes", &buf, err, errlen);
        if (n < 0)
            return -1;
        if (n > 15) {
            free(buf);
            return fail(err, errlen, "exit.bytes: more than 15 bytes");
        }
        memcpy(x->bytes, buf, (size_t)n);
        x->nbytes = (size_t)n;
        free(buf);
    }
    if (!x->is_io) {
        if ((r = get_u64(ex, "gpa", "exit.", &x->gpa, UINT64_MAX, err, errlen)) != 0)
            return r < 0 ? -1 : fail(err, errlen, "exit.gpa: missing");
        if ((r = get_u64(ex, "gva", "exit.", &x->gva, UINT64_MAX, err, errlen)) < 0)
            return -1;
        x->has_gva = r == 0;
        return 0;
    }
    if ((r = get_u64(ex, "port", "exit.", &v, 0xffff, err, errlen)) != 0)
        return r < 0 ? -1 : fail(err, errlen, "exit.port: missing");
    x->port = (uint16_t)v;
    if ((r = get_u64(ex, "size", "exit.", &v, 4, err, errlen)) < 0)
        return -1;
    x->size = r ? 1 : (unsigned)v;
    if (x->size != 1 && x->size != 2 && x->size != 4)
        return fail(err, errlen, "exit.size: not 1, 2 or 4");
    if (get_bool(ex, "in", "exit.", &x->in, err, errlen) ||
        get_bool(ex, "string", "exit.", &x->string, err, errlen) ||
        get_bool(ex, "rep", "exit.", &x->rep, err, errlen))
        return -1;
    return 0;
}

int state_from_json(const json_t *root, struct state *st, char *err, size_t errlen)
{
    memset(st, 0, sizeof(*st));
    if (!json_is_object(root))
        return fail(err, errlen, "state: not a JSON object");
    if (parse_cpu(json_object_get(root, "cpu"), st, err, errlen) ||
        parse_regs(json_object_get(root, "regs"), st, err, errlen) ||
        parse_ram(json_object_get(root, "ram"), st, err, errlen) ||
        parse_mmio(json_object_get(root, "mmio"), st, err, errlen) ||
        parse_io(json_object_get(root, "io"), st, err, errlen) ||
        parse_exit(json_object_get(root, "exit"), st, err, errlen))
        return -1;
    return 0;
}

void state_free(struct state *st)
{
    for (size_t i = 0; i < st->mem.npages; i++)
        free(st->mem.pages[i].data);
    free(st->mem.pages);
    for (size_t i = 0; i < st->mem.nmmio; i++)
        free(st->mem.mmio[i].data);
    free(st->mem.mmio);
    for (size_t i = 0; i < st->nports; i++)
        free(st->ports[i].data);
    free(st->ports);
    memset(st, 0, sizeof(*st));
}

unsigned state_cpl(const struct state *st)
{
    if (!(st->cr0 & 1))
        return 0;
    if ((st->rflags >> 17) & 1)
        return 3;
    return (st->seg[SEG_SS].attr >> 5) & 3;
}
