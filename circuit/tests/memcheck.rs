//! Tests of the memory-checking oracle (`canopy_circuit::memcheck`): honest runs of the example
//! guests and of a coprocessor guest balance (total LogUp sum 0, time order holds) with
//! challenges derived from the chain; the schedule follows `BlockWitnessGen`'s steps and rows;
//! every tampering of MEMORY.md §4 that the native argument can express is caught, and the
//! test says by which check; sums add over any split; the chain changes with any tuple.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use common::{AddCarry, Not, DATA, MEM};

use canopy_circuit::block::{BlockWitnessGen, StepWitness};
use canopy_circuit::memcheck::binding::{header, pack};
use canopy_circuit::memcheck::checker::register_slots;
use canopy_circuit::memcheck::sets::{
    final_set, initial_set, touched_final_set, touched_initial_set, CellState,
};
use canopy_circuit::memcheck::{
    check_time_order, reg_cell, Access, Cell, ChallengeBinding, Challenges, InitialImage,
    MemCheckError, MemoryChecker, PageList, PoseidonChain, Statement, StepAccesses, StepKind,
    Tuple, ECALL_WORD, REG_BASE, ROW_ACCESSES,
};
use canopy_circuit::params::BlockParams;
use canopy_folding::F1;
use canopy_vm::{Program, StepRecord, Vm, VmConfig};
use ff::{Field, PrimeField};
use proptest::prelude::*;

const MIB16: u64 = 1 << 24;
/// The example guests used (`loop` runs a million instructions: too long for a test).
const EXAMPLES: [&str; 4] = ["hello", "fib", "sha256", "sort"];

/// The chain's constants, generated once.
fn chain() -> &'static PoseidonChain {
    static CHAIN: OnceLock<PoseidonChain> = OnceLock::new();
    CHAIN.get_or_init(PoseidonChain::new)
}

/// One finished phase-1 run.
struct Run {
    steps: Vec<StepAccesses>,
    cells: HashMap<Cell, CellState>,
    image: InitialImage,
    pages: PageList,
    instructions: u64,
    final_regs: [u32; 32],
}

impl Run {
    fn accesses(&self) -> Vec<Access> {
        self.steps
            .iter()
            .flat_map(|s| s.accesses.iter().copied())
            .collect()
    }
}

fn example(name: &str) -> (Program, Vec<u8>) {
    let dir = format!("{}/../guest/examples", env!("CARGO_MANIFEST_DIR"));
    let elf = std::fs::read(format!("{dir}/{name}.elf")).unwrap();
    let input = std::fs::read(format!("{dir}/{name}.in")).unwrap_or_default();
    (Program::from_elf(&elf, MIB16).unwrap(), input)
}

fn records(program: &Program, input: Vec<u8>, mem: u64, k: usize, copro: bool) -> Vec<StepRecord> {
    let mut vm = Vm::new(
        program,
        VmConfig {
            memory_size: mem,
            ..VmConfig::default()
        },
    )
    .unwrap();
    vm.set_public_input(input);
    if copro {
        vm.register_coprocessor(Arc::new(AddCarry)).unwrap();
        vm.register_coprocessor(Arc::new(Not)).unwrap();
    }
    let mut out = Vec::new();
    for b in vm.trace(k) {
        out.extend(b.unwrap().records);
    }
    out
}

fn run_records(params: &BlockParams, program: &Program, recs: &[StepRecord]) -> Run {
    let mut mc = MemoryChecker::new(params, program).unwrap();
    let mut steps = Vec::new();
    for r in recs {
        mc.push_record(r).unwrap();
        while let Some(s) = mc.next_step() {
            steps.push(s);
        }
    }
    mc.finish().unwrap();
    while let Some(s) = mc.next_step() {
        steps.push(s);
    }
    Run {
        steps,
        cells: mc.cells().clone(),
        image: mc.image().clone(),
        pages: mc.touched_pages().unwrap(),
        instructions: mc.state().steps,
        final_regs: mc.state().regs,
    }
}

fn run_example(name: &str, k: usize) -> Run {
    let (program, input) = example(name);
    let params = BlockParams::new(k, MIB16).unwrap();
    run_records(
        &params,
        &program,
        &records(&program, input, MIB16, k, false),
    )
}

fn chain_end(steps: &[StepAccesses]) -> F1 {
    let chain = chain();
    steps
        .iter()
        .try_fold(chain.start(), |l, s| chain.absorb(&l, s))
        .unwrap()
}

/// Phase 1's challenges for the run (dummy statement digests).
fn derived(run: &Run) -> Challenges {
    let statement = Statement {
        params_digest: F1::from(1u64),
        program_digest: F1::from(2u64),
        input_digest: F1::from(3u64),
    };
    chain().challenges(&statement, &run.pages, &chain_end(&run.steps))
}

/// The complete sum over touched cells: rw + IS − FS.
fn total(ch: &Challenges, acc: &[Access], cells: &HashMap<Cell, CellState>, run: &Run) -> F1 {
    let is = touched_initial_set(&run.image, cells).unwrap();
    ch.total(ch.rw_sum(acc).unwrap(), &is, &touched_final_set(cells))
        .unwrap()
}

/// The complete sum in the audit's page form.
fn total_pages(
    ch: &Challenges,
    acc: &[Access],
    cells: &HashMap<Cell, CellState>,
    run: &Run,
    pages: &[u64],
) -> F1 {
    let is = initial_set(&run.image, pages).unwrap();
    let fs = final_set(&run.image, pages, cells).unwrap();
    ch.total(ch.rw_sum(acc).unwrap(), &is, &fs).unwrap()
}

fn challenges_of(g: u128, a: u128) -> Challenges {
    Challenges {
        gamma: F1::from_u128(g) * F1::from_u128(g | 1),
        alpha: F1::from_u128(a).square() + F1::from(7u64),
    }
}

/// For each access, the index of the next access of the same cell.
fn next_of(acc: &[Access]) -> Vec<Option<usize>> {
    let mut next = vec![None; acc.len()];
    let mut last: HashMap<Cell, usize> = HashMap::new();
    for (i, a) in acc.iter().enumerate() {
        if let Some(p) = last.insert(a.cell, i) {
            next[p] = Some(i);
        }
    }
    next
}

// --- a coprocessor guest (two toy coprocessors: tests/common) ---

fn copro_params(k: usize) -> BlockParams {
    BlockParams::new(k, MEM)
        .unwrap()
        .with_coprocessors(common::circuits())
        .unwrap()
}

// --- honest runs ---

#[test]
fn honest_examples_balance_with_derived_challenges() {
    for (name, k) in EXAMPLES.iter().zip([1, 2, 4, 8]) {
        let run = run_example(name, k);
        let acc = run.accesses();
        check_time_order(&acc).unwrap();
        // every step is a full CPU block of 5K accesses with a contiguous clock
        let mut ts = 1;
        for s in &run.steps {
            assert_eq!(s.kind, StepKind::Block);
            assert_eq!(s.accesses.len(), ROW_ACCESSES * k, "{name}");
            assert_eq!(s.ts_start, ts);
            for (i, a) in s.accesses.iter().enumerate() {
                assert_eq!(a.time, ts + i as u64);
            }
            ts += s.accesses.len() as u64;
        }
        // x0 stays 0; the final register cells are the row state's registers
        for r in 0..32u8 {
            let v = run.cells.get(&reg_cell(r)).map_or(0, |c| c.value);
            assert_eq!(v, run.final_regs[r as usize] as u64, "{name} x{r}");
        }
        assert_eq!(run.final_regs[0], 0);
        // sort (171k instructions) skips the chain (≈ 10 s natively) for random challenges
        let ch = if *name == "sort" {
            challenges_of(0x5eed_0001, 0x5eed_0002)
        } else {
            derived(&run)
        };
        assert_eq!(total(&ch, &acc, &run.cells, &run), F1::ZERO, "{name}");
        assert_eq!(
            total_pages(&ch, &acc, &run.cells, &run, run.pages.pages()),
            F1::ZERO,
            "{name} (page form)"
        );
        // per-step partial sums add up to the whole
        let parts = run
            .steps
            .iter()
            .fold(F1::ZERO, |s, st| s + ch.rw_sum(&st.accesses).unwrap());
        assert_eq!(parts, ch.rw_sum(&acc).unwrap());
        assert_ne!(
            parts,
            F1::ZERO,
            "{name}: the read/write part alone is not 0"
        );
    }
}

#[test]
fn coprocessor_guest_balances_and_its_steps_are_counted() {
    let k = 2;
    let params = copro_params(k);
    let program = common::program();
    let recs = records(&program, vec![], MEM, k, true);
    let run = run_records(&params, &program, &recs);
    let kinds: Vec<(StepKind, usize)> = run
        .steps
        .iter()
        .map(|s| (s.kind, s.accesses.len()))
        .collect();
    // add-carry: 2 input reads + 1 output write; not: 1 read + 1 write
    assert!(kinds.contains(&(StepKind::Coprocessor(1), 3)), "{kinds:?}");
    assert!(kinds.contains(&(StepKind::Coprocessor(2), 2)), "{kinds:?}");
    let acc = run.accesses();
    check_time_order(&acc).unwrap();
    let ch = derived(&run);
    assert_eq!(total(&ch, &acc, &run.cells, &run), F1::ZERO);
    // the sum (x + y = 0xffff_fff0 + 0x25) was written at DATA + 16 and then negated
    let sum_cell = (DATA + 16) as Cell;
    assert_eq!(run.cells[&sum_cell].value as u32, !0x15u32);
    // a coprocessor that lies about its output: the later load disagrees
    let mut bad = acc.clone();
    let i = acc
        .iter()
        .position(|a| a.cell == sum_cell && a.write_value != a.read_value)
        .unwrap();
    bad[i].write_value ^= 1;
    assert_ne!(total(&ch, &bad, &run.cells, &run), F1::ZERO);
}

/// The oracle's steps are `BlockWitnessGen`'s steps, access for access where both define
/// them: fetch at the row's pc, data at the row's data word, coprocessor reads and writes.
#[test]
fn schedule_follows_block_witness_gen() {
    let k = 2;
    let cases: Vec<(BlockParams, Program, Vec<StepRecord>)> = vec![
        {
            let (program, input) = example("hello");
            let recs = records(&program, input, MIB16, k, false);
            (BlockParams::new(k, MIB16).unwrap(), program, recs)
        },
        {
            let program = common::program();
            let recs = records(&program, vec![], MEM, k, true);
            (copro_params(k), program, recs)
        },
    ];
    for (params, program, recs) in cases {
        let run = run_records(&params, &program, &recs);
        let mut gen = BlockWitnessGen::new(&params, &program, F1::ONE).unwrap();
        let mut steps = Vec::new();
        for r in &recs {
            gen.push_record(r).unwrap();
            while let Some(s) = gen.next_step() {
                steps.push(s);
            }
        }
        gen.finish().unwrap();
        while let Some(s) = gen.next_step() {
            steps.push(s);
        }
        assert_eq!(steps.len(), run.steps.len());
        for (w, s) in steps.iter().zip(&run.steps) {
            match w {
                StepWitness::Block(b) => {
                    assert_eq!(s.kind, StepKind::Block);
                    for (i, row) in b.rows.iter().enumerate() {
                        let a = &s.accesses[ROW_ACCESSES * i..ROW_ACCESSES * (i + 1)];
                        let r = &row.row;
                        assert_eq!(a[0].cell, r.pre.pc as Cell, "fetch");
                        assert_eq!(a[0].read_value as u32, r.word);
                        let (ra, rb, rd) = register_slots(r.word);
                        assert_eq!(a[1].cell, reg_cell(ra));
                        assert_eq!(a[2].cell, reg_cell(rb));
                        assert_eq!(a[4].cell, reg_cell(rd));
                        assert_eq!(a[4].write_value, r.post.regs[rd as usize] as u64);
                        if r.word != ECALL_WORD || r.post.cursor != 0 {
                            assert_eq!(a[3].cell, (r.data_addr & !3) as Cell, "data");
                            assert_eq!(a[3].read_value as u32, r.data_old);
                            assert_eq!(a[3].write_value as u32, r.data_new);
                        } else {
                            assert_eq!(a[3].cell, reg_cell(12), "ecall data slot reads a2");
                        }
                    }
                }
                StepWitness::Coprocessor(c) => {
                    assert_eq!(s.kind, StepKind::Coprocessor(c.index));
                    let old: Vec<u32> = c
                        .reads
                        .iter()
                        .chain(&c.writes)
                        .map(|(l, _)| l.word)
                        .collect();
                    assert_eq!(old.len(), s.accesses.len());
                    for (a, w) in s.accesses.iter().zip(old) {
                        assert_eq!(a.read_value as u32, w);
                    }
                }
            }
        }
    }
}

#[test]
fn the_oracle_refuses_records_that_disagree_with_memory() {
    let (program, input) = example("fib");
    let params = BlockParams::new(2, MIB16).unwrap();
    let mut recs = records(&program, input, MIB16, 2, false);
    let i = recs.iter().position(|r| r.memory.is_some()).unwrap();
    if let Some(m) = recs[i].memory.as_mut() {
        m.old ^= 1;
        m.new ^= 1;
    }
    let mut mc = MemoryChecker::new(&params, &program).unwrap();
    let err = recs.iter().try_for_each(|r| mc.push_record(r)).unwrap_err();
    assert!(matches!(err, MemCheckError::Inconsistent { .. }), "{err}");
    // finishing a run that has not halted is refused
    let mut mc = MemoryChecker::new(&params, &program).unwrap();
    mc.push_record(&recs[0]).unwrap();
    assert!(matches!(mc.finish(), Err(MemCheckError::Unfinished(_))));
}

// --- tampering: each must give a non-zero total (or fail the time order) ---

/// A run shared by the tampering tests (fib, K = 2), with its derived challenges and the
/// chain's links (`links[i]` is the link before step i; the last one is the end).
struct Base {
    run: Run,
    acc: Vec<Access>,
    ch: Challenges,
    links: Vec<F1>,
}

fn base() -> &'static Base {
    static BASE: OnceLock<Base> = OnceLock::new();
    BASE.get_or_init(|| {
        let run = run_example("fib", 2);
        let acc = run.accesses();
        let ch = derived(&run);
        assert_eq!(total(&ch, &acc, &run.cells, &run), F1::ZERO);
        let mut links = vec![chain().start()];
        for s in &run.steps {
            let l = chain().absorb(&links[links.len() - 1], s).unwrap();
            links.push(l);
        }
        Base {
            run,
            acc,
            ch,
            links,
        }
    })
}

fn tamper_base() -> (&'static Run, Vec<Access>, Challenges) {
    let b = base();
    (&b.run, b.acc.clone(), b.ch)
}

#[test]
fn a_read_of_a_value_never_written_is_caught_by_the_sum() {
    let (run, acc, ch) = tamper_base();
    let i = acc.len() / 2;
    let mut bad = acc.clone();
    bad[i].read_value ^= 0x100;
    bad[i].write_value ^= 0x100; // a consistent pure read of a value never written
    check_time_order(&bad).unwrap();
    assert_ne!(total(&ch, &bad, &run.cells, run), F1::ZERO);
}

#[test]
fn a_stale_value_is_caught_by_the_sum() {
    let (run, acc, ch) = tamper_base();
    // an access whose cell had an older write of another value: read that instead
    let mut writes: HashMap<Cell, Vec<(u64, u64)>> = HashMap::new();
    let mut found = None;
    for (i, a) in acc.iter().enumerate() {
        let h = writes.entry(a.cell).or_default();
        if found.is_none() && i > acc.len() / 3 {
            if let Some(old) = h.iter().rev().skip(1).find(|(v, _)| *v != a.read_value) {
                found = Some((i, *old));
            }
        }
        h.push((a.write_value, a.time));
    }
    let (i, (v, t)) = found.unwrap();
    let mut bad = acc.clone();
    bad[i].read_value = v;
    bad[i].read_time = t;
    check_time_order(&bad).unwrap();
    assert_ne!(total(&ch, &bad, &run.cells, run), F1::ZERO);
}

/// A balanced forgery: a read consumes a write made later (two accesses of a cell swap
/// places in its history). Every multiset stays equal, so the sum is 0; only the time order
/// `t_r < ts` catches it.
#[test]
fn a_read_from_the_future_passes_the_sum_and_fails_the_time_order() {
    let (run, acc, ch) = tamper_base();
    let next = next_of(&acc);
    // i: a pure read; j: the next access of the cell, which changes its value
    let (i, j) = (0..acc.len())
        .find_map(|i| {
            let j = next[i]?;
            let pure = acc[i].read_value == acc[i].write_value;
            (pure && acc[j].write_value != acc[j].read_value).then_some((i, j))
        })
        .unwrap();
    let q = acc[j].write_value;
    let mut bad = acc.clone();
    let mut cells = run.cells.clone();
    bad[j].read_value = acc[i].read_value;
    bad[j].read_time = acc[i].read_time;
    bad[i].read_value = q;
    bad[i].read_time = acc[j].time;
    bad[i].write_value = q;
    match next[j] {
        Some(k) => {
            bad[k].read_value = q;
            bad[k].read_time = acc[i].time;
        }
        None => {
            cells.insert(
                acc[i].cell,
                CellState {
                    value: q,
                    time: acc[i].time,
                },
            );
        }
    }
    assert_eq!(total(&ch, &bad, &cells, run), F1::ZERO, "balanced");
    let err = check_time_order(&bad).unwrap_err();
    assert!(
        matches!(err, MemCheckError::TimeOrder { index, .. } if index == i),
        "{err}"
    );
    // and a read time moved to the access's own clock alone breaks both
    let mut bad = acc.clone();
    bad[i].read_time = bad[i].time;
    assert!(check_time_order(&bad).is_err());
    assert_ne!(total(&ch, &bad, &run.cells, run), F1::ZERO);
}

#[test]
fn a_lying_register_read_is_caught_by_the_sum() {
    let (run, acc, ch) = tamper_base();
    // an A-slot read of a nonzero register, and a read of x0 claiming 1
    let i = (0..acc.len())
        .step_by(ROW_ACCESSES)
        .map(|r| r + 1)
        .find(|&i| acc[i].cell > reg_cell(0) && acc[i].read_value != 0)
        .unwrap();
    let x0 = acc.iter().position(|a| a.cell == reg_cell(0)).unwrap();
    for (idx, lie) in [(i, acc[i].read_value + 1), (x0, 1)] {
        let mut bad = acc.clone();
        bad[idx].read_value = lie;
        bad[idx].write_value = lie;
        check_time_order(&bad).unwrap();
        assert_ne!(total(&ch, &bad, &run.cells, run), F1::ZERO);
    }
    // a write to x0 that is not dropped
    let mut bad = acc.clone();
    bad[x0].write_value = 5;
    assert_ne!(total(&ch, &bad, &run.cells, run), F1::ZERO);
}

#[test]
fn a_store_not_reflected_in_a_later_load_is_caught_by_the_sum() {
    let (run, acc, ch) = tamper_base();
    let next = next_of(&acc);
    let (s, l) = (0..acc.len())
        .find_map(|s| {
            let a = &acc[s];
            let l = next[s]?;
            (a.cell < REG_BASE && a.write_value != a.read_value).then_some((s, l))
        })
        .unwrap();
    let mut bad = acc.clone();
    bad[l].read_value = acc[s].read_value; // the load returns the word before the store
    bad[l].write_value = if acc[l].write_value == acc[l].read_value {
        acc[s].read_value
    } else {
        acc[l].write_value
    };
    check_time_order(&bad).unwrap();
    assert_ne!(total(&ch, &bad, &run.cells, run), F1::ZERO);
}

#[test]
fn an_initial_set_with_a_cell_twice_is_caught() {
    let (run, acc, ch) = tamper_base();
    // touched-cell form: one IS tuple twice
    let mut is = touched_initial_set(&run.image, &run.cells).unwrap();
    is.push(is[0]);
    let fs = touched_final_set(&run.cells);
    let rw = ch.rw_sum(&acc).unwrap();
    assert_ne!(ch.total(rw, &is, &fs).unwrap(), F1::ZERO);
    // page form: a page listed twice is refused by the list's check, and even without it the
    // sum catches a touched page listed twice (its cells' IS and FS tuples differ)
    let mut pages = run.pages.pages().to_vec();
    pages.insert(1, pages[0]);
    assert!(matches!(
        PageList::new(pages.clone(), MIB16),
        Err(MemCheckError::Pages(_))
    ));
    assert_ne!(total_pages(&ch, &acc, &run.cells, run, &pages), F1::ZERO);
    let mut unsorted = run.pages.pages().to_vec();
    unsorted.swap(0, 1);
    assert!(PageList::new(unsorted, MIB16).is_err());
    assert!(PageList::new(vec![MIB16 / 4096], MIB16).is_err());
}

#[test]
fn a_final_set_missing_a_touched_cell_is_caught_by_the_sum() {
    let (run, acc, ch) = tamper_base();
    let mut keys: Vec<Cell> = run.cells.keys().copied().collect();
    keys.sort_unstable();
    for cell in [keys[0], keys[keys.len() / 2], reg_cell(2)] {
        let mut cells = run.cells.clone();
        assert!(cells.remove(&cell).is_some());
        let is = touched_initial_set(&run.image, &run.cells).unwrap();
        let fs = touched_final_set(&cells);
        let rw = ch.rw_sum(&acc).unwrap();
        assert_ne!(ch.total(rw, &is, &fs).unwrap(), F1::ZERO, "{cell:#x}");
        // page form: the audit then takes the cell's initial tuple as final
        assert_ne!(
            total_pages(&ch, &acc, &cells, run, run.pages.pages()),
            F1::ZERO,
            "{cell:#x} (page form)"
        );
    }
}

#[test]
fn a_page_list_missing_an_image_page_is_caught_by_the_sum() {
    let (run, acc, ch) = tamper_base();
    let image_pages = run.image.image_pages();
    let touched: Vec<u64> = run.pages.pages().to_vec();
    let missing = touched
        .iter()
        .copied()
        .find(|p| image_pages.contains(p))
        .unwrap();
    let pages: Vec<u64> = touched.into_iter().filter(|p| *p != missing).collect();
    assert!(
        PageList::new(pages.clone(), MIB16).is_ok(),
        "still well formed"
    );
    assert_ne!(total_pages(&ch, &acc, &run.cells, run, &pages), F1::ZERO);
}

#[test]
fn packing_is_range_checked_and_injective() {
    let a = Access {
        cell: 0x1000,
        read_value: 5,
        read_time: 3,
        write_value: 6,
        time: 9,
    };
    let p = pack(&a).unwrap();
    let variants = [
        Access { cell: 0x1004, ..a },
        Access { read_value: 6, ..a },
        Access { read_time: 4, ..a },
        Access {
            write_value: 5,
            ..a
        },
        Access {
            cell: (1 << 34) - 1,
            ..a
        },
    ];
    for v in variants {
        assert_ne!(pack(&v).unwrap(), p);
    }
    for bad in [
        Access { cell: 1 << 34, ..a },
        Access {
            read_value: 1 << 34,
            ..a
        },
        Access {
            write_value: 1 << 34,
            ..a
        },
        Access {
            read_time: 1 << 48,
            ..a
        },
    ] {
        assert!(matches!(pack(&bad), Err(MemCheckError::Range { .. })));
    }
    let step = |ts, kind| StepAccesses {
        kind,
        ts_start: ts,
        accesses: vec![a],
    };
    let h = header(&step(1, StepKind::Block)).unwrap();
    assert_ne!(h, header(&step(2, StepKind::Block)).unwrap());
    assert_ne!(h, header(&step(1, StepKind::Coprocessor(1))).unwrap());
}

#[test]
fn challenges_depend_on_every_statement_input() {
    let (run, _, ch) = tamper_base();
    let chain = chain();
    let end = *base().links.last().unwrap();
    let st = Statement {
        params_digest: F1::from(1u64),
        program_digest: F1::from(2u64),
        input_digest: F1::from(3u64),
    };
    assert_eq!(chain.challenges(&st, &run.pages, &end), ch);
    let fewer = PageList::new(run.pages.pages()[1..].to_vec(), MIB16).unwrap();
    let others = [
        chain.challenges(
            &Statement {
                params_digest: F1::ZERO,
                ..st
            },
            &run.pages,
            &end,
        ),
        chain.challenges(
            &Statement {
                program_digest: F1::ZERO,
                ..st
            },
            &run.pages,
            &end,
        ),
        chain.challenges(
            &Statement {
                input_digest: F1::ZERO,
                ..st
            },
            &run.pages,
            &end,
        ),
        chain.challenges(&st, &fewer, &end),
        chain.challenges(&st, &run.pages, &(end + F1::ONE)),
    ];
    for o in others {
        assert_ne!(o.gamma, ch.gamma);
        assert_ne!(o.alpha, ch.alpha);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Sums add over a split at any point, for random challenges: two halves of a run (two
    /// PCD children) combine by addition, and the completed total is 0.
    #[test]
    fn sums_are_additive_over_any_split(split in 0usize..100_000, g in any::<u128>(), a in any::<u128>()) {
        let (run, acc, _) = tamper_base();
        let ch = challenges_of(g, a);
        let p = split % (acc.len() + 1);
        let whole = ch.rw_sum(&acc).unwrap();
        prop_assert_eq!(ch.rw_sum(&acc[..p]).unwrap() + ch.rw_sum(&acc[p..]).unwrap(), whole);
        prop_assert_eq!(total(&ch, &acc, &run.cells, run), F1::ZERO);
    }

    /// Changing any component of any access (or a step's clock) changes the chain's end, and
    /// with it the challenges.
    #[test]
    fn the_chain_changes_when_any_tuple_changes(
        step in 0usize..10_000, at in 0usize..10_000, what in 0u8..5, delta in 1u64..1000
    ) {
        let b = base();
        let s = step % b.run.steps.len();
        let mut st = b.run.steps[s].clone();
        let i = at % st.accesses.len();
        let a = &mut st.accesses[i];
        match what {
            0 => a.cell ^= delta << 2,
            1 => a.read_value ^= delta,
            2 => a.read_time ^= delta,
            3 => a.write_value ^= delta,
            _ => st.ts_start ^= delta,
        }
        // the tampered step's link differs, and so does every later link to the end
        let mut link = chain().absorb(&b.links[s], &st).unwrap();
        prop_assert_ne!(link, b.links[s + 1]);
        for (j, later) in b.run.steps.iter().enumerate().skip(s + 1) {
            link = chain().absorb(&link, later).unwrap();
            prop_assert_ne!(link, b.links[j + 1]);
        }
    }
}

/// Accesses per instruction and native time per instruction of the oracle (printed, not
/// asserted; `--nocapture` shows them): the schedule (records to accesses), the chain (timed
/// on at most the first 200 steps) and the LogUp sums with IS and FS.
#[test]
fn figures() {
    for name in EXAMPLES {
        let (program, input) = example(name);
        let k = 16;
        let params = BlockParams::new(k, MIB16).unwrap();
        let recs = records(&program, input, MIB16, k, false);
        let t0 = Instant::now();
        let run = run_records(&params, &program, &recs);
        let t_check = t0.elapsed().as_secs_f64();
        let acc = run.accesses();
        let n = run.instructions.max(1) as f64;
        let timed = &run.steps[..run.steps.len().min(200)];
        let timed_acc: usize = timed.iter().map(|s| s.accesses.len()).sum();
        let t1 = Instant::now();
        chain_end(timed);
        let t_chain = t1.elapsed().as_secs_f64() / timed_acc as f64 * acc.len() as f64;
        let t2 = Instant::now();
        let ch = challenges_of(0xf00d, 0xbeef);
        assert_eq!(total(&ch, &acc, &run.cells, &run), F1::ZERO);
        let t_sum = t2.elapsed().as_secs_f64();
        let us = |t: f64| t * 1e6 / n;
        println!(
            "{name}: {} instructions, {} rows (K = {k}), {} accesses = {:.2}/instruction, {} touched cells, {} pages; per instruction: schedule {:.2} µs, chain {:.2} µs, sums {:.2} µs",
            run.instructions,
            acc.len() / ROW_ACCESSES,
            acc.len(),
            acc.len() as f64 / n,
            run.cells.len(),
            run.pages.pages().len(),
            us(t_check),
            us(t_chain),
            us(t_sum),
        );
    }
}

/// The identity on a tiny hand-written history, a wrong final time, and a pole.
#[test]
fn the_logup_identity_on_a_tiny_history() {
    let ch = challenges_of(12345, 678);
    let t = |cell, value, time| Tuple { cell, value, time };
    // cell 8: initial 1; write 2 at time 1; read at time 2
    let acc = [
        Access {
            cell: 8,
            read_value: 1,
            read_time: 0,
            write_value: 2,
            time: 1,
        },
        Access {
            cell: 8,
            read_value: 2,
            read_time: 1,
            write_value: 2,
            time: 2,
        },
    ];
    let is = [t(8, 1, 0)];
    let fs = [t(8, 2, 2)];
    let rw = ch.rw_sum(&acc).unwrap();
    assert_eq!(ch.total(rw, &is, &fs).unwrap(), F1::ZERO);
    assert_ne!(ch.total(rw, &is, &[t(8, 2, 1)]).unwrap(), F1::ZERO);
    // a pole is an error, not a wrong answer
    let pole = Challenges {
        gamma: F1::ZERO,
        alpha: F1::from(8u64),
    };
    assert!(matches!(pole.set_sum(&is), Err(MemCheckError::Pole)));
}
