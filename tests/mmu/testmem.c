/* SPDX-License-Identifier: BSD-2-Clause */
#include "testmem.h"

#include <string.h>

void tm_init(struct testmem *m)
{
    memset(m, 0, sizeof(*m));
    m->fail_at = 1ull << 44;
}

void tm_put(struct testmem *m, uint64_t gpa, uint64_t v, int size)
{
    if (gpa + (uint64_t)size > TM_SIZE)
        return;
    for (int i = 0; i < size; i++)
        m->bytes[gpa + (uint64_t)i] = (uint8_t)(v >> (8 * i));
}

uint64_t tm_get(const struct testmem *m, uint64_t gpa, int size)
{
    uint64_t v = 0;
    if (gpa + (uint64_t)size > TM_SIZE)
        return 0;
    for (int i = 0; i < size; i++)
        v |= (uint64_t)m->bytes[gpa + (uint64_t)i] << (8 * i);
    return v;
}

static int readable(const struct testmem *m, uint64_t gpa, size_t size)
{
    return gpa < m->fail_at && size <= m->fail_at - gpa;
}

int tm_read(void *ctx, uint64_t gpa, void *buf, size_t size)
{
    struct testmem *m = ctx;
    m->reads++;
    if (!readable(m, gpa, size))
        return -1;
    uint8_t *b = buf;
    for (size_t i = 0; i < size; i++)
        b[i] = gpa + i < TM_SIZE ? m->bytes[gpa + i] : 0;
    return 0;
}

static void logw(struct testmem *m, uint64_t gpa, const uint8_t *b, size_t size)
{
    uint64_t v = 0;
    for (size_t i = 0; i < size; i++)
        v |= (uint64_t)b[i] << (8 * i);
    if (m->nlog < TM_MAXLOG) {
        m->log[m->nlog].gpa = gpa;
        m->log[m->nlog].value = v;
        m->log[m->nlog].size = (int)size;
        m->nlog++;
    }
    tm_put(m, gpa, v, (int)size);
}

int tm_write(void *ctx, uint64_t gpa, const void *buf, size_t size)
{
    struct testmem *m = ctx;
    if (!readable(m, gpa, size))
        return -1;
    logw(m, gpa, buf, size);
    return 0;
}

int tm_cmpxchg(void *ctx, uint64_t gpa, const void *expected, const void *desired, size_t size)
{
    struct testmem *m = ctx;
    if (m->cmpxchg_error || !readable(m, gpa, size))
        return -1;
    if (m->cmpxchg_races > 0) {
        m->cmpxchg_races--;
        return 1;
    }
    const uint8_t *e = expected;
    for (size_t i = 0; i < size; i++) {
        uint8_t cur = gpa + i < TM_SIZE ? m->bytes[gpa + i] : 0;
        if (cur != e[i])
            return 1;
    }
    logw(m, gpa, desired, size);
    return 0;
}

int tm_model_read(void *ctx, uint64_t gpa, int size, uint64_t *value)
{
    struct testmem *m = ctx;
    if (!readable(m, gpa, (size_t)size))
        return -1;
    uint64_t v = 0;
    for (int i = 0; i < size; i++) {
        uint64_t a = gpa + (uint64_t)i;
        v |= (uint64_t)(a < TM_SIZE ? m->bytes[a] : 0) << (8 * i);
    }
    *value = v;
    return 0;
}
