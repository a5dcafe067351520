//! Zero knowledge of the running instances (docs/protocol.md §3.7). Two runs with equal
//! statements but different per-circuit step counts: with random slot starts the slots they
//! end with (which a compact proof reveals) do not tell the counts apart; with DEFAULT
//! starts they do (the power check, which shows that the test sees the leak).

use crate::encoding::to_int;
use crate::step::StepCircuit;
use crate::{Accumulator, PublicParams, SlotStart, F1};
use ff::Field;
use nova_snark::frontend::{num::AllocatedNum, ConstraintSystem, SynthesisError};
use num_bigint::BigInt;
use std::sync::OnceLock;

/// x ← x + 1 in both circuits; pc_next is advice (a bit the prover picks), so the schedule
/// of circuits is not part of the statement. Circuit 1 squares x on the side, so the two
/// shapes differ.
#[derive(Clone, Debug)]
struct Inc {
    id: u64,
    next: u64,
}

impl StepCircuit<F1> for Inc {
    fn arity(&self) -> usize {
        1
    }

    fn synthesize<CS: ConstraintSystem<F1>>(
        &self,
        cs: &mut CS,
        _pc: &AllocatedNum<F1>,
        z: &[AllocatedNum<F1>],
    ) -> Result<(AllocatedNum<F1>, Vec<AllocatedNum<F1>>), SynthesisError> {
        let x = &z[0];
        if self.id == 1 {
            x.square(cs.namespace(|| "side square"))?;
        }
        let x_next = AllocatedNum::alloc(cs.namespace(|| "x_next"), || {
            x.get_value()
                .map(|v| v + F1::ONE)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        cs.enforce(
            || "x_next = x + 1",
            |lc| lc + x.get_variable() + CS::one(),
            |lc| lc + CS::one(),
            |lc| lc + x_next.get_variable(),
        );
        let next = F1::from(self.next);
        let pc_next = AllocatedNum::alloc(cs.namespace(|| "pc_next"), || Ok(next))?;
        cs.enforce(
            || "pc_next is a bit",
            |lc| lc + pc_next.get_variable(),
            |lc| lc + pc_next.get_variable() - CS::one(),
            |lc| lc,
        );
        Ok((pc_next, vec![x_next]))
    }
}

fn circuits(next: u64) -> Vec<Inc> {
    vec![Inc { id: 0, next }, Inc { id: 1, next }]
}

fn pp() -> &'static PublicParams {
    static PP: OnceLock<PublicParams> = OnceLock::new();
    PP.get_or_init(|| PublicParams::setup(&circuits(0)).expect("setup"))
}

/// Run A: 7 steps of circuit 0, then 1 of circuit 1. Run B: 1 of circuit 0, then 7 of
/// circuit 1. Both start at pc 0 with x = 0 and end at pc 0 with x = 8.
const RUN_A: [u64; 8] = [0, 0, 0, 0, 0, 0, 0, 1];
const RUN_B: [u64; 8] = [0, 1, 1, 1, 1, 1, 1, 1];

fn run(schedule: &[u64], start: SlotStart) -> Accumulator {
    let pp = pp();
    let next = |i: usize| schedule.get(i + 1).copied().unwrap_or(0);
    let mut acc =
        Accumulator::new_with_start(pp, &circuits(next(0)), F1::ZERO, vec![F1::ZERO], start)
            .expect("base step");
    for i in 1..schedule.len() {
        acc.prove_step(pp, &circuits(next(i))).expect("step");
    }
    acc
}

/// The u of every running instance the statement does not fix: U[0], U[1] and U'[0].
fn revealed_u(acc: &Accumulator) -> [BigInt; 3] {
    [
        to_int(&acc.u[0].u()),
        to_int(&acc.u[1].u()),
        to_int(&acc.u_sec.u()),
    ]
}

/// Guesses run A when slot 0 holds the larger u (A folds 7 steps into slot 0 and 1 into
/// slot 1, B the reverse); returns how many of the runs it guessed right.
fn distinguisher_hits(a: &[[BigInt; 3]], b: &[[BigInt; 3]]) -> usize {
    a.iter().filter(|u| u[0] > u[1]).count() + b.iter().filter(|u| u[0] <= u[1]).count()
}

/// Runs both schedules `n` times each; checks that every run verifies and that the two
/// statements are equal.
fn runs(n: usize, start: SlotStart) -> (Vec<[BigInt; 3]>, Vec<[BigInt; 3]>) {
    let mut a = Vec::new();
    let mut b = Vec::new();
    for _ in 0..n {
        let (ra, rb) = (run(&RUN_A, start), run(&RUN_B, start));
        ra.verify(pp()).expect("run A verifies");
        rb.verify(pp()).expect("run B verifies");
        assert_eq!(ra.num_steps(), rb.num_steps());
        assert_eq!(ra.start(), rb.start());
        assert_eq!(ra.state(), rb.state(), "the statements are equal");
        a.push(revealed_u(&ra));
        b.push(revealed_u(&rb));
    }
    (a, b)
}

/// With random starts: every revealed u is ≥ 2^140 (a slot that started at DEFAULT holds a
/// sum of at most 8 challenges below 2^128, so u < 2^131; a uniform u is below 2^140 with
/// probability ≈ 2^−114, so the fold-count predictor round(u / 2^127) names no count), and
/// the distinguisher of the power check guesses
/// no better than a coin: it must miss at least once in 16 runs (it misses none with
/// probability 2^−16).
#[test]
fn random_starts_hide_per_circuit_fold_counts() {
    let (a, b) = runs(8, SlotStart::Random { merge_slots: false });
    let floor = BigInt::from(1u8) << 140;
    for u in a.iter().chain(&b).flatten() {
        assert!(*u >= floor, "a revealed u tracks the fold count: {u}");
    }
    let hits = distinguisher_hits(&a, &b);
    assert!(hits < 16, "the distinguisher told all 16 runs apart");
}

/// The power check: with DEFAULT starts the same statistics see the leak. Every revealed u
/// is a sum of at most 8 challenges (< 2^131), and the distinguisher tells the runs apart
/// (it misses a run only when one challenge exceeds a sum of seven, probability ≈ 1/8!).
#[test]
fn default_starts_leak_per_circuit_fold_counts() {
    let (a, b) = runs(4, SlotStart::Default);
    let ceiling = BigInt::from(1u8) << 131;
    for u in a.iter().chain(&b).flatten() {
        assert!(
            *u < ceiling,
            "a DEFAULT-started slot holds a sum of challenges"
        );
    }
    let hits = distinguisher_hits(&a, &b);
    assert!(
        hits >= 7,
        "the distinguisher sees the fold counts ({hits} of 8)"
    );
}

/// The random starts satisfy their shapes (so a random-started slot is provable) and are
/// fresh: two draws differ.
#[test]
fn random_pairs_satisfy_their_shapes() {
    let pp = pp();
    for s in &pp.primary {
        let (u, w) = crate::accumulator::random_pair(s, &pp.ck1).expect("sample");
        s.is_sat_relaxed(&pp.ck1, &u, &w).expect("satisfied");
        let (u2, _) = crate::accumulator::random_pair(s, &pp.ck1).expect("sample");
        assert_ne!(u, u2);
    }
    let (u, w) = crate::accumulator::random_pair(&pp.sm, &pp.ck2).expect("sample");
    pp.sm.is_sat_relaxed(&pp.ck2, &u, &w).expect("satisfied");
}
