/*
 * memstat: the one-line statistics record printed every `memstat=SECONDS`:
 *   [   10.000123] mm: stat used=3648 kB free=126400 kB total=130048 kB pct=2.8
 * tools/memplot turns a saved serial log of these lines into a chart.
 * The tick only marks the record due; memstat_poll(), called from the main loop, prints it.
 */
#ifndef STRATA_MM_MEMSTAT_H
#define STRATA_MM_MEMSTAT_H

void memstat_init(void);
void memstat_poll(void);
void memstat_print(void);

#endif
