/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The driver's own tests, run against the 16550A model through mmiotrap: the
 * driver's register block is a trapped region, so each register access it makes
 * is decoded and emulated by x86assist and served by the model.
 *
 * Usage: uart_driver_test [--trace N]   (N: show the first N device accesses)
 * Prints one "ok"/"not ok" line per test and the mnemonics x86assist emulated;
 * exits 0 when every test passes. An instruction x86assist cannot emulate ends
 * the run (exit status 3) with its mnemonic named.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"
#include "mmiotrap.h"
#include "uart_model.h"

#define CLOCK_HZ 14745600u /* 8 x 1.8432 MHz: 115200 baud is divisor 8 */

static struct uart_model model;
static struct uart uart;
static void *regs;
static int failures, test_number;
static const char *current;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("#   %s: line %d: check failed: %s\n", current, __LINE__, #cond);               \
            failed = true;                                                                         \
        }                                                                                          \
    } while (0)

/* A fresh model and a driver initialised on it. */
static bool setup(void)
{
    uart_model_init(&model, CLOCK_HZ);
    return uart_init(&uart, regs, 115200) == UART_OK;
}

/* ---- the tests ------------------------------------------------------------ */

static bool test_init(void)
{
    bool failed = false;
    CHECK(setup());
    CHECK(uart.info.vendor == UART_VENDOR_DEMO && uart.info.device == UART_DEVICE_16550);
    CHECK(uart.info.fifo_depth == UART_FIFO_DEPTH && uart.info.revision == 3);
    CHECK(uart.clock_hz == CLOCK_HZ);
    CHECK(uart_model_baud(&model) == 115200 && uart.baud == 115200);
    CHECK(model.dll == 8 && model.dlm == 0);
    CHECK(model.lcr == UART_LCR_WLEN8);
    CHECK(model.fcr == (UART_FCR_ENABLE | UART_FCR_TRIG_8));
    CHECK(model.mcr == (UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2));
    CHECK(model.ier == (UART_IER_RDI | UART_IER_RLSI));
    return !failed;
}

/* Nothing behind the address: every read floats to 0xff. */
static uint64_t float_read(void *ctx, uint64_t offset, unsigned size)
{
    return size >= 8 ? ~UINT64_C(0) : (UINT64_C(1) << (8 * size)) - 1;
}

static void float_write(void *ctx, uint64_t offset, unsigned size, uint64_t value)
{
}

static bool test_no_device(void)
{
    bool failed = false;
    struct mmiotrap_device none = {"empty", NULL, float_read, float_write, NULL};
    void *empty = mmiotrap_map(UART_SPACE, &none);
    CHECK(empty != NULL);
    if (empty) {
        struct uart u;
        CHECK(uart_init(&u, empty, 115200) == UART_ENODEV);
        mmiotrap_unmap(empty);
    }
    uart_model_init(&model, CLOCK_HZ);
    CHECK(uart_init(&uart, regs, 10) == UART_EINVAL); /* divisor above 0xffff */
    return !failed;
}

static bool test_loopback_polled(void)
{
    bool failed = false;
    CHECK(setup());
    uart_set_loopback(&uart, true);
    CHECK(model.mcr & UART_MCR_LOOP);
    const char *msg = "ping";
    char got[8] = {0};
    for (size_t i = 0; i < strlen(msg); i++) {
        uart_putc(&uart, (uint8_t)msg[i]);
        int c = -1;
        for (int spins = 0; c < 0 && spins < 100; spins++)
            c = uart_getc(&uart);
        got[i] = (char)c;
    }
    CHECK(strcmp(got, msg) == 0);
    CHECK(model.line_len == 0); /* loopback: nothing on the line */
    uart_set_loopback(&uart, false);
    CHECK(!(model.mcr & UART_MCR_LOOP));
    return !failed;
}

static bool test_write_burst(void)
{
    bool failed = false;
    CHECK(setup());
    uint8_t out[100];
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i * 7 + 1);
    uart_write(&uart, out, sizeof(out));
    uart_flush(&uart);
    CHECK(model.line_len == sizeof(out));
    CHECK(memcmp(model.line, out, sizeof(out)) == 0);
    CHECK(model.tx_dropped == 0);
    CHECK(uart.stats.tx == sizeof(out));
    return !failed;
}

static bool test_read_burst(void)
{
    bool failed = false;
    CHECK(setup());
    const char *msg = "hello, driver";
    uart_model_receive(&model, msg, strlen(msg));
    char in[32] = {0};
    CHECK(uart_read(&uart, in, sizeof(in)) == strlen(msg));
    CHECK(strcmp(in, msg) == 0);
    CHECK(uart_read(&uart, in, sizeof(in)) == 0);
    CHECK(uart.stats.overruns == 0);
    return !failed;
}

static bool test_overrun(void)
{
    bool failed = false;
    CHECK(setup());
    uint8_t burst[20];
    for (size_t i = 0; i < sizeof(burst); i++)
        burst[i] = (uint8_t)('a' + i);
    uart_model_receive(&model, burst, sizeof(burst)); /* 4 too many for the FIFO */
    uint8_t in[32];
    CHECK(uart_read(&uart, in, sizeof(in)) == UART_FIFO_DEPTH);
    CHECK(memcmp(in, burst, UART_FIFO_DEPTH) == 0);
    CHECK(uart.stats.overruns == 1);
    return !failed;
}

/* Delivers interrupts as an interrupt controller would, while time passes. */
static void run_irqs(unsigned ticks)
{
    while (ticks--) {
        if (uart_model_irq(&model))
            uart_isr(&uart);
        uart_model_advance(&model, 1);
    }
}

static bool test_rx_interrupts(void)
{
    bool failed = false;
    CHECK(setup());
    CHECK(!uart_model_irq(&model));
    uart_model_receive(&model, "0123456789", 10); /* above the trigger level (8) */
    CHECK(uart_model_irq(&model));
    uart_isr(&uart);
    CHECK(!uart_model_irq(&model));
    char in[32] = {0};
    CHECK(uart_read_async(&uart, in, sizeof(in)) == 10 && memcmp(in, "0123456789", 10) == 0);

    uart_model_receive(&model, "xyz", 3); /* below the trigger: the timeout reports it */
    CHECK(!uart_model_irq(&model));
    run_irqs(4 * model.char_ticks + 2);
    memset(in, 0, sizeof(in));
    CHECK(uart_read_async(&uart, in, sizeof(in)) == 3 && memcmp(in, "xyz", 3) == 0);
    CHECK(uart.stats.interrupts == 2);

    uart_model_receive(&model, "0123456789abcdefXY", 18); /* overrun: the line-status cause */
    run_irqs(1);
    CHECK(uart.stats.overruns == 1);
    CHECK(uart_read_async(&uart, in, sizeof(in)) == UART_FIFO_DEPTH);
    return !failed;
}

static bool test_tx_interrupts(void)
{
    bool failed = false;
    CHECK(setup());
    char out[50];
    for (size_t i = 0; i < sizeof(out); i++)
        out[i] = (char)('A' + i % 26);
    CHECK(uart_write_async(&uart, out, sizeof(out)) == sizeof(out));
    CHECK(model.ier & UART_IER_THRI);
    run_irqs(1000);
    CHECK(model.line_len == sizeof(out) && memcmp(model.line, out, sizeof(out)) == 0);
    CHECK(!(model.ier & UART_IER_THRI)); /* the handler turned THRE off at the end */
    CHECK(model.tx_dropped == 0);
    CHECK(uart.stats.interrupts >= 4); /* 50 bytes: at least 4 FIFO refills */
    return !failed;
}

static bool test_modem_status(void)
{
    bool failed = false;
    CHECK(setup());
    CHECK(uart.msr & UART_MSR_CTS);
    uart_enable_modem_irq(&uart, true);
    CHECK(!uart_model_irq(&model));
    uart_model_set_modem(&model, UART_MSR_DSR | UART_MSR_DCD); /* CTS drops */
    CHECK(uart_model_irq(&model));
    uart_isr(&uart);
    CHECK(!uart_model_irq(&model));
    CHECK(uart.stats.modem_changes == 1);
    CHECK(!(uart.msr & UART_MSR_CTS) && (uart.msr & UART_MSR_DCTS));
    uart_enable_modem_irq(&uart, false);
    CHECK(!(model.ier & UART_IER_MSI));
    return !failed;
}

/* ---- the runner -------------------------------------------------------------- */

static void run(const char *name, bool (*fn)(void))
{
    current = name;
    bool ok = fn();
    printf("%s %d - %s\n", ok ? "ok" : "not ok", ++test_number, name);
    if (!ok)
        failures++;
}

int main(int argc, char **argv)
{
    unsigned trace = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--trace") == 0 && i + 1 < argc) {
            trace = (unsigned)strtoul(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [--trace N]\n", argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* the trace is written with write(2) in between */
    uart_model_init(&model, CLOCK_HZ);
    struct mmiotrap_device dev = uart_model_device(&model);
    regs = mmiotrap_map(UART_SPACE, &dev);
    if (!regs) {
        perror("mmiotrap_map");
        return 1;
    }
    printf("# UART registers at %p (no access: every access traps into x86assist)\n", regs);
    if (trace) {
        printf("# the first %u device accesses, with the instruction that made each:\n", trace);
        mmiotrap_trace(STDOUT_FILENO, trace);
    }
    run("init: probe, identification, divisor, 8N1, FIFOs", test_init);
    if (trace) {
        mmiotrap_trace(STDOUT_FILENO, 0);
        printf("# ... trace off\n");
    }
    run("probe fails: floating bus, impossible baud rate", test_no_device);
    run("loopback: putc/getc polling LSR", test_loopback_polled);
    run("write: 100 bytes through the burst window", test_write_burst);
    run("read: RXLVL and the burst window", test_read_burst);
    run("overrun: 20 bytes into a 16-byte FIFO", test_overrun);
    run("rx interrupts: trigger level, timeout, line status", test_rx_interrupts);
    run("tx interrupts: THRE refills from the software ring", test_tx_interrupts);
    run("modem status interrupt: CTS drops", test_modem_status);
    printf("# %d of %d tests passed; %lu instructions emulated: ", test_number - failures,
           test_number, mmiotrap_emulated());
    fflush(stdout);
    mmiotrap_print_mnemonics(stdout);
    return failures ? 1 : 0;
}
