/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The 16550A model. Its callbacks run inside mmiotrap's signal handler: plain
 * computation on the struct, nothing else.
 */
#include "uart_model.h"

#include <string.h>

static const struct uart_info info = {
    .vendor = UART_VENDOR_DEMO,
    .device = UART_DEVICE_16550,
    .revision = 3,
    .fifo_depth = UART_FIFO_DEPTH,
    .ports = 1,
    .flags = UART_INFO_WINDOW,
};

/* ---- FIFOs ---------------------------------------------------------------- */

static unsigned depth(const struct uart_model *m)
{
    return (m->fcr & UART_FCR_ENABLE) ? UART_FIFO_DEPTH : 1; /* 16450 mode: one byte */
}

static bool fifo_push(struct uart_fifo *f, unsigned limit, uint8_t b)
{
    if (f->count >= limit)
        return false;
    f->data[(f->head + f->count++) % UART_FIFO_DEPTH] = b;
    return true;
}

static uint8_t fifo_pop(struct uart_fifo *f)
{
    if (!f->count)
        return 0;
    uint8_t b = f->data[f->head];
    f->head = (f->head + 1) % UART_FIFO_DEPTH;
    f->count--;
    return b;
}

static unsigned rx_trigger(const struct uart_model *m)
{
    static const unsigned level[4] = {1, 4, 8, 14};
    return (m->fcr & UART_FCR_ENABLE) ? level[m->fcr >> 6] : 1;
}

/* ---- the line ------------------------------------------------------------ */

static void rx_byte(struct uart_model *m, uint8_t b)
{
    if (!fifo_push(&m->rx, depth(m), b))
        m->lsr_err |= UART_LSR_OE;
    m->rx_idle = 0;
}

static void tick(struct uart_model *m)
{
    m->rx_idle++;
    if (m->shifting && ++m->shift_ticks >= m->char_ticks) {
        m->shifting = false;
        if (m->mcr & UART_MCR_LOOP)
            rx_byte(m, m->shift);
        else if (m->line_len < UART_MODEL_LINE_MAX)
            m->line[m->line_len++] = m->shift;
    }
    if (!m->shifting && m->tx.count) {
        m->shift = fifo_pop(&m->tx);
        m->shifting = true;
        m->shift_ticks = 0;
        if (!m->tx.count)
            m->thri_pending = true; /* the FIFO just became empty */
    }
}

void uart_model_advance(struct uart_model *m, unsigned ticks)
{
    while (ticks--)
        tick(m);
}

void uart_model_receive(struct uart_model *m, const void *bytes, size_t n)
{
    const uint8_t *b = bytes;
    if (m->mcr & UART_MCR_LOOP)
        return; /* loopback disconnects the receiver from the line */
    for (size_t i = 0; i < n; i++)
        rx_byte(m, b[i]);
}

/* ---- status -------------------------------------------------------------- */

static uint8_t msr_inputs(const struct uart_model *m)
{
    if (!(m->mcr & UART_MCR_LOOP))
        return m->msr_in;
    /* Loopback: RTS -> CTS, DTR -> DSR, OUT1 -> RI, OUT2 -> DCD. */
    return (uint8_t)((m->mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
                     (m->mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) | (m->mcr & 0x04 ? 0x40 : 0) |
                     (m->mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0));
}

static uint8_t lsr(const struct uart_model *m)
{
    uint8_t v = m->lsr_err;
    if (m->rx.count)
        v |= UART_LSR_DR;
    if (!m->tx.count)
        v |= UART_LSR_THRE;
    if (!m->tx.count && !m->shifting)
        v |= UART_LSR_TEMT;
    return v;
}

static bool timeout(const struct uart_model *m)
{
    /* Data below the trigger level, and nothing read or received for 4 characters. */
    return (m->fcr & UART_FCR_ENABLE) && m->rx.count && m->rx_idle >= 4 * m->char_ticks;
}

/* The interrupt of highest priority (IIR bits 3:0). */
static uint8_t pending(const struct uart_model *m)
{
    if ((m->ier & UART_IER_RLSI) &&
        (m->lsr_err & (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)))
        return UART_IIR_RLSI;
    if ((m->ier & UART_IER_RDI) && m->rx.count >= rx_trigger(m))
        return UART_IIR_RDI;
    if ((m->ier & UART_IER_RDI) && timeout(m))
        return UART_IIR_CTI;
    if ((m->ier & UART_IER_THRI) && m->thri_pending && !m->tx.count)
        return UART_IIR_THRI;
    if ((m->ier & UART_IER_MSI) && (m->msr_delta & 0x0f))
        return UART_IIR_MSI;
    return UART_IIR_NO_INT;
}

bool uart_model_irq(const struct uart_model *m)
{
    return pending(m) != UART_IIR_NO_INT && (m->mcr & UART_MCR_OUT2);
}

unsigned uart_model_baud(const struct uart_model *m)
{
    unsigned div = (unsigned)m->dlm << 8 | m->dll;
    return div ? m->clock_hz / 16 / div : 0;
}

void uart_model_set_modem(struct uart_model *m, uint8_t msr)
{
    uint8_t changed = (uint8_t)((m->msr_in ^ msr) & 0xf0);
    m->msr_delta |= (uint8_t)((changed & UART_MSR_CTS ? UART_MSR_DCTS : 0) |
                              (changed & UART_MSR_DSR ? UART_MSR_DDSR : 0) |
                              (changed & UART_MSR_DCD ? 0x08 : 0));
    m->msr_in = msr & 0xf0;
}

/* ---- register accesses ----------------------------------------------------- */

static uint8_t read_byte(struct uart_model *m, uint64_t off)
{
    bool dlab = (m->lcr & UART_LCR_DLAB) != 0;
    if (off >= UART_WINDOW && off < UART_WINDOW + UART_WINDOW_SIZE)
        off = UART_RBR; /* the burst window: one RBR read per byte */
    else if (off >= UART_INFO && off < UART_INFO + sizeof(info))
        return ((const uint8_t *)&info)[off - UART_INFO];
    else if (off >= UART_CLOCK && off < UART_CLOCK + 4)
        return (uint8_t)(m->clock_hz >> (8 * (off - UART_CLOCK)));
    switch (off) {
    case UART_RBR:
        if (dlab)
            return m->dll;
        m->rx_idle = 0;
        return fifo_pop(&m->rx);
    case UART_IER: return dlab ? m->dlm : m->ier;
    case UART_IIR: {
        uint8_t id = pending(m);
        if (id == UART_IIR_THRI)
            m->thri_pending = false; /* reading the IIR acknowledges THRE */
        return (uint8_t)(id | ((m->fcr & UART_FCR_ENABLE) ? UART_IIR_FIFOS : 0));
    }
    case UART_LCR: return m->lcr;
    case UART_MCR: return m->mcr;
    case UART_LSR: {
        uint8_t v = lsr(m);
        m->lsr_err = 0; /* reading LSR clears the error bits */
        return v;
    }
    case UART_MSR: {
        uint8_t v = (uint8_t)(msr_inputs(m) | m->msr_delta);
        m->msr_delta = 0;
        return v;
    }
    case UART_SCR: return m->scr;
    case UART_RXLVL: return (uint8_t)m->rx.count;
    case UART_TXLVL: return (uint8_t)(depth(m) - m->tx.count);
    default: return 0xff; /* nothing there: the bus floats */
    }
}

static void write_byte(struct uart_model *m, uint64_t off, uint8_t v)
{
    bool dlab = (m->lcr & UART_LCR_DLAB) != 0;
    if (off >= UART_WINDOW && off < UART_WINDOW + UART_WINDOW_SIZE)
        off = UART_THR;
    switch (off) {
    case UART_THR:
        if (dlab) {
            m->dll = v;
        } else if (!fifo_push(&m->tx, depth(m), v)) {
            m->tx_dropped++;
        } else {
            m->thri_pending = false;
        }
        break;
    case UART_IER:
        if (dlab) {
            m->dlm = v;
        } else {
            /* Enabling THRI while the FIFO is empty raises it at once. */
            if ((v & ~m->ier & UART_IER_THRI) && !m->tx.count)
                m->thri_pending = true;
            m->ier = v & 0x0f;
        }
        break;
    case UART_FCR:
        if ((v ^ m->fcr) & UART_FCR_ENABLE) /* switching mode empties both FIFOs */
            m->rx.count = m->tx.count = 0;
        if (v & UART_FCR_CLEAR_RX)
            m->rx.count = 0;
        if (v & UART_FCR_CLEAR_TX)
            m->tx.count = 0;
        m->fcr = v & (UART_FCR_ENABLE | 0xc0);
        break;
    case UART_LCR: m->lcr = v; break;
    case UART_MCR: m->mcr = v & 0x1f; break;
    case UART_SCR: m->scr = v; break;
    default: break; /* read-only or nothing there */
    }
}

static uint64_t dev_read(void *ctx, uint64_t offset, unsigned size)
{
    struct uart_model *m = ctx;
    uint64_t v = 0;
    for (unsigned k = 0; k < size; k++)
        v |= (uint64_t)read_byte(m, offset + k) << (8 * k);
    tick(m);
    return v;
}

static void dev_write(void *ctx, uint64_t offset, unsigned size, uint64_t value)
{
    struct uart_model *m = ctx;
    for (unsigned k = 0; k < size; k++)
        write_byte(m, offset + k, (uint8_t)(value >> (8 * k)));
    tick(m);
}

static const char *reg_name(void *ctx, uint64_t off, bool write)
{
    const struct uart_model *m = ctx;
    bool dlab = (m->lcr & UART_LCR_DLAB) != 0;
    if (off >= UART_WINDOW && off < UART_WINDOW + UART_WINDOW_SIZE)
        return write ? "WINDOW(THR)" : "WINDOW(RBR)";
    switch (off) {
    case 0: return dlab ? "DLL" : write ? "THR" : "RBR";
    case 1: return dlab ? "DLM" : "IER";
    case 2: return write ? "FCR" : "IIR";
    case 3: return "LCR";
    case 4: return "MCR";
    case 5: return "LSR";
    case 6: return "MSR";
    case 7: return "SCR";
    case UART_INFO: return "INFO";
    case UART_CLOCK: return "CLOCK";
    case UART_RXLVL: return "RXLVL";
    case UART_TXLVL: return "TXLVL";
    default: return NULL;
    }
}

struct mmiotrap_device uart_model_device(struct uart_model *m)
{
    return (struct mmiotrap_device){"uart", m, dev_read, dev_write, reg_name};
}

void uart_model_init(struct uart_model *m, uint32_t clock_hz)
{
    memset(m, 0, sizeof(*m));
    m->clock_hz = clock_hz;
    m->char_ticks = 3;
    m->msr_in = UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
}
