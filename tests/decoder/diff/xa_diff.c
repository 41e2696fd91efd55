/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * xa_diff: our decoder against Zydis 4.0 and capstone 4.0.2 (README.md).
 *
 *   xa_diff [--mode M] [--vendor V] HEX...                 one instruction, side by side
 *   xa_diff --libc [--file ELF] [--every-offset|--sweep]   the .text of an ELF64 file
 *   xa_diff --sweep-space [--space NAME,...]               the systematic encoding space
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"

#define DEFAULT_LIBC "/lib/x86_64-linux-gnu/libc.so.6"

/* ---- grouping: a small open-addressing table of "opcode key | what" ---- */

struct group {
    char key[200];
    uint64_t count;
    char example[2 * XA_MAX_INSN_LENGTH + 1];
    char detail[160];
    uint64_t where;
    bool used;
};

#define GROUP_SLOTS (1u << 15)

struct groups {
    struct group *g;
    size_t used;
    uint64_t dropped; /* table full */
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

static void group_add(struct groups *gs, const char *key, const char *example, const char *detail,
                      uint64_t where)
{
    if (!gs->g) {
        gs->g = calloc(GROUP_SLOTS, sizeof *gs->g);
        if (!gs->g) {
            gs->dropped++;
            return;
        }
    }
    size_t i = hash(key) & (GROUP_SLOTS - 1);
    for (size_t probe = 0; probe < GROUP_SLOTS; probe++, i = (i + 1) & (GROUP_SLOTS - 1)) {
        struct group *g = &gs->g[i];
        if (!g->used) {
            if (gs->used >= GROUP_SLOTS * 3 / 4)
                break;
            g->used = true;
            snprintf(g->key, sizeof g->key, "%s", key);
            snprintf(g->example, sizeof g->example, "%s", example);
            snprintf(g->detail, sizeof g->detail, "%s", detail);
            g->where = where;
            g->count = 1;
            gs->used++;
            return;
        }
        if (strcmp(g->key, key) == 0) {
            g->count++;
            return;
        }
    }
    gs->dropped++;
}

static int by_count(const void *a, const void *b)
{
    const struct group *x = *(const struct group *const *)a, *y = *(const struct group *const *)b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->key, y->key);
}

static void group_print(const struct groups *gs, const char *title, unsigned top,
                        const char *where_name)
{
    if (!gs->g || gs->used == 0)
        return;
    const struct group **v = malloc(gs->used * sizeof *v);
    if (!v)
        return;
    size_t n = 0;
    for (size_t i = 0; i < GROUP_SLOTS; i++)
        if (gs->g[i].used)
            v[n++] = &gs->g[i];
    qsort(v, n, sizeof *v, by_count);
    printf("== %s (%zu groups, top %u) ==\n", title, n, top);
    for (size_t i = 0; i < n && i < top; i++)
        printf("  %-60s %7llu  e.g. %s %s%#llx  (%s)\n", v[i]->key, (unsigned long long)v[i]->count,
               v[i]->example, where_name, (unsigned long long)v[i]->where, v[i]->detail);
    if (gs->dropped)
        printf("  (%llu more not grouped: table full)\n", (unsigned long long)gs->dropped);
    free(v);
}

/* ---- a run ---- */

struct run {
    int mode, vendor, oracle;
    struct ref_zydis *z;
    struct ref_capstone *c;
    struct ref_allowlist al;
    bool have_al;
    unsigned show, top;
    bool mnemonics;
    const char *where_name; /* "@" for offsets, "#" for candidate numbers */
    uint64_t total, passed, failed, allowed, known, shown, mnem;
    uint64_t cat[REF_CAT_COUNT];
    struct groups groups, known_groups, mnem_groups;
};

/* Decodes bytes[0..avail) with ours and the oracle, records the outcome; returns ours. */
static void check_one(struct run *r, const uint8_t *bytes, size_t avail, uint64_t where,
                      struct ref_insn *ours)
{
    struct ref_insn other;
    struct xa_insn xi;
    xa_status st = xa_decode(&xi, (enum xa_mode)r->mode, (enum xa_vendor)r->vendor, bytes, avail);
    ref_from_xa(&xi, st, false, ours);
    if (r->oracle == REF_ZYDIS)
        ref_zydis_decode(r->z, bytes, avail, false, &other);
    else
        ref_capstone_decode(r->c, bytes, avail, false, &other);
    r->total++;

    struct ref_diff d;
    if (!ref_compare(ours, &other, &d)) {
        r->passed++;
        if (ours->status == REF_VALID && strcmp(ours->mnemonic, other.mnemonic) != 0) {
            r->mnem++;
            if (r->mnemonics) {
                char key[200], hex[2 * XA_MAX_INSN_LENGTH + 1];
                snprintf(key, sizeof key, "%s vs %s", ours->mnemonic, other.mnemonic);
                ref_hex(bytes, ours->length, hex);
                group_add(&r->mnem_groups, key, hex, "", where);
            }
        }
        return;
    }
    size_t span = ref_insn_span(ours, &other, avail);
    char hex[2 * XA_MAX_INSN_LENGTH + 1], okey[96], key[200];
    ref_hex(bytes, span, hex);
    ref_opcode_key(r->mode, bytes, avail, okey, sizeof okey);
    snprintf(key, sizeof key, "%s  %s", okey, d.what);

    if (r->have_al &&
        ref_allowlist_match(&r->al, r->mode, r->oracle, d.category, bytes, span, okey)) {
        r->allowed++;
        return;
    }
    const char *known =
        r->oracle == REF_CAPSTONE ? ref_capstone_known(ours, &other, &d, bytes, avail) : NULL;
    if (known) {
        r->known++;
        char kkey[220];
        snprintf(kkey, sizeof kkey, "%s: %s", known, key);
        group_add(&r->known_groups, kkey, hex, d.detail, where);
        return;
    }
    r->failed++;
    r->cat[d.category]++;
    group_add(&r->groups, key, hex, d.detail, where);
    if (r->shown < r->show) {
        r->shown++;
        printf("%s%#llx %-30s %-28s %s  [ours: %s | %s: %s]\n", r->where_name,
               (unsigned long long)where, hex, okey, d.detail,
               ours->status == REF_VALID ? ours->mnemonic : "-",
               r->oracle == REF_ZYDIS ? "zydis" : "capstone",
               other.status == REF_VALID ? other.mnemonic : "-");
    }
}

static void report(struct run *r, const char *what)
{
    const char *oname = r->oracle == REF_ZYDIS ? "zydis" : "capstone";
    printf("== %s vs %s, mode %s: by category ==\n", what, oname, ref_mode_name(r->mode));
    for (int c = 1; c < REF_CAT_COUNT; c++)
        if (r->cat[c])
            printf("  %-16s %10llu\n", ref_category_name(c), (unsigned long long)r->cat[c]);
    group_print(&r->groups, "by opcode group", r->top, r->where_name);
    if (r->known)
        group_print(&r->known_groups, "known capstone 4 defects (not failing)", r->top,
                    r->where_name);
    if (r->mnemonics)
        group_print(&r->mnem_groups, "mnemonic spellings (informational)", r->top, r->where_name);
    printf("mnemonic differences (informational): %llu\n", (unsigned long long)r->mnem);
    printf("%llu passed, %llu failed (%llu allowlisted, %llu known-capstone)\n",
           (unsigned long long)r->passed, (unsigned long long)r->failed,
           (unsigned long long)r->allowed, (unsigned long long)r->known);
}

/* ---- commands ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int cmd_one(int mode, int vendor, char **hexargs, int n)
{
    uint8_t b[64];
    size_t len = 0;
    int half = -1;
    for (int i = 0; i < n; i++)
        for (const char *s = hexargs[i]; *s; s++) {
            if (*s == ' ' || *s == ',' || *s == ':')
                continue;
            if ((s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))) {
                s++;
                continue;
            }
            int v = hexval(*s);
            if (v < 0 || len >= sizeof b) {
                fprintf(stderr, "xa_diff: bad hex '%s'\n", hexargs[i]);
                return 2;
            }
            if (half < 0)
                half = v;
            else {
                b[len++] = (uint8_t)(half << 4 | v);
                half = -1;
            }
        }
    if (half >= 0 || len == 0) {
        fprintf(stderr, "xa_diff: give whole bytes of hex\n");
        return 2;
    }
    struct ref_insn ours, zy, cs;
    ref_ours_decode(mode, vendor, b, len, &ours);
    struct ref_zydis *z = ref_zydis_new(mode, vendor);
    struct ref_capstone *c = ref_capstone_new(mode);
    if (!z || !c) {
        fprintf(stderr, "xa_diff: cannot initialise Zydis or capstone\n");
        return 2;
    }
    ref_zydis_decode(z, b, len, true, &zy);
    ref_capstone_decode(c, b, len, true, &cs);
    char key[96];
    ref_opcode_key(mode, b, len, key, sizeof key);
    printf("mode %s, %zu bytes, opcode group: %s\n", ref_mode_name(mode), len, key);
    ref_print("ours", &ours);
    ref_print("zydis", &zy);
    ref_print("capstone", &cs);
    struct ref_diff d;
    int rc = 0;
    if (ref_compare(&ours, &zy, &d)) {
        printf("!= zydis: %s\n", d.detail);
        rc = 1;
    } else
        printf("== zydis: agree%s\n", ours.status == REF_VALID && strcmp(ours.mnemonic, zy.mnemonic)
                                          ? " (mnemonic differs)"
                                          : "");
    if (ref_compare(&ours, &cs, &d)) {
        const char *k = ref_capstone_known(&ours, &cs, &d, b, len);
        printf("!= capstone: %s%s%s", d.detail, k ? "  [known capstone 4 defect: " : "",
               k ? k : "");
        if (k)
            printf("]\n");
        else
            printf("\n");
    } else
        printf("== capstone: agree%s\n",
               ours.status == REF_VALID && strcmp(ours.mnemonic, cs.mnemonic)
                   ? " (mnemonic differs)"
                   : "");
    ref_zydis_free(z);
    ref_capstone_free(c);
    return rc;
}

static int cmd_libc(struct run *r, const char *file, bool every)
{
    char err[256];
    size_t size;
    uint64_t addr;
    uint8_t *text = ref_elf_text(file, &size, &addr, err, sizeof err);
    if (!text) {
        fprintf(stderr, "xa_diff: %s\n", err);
        return 2;
    }
    printf("%s: .text %zu bytes at %#llx, %s, mode %s\n", file, size, (unsigned long long)addr,
           every ? "every offset" : "linear sweep", ref_mode_name(r->mode));
    struct ref_insn ours;
    r->where_name = "@";
    if (every) {
        for (size_t off = 0; off < size; off++) {
            size_t avail = size - off < 16 ? size - off : 16;
            check_one(r, text + off, avail, addr + off, &ours);
        }
    } else {
        size_t off = 0;
        while (off < size) {
            size_t avail = size - off < 16 ? size - off : 16;
            check_one(r, text + off, avail, addr + off, &ours);
            off += ours.status == REF_VALID && ours.length ? ours.length : 1;
        }
    }
    free(text);
    report(r, every ? "libc .text every offset" : "libc .text linear sweep");
    return 0;
}

/* A list of regression inputs: one instruction's hex bytes per line, `#` comments. */
static int cmd_list(struct run *r, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    unsigned lineno = 0;
    if (!f) {
        fprintf(stderr, "xa_diff: cannot open %s\n", path);
        return 2;
    }
    r->where_name = "line ";
    while (fgets(line, sizeof line, f)) {
        uint8_t bytes[16];
        size_t n = 0;
        int hi = -1;
        lineno++;
        for (const char *p = line; *p && *p != '#' && *p != '\n'; p++) {
            int v = hexval((unsigned char)*p);
            if (*p == ' ' || *p == '\t')
                continue;
            if (v < 0 || n == sizeof bytes) {
                fprintf(stderr, "xa_diff: %s:%u: not hex bytes\n", path, lineno);
                fclose(f);
                return 2;
            }
            if (hi < 0) {
                hi = v;
            } else {
                bytes[n++] = (uint8_t)(hi << 4 | v);
                hi = -1;
            }
        }
        if (n == 0)
            continue;
        struct ref_insn ours;
        check_one(r, bytes, n, lineno, &ours);
    }
    fclose(f);
    report(r, path);
    return 0;
}

struct space_ctx {
    struct run *r;
    uint64_t n;
};

static void space_emit(void *ctx, const uint8_t *b, size_t len)
{
    struct space_ctx *s = ctx;
    struct ref_insn ours;
    check_one(s->r, b, len < 16 ? len : 16, s->n++, &ours);
}

static int cmd_space(struct run *r, const char *names)
{
    unsigned n = ref_space_count();
    bool want[64] = {false};
    if (!names) {
        for (unsigned i = 0; i < n; i++)
            want[i] = ref_space_default(i, r->mode);
    } else {
        if (strcmp(names, "list") == 0) {
            for (unsigned i = 0; i < n; i++)
                printf("%s\n", ref_space_name(i));
            return 0;
        }
        char buf[512];
        snprintf(buf, sizeof buf, "%s", names);
        for (char *t = strtok(buf, ","); t; t = strtok(NULL, ",")) {
            unsigned i = 0;
            while (i < n && strcmp(ref_space_name(i), t) != 0)
                i++;
            if (i == n) {
                fprintf(stderr, "xa_diff: unknown space '%s' (--space list)\n", t);
                return 2;
            }
            want[i] = true;
        }
    }
    r->where_name = "#";
    struct space_ctx sc = {r, 0};
    for (unsigned i = 0; i < n; i++)
        if (want[i]) {
            uint64_t before = sc.n;
            ref_space_run(i, r->mode, space_emit, &sc);
            printf("space %s: %llu candidates (#%llu..)\n", ref_space_name(i),
                   (unsigned long long)(sc.n - before), (unsigned long long)before);
        }
    report(r, "encoding space");
    return 0;
}

/* Reads "NAME N" lines; returns N for name, or -1. */
static long read_baseline(const char *path, const char *name)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[256];
    long v = -1;
    while (fgets(line, sizeof line, f)) {
        char k[128];
        long n;
        if (line[0] == '#')
            continue;
        if (sscanf(line, "%127s %ld", k, &n) == 2 && strcmp(k, name) == 0) {
            v = n;
            break;
        }
    }
    fclose(f);
    return v;
}

static void usage(void)
{
    fprintf(stderr, "usage: xa_diff [--mode real|16|32|64] [--vendor intel|amd] HEX...\n"
                    "       xa_diff --libc [--file ELF] [--every-offset|--sweep] [OPTIONS]\n"
                    "       xa_diff --sweep-space [--space NAME[,NAME...]|list] [OPTIONS]\n"
                    "options: --mode M --vendor V --oracle zydis|capstone --max-disagreements N\n"
                    "         --allowlist FILE --baseline-file FILE --baseline-name NAME\n"
                    "         --list FILE (one instruction's hex per line)\n"
                    "         --show N --top N --summary --mnemonics\n"
                    "see tests/decoder/diff/README.md\n");
}

int main(int argc, char **argv)
{
    struct run r;
    memset(&r, 0, sizeof r);
    r.mode = XA_MODE_64;
    r.oracle = REF_ZYDIS;
    r.show = 20;
    r.top = 40;
    const char *file = DEFAULT_LIBC, *space = NULL, *allow = NULL, *list = NULL;
    const char *bfile = NULL, *bname = NULL;
    bool libc = false, sweep_space = false, every = false;
    long maxd = 0;
    int nhex = 0;
    char **hex = calloc((size_t)argc + 1, sizeof *hex);
    if (!hex)
        return 2;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
#define NEEDV()                                                                                    \
    do {                                                                                           \
        if (!v) {                                                                                  \
            fprintf(stderr, "xa_diff: %s needs a value\n", a);                                     \
            return 2;                                                                              \
        }                                                                                          \
        i++;                                                                                       \
    } while (0)
        if (strcmp(a, "--mode") == 0) {
            NEEDV();
            r.mode = ref_mode_parse(v);
            if (r.mode < 0) {
                fprintf(stderr, "xa_diff: bad mode '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--vendor") == 0) {
            NEEDV();
            if (strcmp(v, "intel") == 0)
                r.vendor = XA_VENDOR_INTEL;
            else if (strcmp(v, "amd") == 0)
                r.vendor = XA_VENDOR_AMD;
            else {
                fprintf(stderr, "xa_diff: bad vendor '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--oracle") == 0) {
            NEEDV();
            if (strcmp(v, "zydis") == 0)
                r.oracle = REF_ZYDIS;
            else if (strcmp(v, "capstone") == 0)
                r.oracle = REF_CAPSTONE;
            else {
                fprintf(stderr, "xa_diff: bad oracle '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--libc") == 0) {
            libc = true;
        } else if (strcmp(a, "--file") == 0) {
            NEEDV();
            file = v;
            libc = true;
        } else if (strcmp(a, "--every-offset") == 0) {
            every = true;
        } else if (strcmp(a, "--sweep") == 0) {
            every = false;
        } else if (strcmp(a, "--list") == 0) {
            NEEDV();
            list = v;
        } else if (strcmp(a, "--sweep-space") == 0) {
            sweep_space = true;
        } else if (strcmp(a, "--space") == 0) {
            NEEDV();
            space = v;
            sweep_space = true;
        } else if (strcmp(a, "--max-disagreements") == 0) {
            NEEDV();
            maxd = strtol(v, NULL, 0);
        } else if (strcmp(a, "--allowlist") == 0) {
            NEEDV();
            allow = v;
        } else if (strcmp(a, "--baseline-file") == 0) {
            NEEDV();
            bfile = v;
        } else if (strcmp(a, "--baseline-name") == 0) {
            NEEDV();
            bname = v;
        } else if (strcmp(a, "--show") == 0) {
            NEEDV();
            r.show = (unsigned)strtoul(v, NULL, 0);
        } else if (strcmp(a, "--top") == 0) {
            NEEDV();
            r.top = (unsigned)strtoul(v, NULL, 0);
        } else if (strcmp(a, "--summary") == 0) {
            r.show = 0;
        } else if (strcmp(a, "--mnemonics") == 0) {
            r.mnemonics = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage();
            return 0;
        } else if (a[0] == '-' && a[1] == '-') {
            fprintf(stderr, "xa_diff: unknown option %s\n", a);
            usage();
            return 2;
        } else {
            hex[nhex++] = argv[i];
        }
#undef NEEDV
    }

    if (!libc && !sweep_space && !list) {
        if (nhex == 0) {
            usage();
            return 2;
        }
        int rc = cmd_one(r.mode, r.vendor, hex, nhex);
        free(hex);
        return rc;
    }
    free(hex);
    if (bfile || bname) {
        if (!bfile || !bname) {
            fprintf(stderr, "xa_diff: --baseline-file and --baseline-name go together\n");
            return 2;
        }
        maxd = read_baseline(bfile, bname);
        if (maxd < 0) {
            fprintf(stderr, "xa_diff: no '%s' in %s\n", bname, bfile);
            return 2;
        }
    }
    if (allow) {
        char err[256];
        if (ref_allowlist_load(allow, &r.al, err, sizeof err) != 0) {
            fprintf(stderr, "xa_diff: %s\n", err);
            return 2;
        }
        r.have_al = true;
    }
    if (r.oracle == REF_ZYDIS)
        r.z = ref_zydis_new(r.mode, r.vendor);
    else
        r.c = ref_capstone_new(r.mode);
    if (!r.z && !r.c) {
        fprintf(stderr, "xa_diff: cannot initialise the oracle\n");
        return 2;
    }
    int rc = libc ? cmd_libc(&r, file, every) : list ? cmd_list(&r, list) : cmd_space(&r, space);
    if (rc == 0 && r.total) {
        if ((long long)r.failed > maxd) {
            printf("FAIL: %llu disagreements, at most %ld allowed%s\n",
                   (unsigned long long)r.failed, maxd, bname ? " (baseline.txt)" : "");
            rc = 1;
        } else if (bname && (long long)r.failed < maxd) {
            printf("note: %llu disagreements, below the baseline %ld: lower %s in baseline.txt\n",
                   (unsigned long long)r.failed, maxd, bname);
        }
    }
    ref_zydis_free(r.z);
    ref_capstone_free(r.c);
    ref_allowlist_free(&r.al);
    free(r.groups.g);
    free(r.known_groups.g);
    free(r.mnem_groups.g);
    return rc;
}
