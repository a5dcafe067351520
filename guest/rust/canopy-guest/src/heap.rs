//! The global allocator: `embedded-alloc`'s linked-list first-fit heap over the heap section of
//! the linker script, `[__heap_start, __heap_end)` (`__heap_size`, 4 MiB by default; change it
//! with `-C link-arg=-Wl,--defsym=__heap_size=...` or in the guest's `link.ld`).
//!
//! Memory is never returned to anything but the heap itself. An allocation that does not fit
//! panics (`memory allocation of N bytes failed`), so the guest exits with
//! [`crate::PANIC_EXIT_CODE`].

use embedded_alloc::LlffHeap;

#[global_allocator]
static HEAP: LlffHeap = LlffHeap::empty();

extern "C" {
    static mut __heap_start: u8;
    static mut __heap_end: u8;
}

/// Gives the heap section to the allocator; called once by the entry code before `main`.
pub(crate) fn init() {
    let start = core::ptr::addr_of_mut!(__heap_start) as usize;
    let end = core::ptr::addr_of_mut!(__heap_end) as usize;
    // SAFETY: called once, before any allocation; the linker script reserves
    // [__heap_start, __heap_end) for the heap and nothing else uses it.
    unsafe { HEAP.init(start, end - start) }
}

/// Bytes currently allocated on the heap.
pub fn used() -> usize {
    HEAP.used()
}

/// Bytes still free on the heap (possibly fragmented).
pub fn free() -> usize {
    HEAP.free()
}

#[cfg(feature = "critical-section-impl")]
mod single_hart {
    /// A guest runs on one hart without interrupts: a critical section needs no locking.
    struct SingleHart;
    critical_section::set_impl!(SingleHart);

    // SAFETY: nothing can interrupt or run concurrently with the guest.
    unsafe impl critical_section::Impl for SingleHart {
        unsafe fn acquire() -> critical_section::RawRestoreState {}
        unsafe fn release(_state: critical_section::RawRestoreState) {}
    }
}
