/*
 * pic: the two 8259 interrupt controllers, remapped to vectors T_IRQ0.. (32..47).
 */
#ifndef STRATA_X86_PIC_H
#define STRATA_X86_PIC_H

#include <stdint.h>

#define IRQ_TIMER  0
#define IRQ_COM1   4

void pic_init(void);
/* Allow @irq (0..15) to interrupt; the cascade line is opened for IRQs 8..15. */
void pic_unmask(unsigned irq);
/* Acknowledge @irq; called by trap_dispatch after the handler. */
void pic_eoi(unsigned irq);

#endif
