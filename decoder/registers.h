/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef XA_DECODER_REGISTERS_H
#define XA_DECODER_REGISTERS_H

#include <x86assist/decoder.h>

/* Width in bytes of register r (enum xa_reg); 0 for XA_REG_NONE. */
unsigned xai_reg_width(unsigned r);

#endif
