/* SPDX-License-Identifier: BSD-2-Clause */
/* cmocka unit tests, one or more per paging rule; each names its SDM/APM section. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <x86assist/mmu.h>

#include "testmem.h"

#define P   0x1ull
#define RW  0x2ull
#define US  0x4ull
#define A   0x20ull
#define D   0x40ull
#define PS  0x80ull
#define XD  (1ull << 63)
#define ALL (P | RW | US | A)

#define PF_P    0x1u
#define PF_W    0x2u
#define PF_U    0x4u
#define PF_RSVD 0x8u
#define PF_I    0x10u
#define PF_PK   0x20u
#define PF_SS   0x40u

static struct testmem mem;
static struct xa_paging_state ps;
static struct xa_mmu_ops ops = {.read = tm_read, .cmpxchg = tm_cmpxchg, .write = tm_write};
static struct xa_walk_result res;
static struct xa_exception exc;

/* 4-level paging, tables at 0x1000 (PML4), 0x2000 (PDPT), 0x3000 (PD), 0x4000 (PT). */
static void setup_4level(void)
{
    tm_init(&mem);
    memset(&ps, 0, sizeof(ps));
    ps.cr0 = 0x80010011; /* PG WP ET PE */
    ps.cr3 = 0x1000;
    ps.cr4 = 0x20;   /* PAE */
    ps.efer = 0xd00; /* LME LMA NXE */
    ps.cpu.maxphyaddr = 46;
    ps.cpu.features = XA_FEAT_ALL;
    memset(&res, 0, sizeof(res));
    memset(&exc, 0, sizeof(exc));
}

static unsigned idx(uint64_t la, int level)
{
    return (unsigned)(la >> (3 + 9 * level)) & 0x1ff;
}

/* Maps la -> pa with a 4 KiB page; nonleaf/leaf are the flag bits. */
static void map4k(uint64_t la, uint64_t pa, uint64_t nonleaf, uint64_t leaf)
{
    tm_put(&mem, 0x1000 + idx(la, 4) * 8, 0x2000 | nonleaf, 8);
    tm_put(&mem, 0x2000 + idx(la, 3) * 8, 0x3000 | nonleaf, 8);
    tm_put(&mem, 0x3000 + idx(la, 2) * 8, 0x4000 | nonleaf, 8);
    tm_put(&mem, 0x4000 + idx(la, 1) * 8, pa | leaf, 8);
}

static xa_status walk(uint64_t la, enum xa_access acc, unsigned flags)
{
    mem.nlog = 0;
    return xa_walk(&ps, &ops, &mem, la, acc, flags, &res, &exc);
}

static void expect_pf(uint64_t la, enum xa_access acc, unsigned flags, uint32_t ec)
{
    assert_int_equal(walk(la, acc, flags), XA_EXCEPTION);
    assert_int_equal(exc.vector, 14);
    assert_true(exc.has_error_code);
    assert_int_equal(exc.error_code, ec);
    assert_int_equal(exc.cr2, la);
    assert_int_equal(mem.nlog, 0); /* a faulting walk writes nothing */
}

static void expect_ok(uint64_t la, enum xa_access acc, unsigned flags, uint64_t gpa)
{
    assert_int_equal(walk(la, acc, flags), XA_OK);
    assert_int_equal(res.gpa, gpa);
}

/* SDM 4.1.1 / 4.1.2: CR0.PG=0, the linear address is the physical address. */
static void test_no_paging(void **state)
{
    (void)state;
    setup_4level();
    ps.cr0 = 0x11;
    ps.efer = 0;
    expect_ok(0x12345678, XA_ACCESS_WRITE, XA_WALK_USER, 0x12345678);
    assert_int_equal(res.page_size, 4096);
    assert_int_equal(mem.reads, 0);
    expect_ok(0x1fedcba98ull, XA_ACCESS_READ, 0, 0xfedcba98); /* LA is 32 bits */
}

/* SDM 4.3: 32-bit paging, 4 KiB pages; entries are 4 bytes, A/D written as 4 bytes. */
static void test_32bit_4k(void **state)
{
    (void)state;
    setup_4level();
    ps.cr4 = 0;
    ps.efer = 0;
    uint64_t la = 0x8048123;
    tm_put(&mem, 0x1000 + (la >> 22) * 4, 0x2000 | P | RW | US, 4);
    tm_put(&mem, 0x2000 + ((la >> 12) & 0x3ff) * 4, 0xabcde000 | P | RW | US, 4);
    expect_ok(la, XA_ACCESS_WRITE, XA_WALK_USER, 0xabcde123);
    assert_int_equal(res.nwrites, 2);
    assert_int_equal(res.writes[0].size, 4);
    assert_int_equal(res.writes[0].value, 0x2000 | P | RW | US | A);
    assert_int_equal(res.writes[1].value, 0xabcde000 | P | RW | US | A | D);
    assert_int_equal(tm_get(&mem, 0x2000 + ((la >> 12) & 0x3ff) * 4, 4),
                     0xabcde000 | P | RW | US | A | D);
    /* SDM 4.3: with CR4.PSE=0 the PS bit of a PDE is ignored. */
    tm_put(&mem, 0x1000 + (la >> 22) * 4, 0x2000 | P | RW | US | PS, 4);
    expect_ok(la, XA_ACCESS_READ, 0, 0xabcde123);
    /* Bit 63 does not exist in 32-bit entries: NXE has no effect, no I/D bit. */
    ps.efer = 0x800;
    tm_put(&mem, 0x2000 + ((la >> 12) & 0x3ff) * 4, 0, 4);
    expect_pf(la, XA_ACCESS_FETCH, 0, 0);
}

/* SDM 4.3, table 4-4: 4 MiB pages with CR4.PSE; PSE-36 high bits; reserved 21:(M'-19). */
static void test_32bit_4m_pse36(void **state)
{
    (void)state;
    setup_4level();
    ps.cr4 = 0x10;
    ps.efer = 0;
    ps.cpu.maxphyaddr = 36;
    uint64_t la = 0xc0123456;
    /* PDE[16:13] = PA[35:32] with M = 36 */
    tm_put(&mem, 0x1000 + (la >> 22) * 4, 0x81000000 | (0x5u << 13) | P | RW | PS, 4);
    expect_ok(la, XA_ACCESS_READ, 0, 0x581123456ull);
    assert_int_equal(res.page_size, 4u << 20);
    /* bit 17 is reserved when M' = 36 */
    tm_put(&mem, 0x1000 + (la >> 22) * 4, 0x81000000 | (1u << 17) | P | RW | PS, 4);
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
    /* without PSE-36 bits 21:13 are reserved */
    ps.cpu.features &= ~(uint32_t)XA_FEAT_PSE36;
    tm_put(&mem, 0x1000 + (la >> 22) * 4, 0x81000000 | (1u << 13) | P | RW | PS, 4);
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
    /* bit 21 is always reserved, even with M = 52 (M' = 40) */
    ps.cpu.features |= XA_FEAT_PSE36;
    ps.cpu.maxphyaddr = 52;
    tm_put(&mem, 0x1000 + (la >> 22) * 4, 0x81000000 | (0xffu << 13) | P | RW | PS, 4);
    expect_ok(la, XA_ACCESS_READ, 0, 0xff81123456ull);
    tm_put(&mem, 0x1000 + (la >> 22) * 4, 0x81000000 | (1u << 21) | P | RW | PS, 4);
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
}

/* SDM 4.4.1, table 4-8: PAE PDPTEs at CR3[31:5]; reserved 2:1, 8:5, 63:M; no A bit. */
static void test_pae_pdpte(void **state)
{
    (void)state;
    setup_4level();
    ps.cr4 = 0x20;
    ps.efer = 0x800;
    ps.cr3 = 0x1060;
    uint64_t la = 0x80201abc; /* PDPTE 2, PD 1, PT 1 */
    tm_put(&mem, 0x1060 + 2 * 8, 0x2000 | P, 8);
    tm_put(&mem, 0x2000 + 1 * 8, 0x3000 | P | RW, 8);
    tm_put(&mem, 0x3000 + 1 * 8, 0x7000 | P | RW, 8);
    expect_ok(la, XA_ACCESS_WRITE, 0, 0x7abc);
    assert_int_equal(res.nwrites, 2); /* PD and PT only: PDPTEs have no A bit */
    assert_int_equal(res.writes[0].gpa, 0x2008);
    assert_int_equal(tm_get(&mem, 0x1070, 8), 0x2000 | P);
    /* a reserved bit in a present PDPTE: #PF with P and RSVD (policy) */
    tm_put(&mem, 0x1070, 0x2000 | P | RW, 8);
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
    tm_put(&mem, 0x1070, 0x2000 | P | (1ull << 46), 8);
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
    /* not present PDPTE: P=0; its reserved bits are not checked */
    tm_put(&mem, 0x1070, 0x2000 | RW, 8);
    expect_pf(la, XA_ACCESS_READ, XA_WALK_USER, PF_U);
    /* PDPTE registers given: memory is not read for the PDPTE */
    ps.has_pdptes = true;
    ps.pdpte[2] = 0x2000 | P;
    expect_ok(la, XA_ACCESS_READ, 0, 0x7abc);
    assert_int_equal(res.levels, 2);
}

/* SDM 4.4.2, table 4-9/4-11: PAE PDE/PTE reserved 62:M, bit 63 without NXE; 2 MiB pages. */
static void test_pae_formats(void **state)
{
    (void)state;
    setup_4level();
    ps.cr4 = 0x20;
    ps.efer = 0;
    ps.cr3 = 0x1000;
    uint64_t la = 0x00601abc; /* PDPTE 0, PD 3 */
    tm_put(&mem, 0x1000, 0x2000 | P, 8);
    tm_put(&mem, 0x2000 + 3 * 8, 0x40000000 | P | RW | PS, 8);
    expect_ok(la, XA_ACCESS_READ, 0, 0x40001abc);
    assert_int_equal(res.page_size, 2u << 20);
    tm_put(&mem, 0x2000 + 3 * 8, 0x40000000 | P | PS | XD, 8); /* XD reserved without NXE */
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
    ps.efer = 0x800;
    expect_pf(la, XA_ACCESS_FETCH, 0, PF_P | PF_I);
    tm_put(&mem, 0x2000 + 3 * 8, 0x40000000 | P | PS | (1ull << 13), 8); /* 20:13 */
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
    tm_put(&mem, 0x2000 + 3 * 8, 0x40000000 | P | PS | (1ull << 55), 8); /* 62:M in PAE */
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
}

/* SDM 4.5.4: 4-level paging, 4 KiB page, A then D set top-down. */
static void test_4level_4k(void **state)
{
    (void)state;
    setup_4level();
    uint64_t la = 0xffff800012345678ull;
    map4k(la, 0x3fffff000ull, P | RW | US, P | RW | US);
    expect_ok(la, XA_ACCESS_WRITE, XA_WALK_USER, 0x3fffff678ull);
    assert_int_equal(res.page_size, 4096);
    assert_int_equal(res.nwrites, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(res.writes[i].level, 4 - i);
    assert_int_equal(res.writes[3].value, 0x3fffff000ull | P | RW | US | A | D);
    assert_int_equal(mem.nlog, 4);
    /* now everything is set: no write */
    expect_ok(la, XA_ACCESS_WRITE, XA_WALK_USER, 0x3fffff678ull);
    assert_int_equal(res.nwrites, 0);
    assert_int_equal(mem.nlog, 0);
    assert_true(res.rights & XA_RIGHT_DIRTY);
}

/* SDM 4.5.4, tables 4-15/4-17: 1 GiB and 2 MiB pages; 29:13 / 20:13 reserved; PAT bit 12. */
static void test_4level_large(void **state)
{
    (void)state;
    setup_4level();
    uint64_t la = 0x0000000087654321ull; /* PML4 0, PDPT 2 */
    tm_put(&mem, 0x1000, 0x2000 | ALL, 8);
    tm_put(&mem, 0x2000 + 2 * 8, 0x1c0000000ull | ALL | PS | (1ull << 12), 8);
    expect_ok(la, XA_ACCESS_READ, 0, 0x1c7654321ull);
    assert_int_equal(res.page_size, 1ull << 30);
    tm_put(&mem, 0x2000 + 2 * 8, 0x1c0000000ull | ALL | PS | (1ull << 13), 8);
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
    /* without 1 GiB page support, PS in a PDPTE is reserved */
    ps.cpu.features &= ~(uint32_t)XA_FEAT_1G;
    tm_put(&mem, 0x2000 + 2 * 8, 0x1c0000000ull | ALL | PS, 8);
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
    /* 2 MiB */
    tm_put(&mem, 0x2000 + 2 * 8, 0x3000 | ALL, 8);
    tm_put(&mem, 0x3000 + 0x3b * 8, 0x200000ull | ALL | PS, 8);
    expect_ok(la, XA_ACCESS_READ, 0, 0x254321ull);
    assert_int_equal(res.page_size, 2u << 20);
    tm_put(&mem, 0x3000 + 0x3b * 8, 0x200000ull | ALL | PS | (1ull << 20), 8);
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
}

/* SDM 4.5.4 table 4-14: PML4E PS reserved; 51:M reserved; APM 5.3.3: AMD bit 8 in PML4E. */
static void test_4level_reserved(void **state)
{
    (void)state;
    setup_4level();
    uint64_t la = 0x1000;
    map4k(la, 0x5000, ALL, ALL);
    tm_put(&mem, 0x1000, 0x2000 | ALL | PS, 8);
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
    tm_put(&mem, 0x1000, 0x2000 | ALL | (1ull << 46), 8); /* M = 46 */
    expect_pf(la, XA_ACCESS_READ, XA_WALK_USER, PF_P | PF_RSVD | PF_U);
    ps.cpu.maxphyaddr = 52; /* bit 46 is an address bit now: the table is not in memory */
    assert_int_equal(walk(la, XA_ACCESS_READ, 0), XA_ERR_CALLBACK);
    ps.cpu.maxphyaddr = 46;
    tm_put(&mem, 0x1000, 0x2000 | ALL | (1ull << 8), 8);
    expect_ok(la, XA_ACCESS_READ, 0, 0x5000);
    ps.cpu.vendor = XA_VENDOR_AMD;
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
    /* ... but not in a non-leaf PDPTE (APM: IGN) */
    tm_put(&mem, 0x1000, 0x2000 | ALL, 8);
    tm_put(&mem, 0x2000, 0x3000 | ALL | (1ull << 8), 8);
    expect_ok(la, XA_ACCESS_READ, 0, 0x5000);
    /* bits 62:52 are ignored in 4-level entries (keys with PKE only in the leaf) */
    tm_put(&mem, 0x2000, 0x3000 | ALL | (0x7ffull << 52), 8);
    expect_ok(la, XA_ACCESS_READ, 0, 0x5000);
    /* a reserved bit below a not-present entry is never seen; P=0 wins */
    tm_put(&mem, 0x2000, 0x3000 | RW | (1ull << 50), 8);
    expect_pf(la, XA_ACCESS_READ, 0, 0);
}

/* SDM 4.5.1: 5-level paging with CR4.LA57. */
static void test_5level(void **state)
{
    (void)state;
    setup_4level();
    ps.cr4 |= 1u << 12;
    uint64_t la = 0x00ab000012345678ull; /* PML5 index 0xab */
    tm_put(&mem, 0x1000 + 0xab * 8, 0x6000 | ALL, 8);
    tm_put(&mem, 0x6000 + idx(la, 4) * 8, 0x2000 | ALL, 8);
    tm_put(&mem, 0x2000 + idx(la, 3) * 8, 0x3000 | ALL, 8);
    tm_put(&mem, 0x3000 + idx(la, 2) * 8, 0x4000 | ALL, 8);
    tm_put(&mem, 0x4000 + idx(la, 1) * 8, 0x9000 | ALL | D, 8);
    expect_ok(la, XA_ACCESS_WRITE, 0, 0x9678);
    assert_int_equal(res.levels, 5);
    /* canonical at 57 bits: 0x00ab... is fine with LA57, not without */
    ps.cr4 &= ~(1ull << 12);
    assert_int_equal(walk(la, XA_ACCESS_READ, 0), XA_EXCEPTION);
    assert_int_equal(exc.vector, 13);
}

/* SDM vol. 1 3.3.7.1, vol. 3A 6.15 (#GP, #SS): non-canonical: #GP(0), #SS(0) via SS. */
static void test_canonical(void **state)
{
    (void)state;
    setup_4level();
    assert_int_equal(walk(0x0000800000000000ull, XA_ACCESS_READ, 0), XA_EXCEPTION);
    assert_int_equal(exc.vector, 13);
    assert_int_equal(exc.error_code, 0);
    assert_int_equal(mem.reads, 0);
    assert_int_equal(walk(0xfff0000000000000ull, XA_ACCESS_WRITE, XA_WALK_SS_REF), XA_EXCEPTION);
    assert_int_equal(exc.vector, 12);
    assert_true(xa_is_canonical(0xffff800000000000ull, false));
    assert_false(xa_is_canonical(0xfe00800000000000ull, true));
    assert_true(xa_is_canonical(0xff00000000000000ull, true));
}

/* SDM 4.6.1: U/S and R/W; CR0.WP for supervisor writes. */
static void test_us_rw_wp(void **state)
{
    (void)state;
    setup_4level();
    uint64_t la = 0x400000;
    map4k(la, 0x8000, ALL, P | US | A | D); /* read-only user page */
    expect_pf(la, XA_ACCESS_WRITE, XA_WALK_USER, PF_P | PF_W | PF_U);
    expect_pf(la, XA_ACCESS_WRITE, 0, PF_P | PF_W);
    ps.cr0 &= ~(1ull << 16);
    expect_ok(la, XA_ACCESS_WRITE, 0, 0x8000);
    expect_pf(la, XA_ACCESS_WRITE, XA_WALK_USER, PF_P | PF_W | PF_U); /* WP only for supervisor */
    /* supervisor page: user access faults at any level */
    map4k(la, 0x8000, P | RW | A, ALL);
    expect_pf(la, XA_ACCESS_READ, XA_WALK_USER, PF_P | PF_U);
    expect_ok(la, XA_ACCESS_READ, 0, 0x8000);
}

/* SDM 4.8: a write allowed by CR0.WP=0 still sets D. */
static void test_wp0_sets_dirty(void **state)
{
    (void)state;
    setup_4level();
    ps.cr0 &= ~(1ull << 16);
    uint64_t la = 0x400000;
    map4k(la, 0x8000, ALL, P | A);
    expect_ok(la, XA_ACCESS_WRITE, 0, 0x8000);
    assert_int_equal(res.nwrites, 1);
    assert_int_equal(res.writes[0].value, 0x8000 | P | A | D);
}

/* SDM 4.6.1: XD with EFER.NXE; SDM 4.7: I/D bit. */
static void test_nx(void **state)
{
    (void)state;
    setup_4level();
    uint64_t la = 0x400000;
    map4k(la, 0x8000, ALL, ALL | XD);
    expect_pf(la, XA_ACCESS_FETCH, 0, PF_P | PF_I);
    expect_pf(la, XA_ACCESS_FETCH, XA_WALK_USER, PF_P | PF_I | PF_U);
    expect_ok(la, XA_ACCESS_READ, 0, 0x8000);
    map4k(la, 0x8000, ALL | XD, ALL);
    expect_pf(la, XA_ACCESS_FETCH, 0, PF_P | PF_I);
    /* NXE=0: bit 63 is reserved; I/D is 0 without SMEP */
    ps.efer &= ~0x800ull;
    expect_pf(la, XA_ACCESS_FETCH, 0, PF_P | PF_RSVD);
    map4k(la, 0x8000, ALL, ALL);
    tm_put(&mem, 0x4000 + idx(la, 1) * 8, 0, 8);
    expect_pf(la, XA_ACCESS_FETCH, 0, 0);
    ps.cr4 |= 1u << 20;
    expect_pf(la, XA_ACCESS_FETCH, 0, PF_I);
}

/* SDM 4.6.1: SMEP forbids supervisor fetches from user pages. */
static void test_smep(void **state)
{
    (void)state;
    setup_4level();
    uint64_t la = 0x400000;
    map4k(la, 0x8000, ALL, ALL);
    expect_ok(la, XA_ACCESS_FETCH, 0, 0x8000);
    ps.cr4 |= 1u << 20;
    expect_pf(la, XA_ACCESS_FETCH, 0, PF_P | PF_I);
    expect_ok(la, XA_ACCESS_FETCH, XA_WALK_USER, 0x8000);
    expect_ok(la, XA_ACCESS_READ, 0, 0x8000); /* SMEP is about fetches only */
}

/* SDM 4.6.1: SMAP with EFLAGS.AC; implicit accesses ignore AC. */
static void test_smap(void **state)
{
    (void)state;
    setup_4level();
    ps.cr4 |= 1u << 21;
    uint64_t la = 0x400000;
    map4k(la, 0x8000, ALL, ALL | D);
    expect_pf(la, XA_ACCESS_READ, 0, PF_P);
    expect_pf(la, XA_ACCESS_WRITE, 0, PF_P | PF_W);
    expect_ok(la, XA_ACCESS_READ, XA_WALK_AC, 0x8000);
    expect_ok(la, XA_ACCESS_WRITE, XA_WALK_AC, 0x8000);
    expect_pf(la, XA_ACCESS_READ, XA_WALK_AC | XA_WALK_IMPLICIT, PF_P);
    /* implicit at CPL 3 is supervisor: no U bit */
    expect_pf(la, XA_ACCESS_WRITE, XA_WALK_USER | XA_WALK_IMPLICIT | XA_WALK_AC, PF_P | PF_W);
    expect_ok(la, XA_ACCESS_READ, XA_WALK_USER, 0x8000); /* user accesses unaffected */
    expect_ok(la, XA_ACCESS_FETCH, 0, 0x8000);           /* SMAP is not about fetches */
    /* a supervisor page: no SMAP */
    map4k(la, 0x8000, P | RW | A, ALL);
    expect_ok(la, XA_ACCESS_READ, XA_WALK_IMPLICIT, 0x8000);
}

/* SDM 4.6.2: PKU (user pages, PKRU) and PKS (supervisor pages, IA32_PKRS). */
static void test_pkeys(void **state)
{
    (void)state;
    setup_4level();
    uint64_t la = 0x400000;
    map4k(la, 0x8000, ALL, ALL | D | (7ull << 59));
    ps.pkru = 1u << 14;                                  /* AD7 */
    expect_ok(la, XA_ACCESS_READ, XA_WALK_USER, 0x8000); /* PKE off */
    ps.cr4 |= 1u << 22;
    expect_pf(la, XA_ACCESS_READ, XA_WALK_USER, PF_P | PF_U | PF_PK);
    expect_pf(la, XA_ACCESS_READ, XA_WALK_AC, PF_P | PF_PK); /* supervisor access to a user page */
    expect_ok(la, XA_ACCESS_FETCH, XA_WALK_USER, 0x8000);    /* fetches have no key checks */
    ps.pkru = 2u << 14;                                      /* WD7 */
    expect_ok(la, XA_ACCESS_READ, XA_WALK_USER, 0x8000);
    expect_pf(la, XA_ACCESS_WRITE, XA_WALK_USER, PF_P | PF_W | PF_U | PF_PK);
    expect_pf(la, XA_ACCESS_WRITE, 0, PF_P | PF_W | PF_PK);
    ps.cr0 &= ~(1ull << 16); /* WD does not stop supervisor writes with WP=0 */
    expect_ok(la, XA_ACCESS_WRITE, 0, 0x8000);
    ps.cr0 |= 1u << 16;
    /* the PK bit stands on its own: with a read-only page both fail */
    map4k(la, 0x8000, ALL, P | US | A | D | (7ull << 59));
    expect_pf(la, XA_ACCESS_WRITE, XA_WALK_USER, PF_P | PF_W | PF_U | PF_PK);
    /* PKS: supervisor pages */
    map4k(la, 0x8000, P | RW | A, ALL | D | (3ull << 59));
    ps.pkrs = 1u << 6;
    expect_ok(la, XA_ACCESS_READ, 0, 0x8000);
    ps.cr4 |= 1u << 24;
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_PK);
    /* a user access to a supervisor page: U/S fails and the key fails too */
    expect_pf(la, XA_ACCESS_READ, XA_WALK_USER, PF_P | PF_U | PF_PK);
}

/* SDM 4.6.2: keys need IA-32e paging. */
static void test_pkeys_legacy_ignored(void **state)
{
    (void)state;
    setup_4level();
    ps.cr4 = 0x20 | (1u << 22) | (1u << 24);
    ps.efer = 0x800;
    ps.cr3 = 0x1000;
    ps.pkru = ps.pkrs = 0xffffffffu;
    uint64_t la = 0x1000;
    tm_put(&mem, 0x1000, 0x2000 | P, 8);
    tm_put(&mem, 0x2000, 0x3000 | ALL, 8);
    tm_put(&mem, 0x3008, 0x9000 | ALL | D, 8); /* bits 62:59 are reserved in PAE */
    expect_ok(la, XA_ACCESS_WRITE, XA_WALK_USER, 0x9000);
}

/* CET shadow stack (SDM 4.6.1): leaf R/W=0, D=1; SS bit in the error code. */
static void test_shadow_stack(void **state)
{
    (void)state;
    setup_4level();
    uint64_t la = 0x400000;
    map4k(la, 0x8000, P | RW | A, P | A | D); /* supervisor shadow-stack page */
    expect_ok(la, XA_ACCESS_WRITE, XA_WALK_SHADOW_STACK, 0x8000);
    expect_ok(la, XA_ACCESS_READ, XA_WALK_SHADOW_STACK, 0x8000);
    expect_pf(la, XA_ACCESS_WRITE, XA_WALK_SHADOW_STACK | XA_WALK_USER, PF_P | PF_W | PF_U | PF_SS);
    expect_pf(la, XA_ACCESS_WRITE, 0, PF_P | PF_W); /* ordinary write, WP=1 */
    map4k(la, 0x8000, P | RW | A, P | RW | A | D);  /* ordinary page */
    expect_pf(la, XA_ACCESS_WRITE, XA_WALK_SHADOW_STACK, PF_P | PF_W | PF_SS);
    map4k(la, 0x8000, P | A, P | A | D); /* a non-leaf R/W=0: not a shadow-stack page */
    expect_pf(la, XA_ACCESS_READ, XA_WALK_SHADOW_STACK, PF_P | PF_SS);
    assert_int_equal(walk(la, XA_ACCESS_FETCH, XA_WALK_SHADOW_STACK), XA_ERR_BAD_ARGUMENT);
}

/* SDM 4.7: P=0 gives P=0 in the error code with W/U as the access. */
static void test_not_present(void **state)
{
    (void)state;
    setup_4level();
    expect_pf(0x7000, XA_ACCESS_WRITE, XA_WALK_USER, PF_W | PF_U);
    expect_pf(0x7000, XA_ACCESS_READ, XA_WALK_USER | XA_WALK_IMPLICIT, 0);
}

/* SDM 4.8: A/D are set only when the walk and the rights check succeed. */
static void test_ad_only_on_success(void **state)
{
    (void)state;
    setup_4level();
    uint64_t la = 0x400000;
    map4k(la, 0x8000, P | RW | US, P | US);
    expect_pf(la, XA_ACCESS_WRITE, XA_WALK_USER, PF_P | PF_W | PF_U);
    assert_int_equal(tm_get(&mem, 0x1000 + idx(la, 4) * 8, 8), 0x2000 | P | RW | US);
    /* XA_WALK_NO_AD lists without writing */
    expect_ok(la, XA_ACCESS_READ, XA_WALK_NO_AD, 0x8000);
    assert_int_equal(res.nwrites, 4);
    assert_int_equal(mem.nlog, 0);
}

/* Policy: a failed compare-and-exchange redoes the walk, at most XA_MMU_MAX_TRIES times. */
static void test_ad_cmpxchg_retry(void **state)
{
    (void)state;
    setup_4level();
    uint64_t la = 0x400000;
    map4k(la, 0x8000, ALL & ~A, ALL);
    mem.cmpxchg_races = 3;
    expect_ok(la, XA_ACCESS_READ, 0, 0x8000);
    assert_int_equal(res.nwrites, 3);
    map4k(la, 0x8000, ALL & ~A, ALL);
    mem.cmpxchg_races = 1000;
    assert_int_equal(walk(la, XA_ACCESS_READ, 0), XA_RETRY);
    assert_int_equal(mem.nlog, 0);
    mem.cmpxchg_races = 0;
    mem.cmpxchg_error = 1;
    assert_int_equal(walk(la, XA_ACCESS_READ, 0), XA_ERR_CALLBACK);
}

/* Policy: without cmpxchg, the write callback (non-atomic); without both, report only. */
static void test_ad_fallbacks(void **state)
{
    (void)state;
    setup_4level();
    uint64_t la = 0x400000;
    map4k(la, 0x8000, ALL, ALL);
    struct xa_mmu_ops w = {.read = tm_read, .write = tm_write};
    mem.nlog = 0;
    assert_int_equal(xa_walk(&ps, &w, &mem, la, XA_ACCESS_WRITE, 0, &res, &exc), XA_OK);
    assert_int_equal(res.nwrites, 1);
    assert_int_equal(mem.nlog, 1);
    map4k(la, 0x8000, ALL, ALL);
    struct xa_mmu_ops r = {.read = tm_read};
    mem.nlog = 0;
    assert_int_equal(xa_walk(&ps, &r, &mem, la, XA_ACCESS_WRITE, 0, &res, &exc), XA_OK);
    assert_int_equal(res.nwrites, 1);
    assert_int_equal(mem.nlog, 0);
}

/* Hostile tables: a self-referencing PML4, a loop, beyond memory: bounded, distinct status. */
static void test_hostile_tables(void **state)
{
    (void)state;
    setup_4level();
    tm_put(&mem, 0x1000, 0x1000 | ALL, 8); /* PML4[0] points at the PML4 itself */
    mem.reads = 0;
    assert_int_equal(walk(0x0, XA_ACCESS_READ, 0), XA_OK); /* PML4 used as PDPT, PD, PT */
    assert_int_equal(mem.reads, 4);
    assert_int_equal(res.gpa, 0x1000);
    ps.cr4 |= 1u << 12;
    mem.reads = 0;
    assert_int_equal(walk(0x0, XA_ACCESS_READ, 0), XA_OK);
    assert_int_equal(mem.reads, 5);
    ps.cr4 &= ~(1ull << 12);
    /* the same entry at every level gains A (and D as the leaf) in one write */
    tm_put(&mem, 0x1000, 0x1000 | P | RW, 8);
    assert_int_equal(walk(0x0, XA_ACCESS_WRITE, 0), XA_OK);
    assert_int_equal(res.nwrites, 1);
    assert_int_equal(res.writes[0].value, 0x1000 | P | RW | A | D);
    assert_int_equal(mem.nlog, 1);
    /* a table beyond the guest memory: callback failure, not #PF, nothing written */
    tm_put(&mem, 0x1000, (1ull << 45) | P | RW, 8);
    assert_int_equal(walk(0x0, XA_ACCESS_WRITE, 0), XA_ERR_CALLBACK);
    assert_int_equal(mem.nlog, 0);
    ps.cr3 = 1ull << 45;
    assert_int_equal(walk(0x0, XA_ACCESS_READ, 0), XA_ERR_CALLBACK);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    setup_4level();
    assert_int_equal(xa_walk(NULL, &ops, &mem, 0, XA_ACCESS_READ, 0, &res, &exc),
                     XA_ERR_BAD_ARGUMENT);
    struct xa_mmu_ops none = {.read = NULL};
    assert_int_equal(xa_walk(&ps, &none, &mem, 0, XA_ACCESS_READ, 0, &res, &exc),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(walk(0, (enum xa_access)7, 0), XA_ERR_BAD_ARGUMENT);
    assert_int_equal(walk(0, XA_ACCESS_FETCH, XA_WALK_IMPLICIT), XA_ERR_BAD_ARGUMENT);
    ps.cpu.maxphyaddr = 60;
    assert_int_equal(walk(0, XA_ACCESS_READ, 0), XA_ERR_BAD_ARGUMENT);
    ps.cpu.maxphyaddr = 46;
    ps.cr0 = 0x11; /* LMA without PG */
    assert_int_equal(walk(0, XA_ACCESS_READ, 0), XA_ERR_BAD_ARGUMENT);
}

/* The hot paths (RAM window, A/D set): xa_walk and xa_walk_prepared must answer as the
 * walk through callbacks does, bad arguments included, at the edges of the window. */
static xa_status walk_window(const struct xa_mmu_ops *wops, int prepared, uint64_t la,
                             enum xa_access acc, unsigned flags, struct xa_walk_result *out,
                             struct xa_exception *e)
{
    if (!prepared)
        return xa_walk(&ps, wops, &mem, la, acc, flags, out, e);
    struct xa_mmu_prepared prep;
    xa_status st = xa_mmu_prepare(&ps, wops, &mem, &prep);
    return st == XA_OK ? xa_walk_prepared(&prep, la, acc, flags, out, e) : st;
}

static void expect_window_same(uint64_t ram_size, uint64_t la, enum xa_access acc, unsigned flags)
{
    struct xa_mmu_ops wops = ops;
    wops.ram = mem.bytes;
    wops.ram_size = ram_size;
    xa_status st = walk(la, acc, flags | XA_WALK_NO_AD);
    for (int prepared = 0; prepared < 2; prepared++) {
        struct xa_walk_result r;
        struct xa_exception e;
        memset(&r, 0, sizeof(r));
        memset(&e, 0, sizeof(e));
        assert_int_equal(walk_window(&wops, prepared, la, acc, flags | XA_WALK_NO_AD, &r, &e), st);
        if (st == XA_OK) {
            assert_int_equal(r.gpa, res.gpa);
            assert_int_equal(r.page_size, res.page_size);
            assert_int_equal(r.rights, res.rights);
            assert_int_equal(r.pkey, res.pkey);
            assert_int_equal(r.levels, res.levels);
            assert_int_equal(r.nwrites, res.nwrites);
        } else if (st == XA_EXCEPTION) {
            assert_int_equal(e.vector, exc.vector);
            assert_int_equal(e.error_code, exc.error_code);
        }
    }
}

static void test_hot_window(void **state)
{
    (void)state;
    setup_4level();
    const uint64_t la = 0x7f1234567010ull;
    map4k(la, 0x8000, ALL | D, ALL | D | (5ull << 59)); /* A and D set: the hot case */
    for (unsigned kind = 0; kind < 3; kind++)
        for (unsigned f = 0; f < 64; f++)
            expect_window_same(TM_SIZE, la, (enum xa_access)kind, f);
    /* windows under 8 KiB, ending inside the tables, or claiming more than MAXPHYADDR */
    expect_window_same(0x1fff, la, XA_ACCESS_WRITE, 0);
    expect_window_same(0x4008, la, XA_ACCESS_WRITE, 0);
    expect_window_same(0x4ff8, la, XA_ACCESS_WRITE, 0);
    /* a PDPTE pointing at bit 40 (reserved with MAXPHYADDR 36): a window claimed to be
     * 2^44 bytes must not turn it into a read beyond the tables (the buffer ends far
     * below), nor into an accepted walk */
    ps.cpu.maxphyaddr = 36;
    tm_put(&mem, 0x2000 + idx(la, 3) * 8, (1ull << 40) | 0x3000 | ALL | D, 8);
    expect_pf(la, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
    expect_window_same(1ull << 44, la, XA_ACCESS_READ, 0);
    tm_put(&mem, 0x2000 + idx(la, 3) * 8, 0x3000 | ALL | D, 8);
    expect_window_same(1ull << 44, la, XA_ACCESS_READ, 0);
    /* bad arguments on a walk the hot path would accept */
    struct xa_mmu_ops wops = ops;
    wops.ram = mem.bytes;
    wops.ram_size = TM_SIZE;
    struct xa_mmu_prepared prep;
    assert_int_equal(xa_mmu_prepare(&ps, &wops, &mem, &prep), XA_OK);
    assert_int_equal(xa_walk(&ps, &wops, &mem, la, XA_ACCESS_READ, 0, NULL, &exc),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_walk(&ps, &wops, &mem, la, XA_ACCESS_READ, 0, &res, NULL),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_walk_prepared(&prep, la, XA_ACCESS_READ, 0, NULL, &exc),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_walk_prepared(&prep, la, XA_ACCESS_READ, 0, &res, NULL),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_walk_prepared(NULL, la, XA_ACCESS_READ, 0, &res, &exc),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_walk_prepared(&prep, la, (enum xa_access)3, 0, &res, &exc),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_walk_prepared(&prep, la, (enum xa_access)0x10000000, 0, &res, &exc),
                     XA_ERR_BAD_ARGUMENT);
    ps.cpu.maxphyaddr = 60;
    assert_int_equal(xa_walk(&ps, &wops, &mem, la, XA_ACCESS_READ, 0, &res, &exc),
                     XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_mmu_prepare(&ps, &wops, &mem, &prep), XA_ERR_BAD_ARGUMENT);
    assert_int_equal(xa_walk_prepared(&prep, la, XA_ACCESS_READ, 0, &res, &exc),
                     XA_ERR_BAD_ARGUMENT);
}

/* The hot path with the tables anywhere in the window: at the top of the test memory,
 * above the window's largest power-of-two prefix, the last one ending with the window
 * or partly past its end (window sizes not multiples of 4 KiB or of 8), 4- and
 * 5-level. */
static void test_hot_window_high(void **state)
{
    (void)state;
    setup_4level();
    const uint64_t top = TM_SIZE; /* 0x40000 */
    const uint64_t la = 0x00ab7f1234567010ull;
    /* 5-level: PML5 at top - 0x5000, then PML4, PDPT, PD, PT, the PT in the last page */
    uint64_t t[6];
    for (int level = 5; level >= 1; level--)
        t[level] = top - 0x1000 * (uint64_t)level;
    for (int pass = 0; pass < 2; pass++) {
        const int levels = pass ? 5 : 4;
        const uint64_t la_used = pass ? la : la & 0x0000ffffffffffffull;
        if (pass)
            ps.cr4 |= 1u << 12;
        ps.cr3 = t[levels] | 0x18;
        for (int level = levels; level > 1; level--)
            tm_put(&mem, t[level] + idx(la_used, level) * 8, t[level - 1] | ALL | D, 8);
        tm_put(&mem, t[1] + idx(la_used, 1) * 8, 0x123456000ull | ALL | D | (9ull << 59), 8);
        expect_ok(la_used, XA_ACCESS_WRITE, 0, 0x123456010ull);
        assert_int_equal(res.levels, levels);
        assert_int_equal(res.pkey, 9);
        static const uint64_t sizes[] = {TM_SIZE,          TM_SIZE - 1,      TM_SIZE - 3,
                                         TM_SIZE - 8,      TM_SIZE - 0x800,  TM_SIZE - 0x1000,
                                         TM_SIZE - 0xfff,  TM_SIZE - 0x1001, TM_SIZE / 2 + 0x1000,
                                         0x3c000 + 0x1000, 0x3b000 + 0x1000, 0x3b000 + 0xfff};
        for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
            for (unsigned kind = 0; kind < 3; kind++)
                expect_window_same(sizes[k], la_used, (enum xa_access)kind, 0);
        /* the PT's entry in the window's last 8 bytes, the window one byte short of it */
        const uint64_t la_last = (la_used & ~0x1ff000ull) | 0x1ff000ull;
        for (int level = levels; level > 1; level--)
            tm_put(&mem, t[level] + idx(la_last, level) * 8, t[level - 1] | ALL | D, 8);
        tm_put(&mem, t[1] + 0xff8, 0x777000ull | ALL | D, 8);
        expect_ok(la_last, XA_ACCESS_READ, 0, 0x777000ull | (la_last & 0xfff));
        expect_window_same(TM_SIZE, la_last, XA_ACCESS_READ, 0);
        expect_window_same(TM_SIZE - 1, la_last, XA_ACCESS_READ, 0);
        expect_window_same(TM_SIZE - 7, la_last, XA_ACCESS_READ, 0);
        expect_window_same(TM_SIZE - 8, la_last, XA_ACCESS_READ, 0);
        /* a table pointer past the window's end, and one past MAXPHYADDR */
        tm_put(&mem, t[2] + idx(la_used, 2) * 8, (top + 0x1000) | ALL | D, 8);
        expect_window_same(TM_SIZE, la_used, XA_ACCESS_READ, 0);
        tm_put(&mem, t[2] + idx(la_used, 2) * 8, (1ull << 46) | t[1] | ALL | D, 8);
        expect_pf(la_used, XA_ACCESS_READ, 0, PF_P | PF_RSVD);
        expect_window_same(TM_SIZE, la_used, XA_ACCESS_READ, 0);
        tm_put(&mem, t[2] + idx(la_used, 2) * 8, t[1] | ALL | D, 8);
        /* the root past the window: no hot path, the same answer */
        expect_window_same(t[levels] + 0xfff, la_used, XA_ACCESS_WRITE, 0);
        expect_window_same(t[levels] + 0x1000, la_used, XA_ACCESS_WRITE, 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_paging),
        cmocka_unit_test(test_32bit_4k),
        cmocka_unit_test(test_32bit_4m_pse36),
        cmocka_unit_test(test_pae_pdpte),
        cmocka_unit_test(test_pae_formats),
        cmocka_unit_test(test_4level_4k),
        cmocka_unit_test(test_4level_large),
        cmocka_unit_test(test_4level_reserved),
        cmocka_unit_test(test_5level),
        cmocka_unit_test(test_canonical),
        cmocka_unit_test(test_us_rw_wp),
        cmocka_unit_test(test_wp0_sets_dirty),
        cmocka_unit_test(test_nx),
        cmocka_unit_test(test_smep),
        cmocka_unit_test(test_smap),
        cmocka_unit_test(test_pkeys),
        cmocka_unit_test(test_pkeys_legacy_ignored),
        cmocka_unit_test(test_shadow_stack),
        cmocka_unit_test(test_not_present),
        cmocka_unit_test(test_ad_only_on_success),
        cmocka_unit_test(test_ad_cmpxchg_retry),
        cmocka_unit_test(test_ad_fallbacks),
        cmocka_unit_test(test_hostile_tables),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_hot_window),
        cmocka_unit_test(test_hot_window_high),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
