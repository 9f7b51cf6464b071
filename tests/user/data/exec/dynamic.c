/* A dynamically linked i386 program (it has PT_INTERP): Strata refuses it with ENOEXEC. */
#include <stdio.h>

int main(void)
{
	puts("dynamic");
	return 0;
}
