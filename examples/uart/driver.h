/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A driver for the demo UART (uart_regs.h), in plain C: every register access
 * is a load or store through a volatile pointer, as in a kernel. It knows
 * nothing of x86assist or of the model: the test points it at a trapped region.
 */
#ifndef UART_DRIVER_H
#define UART_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uart_regs.h"

#define UART_SW_RING 256 /* the driver's software buffers (a power of two) */

struct uart_ring {
    uint8_t data[UART_SW_RING];
    unsigned head, tail; /* free-running: count = head - tail */
};

struct uart_stats {
    unsigned long rx, tx, overruns, framing, parity, breaks, modem_changes, interrupts;
};

struct uart {
    volatile uint8_t *regs;
    struct uart_info info;
    uint32_t clock_hz;
    unsigned baud;
    struct uart_ring rx, tx; /* filled and drained by the interrupt handler */
    uint8_t msr;             /* last modem status seen */
    struct uart_stats stats;
};

/* Errors of uart_init. */
#define UART_OK     0
#define UART_ENODEV (-1) /* no UART (scratch register or identification wrong) */
#define UART_EINVAL (-2) /* baud rate impossible with this clock */

/** Probes and programs the UART at @p base: @p baud, 8N1, FIFOs (RX trigger 8), RX interrupts. */
int uart_init(struct uart *u, volatile void *base, unsigned baud);

/** Reads the divisor latch back and returns the baud rate it gives. */
unsigned uart_get_baud(struct uart *u);

/** Loopback on or off (MCR.LOOP). */
void uart_set_loopback(struct uart *u, bool on);

/** Sends one byte, waiting for room (polling LSR.THRE). */
void uart_putc(struct uart *u, uint8_t c);

/** Returns the next received byte, or -1 when none (polling LSR.DR). */
int uart_getc(struct uart *u);

/** Sends @p n bytes: waits for an empty FIFO, then fills it through the burst window. */
void uart_write(struct uart *u, const void *buf, size_t n);

/** Reads up to @p n received bytes (RXLVL, then the burst window); returns the count. */
size_t uart_read(struct uart *u, void *buf, size_t n);

/** Waits until the transmitter is idle (LSR.TEMT). */
void uart_flush(struct uart *u);

/** Queues @p n bytes for interrupt-driven sending (enables the THRE interrupt); returns the
 *  bytes queued. */
size_t uart_write_async(struct uart *u, const void *buf, size_t n);

/** Takes up to @p n bytes the interrupt handler received. */
size_t uart_read_async(struct uart *u, void *buf, size_t n);

/** The interrupt handler: serves every pending cause (IIR) until none is left. */
void uart_isr(struct uart *u);

/** Modem-status interrupts on or off (IER.MSI). */
void uart_enable_modem_irq(struct uart *u, bool on);

#endif
