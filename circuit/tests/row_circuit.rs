//! The row circuit against the executor: every instruction on random operands and edge cases
//! (satisfied, and the row's outputs equal the VM's state after the step), negative tests
//! (a witness that lies about one value is rejected) and constraint counts.

use std::collections::BTreeMap;

use canopy_circuit::row::{
    rows_for_step, synthesize_row, PoseidonStreamHasher, RowConfig, RowOutput, RowState, RowVars,
    RowWitness, StreamHasher, StreamState,
};
use canopy_vm::decode::Instruction::{self, *};
use canopy_vm::{Program, Segment, SegmentFlags, StepRecord, Vm, VmConfig};
use ff::Field;
use nova_snark::frontend::{
    num::AllocatedNum, test_cs::TestConstraintSystem, ConstraintSystem, Index, LinearCombination,
    SynthesisError, Variable,
};
use nova_snark::provider::bn256_grumpkin::bn256::Scalar as F;
use proptest::prelude::*;

const CODE: u32 = 0x1_0000;
const DATA: u32 = 0x2_0000;
const DATA_LEN: u32 = 0x1000;
const MEM: u64 = 1 << 24;

/// A toy 2-to-1 hash for the stream digests (not collision-resistant; the block uses Poseidon).
struct ToyHash;

impl StreamHasher<F> for ToyHash {
    fn hash(&self, d: F, w: F) -> F {
        let t = d + w + F::from(7);
        t.square().square() * t + w * F::from(3)
    }

    fn hash_gadget<CS: ConstraintSystem<F>>(
        &self,
        mut cs: CS,
        d: &AllocatedNum<F>,
        w: &AllocatedNum<F>,
    ) -> Result<AllocatedNum<F>, SynthesisError> {
        let (dv, wv) = (
            d.get_value().unwrap_or(F::ZERO),
            w.get_value().unwrap_or(F::ZERO),
        );
        let t = AllocatedNum::alloc(cs.namespace(|| "t"), || Ok(dv + wv + F::from(7)))?;
        cs.enforce(
            || "t=",
            |lc| lc + d.get_variable() + w.get_variable() + (F::from(7), CS::one()),
            |lc| lc + CS::one(),
            |lc| lc + t.get_variable(),
        );
        let t2 = t.square(cs.namespace(|| "t2"))?;
        let t4 = t2.square(cs.namespace(|| "t4"))?;
        let t5 = t4.mul(cs.namespace(|| "t5"), &t)?;
        let h = AllocatedNum::alloc(cs.namespace(|| "h"), || Ok(self.hash(dv, wv)))?;
        cs.enforce(
            || "h=",
            |lc| lc + t5.get_variable() + (F::from(3), w.get_variable()),
            |lc| lc + CS::one(),
            |lc| lc + h.get_variable(),
        );
        Ok(h)
    }
}

fn in_iv() -> F {
    F::from(0x1111)
}
fn out_iv() -> F {
    F::from(0x2222)
}

fn cfg() -> RowConfig {
    RowConfig::new(MEM).unwrap()
}

fn program(insns: &[Instruction], data: &[u8], code_writable: bool) -> Program {
    let mut code: Vec<u8> = insns
        .iter()
        .flat_map(|i| i.encode().to_le_bytes())
        .collect();
    code.extend([0x13, 0, 0, 0].repeat(16));
    let mut d = data.to_vec();
    d.resize(DATA_LEN as usize, 0);
    Program {
        entry: CODE,
        segments: vec![
            Segment {
                vaddr: CODE,
                mem_size: code.len() as u32,
                data: code,
                flags: SegmentFlags {
                    read: true,
                    write: code_writable,
                    execute: true,
                },
            },
            Segment {
                vaddr: DATA,
                mem_size: DATA_LEN,
                data: d,
                flags: SegmentFlags {
                    read: true,
                    write: true,
                    execute: false,
                },
            },
        ],
    }
}

/// A scenario: a program, initial registers, memory and inputs.
#[derive(Clone, Debug, Default)]
struct Setup {
    insns: Vec<Instruction>,
    regs: Vec<(usize, u32)>,
    data: Vec<u8>,
    input: Vec<u8>,
    private: Vec<u8>,
}

fn vm_of(s: &Setup) -> Vm {
    let mut vm = Vm::new(&program(&s.insns, &s.data, false), VmConfig::default()).unwrap();
    for &(i, v) in &s.regs {
        vm.set_register(i, v);
    }
    vm.set_public_input(s.input.clone());
    vm.set_private_input(s.private.clone());
    vm
}

fn state_of(vm: &Vm) -> RowState<F> {
    let mut s = RowState::new(vm.pc(), in_iv(), out_iv());
    s.regs = *vm.registers();
    s.steps = vm.steps();
    s
}

/// The VM's state seen as a row state (I/O fields recomputed from the bytes moved; eof flags
/// are taken from `like`, which the VM does not expose).
fn expected_state(vm: &Vm, input: &[u8], like: &RowState<F>) -> RowState<F> {
    let mut s = state_of(vm);
    if let Some(exit) = vm.exit() {
        s.halted = true;
        s.exit_code = exit.code;
    }
    s.output = StreamState::of_bytes(&ToyHash, out_iv(), vm.public_output());
    s.input = StreamState::of_bytes(&ToyHash, in_iv(), &input[..vm.public_input_consumed()]);
    s.in_eof = like.in_eof;
    s.priv_eof = like.priv_eof;
    s
}

/// Executes `n` instructions; returns the rows (with idle rows appended once halted, up to
/// `pad` of them), the VM afterwards and the records.
fn run(s: &Setup, n: usize, pad: usize) -> (Vec<RowWitness<F>>, Vm, Vec<StepRecord>) {
    run_with(s, n, pad, &ToyHash)
}

fn run_with<H: StreamHasher<F>>(
    s: &Setup,
    n: usize,
    pad: usize,
    hasher: &H,
) -> (Vec<RowWitness<F>>, Vm, Vec<StepRecord>) {
    let mut vm = vm_of(s);
    let mut state = state_of(&vm);
    let mut rows = Vec::new();
    let mut records = Vec::new();
    for _ in 0..n {
        if vm.exit().is_some() {
            break;
        }
        let before = vm.clone();
        let block = vm.trace(1).next().expect("a block").expect("no fault");
        let rec = block.records[0].clone();
        let mut read = |a: u32| before.memory().load_u32(a).ok();
        let new = rows_for_step(hasher, &state, &rec, &mut read).expect("rows");
        state = new.last().unwrap().post.clone();
        rows.extend(new);
        records.push(rec);
    }
    if state.halted {
        for _ in 0..pad {
            let word = vm.memory().load_u32(state.pc).unwrap();
            rows.push(RowWitness::idle(&state, word));
        }
    }
    (rows, vm, records)
}

/// Synthesises the rows in a chain on a test constraint system.
fn synth(rows: &[RowWitness<F>]) -> (TestConstraintSystem<F>, Vec<RowOutput<F>>) {
    synth_with(rows, &ToyHash)
}

fn synth_with<H: StreamHasher<F>>(
    rows: &[RowWitness<F>],
    hasher: &H,
) -> (TestConstraintSystem<F>, Vec<RowOutput<F>>) {
    synth_cfg(rows, hasher, &cfg())
}

fn synth_cfg<H: StreamHasher<F>>(
    rows: &[RowWitness<F>],
    hasher: &H,
    cfg: &RowConfig,
) -> (TestConstraintSystem<F>, Vec<RowOutput<F>>) {
    let mut cs = TestConstraintSystem::<F>::new();
    let mut state = RowVars::alloc(&mut cs.namespace(|| "init"), &rows[0].pre).unwrap();
    let mut outs = Vec::new();
    for (i, w) in rows.iter().enumerate() {
        let mut ns = cs.namespace(|| format!("row{i}"));
        let word =
            AllocatedNum::alloc(ns.namespace(|| "word"), || Ok(F::from(w.word as u64))).unwrap();
        let old = AllocatedNum::alloc(ns.namespace(|| "data_old"), || {
            Ok(F::from(w.data_old as u64))
        })
        .unwrap();
        let out = synthesize_row(&mut ns, cfg, hasher, &state, &word, &old, w).unwrap();
        state = out.next.clone();
        outs.push(out);
    }
    (cs, outs)
}

fn values(v: &RowVars<F>) -> Vec<F> {
    v.fields().iter().map(|n| n.get_value().unwrap()).collect()
}

fn bits_value(b: &[nova_snark::frontend::Boolean]) -> u64 {
    b.iter()
        .enumerate()
        .map(|(i, b)| (b.get_value().unwrap() as u64) << i)
        .sum()
}

/// The full agreement check: the chain of rows is satisfied, its final state equals the VM's,
/// and every row's data word and addresses are the VM's.
fn check_agrees(s: &Setup, n: usize) -> Vm {
    let (rows, vm, records) = run(s, n, 1);
    let (cs, outs) = synth(&rows);
    if let Some(u) = cs.which_is_unsatisfied() {
        panic!("unsatisfied at {u} for {:?}", s.insns);
    }
    let want = expected_state(&vm, &s.input, &rows.last().unwrap().post);
    assert_eq!(
        values(&outs.last().unwrap().next),
        want.fields(),
        "final state differs for {:?}",
        s.insns
    );
    for (w, out) in rows.iter().zip(&outs) {
        assert_eq!(
            out.data_new.get_value().unwrap(),
            F::from(w.data_new as u64)
        );
        assert_eq!(bits_value(&out.fetch_addr), (w.pre.pc / 4) as u64);
        assert_eq!(bits_value(&out.data_addr), (w.data_addr / 4) as u64);
    }
    for rec in &records {
        if let Some(m) = rec.memory {
            assert_eq!(vm.memory().load_u32(m.word_addr).unwrap(), m.new);
        }
    }
    vm
}

fn one(insn: Instruction, regs: &[(usize, u32)], data: &[u8]) -> Vm {
    check_agrees(
        &Setup {
            insns: vec![insn],
            regs: regs.to_vec(),
            data: data.to_vec(),
            ..Default::default()
        },
        1,
    )
}

fn satisfied(rows: &[RowWitness<F>]) -> bool {
    synth(rows).0.which_is_unsatisfied().is_none()
}

fn rejected(rows: &[RowWitness<F>]) -> String {
    let (cs, _) = synth(rows);
    cs.which_is_unsatisfied()
        .map(|s| s.to_string())
        .expect("a tampered witness must be rejected")
}

// ---------------------------------------------------------------------------------------------
// Strategies

fn value() -> impl Strategy<Value = u32> {
    prop_oneof![
        3 => any::<u32>(),
        1 => prop::sample::select(vec![
            0u32, 1, 2, 31, 32, 33, 0x7fff_ffff, 0x8000_0000, 0x8000_0001, 0xffff_fffe,
            0xffff_ffff, 0xffff_ff80, 0x80, 0x7f, 0xff, 0xffff, 0x8000,
        ]),
        1 => 0u32..64,
    ]
}

fn reg() -> impl Strategy<Value = u8> {
    prop_oneof![1 => Just(0u8), 6 => 1u8..32]
}

fn imm12() -> impl Strategy<Value = i32> {
    prop_oneof![
        3 => -2048i32..2048,
        1 => prop::sample::select(vec![-2048, -1, 0, 1, 2047]),
    ]
}

fn regfile() -> impl Strategy<Value = Vec<u32>> {
    prop::collection::vec(value(), 32)
}

fn regs_of(v: &[u32]) -> Vec<(usize, u32)> {
    v.iter().enumerate().skip(1).map(|(i, x)| (i, *x)).collect()
}

fn r_type() -> impl Strategy<Value = Instruction> {
    (0usize..18, reg(), reg(), reg()).prop_map(|(k, rd, rs1, rs2)| {
        let f = [
            |rd, rs1, rs2| Add { rd, rs1, rs2 },
            |rd, rs1, rs2| Sub { rd, rs1, rs2 },
            |rd, rs1, rs2| Sll { rd, rs1, rs2 },
            |rd, rs1, rs2| Slt { rd, rs1, rs2 },
            |rd, rs1, rs2| Sltu { rd, rs1, rs2 },
            |rd, rs1, rs2| Xor { rd, rs1, rs2 },
            |rd, rs1, rs2| Srl { rd, rs1, rs2 },
            |rd, rs1, rs2| Sra { rd, rs1, rs2 },
            |rd, rs1, rs2| Or { rd, rs1, rs2 },
            |rd, rs1, rs2| And { rd, rs1, rs2 },
            |rd, rs1, rs2| Mul { rd, rs1, rs2 },
            |rd, rs1, rs2| Mulh { rd, rs1, rs2 },
            |rd, rs1, rs2| Mulhsu { rd, rs1, rs2 },
            |rd, rs1, rs2| Mulhu { rd, rs1, rs2 },
            |rd, rs1, rs2| Div { rd, rs1, rs2 },
            |rd, rs1, rs2| Divu { rd, rs1, rs2 },
            |rd, rs1, rs2| Rem { rd, rs1, rs2 },
            |rd, rs1, rs2| Remu { rd, rs1, rs2 },
        ];
        f[k](rd, rs1, rs2)
    })
}

fn i_type() -> impl Strategy<Value = Instruction> {
    (0usize..9, reg(), reg(), imm12(), 0u8..32).prop_map(|(k, rd, rs1, imm, shamt)| match k {
        0 => Addi { rd, rs1, imm },
        1 => Slti { rd, rs1, imm },
        2 => Sltiu { rd, rs1, imm },
        3 => Xori { rd, rs1, imm },
        4 => Ori { rd, rs1, imm },
        5 => Andi { rd, rs1, imm },
        6 => Slli { rd, rs1, shamt },
        7 => Srli { rd, rs1, shamt },
        _ => Srai { rd, rs1, shamt },
    })
}

fn upper_jump_branch() -> impl Strategy<Value = Instruction> {
    (0usize..10, reg(), reg(), reg(), any::<u32>(), any::<i32>()).prop_map(
        |(k, rd, rs1, rs2, u, j)| {
            let b = (j % 4096) & !1;
            match k {
                0 => Lui {
                    rd,
                    imm: u & 0xffff_f000,
                },
                1 => Auipc {
                    rd,
                    imm: u & 0xffff_f000,
                },
                2 => Jal {
                    rd,
                    imm: (j % (1 << 20)) & !1,
                },
                3 => Jalr {
                    rd,
                    rs1,
                    imm: j % 2048,
                },
                4 => Beq { rs1, rs2, imm: b },
                5 => Bne { rs1, rs2, imm: b },
                6 => Blt { rs1, rs2, imm: b },
                7 => Bge { rs1, rs2, imm: b },
                8 => Bltu { rs1, rs2, imm: b },
                _ => Bgeu { rs1, rs2, imm: b },
            }
        },
    )
}

/// A load or store at a random aligned offset of the data segment, with rs1 set to reach it.
fn mem_access() -> impl Strategy<Value = (Instruction, Vec<(usize, u32)>)> {
    (
        0usize..8,
        reg(),
        1u8..32,
        reg(),
        imm12(),
        0u32..DATA_LEN,
        value(),
    )
        .prop_map(|(k, rd, rs1, rs2, imm, off, v2)| {
            let width = [1, 2, 4, 1, 2, 1, 2, 4][k];
            let addr = DATA + (off & !(width - 1));
            let base = addr.wrapping_sub(imm as u32);
            let insn = match k {
                0 => Lb { rd, rs1, imm },
                1 => Lh { rd, rs1, imm },
                2 => Lw { rd, rs1, imm },
                3 => Lbu { rd, rs1, imm },
                4 => Lhu { rd, rs1, imm },
                5 => Sb { rs1, rs2, imm },
                6 => Sh { rs1, rs2, imm },
                _ => Sw { rs1, rs2, imm },
            };
            let mut regs = vec![(rs1 as usize, base)];
            if rs2 != rs1 && rs2 != 0 {
                regs.push((rs2 as usize, v2));
            }
            (insn, regs)
        })
}

fn data_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), DATA_LEN as usize)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn r_type_agrees(insn in r_type(), regs in regfile()) {
        one(insn, &regs_of(&regs), &[]);
    }

    #[test]
    fn i_type_agrees(insn in i_type(), regs in regfile()) {
        one(insn, &regs_of(&regs), &[]);
    }

    #[test]
    fn upper_jump_branch_agrees(insn in upper_jump_branch(), regs in regfile()) {
        one(insn, &regs_of(&regs), &[]);
    }

    #[test]
    fn loads_and_stores_agree((insn, mut regs) in mem_access(), others in regfile(), data in data_bytes()) {
        let mut all = regs_of(&others);
        all.append(&mut regs);
        one(insn, &all, &data);
    }
}

// ---------------------------------------------------------------------------------------------
// Edge cases

const EDGES: [u32; 9] = [
    0,
    1,
    2,
    0x7fff_ffff,
    0x8000_0000,
    0xffff_ffff,
    0xffff_fffe,
    31,
    32,
];

#[test]
fn r_type_edge_table() {
    let ops: [fn(u8, u8, u8) -> Instruction; 18] = [
        |rd, rs1, rs2| Add { rd, rs1, rs2 },
        |rd, rs1, rs2| Sub { rd, rs1, rs2 },
        |rd, rs1, rs2| Sll { rd, rs1, rs2 },
        |rd, rs1, rs2| Slt { rd, rs1, rs2 },
        |rd, rs1, rs2| Sltu { rd, rs1, rs2 },
        |rd, rs1, rs2| Xor { rd, rs1, rs2 },
        |rd, rs1, rs2| Srl { rd, rs1, rs2 },
        |rd, rs1, rs2| Sra { rd, rs1, rs2 },
        |rd, rs1, rs2| Or { rd, rs1, rs2 },
        |rd, rs1, rs2| And { rd, rs1, rs2 },
        |rd, rs1, rs2| Mul { rd, rs1, rs2 },
        |rd, rs1, rs2| Mulh { rd, rs1, rs2 },
        |rd, rs1, rs2| Mulhsu { rd, rs1, rs2 },
        |rd, rs1, rs2| Mulhu { rd, rs1, rs2 },
        |rd, rs1, rs2| Div { rd, rs1, rs2 },
        |rd, rs1, rs2| Divu { rd, rs1, rs2 },
        |rd, rs1, rs2| Rem { rd, rs1, rs2 },
        |rd, rs1, rs2| Remu { rd, rs1, rs2 },
    ];
    // One chain per operation over all operand pairs: x1 = a, x2 = b, result in x3.
    for op in ops {
        for a in [0u32, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 31] {
            let mut insns = Vec::new();
            let mut regs = vec![(1, a)];
            for (k, &b) in EDGES.iter().enumerate() {
                regs.push((4 + k, b));
                insns.push(op(3, 1, 4 + k as u8));
            }
            // also rs1 = rs2, rd = rs1 and rd = x0
            insns.push(op(1, 1, 1));
            insns.push(op(0, 1, 4));
            let n = insns.len();
            let vm = check_agrees(
                &Setup {
                    insns,
                    regs,
                    ..Default::default()
                },
                n,
            );
            assert_eq!(vm.registers()[0], 0);
        }
    }
}

#[test]
fn division_special_cases() {
    let vm = one(
        Div {
            rd: 3,
            rs1: 1,
            rs2: 2,
        },
        &[(1, 0x8000_0000), (2, u32::MAX)],
        &[],
    );
    assert_eq!(vm.registers()[3], 0x8000_0000);
    let vm = one(
        Rem {
            rd: 3,
            rs1: 1,
            rs2: 2,
        },
        &[(1, 0x8000_0000), (2, u32::MAX)],
        &[],
    );
    assert_eq!(vm.registers()[3], 0);
    let vm = one(
        Div {
            rd: 3,
            rs1: 1,
            rs2: 2,
        },
        &[(1, 77)],
        &[],
    );
    assert_eq!(vm.registers()[3], u32::MAX);
    let vm = one(
        Divu {
            rd: 3,
            rs1: 1,
            rs2: 2,
        },
        &[(1, 77)],
        &[],
    );
    assert_eq!(vm.registers()[3], u32::MAX);
    let vm = one(
        Rem {
            rd: 3,
            rs1: 1,
            rs2: 2,
        },
        &[(1, -77i32 as u32)],
        &[],
    );
    assert_eq!(vm.registers()[3], -77i32 as u32);
    let vm = one(
        Remu {
            rd: 3,
            rs1: 1,
            rs2: 2,
        },
        &[(1, 77)],
        &[],
    );
    assert_eq!(vm.registers()[3], 77);
    // remainder signs
    for (a, b) in [
        (7i32, 2i32),
        (-7, 2),
        (7, -2),
        (-7, -2),
        (i32::MIN, 3),
        (5, i32::MIN),
    ] {
        one(
            Rem {
                rd: 3,
                rs1: 1,
                rs2: 2,
            },
            &[(1, a as u32), (2, b as u32)],
            &[],
        );
        one(
            Div {
                rd: 3,
                rs1: 1,
                rs2: 2,
            },
            &[(1, a as u32), (2, b as u32)],
            &[],
        );
    }
}

#[test]
fn shifts_mask_the_amount() {
    for amt in [0u32, 1, 31, 32, 33, 63, 0xffff_ffe1] {
        for op in [
            Sll {
                rd: 3,
                rs1: 1,
                rs2: 2,
            },
            Srl {
                rd: 3,
                rs1: 1,
                rs2: 2,
            },
            Sra {
                rd: 3,
                rs1: 1,
                rs2: 2,
            },
        ] {
            one(op, &[(1, 0x8765_4321), (2, amt)], &[]);
        }
    }
    for shamt in [0u8, 1, 31] {
        one(
            Srai {
                rd: 3,
                rs1: 1,
                shamt,
            },
            &[(1, 0x8000_0001)],
            &[],
        );
    }
}

#[test]
fn jumps_and_branches_edges() {
    // JALR clears bit 0, and rd = rs1.
    let vm = one(
        Jalr {
            rd: 1,
            rs1: 1,
            imm: 3,
        },
        &[(1, CODE + 8)],
        &[],
    );
    assert_eq!(vm.pc(), CODE + 10);
    assert_eq!(vm.registers()[1], CODE + 4);
    one(
        Jalr {
            rd: 0,
            rs1: 5,
            imm: -1,
        },
        &[(5, CODE + 9)],
        &[],
    );
    // JALR wrapping around 2^32.
    one(
        Jalr {
            rd: 2,
            rs1: 5,
            imm: 16,
        },
        &[(5, 0xffff_fff8)],
        &[],
    );
    // branch to itself, branch backwards, equal operands, signed/unsigned boundaries
    for (a, b) in [
        (0u32, 0u32),
        (0x7fff_ffff, 0x8000_0000),
        (0xffff_ffff, 0),
        (5, 5),
    ] {
        for insn in [
            Beq {
                rs1: 1,
                rs2: 2,
                imm: 0,
            },
            Bne {
                rs1: 1,
                rs2: 2,
                imm: -4,
            },
            Blt {
                rs1: 1,
                rs2: 2,
                imm: 8,
            },
            Bge {
                rs1: 1,
                rs2: 2,
                imm: -4096,
            },
            Bltu {
                rs1: 1,
                rs2: 2,
                imm: 4094,
            },
            Bgeu {
                rs1: 1,
                rs2: 2,
                imm: 2,
            },
        ] {
            one(insn, &[(1, a), (2, b)], &[]);
        }
    }
    // AUIPC wrapping, JAL backwards out of memory
    one(
        Auipc {
            rd: 3,
            imm: 0xffff_f000,
        },
        &[],
        &[],
    );
    one(
        Jal {
            rd: 1,
            imm: -(1 << 20),
        },
        &[],
        &[],
    );
}

#[test]
fn loads_stores_every_width_and_offset() {
    let data: Vec<u8> = (0..64u8)
        .map(|i| i.wrapping_mul(37) | (0x80 * (i & 1)))
        .collect();
    for off in 0..8u32 {
        let addr = DATA + 16 + off;
        let regs = [(1, addr), (2, 0xdead_beef)];
        one(
            Lb {
                rd: 3,
                rs1: 1,
                imm: 0,
            },
            &regs,
            &data,
        );
        one(
            Lbu {
                rd: 3,
                rs1: 1,
                imm: 0,
            },
            &regs,
            &data,
        );
        one(
            Sb {
                rs1: 1,
                rs2: 2,
                imm: 0,
            },
            &regs,
            &data,
        );
        if off % 2 == 0 {
            one(
                Lh {
                    rd: 3,
                    rs1: 1,
                    imm: 0,
                },
                &regs,
                &data,
            );
            one(
                Lhu {
                    rd: 3,
                    rs1: 1,
                    imm: 0,
                },
                &regs,
                &data,
            );
            one(
                Sh {
                    rs1: 1,
                    rs2: 2,
                    imm: 0,
                },
                &regs,
                &data,
            );
        }
        if off % 4 == 0 {
            one(
                Lw {
                    rd: 3,
                    rs1: 1,
                    imm: 0,
                },
                &regs,
                &data,
            );
            one(
                Sw {
                    rs1: 1,
                    rs2: 2,
                    imm: 0,
                },
                &regs,
                &data,
            );
        }
    }
    // negative offsets, address wrapping around 2^32, and a load from the code segment
    one(
        Lw {
            rd: 3,
            rs1: 1,
            imm: -4,
        },
        &[(1, DATA + 8)],
        &data,
    );
    one(
        Lw {
            rd: 3,
            rs1: 1,
            imm: 8,
        },
        &[(1, (DATA as i32 - 8 + 8 - 8) as u32)],
        &data,
    );
    one(
        Lw {
            rd: 3,
            rs1: 1,
            imm: -8,
        },
        &[(1, DATA + 8)],
        &data,
    );
    one(
        Lbu {
            rd: 3,
            rs1: 1,
            imm: 0x10,
        },
        &[(1, DATA.wrapping_sub(0x10))],
        &data,
    );
    one(
        Lw {
            rd: 3,
            rs1: 1,
            imm: 4,
        },
        &[(1, 0u32.wrapping_sub(4).wrapping_add(CODE))],
        &data,
    );
    one(
        Lw {
            rd: 3,
            rs1: 0,
            imm: 0,
        },
        &[],
        &data,
    );
}

#[test]
fn x0_and_fence() {
    let vm = one(
        Addi {
            rd: 0,
            rs1: 1,
            imm: 5,
        },
        &[(1, 9)],
        &[],
    );
    assert_eq!(vm.registers()[0], 0);
    one(
        Lui {
            rd: 0,
            imm: 0x1234_5000,
        },
        &[],
        &[],
    );
    one(
        Lw {
            rd: 0,
            rs1: 1,
            imm: 0,
        },
        &[(1, DATA)],
        &[1, 2, 3, 4],
    );
    one(
        Fence {
            pred: 0xf,
            succ: 0xf,
        },
        &[],
        &[],
    );
    one(FenceI, &[], &[]);
}

// ---------------------------------------------------------------------------------------------
// ecall

fn ecall_setup(a7: u32, a0: u32, a1: u32, a2: u32) -> Setup {
    Setup {
        insns: vec![Ecall],
        regs: vec![(17, a7), (10, a0), (11, a1), (12, a2)],
        data: b"Hello, world! 0123456789abcdef".to_vec(),
        input: b"public input bytes".to_vec(),
        private: b"secret".to_vec(),
    }
}

#[test]
fn ecall_exit_and_padding() {
    for a7 in [93, 94] {
        let s = ecall_setup(a7, 0x1234_5678, 0, 0);
        let (rows, vm, _) = run(&s, 1, 3);
        assert_eq!(rows.len(), 4);
        let (cs, outs) = synth(&rows);
        assert!(cs.is_satisfied());
        let last = outs.last().unwrap();
        assert_eq!(last.next.exit_code.get_value(), Some(F::from(0x1234_5678)));
        assert_eq!(last.next.halted.get_value(), Some(F::ONE));
        assert_eq!(last.next.steps.get_value(), Some(F::from(vm.steps())));
        assert_eq!(last.next.pc.get_value(), Some(F::from(CODE as u64)));
    }
}

#[test]
fn ecall_single_row_calls() {
    // debug write (ignored, but bounds are checked), bad fds, unknown calls, len 0
    check_agrees(&ecall_setup(64, 2, DATA, 12), 1);
    check_agrees(&ecall_setup(64, 2, (MEM - 4) as u32, 4), 1);
    check_agrees(&ecall_setup(64, 2, 0xffff_ffff, 0), 1);
    check_agrees(&ecall_setup(64, 7, DATA, 12), 1);
    check_agrees(&ecall_setup(64, 0, DATA, 12), 1);
    check_agrees(&ecall_setup(63, 1, DATA, 12), 1);
    check_agrees(&ecall_setup(63, 0xffff_ffff, DATA, 12), 1);
    check_agrees(&ecall_setup(1234, 0, 0, 0), 1);
    check_agrees(&ecall_setup(0, 0, 0, 0), 1);
    check_agrees(&ecall_setup(64, 1, 0xffff_ffff, 0), 1);
    check_agrees(&ecall_setup(63, 0, 0xffff_ffff, 0), 1);
    check_agrees(&ecall_setup(63, 3, DATA, 0), 1);
}

#[test]
fn ecall_write_and_read_streams() {
    // A program: write 13 bytes from an unaligned buffer, read 5 then 100 (short) bytes of
    // public input, read private input, read again at eof, write again, exit.
    let li = |rd: u8, v: u32| -> Vec<Instruction> {
        vec![
            Lui {
                rd,
                imm: v.wrapping_add(0x800) & 0xffff_f000,
            },
            Addi {
                rd,
                rs1: rd,
                imm: ((v & 0xfff) as i32) << 20 >> 20,
            },
        ]
    };
    let mut insns = Vec::new();
    let call = |insns: &mut Vec<Instruction>, a7: u32, a0: u32, a1: u32, a2: u32| {
        insns.extend(li(17, a7));
        insns.extend(li(10, a0));
        insns.extend(li(11, a1));
        insns.extend(li(12, a2));
        insns.push(Ecall);
    };
    call(&mut insns, 64, 1, DATA + 1, 13);
    call(&mut insns, 63, 0, DATA + 0x102, 5);
    call(&mut insns, 63, 0, DATA + 0x200, 100);
    call(&mut insns, 63, 3, DATA + 0x301, 4);
    call(&mut insns, 63, 0, DATA + 0x400, 7);
    call(&mut insns, 64, 1, DATA + 0x102, 3);
    call(&mut insns, 93, 3, 0, 0);
    let n = insns.len();
    let s = Setup {
        insns,
        data: b"Hello, world! 0123456789abcdef".to_vec(),
        input: b"public input bytes".to_vec(),
        private: b"secret".to_vec(),
        ..Default::default()
    };
    let vm = check_agrees(&s, n);
    assert_eq!(vm.public_output(), b"ello, world! pub");
    assert_eq!(vm.exit().unwrap().code, 3);
}

// ---------------------------------------------------------------------------------------------
// Negative tests

fn rows_of(insn: Instruction, regs: &[(usize, u32)], data: &[u8]) -> Vec<RowWitness<F>> {
    let s = Setup {
        insns: vec![insn],
        regs: regs.to_vec(),
        data: data.to_vec(),
        ..Default::default()
    };
    let rows = run(&s, 1, 0).0;
    assert!(
        satisfied(&rows),
        "honest witness of {insn} must be accepted"
    );
    rows
}

#[test]
fn rejects_wrong_rd_value() {
    for insn in [
        Add {
            rd: 3,
            rs1: 1,
            rs2: 2,
        },
        Mulh {
            rd: 3,
            rs1: 1,
            rs2: 2,
        },
        Div {
            rd: 3,
            rs1: 1,
            rs2: 2,
        },
        Sra {
            rd: 3,
            rs1: 1,
            rs2: 2,
        },
        Sltiu {
            rd: 3,
            rs1: 1,
            imm: -1,
        },
        Jal { rd: 3, imm: 8 },
    ] {
        let rows = rows_of(insn, &[(1, 0x8000_0007), (2, 0xffff_fff3)], &[]);
        for delta in [1u32, 1 << 31] {
            let mut bad = rows.clone();
            bad[0].post.regs[3] ^= delta;
            rejected(&bad);
        }
        // the right value written to the wrong register
        let mut bad = rows.clone();
        bad[0].post.regs[4] = bad[0].post.regs[3];
        bad[0].post.regs[3] = bad[0].pre.regs[3];
        rejected(&bad);
    }
}

#[test]
fn rejects_wrong_loaded_value() {
    let data: Vec<u8> = (0..32u8).map(|i| i ^ 0x5a).collect();
    for insn in [
        Lw {
            rd: 3,
            rs1: 1,
            imm: 4,
        },
        Lbu {
            rd: 3,
            rs1: 1,
            imm: 5,
        },
        Lb {
            rd: 3,
            rs1: 1,
            imm: 7,
        },
        Lh {
            rd: 3,
            rs1: 1,
            imm: 6,
        },
    ] {
        let rows = rows_of(insn, &[(1, DATA)], &data);
        // memory says one thing, rd claims another
        let mut bad = rows.clone();
        bad[0].data_old ^= 0xffff_ffff;
        bad[0].data_new = bad[0].data_old;
        rejected(&bad);
        let mut bad = rows.clone();
        bad[0].post.regs[3] ^= 0x80;
        rejected(&bad);
    }
}

#[test]
fn rejects_wrong_store() {
    for insn in [
        Sb {
            rs1: 1,
            rs2: 2,
            imm: 1,
        },
        Sh {
            rs1: 1,
            rs2: 2,
            imm: 2,
        },
        Sw {
            rs1: 1,
            rs2: 2,
            imm: 4,
        },
    ] {
        let rows = rows_of(insn, &[(1, DATA), (2, 0x1234_5678)], &[9; 16]);
        for delta in [1u32, 0x100, 0x0100_0000] {
            let mut bad = rows.clone();
            bad[0].data_new ^= delta;
            rejected(&bad);
        }
        // the store not reflected at all
        let mut bad = rows.clone();
        bad[0].data_new = bad[0].data_old;
        rejected(&bad);
    }
    // a non-store that writes memory
    let mut bad = rows_of(
        Add {
            rd: 3,
            rs1: 1,
            rs2: 2,
        },
        &[],
        &[],
    );
    bad[0].data_new ^= 1;
    rejected(&bad);
}

#[test]
fn rejects_wrong_next_pc() {
    for (insn, regs) in [
        (
            Beq {
                rs1: 1,
                rs2: 2,
                imm: 64,
            },
            [(1, 5), (2, 5)],
        ),
        (
            Beq {
                rs1: 1,
                rs2: 2,
                imm: 64,
            },
            [(1, 5), (2, 6)],
        ),
        (
            Bltu {
                rs1: 1,
                rs2: 2,
                imm: -64,
            },
            [(1, 5), (2, 6)],
        ),
        (Jal { rd: 1, imm: 128 }, [(1, 0), (2, 0)]),
        (
            Jalr {
                rd: 1,
                rs1: 2,
                imm: 5,
            },
            [(1, 0), (2, CODE)],
        ),
        (
            Addi {
                rd: 1,
                rs1: 2,
                imm: 5,
            },
            [(1, 0), (2, 0)],
        ),
    ] {
        let rows = rows_of(insn, &regs, &[]);
        for pc in [
            rows[0].post.pc + 4,
            rows[0].post.pc.wrapping_sub(4),
            rows[0].pre.pc,
        ] {
            let mut bad = rows.clone();
            bad[0].post.pc = pc;
            rejected(&bad);
        }
    }
    // JALR must clear exactly bit 0
    let rows = rows_of(
        Jalr {
            rd: 1,
            rs1: 2,
            imm: 3,
        },
        &[(2, CODE)],
        &[],
    );
    let mut bad = rows.clone();
    bad[0].post.pc += 1;
    rejected(&bad);
    // a step of a multi-row ecall must not advance pc
    let s = ecall_setup(64, 1, DATA, 3);
    let rows = run(&s, 1, 0).0;
    assert_eq!(rows.len(), 4);
    let mut bad = rows.clone();
    bad[0].post.pc += 4;
    rejected(&bad);
}

#[test]
fn rejects_wrong_output_byte() {
    let s = ecall_setup(64, 1, DATA + 2, 6);
    let rows = run(&s, 1, 0).0;
    assert!(satisfied(&rows));
    for i in 0..6 {
        let mut bad = rows.clone();
        // the byte pushed into the output stream differs from memory
        let mut out = bad[i].pre.output;
        let byte = (bad[i].data_old >> (8 * (bad[i].data_addr & 3))) as u8;
        out.push(&ToyHash, byte ^ 0x20);
        bad[i].post.output = out;
        for r in bad.iter_mut().skip(i + 1) {
            r.pre.output = out;
            r.post.output = out;
        }
        rejected(&bad);
    }
    // a write that skips a byte (the cursor jumps) or finishes early
    let mut bad = rows.clone();
    bad.remove(2);
    rejected(&bad);
    // the output digest of a completed word
    let mut bad = rows.clone();
    bad[1].post.output.digest += F::ONE;
    rejected(&bad);
}

#[test]
fn rejects_wrong_exit_code() {
    let s = ecall_setup(93, 42, 0, 0);
    let rows = run(&s, 1, 2).0;
    assert!(satisfied(&rows));
    for code in [0u32, 43, 42 + (1 << 31)] {
        let mut bad = rows.clone();
        for r in bad.iter_mut() {
            if r.post.halted {
                r.post.exit_code = code;
            }
            if r.pre.halted {
                r.pre.exit_code = code;
            }
        }
        rejected(&bad);
    }
    // not halting, and an idle row that changes something
    let mut bad = rows.clone();
    bad[0].post.halted = false;
    rejected(&bad);
    let mut bad = rows.clone();
    bad[1].post.regs[5] = 1;
    rejected(&bad);
    let mut bad = rows.clone();
    bad[1].post.steps += 1;
    rejected(&bad);
}

#[test]
fn rejects_misaligned_access() {
    for (insn, addr) in [
        (
            Lw {
                rd: 3,
                rs1: 1,
                imm: 0,
            },
            DATA + 2,
        ),
        (
            Lw {
                rd: 3,
                rs1: 1,
                imm: 0,
            },
            DATA + 1,
        ),
        (
            Lh {
                rd: 3,
                rs1: 1,
                imm: 0,
            },
            DATA + 1,
        ),
        (
            Lhu {
                rd: 3,
                rs1: 1,
                imm: 0,
            },
            DATA + 3,
        ),
        (
            Sw {
                rs1: 1,
                rs2: 2,
                imm: 0,
            },
            DATA + 2,
        ),
        (
            Sh {
                rs1: 1,
                rs2: 2,
                imm: 0,
            },
            DATA + 1,
        ),
    ] {
        // The honest witness of the aligned access, moved to a misaligned address.
        let aligned = rows_of(insn, &[(1, addr & !3), (2, 0x0102_0304)], &[7; 8]);
        let mut bad = aligned.clone();
        bad[0].pre.regs[1] = addr;
        bad[0].post.regs[1] = addr;
        bad[0].data_addr = addr;
        let why = rejected(&bad);
        assert!(why.contains("align"), "{insn}: {why}");
    }
    // out of memory
    let rows = rows_of(
        Lw {
            rd: 3,
            rs1: 1,
            imm: 0,
        },
        &[(1, DATA)],
        &[],
    );
    let mut bad = rows.clone();
    bad[0].pre.regs[1] = MEM as u32;
    bad[0].post.regs[1] = MEM as u32;
    bad[0].data_addr = MEM as u32;
    rejected(&bad);
}

#[test]
fn rejects_illegal_instructions() {
    let rows = rows_of(
        Addi {
            rd: 3,
            rs1: 1,
            imm: 1,
        },
        &[],
        &[],
    );
    for word in [
        0u32,
        0xffff_ffff,
        0x0010_0073, // ebreak
        0xc000_2573, // csrrs
        0x0000_000b, // custom-0
        0x4000_1013, // slli with funct7 != 0
        0x0200_1013, // slli with shamt[5]
        0x0000_2067, // jalr funct3 != 0
        0x0000_3003, // ld
        0x4000_1033, // bad funct7 for sll
        0x0000_4501, // compressed
        0x0010_0173, // ecall with rd set
    ] {
        for post_pc in [rows[0].pre.pc + 4, rows[0].pre.pc] {
            let mut bad = rows.clone();
            bad[0].word = word;
            bad[0].data_old = word;
            bad[0].data_new = word;
            bad[0].post.regs = bad[0].pre.regs;
            bad[0].post.pc = post_pc;
            rejected(&bad);
        }
    }
}

#[test]
fn rejects_write_to_x0() {
    for insn in [
        Addi {
            rd: 0,
            rs1: 1,
            imm: 5,
        },
        Lui { rd: 0, imm: 0x5000 },
        Jal { rd: 0, imm: 8 },
    ] {
        let rows = rows_of(insn, &[(1, 9)], &[]);
        for k in [1usize, 5, 31] {
            let mut bad = rows.clone();
            bad[0].post.regs[k] = match insn {
                Jal { .. } => CODE + 4,
                Lui { .. } => 0x5000,
                _ => 14,
            };
            rejected(&bad);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Constraint counts

/// Counts constraints per top-level namespace of a row.
#[derive(Default)]
struct Counter {
    stack: Vec<String>,
    counts: BTreeMap<String, usize>,
    aux: usize,
    inputs: usize,
}

impl ConstraintSystem<F> for Counter {
    type Root = Self;

    fn alloc<Fn_, A, AR>(&mut self, _: A, _: Fn_) -> Result<Variable, SynthesisError>
    where
        Fn_: FnOnce() -> Result<F, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.aux += 1;
        Ok(Variable::new_unchecked(Index::Aux(self.aux - 1)))
    }

    fn alloc_input<Fn_, A, AR>(&mut self, _: A, _: Fn_) -> Result<Variable, SynthesisError>
    where
        Fn_: FnOnce() -> Result<F, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.inputs += 1;
        Ok(Variable::new_unchecked(Index::Input(self.inputs)))
    }

    fn enforce<A, AR, LA, LB, LC>(&mut self, _: A, _: LA, _: LB, _: LC)
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
        LA: FnOnce(LinearCombination<F>) -> LinearCombination<F>,
        LB: FnOnce(LinearCombination<F>) -> LinearCombination<F>,
        LC: FnOnce(LinearCombination<F>) -> LinearCombination<F>,
    {
        // The unit is the namespace just below the row's own ("row/<unit>/...").
        let key = self.stack.get(1).cloned().unwrap_or_else(|| "(row)".into());
        *self.counts.entry(key).or_default() += 1;
    }

    fn push_namespace<NR, N>(&mut self, name: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
        self.stack.push(name().into());
    }

    fn pop_namespace(&mut self) {
        self.stack.pop();
    }

    fn get_root(&mut self) -> &mut Self::Root {
        self
    }
}

#[test]
fn constraint_counts() {
    let state = RowState::new(CODE, in_iv(), out_iv());
    let wit = RowWitness::idle(&state, 0x13);
    let mut counts = BTreeMap::new();
    let mut totals = Vec::new();
    for mem in [1u64 << 12, MEM, 1 << 32] {
        let cfg = RowConfig::new(mem).unwrap();
        let mut cs = Counter::default();
        let vars = RowVars::alloc(&mut cs, &state).unwrap();
        let word = AllocatedNum::alloc(&mut cs, || Ok(F::from(0x13))).unwrap();
        let old = AllocatedNum::alloc(&mut cs, || Ok(F::from(0x13))).unwrap();
        synthesize_row(
            &mut cs.namespace(|| "row"),
            &cfg,
            &ToyHash,
            &vars,
            &word,
            &old,
            &wit,
        )
        .unwrap();
        let total: usize = cs.counts.values().sum();
        totals.push((mem, total, cs.aux));
        if mem == MEM {
            counts = cs.counts.clone();
        }
    }
    println!("row constraints per unit (16 MiB memory, toy hash = 5 constraints):");
    for (unit, n) in &counts {
        println!("  {unit:<12} {n:>5}");
    }
    for (mem, total, aux) in &totals {
        println!("memory {mem:>10} B: {total} constraints, {aux} variables per row");
    }
    let total: usize = counts.values().sum();
    // Pin the count so that changes are deliberate (toy hash: 5 constraints).
    assert!(total > 800 && total < 1500, "{total}");
    // The shape must not depend on the witness: an ALU row counts the same.
    let (rows, _, _) = run(
        &Setup {
            insns: vec![Add {
                rd: 1,
                rs1: 2,
                rs2: 3,
            }],
            ..Default::default()
        },
        1,
        0,
    );
    let (cs, _) = synth(&rows);
    let per_row = cs.num_constraints();
    assert_eq!(per_row, total);
}

// ---------------------------------------------------------------------------------------------
// I/O: Poseidon streams and more negative tests

#[test]
fn poseidon_stream_hash_in_rows() {
    let h = PoseidonStreamHasher::<F>::new();
    // native twin == gadget
    let mut cs = TestConstraintSystem::<F>::new();
    let (d, w) = (F::from(12345), F::from(0xdead_beef));
    let dv = AllocatedNum::alloc(cs.namespace(|| "d"), || Ok(d)).unwrap();
    let wv = AllocatedNum::alloc(cs.namespace(|| "w"), || Ok(w)).unwrap();
    let out = h.hash_gadget(cs.namespace(|| "h"), &dv, &wv).unwrap();
    assert!(cs.is_satisfied());
    assert_eq!(out.get_value(), Some(h.hash(d, w)));
    println!("Poseidon stream hash: {} constraints", cs.num_constraints());
    assert_ne!(h.hash(d, w), h.hash(w, d));
    // a write of 9 bytes (two complete words hashed) and a read of 6, with Poseidon
    let mut s = ecall_setup(64, 1, DATA + 3, 9);
    s.insns = vec![
        Ecall,
        Addi {
            rd: 10,
            rs1: 0,
            imm: 0,
        },
        Addi {
            rd: 12,
            rs1: 0,
            imm: 6,
        },
        Addi {
            rd: 17,
            rs1: 0,
            imm: 63,
        },
        Ecall,
    ];
    let (rows, vm, _) = run_with(&s, 5, 0, &h);
    let (cs, outs) = synth_with(&rows, &h);
    assert!(cs.is_satisfied());
    let last = &outs.last().unwrap().next;
    let want = StreamState::of_bytes(&h, out_iv(), vm.public_output());
    assert_eq!(want.words, 2);
    assert_eq!(last.output[0].get_value(), Some(want.digest));
    let want_in = StreamState::of_bytes(&h, in_iv(), &s.input[..6]);
    assert_eq!(last.input[0].get_value(), Some(want_in.digest));
    assert_eq!(
        last.input[3].get_value(),
        Some(F::from(want_in.pending as u64))
    );
}

#[test]
fn rejects_wrong_input_byte() {
    let s = ecall_setup(63, 0, DATA + 1, 6);
    let rows = run(&s, 1, 0).0;
    assert_eq!(rows.len(), 7);
    assert!(satisfied(&rows));
    for i in 0..6 {
        // memory receives a different byte than the stream records
        let mut bad = rows.clone();
        let shift = 8 * (bad[i].data_addr & 3);
        bad[i].data_new ^= 0x40 << shift;
        rejected(&bad);
        // a private-input read must store the byte it claims too (fd 3, no stream)
    }
    // the stream records a different byte than memory receives
    let mut bad = rows.clone();
    let mut input = bad[0].pre.input;
    input.push(&ToyHash, b'p' ^ 1);
    bad[0].post.input = input;
    for r in bad.iter_mut().skip(1) {
        r.pre.input = input;
        r.post.input = input;
    }
    rejected(&bad);
}

#[test]
fn rejects_io_protocol_violations() {
    // a write that finishes before all bytes are written
    let s = ecall_setup(64, 1, DATA, 5);
    let rows = run(&s, 1, 0).0;
    let mut bad = rows[..3].to_vec();
    let last = rows.last().unwrap().clone();
    bad.push(RowWitness {
        pre: rows[3].pre.clone(),
        post: RowState {
            regs: {
                let mut r = last.post.regs;
                r[10] = 3;
                r
            },
            ..last.post.clone()
        },
        ..last.clone()
    });
    let fixed = bad.last_mut().unwrap();
    fixed.post.output = fixed.pre.output;
    let why = rejected(&bad);
    assert!(why.contains("not short"), "{why}");
    // a read that continues after end of input is signalled
    let s = ecall_setup(63, 0, DATA, 100);
    let rows = run(&s, 1, 0).0;
    let last = rows.last().unwrap().clone();
    assert!(last.post.in_eof);
    let mut again = run(&s, 1, 0).0;
    // replay the first byte row from an eof state
    let mut row = again.remove(0);
    row.pre.in_eof = true;
    row.post.in_eof = true;
    let why = rejected(&[row]);
    assert!(why.contains("in eof"), "{why}");
    // an instruction executed in the middle of an I/O call (cursor != 0)
    let mut rows = rows_of(
        Addi {
            rd: 3,
            rs1: 0,
            imm: 1,
        },
        &[],
        &[],
    );
    rows[0].pre.cursor = 2;
    rows[0].post.cursor = 0;
    let why = rejected(&rows);
    assert!(why.contains("cursor idle"), "{why}");
    // an I/O call claiming to step past its length
    let s = ecall_setup(64, 1, DATA, 2);
    let rows = run(&s, 1, 0).0;
    let mut bad = rows[..2].to_vec();
    let mut extra = rows[1].clone();
    extra.pre = rows[1].post.clone();
    extra.post = extra.pre.clone();
    extra.post.cursor += 1;
    extra.data_addr += 1;
    extra.post.output.push(
        &ToyHash,
        (extra.data_old >> (8 * (extra.data_addr & 3))) as u8,
    );
    bad.push(extra);
    let why = rejected(&bad);
    assert!(why.contains("step needs bytes"), "{why}");
}

#[test]
fn kind_table_matches_the_vm_decoder() {
    use canopy_circuit::row::Kind;
    let check = |w: u32| {
        let matching: Vec<Kind> = Kind::ALL
            .iter()
            .copied()
            .filter(|k| {
                let (mask, m) = k.mask_match();
                w & mask == m
            })
            .collect();
        let want: Vec<Kind> = Kind::of_word(w).into_iter().collect();
        assert_eq!(matching, want, "word {w:#010x}");
    };
    let mut w: u32 = 0;
    loop {
        check(w);
        match w.checked_add(4093) {
            Some(n) => w = n,
            None => break,
        }
    }
    // every major opcode with pseudo-random other bits
    let mut x: u32 = 0x1234_5678;
    for _ in 0..200_000 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        check((x & !0x7f) | (x % 128));
        check(
            (x & !0x7f)
                | [
                    0x03, 0x0f, 0x13, 0x17, 0x23, 0x33, 0x37, 0x63, 0x67, 0x6f, 0x73,
                ][(x % 11) as usize],
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Random straight-line programs: the state is carried from row to row.
    #[test]
    fn random_sequences_agree(
        insns in prop::collection::vec(prop_oneof![r_type(), i_type()], 1..12),
        regs in regfile(),
    ) {
        let n = insns.len();
        check_agrees(&Setup { insns, regs: regs_of(&regs), ..Default::default() }, n);
    }
}

/// The guest examples, row by row (each row in its own constraint system; continuity is checked
/// natively): every row is satisfied and the rows' final output digest and exit code are the
/// VM's. Long programs are capped.
#[test]
fn guest_examples_rows_are_satisfied() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../guest/examples");
    for (name, cap) in [
        ("hello", 1300),
        ("fib", 1300),
        ("sort", 300),
        ("sha256", 300),
        ("loop", 300),
    ] {
        let elf = std::fs::read(dir.join(format!("{name}.elf"))).unwrap();
        let input = std::fs::read(dir.join(format!("{name}.in"))).unwrap_or_default();
        let mut vm = Vm::from_elf(&elf, VmConfig::default()).unwrap();
        vm.set_public_input(input.clone());
        let mut state = state_of(&vm);
        let mut rows_checked = 0usize;
        while vm.exit().is_none() && rows_checked < cap {
            let block = vm.trace(1).next().unwrap().unwrap();
            let rec = &block.records[0];
            // Only `write` reads memory through this, and a write does not change memory, so
            // the memory after the step is the memory before it.
            let mut read = |a: u32| vm.memory().load_u32(a).ok();
            let rows = rows_for_step(&ToyHash, &state, rec, &mut read).unwrap();
            for r in &rows {
                assert_eq!(r.pre, state);
                assert!(
                    satisfied(std::slice::from_ref(r)),
                    "{name}: step {}",
                    rec.step
                );
                state = r.post.clone();
                rows_checked += 1;
            }
        }
        if let Some(exit) = vm.exit() {
            assert!(name != "hello" || !vm.public_output().is_empty());
            assert!(state.halted);
            assert_eq!(state.exit_code, exit.code);
            assert_eq!(
                state.output,
                StreamState::of_bytes(&ToyHash, out_iv(), vm.public_output())
            );
        }
        println!(
            "{name}: {rows_checked} rows satisfied (exited: {})",
            vm.exit().is_some()
        );
    }
}

/// A constraint system that checks each constraint as it is added (no names kept): a fast
/// satisfiability check for long runs.
#[derive(Default)]
struct CheckCs {
    inputs: Vec<F>,
    aux: Vec<F>,
    failed: Option<usize>,
    n: usize,
}

impl CheckCs {
    fn eval(&self, lc: &LinearCombination<F>) -> F {
        lc.iter()
            .map(|(v, c)| {
                *c * match v.get_unchecked() {
                    Index::Input(i) => self.inputs[i],
                    Index::Aux(i) => self.aux[i],
                }
            })
            .sum()
    }
}

impl ConstraintSystem<F> for CheckCs {
    type Root = Self;

    fn alloc<Fn_, A, AR>(&mut self, _: A, f: Fn_) -> Result<Variable, SynthesisError>
    where
        Fn_: FnOnce() -> Result<F, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.aux.push(f()?);
        Ok(Variable::new_unchecked(Index::Aux(self.aux.len() - 1)))
    }

    fn alloc_input<Fn_, A, AR>(&mut self, _: A, f: Fn_) -> Result<Variable, SynthesisError>
    where
        Fn_: FnOnce() -> Result<F, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        if self.inputs.is_empty() {
            self.inputs.push(F::ONE);
        }
        self.inputs.push(f()?);
        Ok(Variable::new_unchecked(Index::Input(self.inputs.len() - 1)))
    }

    fn enforce<A, AR, LA, LB, LC>(&mut self, _: A, a: LA, b: LB, c: LC)
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
        LA: FnOnce(LinearCombination<F>) -> LinearCombination<F>,
        LB: FnOnce(LinearCombination<F>) -> LinearCombination<F>,
        LC: FnOnce(LinearCombination<F>) -> LinearCombination<F>,
    {
        let (a, b, c) = (
            a(LinearCombination::zero()),
            b(LinearCombination::zero()),
            c(LinearCombination::zero()),
        );
        if self.failed.is_none() && self.eval(&a) * self.eval(&b) != self.eval(&c) {
            self.failed = Some(self.n);
        }
        self.n += 1;
    }

    fn push_namespace<NR, N>(&mut self, _: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
    }

    fn pop_namespace(&mut self) {}

    fn get_root(&mut self) -> &mut Self::Root {
        self
    }
}

fn fast_satisfied(w: &RowWitness<F>) -> bool {
    let mut cs = CheckCs {
        inputs: vec![F::ONE],
        ..Default::default()
    };
    let state = RowVars::alloc(&mut cs, &w.pre).unwrap();
    let word = AllocatedNum::alloc(&mut cs, || Ok(F::from(w.word as u64))).unwrap();
    let old = AllocatedNum::alloc(&mut cs, || Ok(F::from(w.data_old as u64))).unwrap();
    synthesize_row(&mut cs, &cfg(), &ToyHash, &state, &word, &old, w).unwrap();
    cs.failed.is_none()
}

#[test]
fn fast_checker_agrees_with_test_cs() {
    let rows = rows_of(
        Add {
            rd: 3,
            rs1: 1,
            rs2: 2,
        },
        &[(1, 5), (2, 7)],
        &[],
    );
    assert!(fast_satisfied(&rows[0]));
    let mut bad = rows[0].clone();
    bad.post.regs[3] += 1;
    assert!(!fast_satisfied(&bad));
}

#[test]
fn other_memory_sizes() {
    // Rows of a program at 0x10000.. with data at 0x20000..: valid for every memory of at
    // least 256 KiB, and rejected by a 128 KiB configuration (data address out of memory).
    let s = Setup {
        insns: vec![
            Lw {
                rd: 3,
                rs1: 1,
                imm: 4,
            },
            Sw {
                rs1: 1,
                rs2: 3,
                imm: 8,
            },
            Jal { rd: 1, imm: 16 },
        ],
        regs: vec![(1, DATA)],
        data: vec![1, 2, 3, 4, 5, 6, 7, 8],
        ..Default::default()
    };
    let rows = run(&s, 3, 0).0;
    for mem in [1u64 << 18, 1 << 24, 1 << 32] {
        let cfg = RowConfig::new(mem).unwrap();
        let (cs, outs) = synth_cfg(&rows, &ToyHash, &cfg);
        assert!(cs.is_satisfied(), "memory {mem}");
        assert_eq!(outs[0].fetch_addr.len() as u32, cfg.word_index_bits());
    }
    let small = RowConfig::new(1 << 17).unwrap();
    let (cs, _) = synth_cfg(&rows[..1], &ToyHash, &small);
    assert!(!cs.is_satisfied());
    assert!(RowConfig::new(3 << 20).is_err());
}
