/*
 * A tiny i386 static ELF that exits 0. The build patches its e_machine to EM_ARM (40) to make
 * /test/data/wrongmachine (execve: ENOEXEC, wrong machine).
 */
void _start(void);
void _start(void)
{
	__asm__ volatile("mov $1, %eax; xor %ebx, %ebx; int $0x80");
}
