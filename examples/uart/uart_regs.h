/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The register map of the demo UART, shared by the driver and the device model:
 * a 16550A (8 byte-wide registers, 16-byte FIFOs) with the extensions of the
 * memory-mapped multi-port UARTs (Exar XR17V35x, NXP SC16IS7xx): an
 * identification block, FIFO level registers and a burst window through which
 * a driver moves a run of bytes to or from the FIFOs with plain loads and stores.
 */
#ifndef UART_REGS_H
#define UART_REGS_H

#include <stdint.h>

/* 16550A registers (byte offsets). */
#define UART_RBR 0 /* read, DLAB=0: receiver buffer */
#define UART_THR 0 /* write, DLAB=0: transmitter holding */
#define UART_DLL 0 /* DLAB=1: divisor latch, low byte */
#define UART_IER 1 /* DLAB=0: interrupt enable */
#define UART_DLM 1 /* DLAB=1: divisor latch, high byte */
#define UART_IIR 2 /* read: interrupt identification */
#define UART_FCR 2 /* write: FIFO control */
#define UART_LCR 3 /* line control */
#define UART_MCR 4 /* modem control */
#define UART_LSR 5 /* line status */
#define UART_MSR 6 /* modem status */
#define UART_SCR 7 /* scratch */

#define UART_IER_RDI  0x01 /* received data available (and character timeout) */
#define UART_IER_THRI 0x02 /* transmitter holding register empty */
#define UART_IER_RLSI 0x04 /* receiver line status */
#define UART_IER_MSI  0x08 /* modem status */

#define UART_IIR_NO_INT 0x01 /* no interrupt pending */
#define UART_IIR_ID     0x0e /* the pending interrupt: */
#define UART_IIR_MSI    0x00 /*   modem status */
#define UART_IIR_THRI   0x02 /*   transmitter holding register empty */
#define UART_IIR_RDI    0x04 /*   received data available */
#define UART_IIR_RLSI   0x06 /*   receiver line status */
#define UART_IIR_CTI    0x0c /*   character timeout */
#define UART_IIR_FIFOS  0xc0 /* FIFOs enabled */

#define UART_FCR_ENABLE   0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_TRIG_1   0x00 /* RX trigger level: 1, 4, 8, 14 bytes */
#define UART_FCR_TRIG_4   0x40
#define UART_FCR_TRIG_8   0x80
#define UART_FCR_TRIG_14  0xc0

#define UART_LCR_WLEN8  0x03 /* 8 data bits */
#define UART_LCR_STOP2  0x04
#define UART_LCR_PARITY 0x08
#define UART_LCR_DLAB   0x80 /* divisor latch access */

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT2 0x08 /* interrupt line enable on PC-style boards */
#define UART_MCR_LOOP 0x10 /* loopback: TX feeds RX, modem outputs feed inputs */

#define UART_LSR_DR    0x01 /* data ready */
#define UART_LSR_OE    0x02 /* overrun error */
#define UART_LSR_PE    0x04 /* parity error */
#define UART_LSR_FE    0x08 /* framing error */
#define UART_LSR_BI    0x10 /* break interrupt */
#define UART_LSR_THRE  0x20 /* transmit FIFO empty */
#define UART_LSR_TEMT  0x40 /* transmitter empty (FIFO and shift register) */
#define UART_LSR_FIFOE 0x80 /* an error in the RX FIFO */

#define UART_MSR_DCTS 0x01 /* CTS changed */
#define UART_MSR_DDSR 0x02 /* DSR changed */
#define UART_MSR_CTS  0x10
#define UART_MSR_DSR  0x20
#define UART_MSR_DCD  0x80

/* The extensions. */
#define UART_INFO        0x80  /* struct uart_info, read-only */
#define UART_CLOCK       0x88  /* 32-bit: the baud clock in Hz, read-only */
#define UART_RXLVL       0x8c  /* bytes in the RX FIFO, read-only */
#define UART_TXLVL       0x8d  /* free bytes in the TX FIFO, read-only */
#define UART_WINDOW      0x100 /* 256-byte burst window: a read pops RX, a write pushes TX */
#define UART_WINDOW_SIZE 0x100
#define UART_SPACE       0x200 /* the register block's size */

#define UART_FIFO_DEPTH 16

/** The identification block at UART_INFO (8 bytes: a driver copies it in one go). */
struct uart_info {
    uint16_t vendor;    /**< UART_VENDOR_DEMO */
    uint16_t device;    /**< UART_DEVICE_16550 */
    uint8_t revision;   /**< hardware revision */
    uint8_t fifo_depth; /**< bytes per FIFO */
    uint8_t ports;      /**< ports on the chip */
    uint8_t flags;      /**< UART_INFO_* */
};

#define UART_VENDOR_DEMO  0x7861
#define UART_DEVICE_16550 0x0550
#define UART_INFO_WINDOW  0x01 /* the burst window exists */

#endif
