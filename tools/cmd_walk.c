/* SPDX-License-Identifier: BSD-2-Clause */
/* x86assist walk: translate one linear address of a STATE (cli-json.md, "walk"). */
#define _POSIX_C_SOURCE 200809L /* getline, strdup */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <x86assist/mmu.h>

#include "state.h"
#include "jsonl.h"
#include "tool.h"

struct walk_req {
    uint64_t la;
    enum xa_access access;
    bool user, implicit;
};

/* ---- the guest memory the walker sees -------------------------------- */

static int mem_read_cb(void *ctx, uint64_t gpa, void *buf, size_t size)
{
    return state_mem_read(ctx, gpa, buf, size);
}

static int mem_cmpxchg_cb(void *ctx, uint64_t gpa, const void *expected, const void *desired,
                          size_t size)
{
    uint8_t cur[8];
    if (size > sizeof(cur) || state_mem_read(ctx, gpa, cur, size) != 0)
        return -1;
    if (memcmp(cur, expected, size) != 0)
        return 1;
    return state_mem_write(ctx, gpa, desired, size) == 0 ? 0 : -1;
}

/* ---- requests --------------------------------------------------------- */

static int parse_access(const char *s, enum xa_access *out)
{
    if (!s)
        return -1;
    if (!strcmp(s, "read"))
        *out = XA_ACCESS_READ;
    else if (!strcmp(s, "write"))
        *out = XA_ACCESS_WRITE;
    else if (!strcmp(s, "fetch"))
        *out = XA_ACCESS_FETCH;
    else
        return -1;
    return 0;
}

static const char *access_name(enum xa_access a)
{
    return a == XA_ACCESS_WRITE ? "write" : a == XA_ACCESS_FETCH ? "fetch" : "read";
}

/* Runs one walk: 0 with the output line in *out (malloced), or -1 with a message in err. */
static int do_walk(struct state *st, const struct walk_req *rq, bool json, char **out, char *err,
                   size_t errlen)
{
    if (rq->implicit && rq->access == XA_ACCESS_FETCH) {
        snprintf(err, errlen, "walk.implicit: implicit accesses are never fetches");
        return -1;
    }
    struct xa_paging_state ps;
    memset(&ps, 0, sizeof(ps));
    ps.cr0 = st->cr0;
    ps.cr3 = st->cr3;
    ps.cr4 = st->cr4;
    ps.efer = st->efer;
    ps.pkru = st->pkru;
    ps.pkrs = (uint32_t)st->pkrs;
    ps.cpu = st->cpu;
    unsigned flags = 0;
    if (rq->user)
        flags |= XA_WALK_USER;
    if (rq->implicit)
        flags |= XA_WALK_IMPLICIT;
    if ((st->rflags >> 18) & 1)
        flags |= XA_WALK_AC;
    struct xa_mmu_ops ops = {.read = mem_read_cb, .cmpxchg = mem_cmpxchg_cb};
    struct xa_walk_result r;
    struct xa_exception e;
    xa_status s = xa_walk(&ps, &ops, &st->mem, rq->la, rq->access, flags, &r, &e);
    if (s == XA_ERR_BAD_ARGUMENT) {
        snprintf(err, errlen,
                 "regs.efer: inconsistent paging state (EFER.LMA needs CR0.PG "
                 "and CR4.PAE)");
        return -1;
    }

    json_t *o = json_object();
    char hex[32], buf[512];
    size_t used = 0;
    buf[0] = 0;
    if (s == XA_OK) {
        json_object_set_new(o, "status", json_string("ok"));
        snprintf(hex, sizeof(hex), "0x%" PRIx64, r.gpa);
        json_object_set_new(o, "gpa", json_string(hex));
        json_object_set_new(o, "page_size", json_integer((json_int_t)r.page_size));
        json_t *ws = json_array();
        used += (size_t)snprintf(
            buf, sizeof(buf), "ok: la 0x%" PRIx64 " %s -> gpa 0x%" PRIx64 " (%" PRIu64 " KiB page)",
            rq->la, access_name(rq->access), r.gpa, r.page_size >> 10);
        for (unsigned i = 0; i < r.nwrites; i++) {
            uint8_t bytes[8];
            char data[17];
            for (unsigned k = 0; k < r.writes[i].size; k++)
                bytes[k] = (uint8_t)(r.writes[i].value >> (8 * k));
            format_hex_bytes(bytes, r.writes[i].size, data);
            json_t *w = json_object();
            snprintf(hex, sizeof(hex), "0x%" PRIx64, r.writes[i].gpa);
            json_object_set_new(w, "gpa", json_string(hex));
            json_object_set_new(w, "size", json_integer(r.writes[i].size));
            json_object_set_new(w, "data", json_string(data));
            json_array_append_new(ws, w);
            if (used < sizeof(buf))
                used += (size_t)snprintf(buf + used, sizeof(buf) - used,
                                         "%s [0x%" PRIx64 "] = 0x%" PRIx64, i ? "," : "; writes",
                                         r.writes[i].gpa, r.writes[i].value);
        }
        json_object_set_new(o, "writes", ws);
    } else if (s == XA_EXCEPTION) {
        json_object_set_new(o, "status", json_string("fault"));
        json_t *x = json_object();
        json_object_set_new(x, "vector", json_integer(e.vector));
        snprintf(hex, sizeof(hex), "0x%" PRIx32, e.error_code);
        json_object_set_new(x, "error_code", json_string(hex));
        if (e.vector == XA_VEC_PF) {
            snprintf(hex, sizeof(hex), "0x%" PRIx64, e.cr2);
            json_object_set_new(x, "cr2", json_string(hex));
            static const char *const bits[] = {"P", "W", "U", "RSVD", "I", "PK", "SS"};
            used += (size_t)snprintf(buf, sizeof(buf),
                                     "fault: la 0x%" PRIx64 " %s -> #PF error_code 0x%" PRIx32 " [",
                                     rq->la, access_name(rq->access), e.error_code);
            bool any = false;
            for (unsigned b = 0; b < 7; b++)
                if (e.error_code & (1u << b)) {
                    used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s", any ? " " : "",
                                             bits[b]);
                    any = true;
                }
            snprintf(buf + used, sizeof(buf) - used, "%s] cr2 0x%" PRIx64, any ? "" : "not-present",
                     e.cr2);
        } else {
            snprintf(buf, sizeof(buf), "fault: la 0x%" PRIx64 " %s -> #%s(0) non-canonical", rq->la,
                     access_name(rq->access), e.vector == XA_VEC_SS ? "SS" : "GP");
        }
        json_object_set_new(o, "exception", x);
    } else {
        /* The page tables are not in guest memory (cannot happen below 2^52 here). */
        json_object_set_new(o, "status", json_string("error"));
        json_object_set_new(o, "error", json_string(xa_status_name(s)));
        snprintf(buf, sizeof(buf), "error: la 0x%" PRIx64 " %s -> %s", rq->la,
                 access_name(rq->access), xa_status_name(s));
    }
    if (json) {
        *out = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    } else {
        *out = strdup(buf);
    }
    json_decref(o);
    if (!*out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: x86assist walk STATE.json --la ADDR --access read|write|fetch "
                    "[--user] [--implicit] [--json] | x86assist walk --jsonl\n");
    return 1;
}

static json_t *load_state_file(const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = !strcmp(path, "-") ? json_loadf(stdin, 0, &je) : json_load_file(path, 0, &je);
    if (!root)
        snprintf(err, errlen, "%s: line %d: %s", path, je.line, je.text);
    return root;
}

/* One --jsonl request: a STATE with a "walk" member. */
static int walk_line(json_t *root, char **out, char *err, size_t errlen)
{
    struct state st;
    struct walk_req rq = {0, XA_ACCESS_READ, false, false};
    err[0] = 0;
    int bad = state_from_json(root, &st, err, errlen);
    const json_t *w = json_object_get(root, "walk");
    if (!bad) {
        const json_t *v;
        if (!json_is_object(w)) {
            snprintf(err, errlen, "walk: missing or not an object");
            bad = -1;
        } else if (!(v = json_object_get(w, "la")) || state_json_u64(v, &rq.la) != 0) {
            snprintf(err, errlen, "walk.la: missing or not a number");
            bad = -1;
        } else if (parse_access(json_string_value(json_object_get(w, "access")), &rq.access) != 0) {
            snprintf(err, errlen, "walk.access: not read, write or fetch");
            bad = -1;
        } else {
            const json_t *u = json_object_get(w, "user");
            const json_t *im = json_object_get(w, "implicit");
            if ((u && !json_is_boolean(u)) || (im && !json_is_boolean(im))) {
                snprintf(err, errlen, "walk.%s: not a boolean",
                         (u && !json_is_boolean(u)) ? "user" : "implicit");
                bad = -1;
            } else {
                rq.user = u && json_is_true(u);
                rq.implicit = im && json_is_true(im);
            }
        }
    }
    if (!bad)
        bad = do_walk(&st, &rq, true, out, err, errlen);
    state_free(&st);
    return bad;
}

int cmd_walk(int argc, char **argv)
{
    const char *file = NULL, *la_s = NULL, *acc_s = NULL;
    bool json = false, jsonl = false;
    struct walk_req rq = {0, XA_ACCESS_READ, false, false};
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--la") && i + 1 < argc)
            la_s = argv[++i];
        else if (!strcmp(a, "--access") && i + 1 < argc)
            acc_s = argv[++i];
        else if (!strcmp(a, "--user"))
            rq.user = true;
        else if (!strcmp(a, "--implicit"))
            rq.implicit = true;
        else if (!strcmp(a, "--json"))
            json = true;
        else if (!strcmp(a, "--jsonl"))
            jsonl = true;
        else if ((a[0] != '-' || !strcmp(a, "-")) && !file)
            file = a;
        else {
            fprintf(stderr, "walk: unknown or incomplete argument: %s\n", a);
            return usage();
        }
    }
    if (jsonl) {
        if (file || la_s || acc_s || rq.user || rq.implicit || json) {
            fprintf(stderr, "walk: --jsonl takes no other argument\n");
            return 1;
        }
        return jsonl_run(walk_line);
    }
    if (!file || !la_s || !acc_s)
        return usage();
    if (parse_u64(la_s, &rq.la) != 0) {
        fprintf(stderr, "walk: --la: not a number: %s\n", la_s);
        return 1;
    }
    if (parse_access(acc_s, &rq.access) != 0) {
        fprintf(stderr, "walk: --access: not read, write or fetch: %s\n", acc_s);
        return 1;
    }
    char err[256];
    json_t *root = load_state_file(file, err, sizeof(err));
    if (!root) {
        fprintf(stderr, "walk: %s\n", err);
        return 1;
    }
    struct state st;
    int bad = state_from_json(root, &st, err, sizeof(err));
    json_decref(root);
    char *out = NULL;
    if (!bad)
        bad = do_walk(&st, &rq, json, &out, err, sizeof(err));
    state_free(&st);
    if (bad) {
        fprintf(stderr, "walk: %s\n", err);
        return 1;
    }
    printf("%s\n", out);
    free(out);
    return 0;
}
