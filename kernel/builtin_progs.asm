; kernel/builtin_progs.asm: programs embedded in the kernel image (built from
; tests/kernel/uprog/ into $(BUILD)/uprog/, found through nasm's include path), registered
; under /builtin/ by builtin_progs_register() (kernel/builtin_progs.c) so exec has something
; to run until the initramfs root file system is merged. Each image is labelled
; builtin_NAME with its size in builtin_NAME_size.

%macro IMAGE 1
global builtin_%1, builtin_%1_size
align 16
builtin_%1:
	incbin %str(%1)
builtin_%1_end:
align 4
builtin_%1_size: dd builtin_%1_end - builtin_%1
%endmacro

section .rodata
IMAGE tiny_exit
IMAGE tiny_fault
IMAGE tiny_fork
IMAGE uhello
IMAGE usys
