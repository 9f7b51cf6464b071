; kernel/vdso_image.asm: the vDSO image (linux-gate.so.1, built from vdso/ into
; $(BUILD)/vdso/vdso.img and found through nasm's include path) embedded in the kernel,
; between vdso_image_start and vdso_image_end (include/sched/vdso.h). It starts on a page
; boundary and the rest of its last page is zeros, so the kernel may map its pages into a
; process directly without showing it any other kernel data.

section .rodata.vdso progbits alloc noexec nowrite align=4096
global vdso_image_start, vdso_image_end
vdso_image_start:
	incbin "vdso.img"
vdso_image_end:
	align 4096, db 0
