/*
 * start.S -- entry point of a Canopy guest (RV32IM, ilp32).
 *
 * _start sets up gp (for linker relaxation), tp (thread pointer, so libc code
 * compiled with local-exec TLS such as picolibc's errno works) and sp (the
 * top of the stack reserved in .bss by link.ld), calls main(0, 0), and exits
 * with main's return value through ecall 93.  .bss is not cleared: the VM
 * zero-fills guest memory and qemu zero-fills memsz > filesz.
 */
	.file "start.S"
	.section .text.start, "ax", @progbits
	.globl _start
	.type _start, @function
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop
	la	tp, __tls_base
	la	sp, __stack_top
	li	a0, 0			/* argc */
	li	a1, 0			/* argv */
	call	main
	/* a0 = main's return value */
	li	a7, 93			/* exit */
	ecall
1:	j	1b			/* not reached */
	.size _start, . - _start
