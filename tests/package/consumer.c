/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A program outside the project that uses an installed x86assist: built by
 * tests/package/run.sh with find_package(x86assist) (shared and static) and
 * with pkg-config. It touches each part (decoder, MMU, emulator) through the
 * umbrella header only, as a hypervisor would, and checks that the headers
 * and the linked library are the same version.
 */
#include <stdio.h>
#include <string.h>

#include <x86assist/x86assist.h>

#ifndef XA_EXPECTED_VERSION
#define XA_EXPECTED_VERSION XA_VERSION_STRING
#endif

int main(void)
{
    static const uint8_t bytes[] = {0x8b, 0x4c, 0x24, 0x08}; /* mov ecx, [rsp+8] */
    struct xa_insn insn;
    char text[128];
    struct xa_vcpu vcpu;
    int failures = 0;

    if (strcmp(xa_version(), XA_VERSION_STRING) != 0 ||
        strcmp(xa_version(), XA_EXPECTED_VERSION) != 0) {
        fprintf(stderr, "version: library %s, header %s, package %s\n", xa_version(),
                XA_VERSION_STRING, XA_EXPECTED_VERSION);
        failures++;
    }
    if (xa_decode(&insn, XA_MODE_64, XA_VENDOR_INTEL, bytes, sizeof bytes) != XA_OK ||
        insn.length != sizeof bytes) {
        fprintf(stderr, "decode failed\n");
        failures++;
    } else {
        xa_format(&insn, 0, text, sizeof text);
        printf("decode: %s\n", text);
    }
    if (!xa_is_canonical(0xffff800000000000u, false) || xa_is_canonical(1ull << 47, false)) {
        fprintf(stderr, "xa_is_canonical is wrong\n");
        failures++;
    }
    if (xa_vcpu_init(&vcpu, NULL, NULL, NULL) != XA_ERR_BAD_ARGUMENT) {
        fprintf(stderr, "xa_vcpu_init accepted NULL ops\n");
        failures++;
    }
    printf("x86assist %s: %s\n", xa_version(), failures ? "FAILED" : xa_status_name(XA_OK));
    return failures != 0;
}
