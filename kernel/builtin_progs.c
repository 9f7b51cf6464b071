/*
 * builtin_progs: register the programs embedded by kernel/builtin_progs.asm as
 * /builtin/NAME with exec (include/sched/proc.h). Transitional: once the initramfs is the
 * root file system, programs come from there and these stay only for the in-kernel tests.
 */
#include "kernel/builtin_progs.h"

#include <stdint.h>

#include "lib/compiler.h"
#include "lib/printk.h"
#include "sched/proc.h"

#define BUILTIN(name)                                                                              \
	extern const uint8_t builtin_##name[];                                                     \
	extern const uint32_t builtin_##name##_size
BUILTIN(tiny_exit);
BUILTIN(tiny_fault);
BUILTIN(tiny_fork);
BUILTIN(uhello);
BUILTIN(usys);

void builtin_progs_register(void)
{
	static const struct {
		const char *path;
		const uint8_t *data;
		const uint32_t *size;
	} progs[] = {
		{ "/builtin/tiny_exit", builtin_tiny_exit, &builtin_tiny_exit_size },
		{ "/builtin/tiny_fault", builtin_tiny_fault, &builtin_tiny_fault_size },
		{ "/builtin/tiny_fork", builtin_tiny_fork, &builtin_tiny_fork_size },
		{ "/builtin/uhello", builtin_uhello, &builtin_uhello_size },
		{ "/builtin/usys", builtin_usys, &builtin_usys_size },
	};

	for (unsigned i = 0; i < ARRAY_SIZE(progs); i++)
		if (exec_register_image(progs[i].path, progs[i].data, *progs[i].size) < 0)
			pr_warn("exec: cannot register %s\n", progs[i].path);
}
