//! The memory argument's soundness tests (MEMORY.md §4), on the circuits: a run's steps are
//! synthesized one after the other (each on the previous circuit's z', as folding chains
//! them) and the verifier's closing check `S_n + Σ_IS = 0` is applied to the final state.
//! Each lie is rejected: a step is unsatisfiable or the sum does not close. The verifier's
//! own checks (challenges derived from the chain, page list rules) are tested in the
//! `canopy` crate.
mod common;

use canopy_circuit::block::{BlockWitnessGen, StepWitness};
use canopy_circuit::memcheck::{derive_challenges, ChallengeStatement, InitialImage, PageList};
use canopy_circuit::params::BlockParams;
use canopy_circuit::state::{Z_CHAIN, Z_SUM};
use canopy_folding::F1;
use canopy_vm::{Vm, VmConfig};
use common::*;
use std::sync::Arc;

const K: usize = 4;

fn params() -> BlockParams {
    BlockParams::new(K, MEM)
        .unwrap()
        .with_coprocessors(circuits())
        .unwrap()
}

/// The run's steps (phase 2 with the tests' challenges) and its page list.
fn run(params: &BlockParams) -> (Vec<StepWitness>, Vec<u64>) {
    let program = program();
    let mut vm = Vm::new(
        &program,
        VmConfig {
            memory_size: MEM,
            ..VmConfig::default()
        },
    )
    .unwrap();
    vm.register_coprocessor(Arc::new(AddCarry)).unwrap();
    vm.register_coprocessor(Arc::new(Not)).unwrap();
    let mut gen =
        BlockWitnessGen::new(params, &program, F1::from(3u64), Some(test_challenges())).unwrap();
    let mut steps = Vec::new();
    for b in vm.trace(K) {
        for r in &b.unwrap().records {
            gen.push_record(r).unwrap();
            while let Some(s) = gen.next_step() {
                steps.push(s);
            }
        }
    }
    gen.finish().unwrap();
    while let Some(s) = gen.next_step() {
        steps.push(s);
    }
    let pages = gen.pages().unwrap();
    (steps, pages)
}

fn closes(params: &BlockParams, steps: &[StepWitness], pages: &[u64]) -> Result<bool, usize> {
    memory_closes(params, &program(), steps, pages)
}

/// (step, row) of every row whose data slot is free (no load, store or I/O: the data access
/// is a pure read at the pc, by convention), with the step's position among all steps.
fn free_rows(steps: &[StepWitness]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        if let StepWitness::Block(b) = s {
            for (j, r) in b.rows.iter().enumerate() {
                if r.row.data_addr == r.row.pre.pc && r.row.data_old == r.row.word {
                    out.push((i, j));
                }
            }
        }
    }
    out
}

/// The first coprocessor step and its first output word's access.
fn first_write(steps: &[StepWitness]) -> (usize, canopy_circuit::memcheck::AccessRecord) {
    steps
        .iter()
        .enumerate()
        .find_map(|(i, s)| match s {
            StepWitness::Coprocessor(c) if !c.writes.is_empty() => Some((i, c.writes[0])),
            _ => None,
        })
        .unwrap()
}

/// Makes the free row `(i, j)` read `value` at `addr` with read time `read_time`.
fn lie(steps: &mut [StepWitness], (i, j): (usize, usize), addr: u32, value: u32, read_time: u64) {
    let StepWitness::Block(b) = &mut steps[i] else {
        unreachable!()
    };
    let r = &mut b.rows[j];
    r.row.data_addr = addr;
    r.row.data_old = value;
    r.row.data_new = value;
    r.data.addr = addr;
    r.data.old.word = value;
    r.data.new.word = value;
    r.data.read_time = read_time;
}

#[test]
fn the_honest_run_closes() {
    let p = params();
    let (steps, pages) = run(&p);
    assert!(matches!(steps.last(), Some(StepWitness::Audit(_))));
    assert_eq!(closes(&p, &steps, &pages), Ok(true));
    // and every step's φ' names the next circuit, the audit's the audit
    for (i, s) in steps.iter().enumerate() {
        let (ok, phi, _) = run_step_circuit(&p, s, s.z_in());
        assert!(ok, "step {i}");
        let next = steps
            .get(i + 1)
            .map_or(p.audit_index(), |n| n.circuit_index());
        assert_eq!(phi, F1::from(next as u64), "step {i}");
    }
}

#[test]
fn a_read_of_a_value_never_written_is_rejected() {
    let p = params();
    let (mut steps, pages) = run(&p);
    let at = free_rows(&steps)[0];
    let StepWitness::Block(b) = &steps[at.0] else {
        unreachable!()
    };
    let r = &b.rows[at.1];
    let (pc, word, t) = (r.row.pre.pc, r.row.word, r.data.read_time);
    lie(&mut steps, at, pc, word ^ 0x100, t);
    assert_ne!(closes(&p, &steps, &pages), Ok(true));
}

#[test]
fn a_stale_value_is_rejected() {
    // after the coprocessor overwrote a word, a free row reads the word's previous value
    // (with the previous value's time, so the time order holds)
    let p = params();
    let (mut steps, pages) = run(&p);
    let (i, w) = first_write(&steps);
    assert_ne!(w.old, w.new, "the coprocessor changed the word");
    let at = *free_rows(&steps).iter().find(|(s, _)| *s > i).unwrap();
    lie(&mut steps, at, w.addr, w.old.word, w.read_time);
    assert_ne!(closes(&p, &steps, &pages), Ok(true));
}

#[test]
fn a_read_from_the_future_is_rejected() {
    // before the coprocessor writes a word, a free row reads the value it will write, at the
    // time it will write it: the gap `ts + j − t_r` is negative and has no 32-bit form
    let p = params();
    let (mut steps, pages) = run(&p);
    let (i, w) = first_write(&steps);
    let at = *free_rows(&steps).iter().find(|(s, _)| *s < i).unwrap();
    lie(&mut steps, at, w.addr, w.new.word, w.time);
    assert_ne!(closes(&p, &steps, &pages), Ok(true));
}

#[test]
fn a_lying_register_read_is_rejected() {
    // registers live in the per-block register hash: a block that opens other registers
    // than z's hash holds is unsatisfiable
    let p = params();
    let (mut steps, pages) = run(&p);
    let i = steps
        .iter()
        .enumerate()
        .skip(1)
        .find_map(|(i, s)| matches!(s, StepWitness::Block(_)).then_some(i))
        .unwrap();
    if let StepWitness::Block(b) = &mut steps[i] {
        b.rows[0].row.pre.regs[10] ^= 1;
    }
    assert_eq!(closes(&p, &steps, &pages), Err(i));
}

/// The audit step of `page`.
fn audit_of(steps: &[StepWitness], page: u64) -> usize {
    steps
        .iter()
        .position(|s| matches!(s, StepWitness::Audit(a) if a.page == page))
        .unwrap()
}

#[test]
fn a_page_audited_twice_is_rejected() {
    // a cell twice in the final (and initial) set: the audit's pages must strictly increase
    let p = params();
    let (mut steps, pages) = run(&p);
    let k = audit_of(&steps, DATA as u64 / 1024);
    steps.insert(k + 1, steps[k].clone());
    assert_eq!(closes(&p, &steps, &pages), Err(k + 1));
    assert!(PageList::new(vec![3, 3], MEM).is_err());
}

#[test]
fn an_audit_before_halt_is_rejected() {
    // the audit runs only on a halted state: moved before the last (halting) CPU block, it is
    // unsatisfiable
    let p = params();
    let (steps, _) = run(&p);
    let k = steps
        .iter()
        .position(|s| matches!(s, StepWitness::Audit(_)))
        .unwrap();
    let mut z = steps[k - 1].z_in().to_vec();
    assert_eq!(z[canopy_circuit::state::Z_HALTED], F1::from(0u64));
    assert!(!run_step_circuit(&p, &steps[k], &z).0);
    z[canopy_circuit::state::Z_HALTED] = F1::from(1u64);
    let (ok, _, _) = run_step_circuit(&p, &steps[k], &z);
    assert!(ok, "the same audit step on a halted state");
}

#[test]
fn a_final_set_that_omits_a_touched_cell_is_rejected() {
    let p = params();
    let (steps, pages) = run(&p);
    let (_, w) = first_write(&steps);
    let page = w.addr as u64 / 1024;
    // the written word's final tuple replaced by its initial one
    let mut bad = steps.clone();
    let k = audit_of(&bad, page);
    if let StepWitness::Audit(a) = &mut bad[k] {
        let cell = &mut a.cells[(w.addr as usize % 1024) / 4];
        *cell = (w.old.to_u64(), 0);
    }
    assert_eq!(closes(&p, &bad, &pages), Ok(false));
    // the whole page left out of the audit (and of the page list)
    let mut bad = steps.clone();
    bad.remove(k);
    let fewer: Vec<u64> = pages.iter().copied().filter(|q| *q != page).collect();
    assert_eq!(closes(&p, &bad, &fewer), Ok(false));
}

#[test]
fn a_page_list_must_cover_the_image() {
    // an untouched image page left out of both IS and FS would still close the sum, so the
    // verifier requires every image page to be listed
    let image = InitialImage::new(&program(), MEM).unwrap();
    let all = image.image_pages();
    assert!(PageList::new(all.clone(), MEM)
        .unwrap()
        .covers(&image)
        .is_ok());
    let fewer = all[1..].to_vec();
    assert!(PageList::new(fewer, MEM).unwrap().covers(&image).is_err());
}

#[test]
fn a_tuple_changed_after_the_challenges_moves_the_chain() {
    // the challenges are derived from the chain's end: a run whose tuples differ from phase
    // 1's ends the chain elsewhere, so its z_0 challenges are not the derived ones
    let p = params();
    let (steps, _) = run(&p);
    let honest = run_chain(&p, &steps).unwrap();
    let at = free_rows(&steps)[0];
    let mut bad = steps.clone();
    let StepWitness::Block(b) = &bad[at.0] else {
        unreachable!()
    };
    let r = &b.rows[at.1];
    let (pc, word, t) = (r.row.pre.pc, r.row.word, r.data.read_time);
    lie(&mut bad, at, pc, word ^ 1, t);
    let moved = run_chain(&p, &bad).unwrap();
    assert_ne!(honest[Z_CHAIN], moved[Z_CHAIN]);
    assert_ne!(honest[Z_SUM], moved[Z_SUM]);
    let st = ChallengeStatement {
        params_digest: [1; 32],
        program_digest: [2; 32],
        input_digest: [3; 32],
        output_digest: [4; 32],
    };
    assert_ne!(
        derive_challenges(&st, honest[Z_CHAIN]),
        derive_challenges(&st, moved[Z_CHAIN])
    );
}
