/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The UART driver. Written as drivers are: register reads and writes through
 * a volatile pointer, read-modify-write of LCR, MCR and IER, bit tests of LSR
 * and IIR, a struct copy of the identification block, byte-by-byte bursts
 * through the FIFO window. Which instructions these become is the compiler's
 * choice (see examples/README.md).
 */
#include "driver.h"

#include <string.h>

static unsigned ring_count(const struct uart_ring *r)
{
    return r->head - r->tail;
}

int uart_init(struct uart *u, volatile void *base, unsigned baud)
{
    memset(u, 0, sizeof(*u));
    u->regs = base;
    volatile uint8_t *r = u->regs;

    /* Is anything there? The scratch register keeps what is written. */
    r[UART_SCR] = 0x5a;
    if (r[UART_SCR] != 0x5a)
        return UART_ENODEV;
    r[UART_SCR] = 0xa5;
    if (r[UART_SCR] != 0xa5)
        return UART_ENODEV;
    u->info = *(volatile const struct uart_info *)(r + UART_INFO);
    if (u->info.vendor != UART_VENDOR_DEMO || u->info.device != UART_DEVICE_16550)
        return UART_ENODEV;
    u->clock_hz = *(volatile const uint32_t *)(r + UART_CLOCK);

    unsigned divisor = baud ? (u->clock_hz / 16 + baud / 2) / baud : 0;
    if (divisor == 0 || divisor > 0xffff)
        return UART_EINVAL;

    r[UART_IER] = 0;              /* quiet while we work */
    r[UART_LCR] |= UART_LCR_DLAB; /* the divisor latch */
    r[UART_DLL] = (uint8_t)divisor;
    r[UART_DLM] = (uint8_t)(divisor >> 8);
    r[UART_LCR] &= (uint8_t)~UART_LCR_DLAB;
    r[UART_LCR] = UART_LCR_WLEN8; /* 8N1 */
    r[UART_FCR] = UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX | UART_FCR_TRIG_8;
    r[UART_MCR] = UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2;
    (void)r[UART_LSR]; /* clear stale errors */
    (void)r[UART_MSR];
    u->msr = r[UART_MSR];
    r[UART_IER] = UART_IER_RDI | UART_IER_RLSI;
    u->baud = uart_get_baud(u);
    return UART_OK;
}

unsigned uart_get_baud(struct uart *u)
{
    volatile uint8_t *r = u->regs;
    uint8_t lcr = r[UART_LCR];
    r[UART_LCR] = lcr | UART_LCR_DLAB;
    unsigned divisor = (unsigned)r[UART_DLM] << 8 | r[UART_DLL];
    r[UART_LCR] = lcr;
    return divisor ? u->clock_hz / 16 / divisor : 0;
}

void uart_set_loopback(struct uart *u, bool on)
{
    if (on)
        u->regs[UART_MCR] |= UART_MCR_LOOP;
    else
        u->regs[UART_MCR] &= (uint8_t)~UART_MCR_LOOP;
}

void uart_putc(struct uart *u, uint8_t c)
{
    while (!(u->regs[UART_LSR] & UART_LSR_THRE))
        continue;
    u->regs[UART_THR] = c;
    u->stats.tx++;
}

/* Counts the errors of an LSR value. */
static void line_errors(struct uart *u, uint8_t lsr)
{
    if (lsr & UART_LSR_OE)
        u->stats.overruns++;
    if (lsr & UART_LSR_FE)
        u->stats.framing++;
    if (lsr & UART_LSR_PE)
        u->stats.parity++;
    if (lsr & UART_LSR_BI)
        u->stats.breaks++;
}

int uart_getc(struct uart *u)
{
    uint8_t lsr = u->regs[UART_LSR];
    line_errors(u, lsr);
    if (!(lsr & UART_LSR_DR))
        return -1;
    u->stats.rx++;
    return u->regs[UART_RBR];
}

/* Bursts: one access per byte through the window (each is one FIFO push or pop). */
static void burst_out(volatile uint8_t *window, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        window[i] = p[i];
}

static void burst_in(uint8_t *p, const volatile uint8_t *window, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = window[i];
}

void uart_write(struct uart *u, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    while (n) {
        while (!(u->regs[UART_LSR] & UART_LSR_THRE))
            continue;
        size_t chunk = n < u->info.fifo_depth ? n : u->info.fifo_depth;
        burst_out(u->regs + UART_WINDOW, p, chunk);
        u->stats.tx += chunk;
        p += chunk;
        n -= chunk;
    }
}

size_t uart_read(struct uart *u, void *buf, size_t n)
{
    line_errors(u, u->regs[UART_LSR]);
    size_t level = u->regs[UART_RXLVL];
    if (level > n)
        level = n;
    burst_in(buf, u->regs + UART_WINDOW, level);
    u->stats.rx += level;
    return level;
}

void uart_flush(struct uart *u)
{
    while (!(u->regs[UART_LSR] & UART_LSR_TEMT))
        continue;
}

size_t uart_write_async(struct uart *u, const void *buf, size_t n)
{
    const uint8_t *p = buf;
    size_t queued = 0;
    while (queued < n && ring_count(&u->tx) < UART_SW_RING)
        u->tx.data[u->tx.head++ % UART_SW_RING] = p[queued++];
    if (queued)
        u->regs[UART_IER] |= UART_IER_THRI; /* the interrupt comes when the FIFO is empty */
    return queued;
}

size_t uart_read_async(struct uart *u, void *buf, size_t n)
{
    uint8_t *p = buf;
    size_t got = 0;
    while (got < n && ring_count(&u->rx))
        p[got++] = u->rx.data[u->rx.tail++ % UART_SW_RING];
    return got;
}

void uart_enable_modem_irq(struct uart *u, bool on)
{
    if (on)
        u->regs[UART_IER] |= UART_IER_MSI;
    else
        u->regs[UART_IER] &= (uint8_t)~UART_IER_MSI;
}

/* RX data available or timeout: drain the FIFO into the software ring. */
static void isr_rx(struct uart *u)
{
    while (u->regs[UART_LSR] & UART_LSR_DR) {
        uint8_t c = u->regs[UART_RBR];
        if (ring_count(&u->rx) < UART_SW_RING)
            u->rx.data[u->rx.head++ % UART_SW_RING] = c;
        u->stats.rx++;
    }
}

/* THRE: refill the FIFO from the software ring; nothing left, no more THRE interrupts. */
static void isr_tx(struct uart *u)
{
    unsigned room = u->info.fifo_depth;
    while (room-- && ring_count(&u->tx)) {
        u->regs[UART_THR] = u->tx.data[u->tx.tail++ % UART_SW_RING];
        u->stats.tx++;
    }
    if (!ring_count(&u->tx))
        u->regs[UART_IER] &= (uint8_t)~UART_IER_THRI;
}

void uart_isr(struct uart *u)
{
    uint8_t iir;
    while (!((iir = u->regs[UART_IIR]) & UART_IIR_NO_INT)) {
        u->stats.interrupts++;
        switch (iir & UART_IIR_ID) {
        case UART_IIR_RLSI: line_errors(u, u->regs[UART_LSR]); break;
        case UART_IIR_RDI:
        case UART_IIR_CTI: isr_rx(u); break;
        case UART_IIR_THRI: isr_tx(u); break;
        case UART_IIR_MSI:
            u->msr = u->regs[UART_MSR];
            u->stats.modem_changes++;
            break;
        default: return; /* not a 16550 cause: leave it */
        }
    }
}
