/*
 * user/hello.c: the smallest useful user program, for the first exec on a new kernel.
 *
 *   hello [CODE [ARG...]]
 *
 * Prints its argument vector and its environment, one entry a line, then exits with CODE
 * (argv[1] when it is a number 0..255, else 0), so a parent can check that arguments, the
 * environment and the exit status all travel as on Linux.
 */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(int argc, char **argv)
{
	int code = 0;
	char *end;

	printf("hello: argc=%d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("hello: argv[%d]=\"%s\"\n", i, argv[i]);
	for (int i = 0; environ && environ[i]; i++)
		printf("hello: envp[%d]=\"%s\"\n", i, environ[i]);
	if (argc > 1) {
		long v = strtol(argv[1], &end, 0);
		if (*argv[1] && !*end && v >= 0 && v <= 255)
			code = (int)v;
	}
	printf("hello: exiting with status %d\n", code);
	return code;
}
