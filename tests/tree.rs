//! Proving with the PCD tree through the library API: a run of at least 8 leaves verifies
//! and states exactly what the sequential proof of the same run states; a run aborted after
//! some merges resumes from its checkpoint and ends with the same statement; a checkpoint of
//! another input is refused.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use canopy::{verify, Inputs, Params, Program, ProveError, Prover, TreeOptions};

const K: usize = 4;

fn params() -> &'static Params {
    static P: OnceLock<Params> = OnceLock::new();
    P.get_or_init(|| Params::setup(K, canopy::vm::DEFAULT_MEMORY_SIZE).unwrap())
}

fn tree(leaf_steps: u64, threads: usize) -> TreeOptions {
    TreeOptions {
        leaf_steps,
        threads,
        ..TreeOptions::default()
    }
}

#[test]
fn a_tree_of_eight_leaves_states_what_the_chain_states() {
    let program = Program::from_elf(&common::echo_elf(12)).unwrap();
    let inputs = Inputs::public(b"abcdefghijkl".to_vec());
    let chain = Prover::new(params()).prove(&program, &inputs).unwrap();
    let tree_proof = Prover::new(params())
        .with_tree(tree(1, 2))
        .prove(&program, &inputs)
        .unwrap();
    assert!(
        tree_proof.statement.fold_steps >= 8,
        "{} leaves",
        tree_proof.statement.fold_steps
    );
    assert_eq!(tree_proof.statement, chain.statement);
    let st = verify(&tree_proof, &program, &inputs.public, params()).unwrap();
    assert_eq!(st.public_output, b"abcdefghijkl");
    // another input is another statement
    assert!(verify(&tree_proof, &program, b"abcdefghijkX", params()).is_err());
}

#[test]
fn an_aborted_run_resumes_from_its_checkpoint() {
    let program = Program::from_elf(&common::echo_elf(8)).unwrap();
    let inputs = Inputs::public(b"12345678".to_vec());
    let dir = tempfile::tempdir().unwrap();
    let opts = TreeOptions {
        leaf_steps: 2,
        threads: 2,
        checkpoint: Some(dir.path().to_path_buf()),
        resume: false,
    };
    // Abort (panic in the progress callback) after the second window: two merges are done.
    let mut windows = 0;
    let aborted = catch_unwind(AssertUnwindSafe(|| {
        Prover::new(params())
            .with_tree(opts.clone())
            .prove_with_progress(&program, &inputs, |_| {
                windows += 1;
                if windows == 2 {
                    panic!("simulated crash");
                }
            })
    }));
    assert!(aborted.is_err(), "the run was aborted");
    assert!(canopy_pcd::checkpoint::path(dir.path()).exists());

    // Another input cannot use the checkpoint.
    let other = Inputs::public(b"1234567X".to_vec());
    let err = Prover::new(params())
        .with_tree(TreeOptions {
            resume: true,
            ..opts.clone()
        })
        .prove(&program, &other)
        .unwrap_err();
    assert!(matches!(err, ProveError::Tree(_)), "{err}");

    let resumed = Prover::new(params())
        .with_tree(TreeOptions {
            resume: true,
            ..opts.clone()
        })
        .prove(&program, &inputs)
        .unwrap();
    let st = verify(&resumed, &program, &inputs.public, params()).unwrap();
    let fresh = Prover::new(params())
        .with_tree(opts)
        .prove(&program, &inputs)
        .unwrap();
    assert_eq!(st, fresh.statement);
}
