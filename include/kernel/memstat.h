/*
 * memstat: the one-line statistics record, printed every `memstat=SECONDS` by a kernel task:
 *   [   10.000123] mm: stat used=3648 kB free=126400 kB total=130048 kB pct=2.8
 * tools/memplot turns a saved serial log of these lines into a chart.
 */
#ifndef STRATA_KERNEL_MEMSTAT_H
#define STRATA_KERNEL_MEMSTAT_H

#include <stdint.h>

/* Print one record now. */
void memstat_print(void);

/* Start the memstat task printing every @seconds (> 0); returns its tid or a negative errno. */
int memstat_start(uint32_t seconds);

/* Start it if the command line asked for it. */
void memstat_init(void);

#endif
