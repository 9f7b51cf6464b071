/*
 * pic: the 8259A pair. Remapped so IRQ 0..15 arrive as vectors 32..47 (the CPU's exceptions
 * own 0..31); every line starts masked and is opened by the driver that handles it.
 */
#include "x86/pic.h"

#include "x86/io.h"
#include "x86/trap.h"

#define PIC1_CMD            0x20
#define PIC1_DATA           0x21
#define PIC2_CMD            0xA0
#define PIC2_DATA           0xA1
#define ICW1_INIT           0x11 /* edge triggered, cascade, ICW4 follows */
#define ICW4_8086           0x01
#define PIC_EOI             0x20
#define OCW3_READ_ISR       0x0B /* the next read of the command port returns the in-service bits */
#define IRQ_CASCADE         2
#define IRQ_SPURIOUS_MASTER 7
#define IRQ_SPURIOUS_SLAVE  15

void pic_init(void)
{
	outb(PIC1_CMD, ICW1_INIT);
	io_wait();
	outb(PIC2_CMD, ICW1_INIT);
	io_wait();
	outb(PIC1_DATA, T_IRQ0);
	io_wait();
	outb(PIC2_DATA, T_IRQ0 + 8);
	io_wait();
	outb(PIC1_DATA, 1u << IRQ_CASCADE); /* slave on IRQ 2 */
	io_wait();
	outb(PIC2_DATA, IRQ_CASCADE);
	io_wait();
	outb(PIC1_DATA, ICW4_8086);
	io_wait();
	outb(PIC2_DATA, ICW4_8086);
	io_wait();
	outb(PIC1_DATA, 0xFF);
	outb(PIC2_DATA, 0xFF);
}

void pic_unmask(unsigned irq)
{
	if (irq < 8) {
		outb(PIC1_DATA, inb(PIC1_DATA) & (uint8_t) ~(1u << irq));
	} else {
		outb(PIC2_DATA, inb(PIC2_DATA) & (uint8_t) ~(1u << (irq - 8)));
		outb(PIC1_DATA, inb(PIC1_DATA) & (uint8_t) ~(1u << IRQ_CASCADE));
	}
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}

bool pic_spurious(unsigned irq)
{
	if (irq != IRQ_SPURIOUS_MASTER && irq != IRQ_SPURIOUS_SLAVE)
		return false;
	uint16_t port = irq == IRQ_SPURIOUS_MASTER ? PIC1_CMD : PIC2_CMD;
	outb(port, OCW3_READ_ISR);
	if (inb(port) & 0x80) /* bit 7: line 7 of that controller really is in service */
		return false;
	if (irq == IRQ_SPURIOUS_SLAVE)
		pic_eoi(IRQ_CASCADE); /* the master did see the cascade */
	return true;
}
