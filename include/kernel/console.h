/*
 * console: moved to the bottom layer, include/lib/console.h (kprintf, console_write). This
 * name stays for the in-kernel tests that include it; new code includes "lib/console.h".
 */
#ifndef STRATA_KERNEL_CONSOLE_H
#define STRATA_KERNEL_CONSOLE_H

#include "lib/console.h"

#endif
