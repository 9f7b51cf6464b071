/*
 * rtc: read the CMOS real-time clock (include/x86/rtc.h). The clock is read twice until two
 * reads agree, after waiting for no update in progress (status A bit 7), so a read never
 * mixes two seconds. Status B says whether the values are BCD and whether hours are 12-hour
 * (bit 7 of the hour then means PM). No interrupts from the RTC are used.
 */
#include "x86/rtc.h"

#include <stdbool.h>

#include "x86/cpu.h"
#include "x86/io.h"

#define CMOS_INDEX       0x70
#define CMOS_DATA        0x71
#define CMOS_NMI_DISABLE 0x80 /* keep NMIs off while the index is set */
#define RTC_SECONDS      0x00
#define RTC_MINUTES      0x02
#define RTC_HOURS        0x04
#define RTC_DAY          0x07
#define RTC_MONTH        0x08
#define RTC_YEAR         0x09
#define RTC_CENTURY      0x32 /* QEMU and most PCs (the ACPI FADT names it) */
#define RTC_STATUS_A     0x0A
#define RTC_STATUS_B     0x0B
#define RTC_UIP          0x80 /* status A: update in progress */
#define RTC_24H          0x02 /* status B: 24-hour mode */
#define RTC_BINARY       0x04 /* status B: binary, not BCD */
#define RTC_PM           0x80 /* hour byte in 12-hour mode */
#define RTC_UIP_SPINS    100000
#define RTC_READ_TRIES   5
#define SECS_PER_DAY     86400
#define DEFAULT_CENTURY  20

struct rtc_time {
	unsigned sec, min, hour, day, month, year, century;
};

static uint8_t cmos_read(uint8_t reg)
{
	outb(CMOS_INDEX, CMOS_NMI_DISABLE | reg);
	return inb(CMOS_DATA);
}

static void rtc_raw(struct rtc_time *t)
{
	for (int i = 0; i < RTC_UIP_SPINS && (cmos_read(RTC_STATUS_A) & RTC_UIP); i++)
		;
	t->sec = cmos_read(RTC_SECONDS);
	t->min = cmos_read(RTC_MINUTES);
	t->hour = cmos_read(RTC_HOURS);
	t->day = cmos_read(RTC_DAY);
	t->month = cmos_read(RTC_MONTH);
	t->year = cmos_read(RTC_YEAR);
	t->century = cmos_read(RTC_CENTURY);
}

static bool rtc_same(const struct rtc_time *a, const struct rtc_time *b)
{
	return a->sec == b->sec && a->min == b->min && a->hour == b->hour && a->day == b->day &&
	       a->month == b->month && a->year == b->year && a->century == b->century;
}

static unsigned bcd(unsigned v)
{
	return (v & 0x0F) + (v >> 4) * 10;
}

int64_t rtc_days_from_civil(int year, unsigned month, unsigned day)
{
	/* Howard Hinnant's days_from_civil: years start in March so leap days fall last. */
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int64_t)era * 146097 + (int64_t)doe - 719468;
}

int64_t rtc_read_epoch(void)
{
	struct rtc_time a, b;
	uint32_t flags = irq_save();
	uint8_t status_b;

	rtc_raw(&a);
	for (int i = 0; i < RTC_READ_TRIES; i++) {
		rtc_raw(&b);
		if (rtc_same(&a, &b))
			break;
		a = b;
	}
	status_b = cmos_read(RTC_STATUS_B);
	irq_restore(flags);

	bool pm = !(status_b & RTC_24H) && (a.hour & RTC_PM);
	a.hour &= ~RTC_PM;
	if (!(status_b & RTC_BINARY)) {
		a.sec = bcd(a.sec);
		a.min = bcd(a.min);
		a.hour = bcd(a.hour);
		a.day = bcd(a.day);
		a.month = bcd(a.month);
		a.year = bcd(a.year);
		a.century = bcd(a.century);
	}
	if (!(status_b & RTC_24H))
		a.hour = (a.hour % 12) + (pm ? 12 : 0);
	if (a.century < 19 || a.century > 99)
		a.century = DEFAULT_CENTURY;
	if (a.sec > 59 || a.min > 59 || a.hour > 23 || a.day < 1 || a.day > 31 || a.month < 1 ||
	    a.month > 12 || a.year > 99)
		return 0;
	return rtc_days_from_civil((int)(a.century * 100 + a.year), a.month, a.day) * SECS_PER_DAY +
	       a.hour * 3600 + a.min * 60 + a.sec;
}
