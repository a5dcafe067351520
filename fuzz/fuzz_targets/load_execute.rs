//! Fuzzes ELF loading and execution: the first input byte picks the memory size
//! (4 KiB << (b % 9), so 4 KiB ..= 1 MiB: small for speed; the example guests fit in 1 MiB),
//! the rest is the ELF file. Loading must fail cleanly or produce a VM; running it (fast path, then tracing path with K = 8) under a step limit
//! must end with an exit or an error, never a panic, and both paths must agree.
#![no_main]

use canopy_vm::{Vm, VmConfig};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&size_byte, elf)) = data.split_first() else {
        return;
    };
    let config = VmConfig {
        memory_size: 4096u64 << (size_byte % 9),
        max_steps: 20_000,
    };
    let Ok(mut fast) = Vm::from_elf(elf, config) else {
        return;
    };
    let Ok(mut traced) = Vm::from_elf(elf, config) else {
        panic!("loading is deterministic");
    };
    for vm in [&mut fast, &mut traced] {
        vm.set_public_input(b"7\n".to_vec());
        vm.set_private_input(b"secret".to_vec());
    }
    let fast_result = fast.run();
    let mut traced_error = None;
    for block in traced.trace(8) {
        if let Err(e) = block {
            traced_error = Some(e);
        }
    }
    match fast_result {
        Ok(exit) => assert_eq!(traced.exit(), Some(exit)),
        Err(e) => assert_eq!(traced_error, Some(e)),
    }
    assert_eq!(fast.registers(), traced.registers());
    assert_eq!(fast.public_output(), traced.public_output());
});
