/*
 * io: x86 port I/O. The only place `in`/`out` instructions are written.
 */
#ifndef STRATA_X86_IO_H
#define STRATA_X86_IO_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t val)
{
	__asm__ volatile("outb %0, %1" : : "a"(val), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t val)
{
	__asm__ volatile("outw %0, %1" : : "a"(val), "Nd"(port));
}

/* A short delay for old devices (the 8259 PIC): a write to the unused POST port 0x80. */
static inline void io_wait(void)
{
	outb(0x80, 0);
}

#endif
