/*
 * serial: 16550 UART on COM1. The receive FIFO is left off on purpose: enabling it makes
 * QEMU discard the byte already waiting, which loses the first character of piped input
 * (`printf 'meminfo\n' | make run`); one interrupt per byte is plenty for a monitor.
 *
 * Receive ring: rx_head is written only by the IRQ handler, rx_tail only by serial_getc();
 * single CPU, so the indices need no lock (each side reads the other's with volatile).
 * Back-pressure: when the ring is full the handler leaves the byte in the UART and masks the
 * receive interrupt (rx_throttled); the sender (QEMU's chardev, a pipe) then waits, and
 * serial_getc() unmasks it once there is room. Nothing is dropped, however fast input comes.
 */
#include "kernel/serial.h"

#include "lib/printk.h"
#include "x86/cpu.h"
#include "x86/io.h"
#include "x86/pic.h"
#include "x86/trap.h"

#define COM1         0x3F8
#define UART_DATA    0
#define UART_IER     1
#define UART_FCR     2
#define UART_LCR     3
#define UART_MCR     4
#define UART_LSR     5
#define UART_DLL     0
#define UART_DLM     1
#define LCR_8N1      0x03
#define LCR_DLAB     0x80
#define MCR_DTR_RTS  0x03
#define MCR_OUT2     0x08 /* gates the UART's interrupt line to the PIC */
#define IER_RX       0x01
#define LSR_DR       0x01
#define LSR_THRE     0x20
#define BAUD_DIVISOR 1    /* 115200 */
#define RX_RING_SIZE 256u /* power of two */

static volatile uint8_t rx_ring[RX_RING_SIZE];
static volatile unsigned rx_head, rx_tail;
static volatile bool rx_throttled;
static void (*rx_hook)(void);

void serial_set_rx_hook(void (*fn)(void))
{
	rx_hook = fn;
}

void serial_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, BAUD_DIVISOR);
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, 0);
	outb(COM1 + UART_MCR, MCR_DTR_RTS | MCR_OUT2);
	printk_set_sink(serial_write);
}

static bool serial_irq(struct trap_frame *tf)
{
	(void)tf;
	while (inb(COM1 + UART_LSR) & LSR_DR) {
		if (rx_head - rx_tail == RX_RING_SIZE) { /* full: hold the byte in the UART */
			outb(COM1 + UART_IER, 0);
			rx_throttled = true;
			break;
		}
		rx_ring[rx_head % RX_RING_SIZE] = inb(COM1 + UART_DATA);
		rx_head++;
	}
	if (rx_hook)
		rx_hook();
	return true;
}

void serial_enable_rx_irq(void)
{
	uint32_t flags = irq_save();

	trap_register(T_IRQ0 + IRQ_COM1, serial_irq);
	outb(COM1 + UART_IER, IER_RX);
	pic_unmask(IRQ_COM1);
	/* A byte that arrived before the interrupt was enabled. With interrupts masked, so the
	 * IRQ cannot take the byte between our LSR and data reads (which would store it twice). */
	serial_irq(0);
	irq_restore(flags);
}

static void serial_putc_raw(char c)
{
	while (!(inb(COM1 + UART_LSR) & LSR_THRE))
		;
	outb(COM1 + UART_DATA, (uint8_t)c);
}

void serial_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			serial_putc_raw('\r');
		serial_putc_raw(s[i]);
	}
}

void serial_write_raw(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		serial_putc_raw(s[i]);
}

int serial_getc(void)
{
	if (rx_tail == rx_head)
		return -1;
	int c = rx_ring[rx_tail % RX_RING_SIZE];
	rx_tail++;
	if (rx_throttled) { /* room again: take what waits in the UART, then unmask */
		uint32_t flags = irq_save();
		rx_throttled = false;
		outb(COM1 + UART_IER, IER_RX);
		serial_irq(0);
		irq_restore(flags);
	}
	return c;
}

int serial_getc_pending(void)
{
	return rx_tail != rx_head;
}
