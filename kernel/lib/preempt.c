/*
 * preempt: the preemption counter's storage (see include/lib/preempt.h). Read by the
 * scheduler; changed only with preempt_disable()/preempt_enable().
 */
#include "lib/preempt.h"

uint32_t preempt_count;
