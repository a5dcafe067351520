//! The allowed guest memory sizes: a power of two between 4 KiB and 4 GiB (the memory
//! argument has one cell per 32-bit word).

use crate::error::ConfigError;

/// Smallest allowed memory size (4 KiB).
pub const MIN_MEMORY_SIZE: u64 = 1 << 12;
/// Largest allowed memory size (the whole 32-bit address space).
pub const MAX_MEMORY_SIZE: u64 = 1 << 32;

/// Checks that `size` is a valid memory size.
pub fn validate_memory_size(size: u64) -> Result<(), ConfigError> {
    if size.is_power_of_two() && (MIN_MEMORY_SIZE..=MAX_MEMORY_SIZE).contains(&size) {
        Ok(())
    } else {
        Err(ConfigError::InvalidMemorySize(size))
    }
}
