/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A 16550A UART device model (see uart_regs.h for the register map), with its
 * FIFOs, the transmitter's timing, the interrupt identification and priorities,
 * loopback, modem status, and the other end of the line for the tests.
 *
 * Time: one tick passes per register access (and uart_model_advance adds
 * more); a character takes char_ticks ticks on the line, so a driver that
 * writes faster than the line must poll LSR.THRE or wait for the interrupt.
 */
#ifndef UART_MODEL_H
#define UART_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmiotrap.h"
#include "uart_regs.h"

#define UART_MODEL_LINE_MAX 4096

struct uart_fifo {
    uint8_t data[UART_FIFO_DEPTH];
    unsigned head, count;
};

struct uart_model {
    /* Registers. */
    uint8_t ier, lcr, mcr, scr, dll, dlm, fcr, lsr_err, msr_in, msr_delta;
    struct uart_fifo rx, tx;
    /* The transmitter's shift register and the time. */
    bool shifting;
    uint8_t shift;
    unsigned shift_ticks, char_ticks, rx_idle;
    bool thri_pending; /* THRE interrupt armed (cleared by an IIR read or a THR write) */
    /* The other end of the line. */
    uint8_t line[UART_MODEL_LINE_MAX];
    size_t line_len;
    unsigned long tx_dropped; /* bytes written while the TX FIFO was full (a driver bug) */
    uint32_t clock_hz;
};

/** Resets @p m (power-on state) with a @p clock_hz baud clock. */
void uart_model_init(struct uart_model *m, uint32_t clock_hz);

/** The device for mmiotrap_map (size UART_SPACE). */
struct mmiotrap_device uart_model_device(struct uart_model *m);

/** @p ticks pass (the line moves). */
void uart_model_advance(struct uart_model *m, unsigned ticks);

/** Bytes arrive from the line into the RX FIFO; those that find it full are lost (overrun). */
void uart_model_receive(struct uart_model *m, const void *bytes, size_t n);

/** Sets the modem inputs (UART_MSR_CTS, DSR, DCD bits); changes set the delta bits. */
void uart_model_set_modem(struct uart_model *m, uint8_t msr);

/** Whether the interrupt line is asserted (an interrupt pending and MCR.OUT2 set). */
bool uart_model_irq(const struct uart_model *m);

/** The baud rate programmed (clock / 16 / divisor; 0 when the divisor is 0). */
unsigned uart_model_baud(const struct uart_model *m);

#endif
