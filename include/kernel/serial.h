/*
 * serial: the COM1 UART (115200 8N1), the kernel's console. Output is polled; input arrives
 * by interrupt (IRQ 4) into a ring buffer that the monitor drains.
 */
#ifndef STRATA_KERNEL_SERIAL_H
#define STRATA_KERNEL_SERIAL_H

#include <stddef.h>

/* Program the UART and register it as printk's sink. Output works from here on; input
 * once serial_enable_rx_irq() ran. */
void serial_init(void);

/* Unmask the receive interrupt (after the IDT and PIC are set up). */
void serial_enable_rx_irq(void);

/* Write @len bytes, turning "\n" into "\r\n". Safe from any context. */
void serial_write(const char *s, size_t len);

/* Write @len bytes as they are (the tty did its own output processing). Any context. */
void serial_write_raw(const char *s, size_t len);

/* The next received byte, or -1 when none is waiting. Never blocks. */
int serial_getc(void);

/* True when a received byte is waiting (call with interrupts off to avoid a race). */
int serial_getc_pending(void);

/* Call @fn from the receive interrupt after bytes arrived (NULL: none). */
void serial_set_rx_hook(void (*fn)(void));

#endif
