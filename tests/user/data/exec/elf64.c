/* An x86_64 static ELF that exits 0: execve of it on i386 must fail with ENOEXEC (wrong class). */
void _start(void);
void _start(void)
{
	__asm__ volatile("mov $60, %eax; xor %edi, %edi; syscall");
}
