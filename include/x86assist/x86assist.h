/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file x86assist.h
 * @brief Umbrella header: version, the one status type, the exception record.
 *
 * x86assist handles the VM exits a hypervisor cannot finish alone: it decodes
 * x86 instructions (decoder.h), translates guest addresses (mmu.h) and emulates
 * instructions against a vCPU seen only through callbacks (emulator.h).
 */
#ifndef X86ASSIST_X86ASSIST_H
#define X86ASSIST_X86ASSIST_H

#include <stdbool.h>
#include <stdint.h>

/** Major version of these headers: a new one breaks the API (semantic versioning). */
#define XA_VERSION_MAJOR 0
/** Minor version: new API, compatible (while the major version is 0, it may break it). */
#define XA_VERSION_MINOR 1
/** Patch version: fixes only. */
#define XA_VERSION_PATCH 0
/** The version of these headers as a string; xa_version() gives the linked library's. */
#define XA_VERSION_STRING "0.1.0"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The one status type of every x86assist call.
 *
 * XA_OK is zero; every other value is a distinct outcome that the caller can
 * act on. xa_status_name() gives a stable lowercase name for each.
 */
typedef enum xa_status {
    XA_OK = 0,           /**< Success. */
    XA_ERR_INVALID,      /**< The bytes are not a valid instruction (#UD). */
    XA_ERR_TRUNCATED,    /**< The buffer ended inside the instruction. */
    XA_ERR_TOO_LONG,     /**< The instruction exceeds 15 bytes (#GP). */
    XA_ERR_BAD_ARGUMENT, /**< A parameter is out of range (NULL, bad mode...). */
    XA_EXCEPTION,        /**< The guest faults: see the xa_exception record. */
    XA_ERR_CALLBACK,     /**< A hypervisor callback returned an error. */
    XA_ERR_UNSUPPORTED,  /**< Valid, but not emulated by this library. */
    XA_RETRY,            /**< Guest state changed under us: re-enter the guest. */
    XA_CONTINUE,         /**< Iteration budget spent: call again to go on. */
} xa_status;

/** True when @p s is XA_OK. */
#define XA_SUCCESS(s) ((s) == XA_OK)

/** Returns a stable lowercase name ("ok", "invalid", ...); "unknown" otherwise. */
const char *xa_status_name(xa_status s);

/** Exception vectors the library raises. */
enum xa_vector {
    XA_VEC_DE = 0,  /**< Divide error. */
    XA_VEC_UD = 6,  /**< Invalid opcode. */
    XA_VEC_NM = 7,  /**< Device not available. */
    XA_VEC_TS = 10, /**< Invalid TSS. */
    XA_VEC_NP = 11, /**< Segment not present. */
    XA_VEC_SS = 12, /**< Stack-segment fault. */
    XA_VEC_GP = 13, /**< General protection. */
    XA_VEC_PF = 14, /**< Page fault. */
    XA_VEC_AC = 17, /**< Alignment check. */
};

/** An exception the guest must receive (when a call returns XA_EXCEPTION). */
struct xa_exception {
    uint8_t vector;      /**< One of enum xa_vector. */
    bool has_error_code; /**< Whether error_code is pushed. */
    uint32_t error_code; /**< The error code (0 when none). */
    uint64_t cr2;        /**< The faulting linear address (vector 14 only). */
};

/** CPU vendor, where Intel and AMD behave differently. */
enum xa_vendor {
    XA_VENDOR_INTEL = 0, /**< Intel rules (the default). */
    XA_VENDOR_AMD = 1,   /**< AMD rules. */
};

/**
 * Guest CPU features (bits of xa_cpu_model.features). The names follow the
 * vocabulary of the command-line tool's STATE "features" list.
 */
enum xa_feature {
    XA_FEAT_PSE36 = 1u << 0,       /**< PSE-36: 4 MiB pages above 4 GiB. */
    XA_FEAT_1G = 1u << 1,          /**< 1 GiB pages. */
    XA_FEAT_LA57 = 1u << 2,        /**< 5-level paging. */
    XA_FEAT_NX = 1u << 3,          /**< Execute-disable. */
    XA_FEAT_SMEP = 1u << 4,        /**< Supervisor-mode execution prevention. */
    XA_FEAT_SMAP = 1u << 5,        /**< Supervisor-mode access prevention. */
    XA_FEAT_PKU = 1u << 6,         /**< Protection keys for user pages. */
    XA_FEAT_PKS = 1u << 7,         /**< Protection keys for supervisor pages. */
    XA_FEAT_SSE3 = 1u << 8,        /**< SSE3. */
    XA_FEAT_SSSE3 = 1u << 9,       /**< SSSE3. */
    XA_FEAT_SSE4_1 = 1u << 10,     /**< SSE4.1. */
    XA_FEAT_SSE4_2 = 1u << 11,     /**< SSE4.2. */
    XA_FEAT_AVX = 1u << 12,        /**< AVX. */
    XA_FEAT_AVX2 = 1u << 13,       /**< AVX2. */
    XA_FEAT_AVX512F = 1u << 14,    /**< AVX-512 Foundation. */
    XA_FEAT_AVX512BW = 1u << 15,   /**< AVX-512 byte and word. */
    XA_FEAT_AVX512DQ = 1u << 16,   /**< AVX-512 doubleword and quadword. */
    XA_FEAT_AVX512VL = 1u << 17,   /**< AVX-512 vector length extensions. */
    XA_FEAT_MOVBE = 1u << 18,      /**< MOVBE. */
    XA_FEAT_MOVDIRI = 1u << 19,    /**< MOVDIRI. */
    XA_FEAT_MOVDIR64B = 1u << 20,  /**< MOVDIR64B. */
    XA_FEAT_POPCNT = 1u << 21,     /**< POPCNT. */
    XA_FEAT_LZCNT = 1u << 22,      /**< LZCNT (ABM). */
    XA_FEAT_BMI1 = 1u << 23,       /**< BMI1. */
    XA_FEAT_BMI2 = 1u << 24,       /**< BMI2. */
    XA_FEAT_CX16 = 1u << 25,       /**< CMPXCHG16B. */
    XA_FEAT_CLFLUSHOPT = 1u << 26, /**< CLFLUSHOPT. */
    XA_FEAT_CLWB = 1u << 27,       /**< CLWB. */
    XA_FEAT_ALL = (1u << 28) - 1,  /**< Every feature above. */
};

/** The guest CPU model: what the guest sees, not what the host has. */
struct xa_cpu_model {
    uint8_t vendor;     /**< enum xa_vendor. */
    uint8_t maxphyaddr; /**< MAXPHYADDR in bits (36..52); 0 means 52. */
    uint32_t features;  /**< enum xa_feature bits. */
};

/** Returns XA_VERSION_STRING of the library actually linked. */
const char *xa_version(void);

#ifdef __cplusplus
}
#endif

#endif /* X86ASSIST_X86ASSIST_H */

/*
 * The umbrella: every part of the API. Each part header includes this file
 * first, before it defines anything, so when this file is reached from inside
 * decoder.h or mmu.h that part is still incomplete and emulator.h (which needs
 * both) cannot be read yet: the umbrella is then skipped and completed by the
 * next include of this file. A part is complete once the first macro it
 * defines after its includes exists (XA_MAX_INSN_LENGTH, XA_MMU_MAX_LEVELS).
 */
#if !defined(X86ASSIST_UMBRELLA_DONE) &&                                                           \
    (!defined(X86ASSIST_DECODER_H) || defined(XA_MAX_INSN_LENGTH)) &&                              \
    (!defined(X86ASSIST_MMU_H) || defined(XA_MMU_MAX_LEVELS))
#define X86ASSIST_UMBRELLA_DONE
#include "decoder.h"
#include "mmu.h"
#include "emulator.h"
#endif
