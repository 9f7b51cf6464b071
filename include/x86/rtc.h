/*
 * rtc: the MC146818 CMOS real-time clock (kernel/arch/rtc.c), read once so CLOCK_REALTIME
 * starts at the wall-clock time, as Linux's rtc_cmos does at boot. QEMU's RTC runs in UTC.
 */
#ifndef STRATA_X86_RTC_H
#define STRATA_X86_RTC_H

#include <stdint.h>

/*
 * Seconds since 1970-01-01 00:00:00 UTC now, from the CMOS clock (BCD or binary, 12- or
 * 24-hour; the century register when it holds a sane value, else 20xx). Returns 0 when the
 * clock reads as nonsense (no RTC). Takes a few port reads; waits out an update in progress.
 */
int64_t rtc_read_epoch(void);

/* Days from 1970-01-01 to @year-@month-@day (proleptic Gregorian; month 1..12). Pure. */
int64_t rtc_days_from_civil(int year, unsigned month, unsigned day);

#endif
