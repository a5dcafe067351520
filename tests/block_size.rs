//! The default block size keeps the CPU fold step within 2^17 entries, the size the decider
//! pads it to (one more row past the boundary doubles the decider's IPA opening and the
//! verifier's MSM; BENCHMARKS.md, "Folding"). A circuit change that crosses it fails here:
//! lower `DEFAULT_BLOCK_SIZE`, or take the constraints back out of the row.

use canopy::circuit::params::BlockParams;
use canopy::circuit::step::CanopyStep;
use canopy::vm::DEFAULT_MEMORY_SIZE;
use canopy::{CoprocessorSet, DEFAULT_BLOCK_SIZE};
use canopy_folding::PublicParams;

/// The decider's padded size of the CPU step F' at the default K, memory size and `set`.
fn padded_cpu_step(set: &CoprocessorSet) -> usize {
    let block = BlockParams::new(DEFAULT_BLOCK_SIZE, DEFAULT_MEMORY_SIZE)
        .unwrap()
        .with_coprocessors(set.circuits())
        .unwrap();
    let sizes = PublicParams::augmented_sizes(&CanopyStep::shapes(&block)).unwrap();
    let (constraints, vars) = sizes.primary[0];
    println!(
        "K = {DEFAULT_BLOCK_SIZE}, {} coprocessors: F' {constraints} constraints, {vars} variables",
        set.len()
    );
    constraints.max(vars).next_power_of_two()
}

#[test]
fn default_cpu_step_fits_two_to_the_seventeen() {
    assert_eq!(padded_cpu_step(&CoprocessorSet::new()), 1 << 17);
    let builtins = CoprocessorSet::of(canopy_coprocessors::builtins()).unwrap();
    assert_eq!(padded_cpu_step(&builtins), 1 << 17);
}
