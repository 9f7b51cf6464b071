/*
 * time: moved to include/x86/timer.h (the PIT tick, HZ and time since boot) so the scheduler
 * reaches it without an upward include. This name stays for the in-kernel tests that
 * include it; new code includes "x86/timer.h".
 */
#ifndef STRATA_KERNEL_TIME_H
#define STRATA_KERNEL_TIME_H

#include "x86/timer.h"

#endif
