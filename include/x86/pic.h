/*
 * pic: the two 8259 interrupt controllers, remapped to vectors T_IRQ0.. (32..47).
 */
#ifndef STRATA_X86_PIC_H
#define STRATA_X86_PIC_H

#include <stdbool.h>
#include <stdint.h>

#define IRQ_TIMER 0
#define IRQ_COM1  4

void pic_init(void);
/* Allow @irq (0..15) to interrupt; the cascade line is opened for IRQs 8..15. */
void pic_unmask(unsigned irq);
/* Acknowledge @irq; called by trap_dispatch before the handler runs. */
void pic_eoi(unsigned irq);
/*
 * True when @irq is spurious: IRQ 7 or 15 raised for a line that dropped before the CPU took
 * it, so the controller has nothing in service. The caller then runs no handler and sends no
 * EOI (for a spurious IRQ 15 the master, which did see the cascade, is acknowledged here).
 * False for every real interrupt.
 */
bool pic_spurious(unsigned irq);

#endif
