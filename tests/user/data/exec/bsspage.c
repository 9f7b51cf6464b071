/*
 * A static i386 ELF whose writable segment starts in the same page as its text segment
 * (tests/user/data/exec/bsspage.lds: no page alignment between them) and has a bss, so the
 * bss's first bytes share a page with file bytes of the text mapping. The kernel must zero
 * them (Linux's padzero). Exits 0 when every bss byte reads 0 and the data word is intact,
 * 1 otherwise: /test/data/bsspage (t_exec).
 */
volatile char bss[512]; /* not static: the compiler must not assume it zero */
static volatile int data_word = 0x5a5a5a5a;

void _start(void);
void _start(void)
{
	int bad = data_word != 0x5a5a5a5a;

	for (unsigned i = 0; i < sizeof(bss); i++)
		bad |= bss[i];
	__asm__ volatile("int $0x80" : : "a"(1), "b"(bad != 0));
	for (;;)
		;
}
