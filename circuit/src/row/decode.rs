//! Instruction decoding: the word's 32 bits, its register fields and immediates (linear
//! combinations of the bits, free), and one Boolean flag per instruction kind.
//!
//! A kind is accepted by `f_k * (Σ_{j ∈ mask_k} 2^j b_j - match_k) = 0`: the masked bits are an
//! injective key, so a nonzero flag proves the word has the kind's fixed bits. The flags and
//! the idle flag (checked to be a bit) sum to 1; since no word matches two kinds, that makes
//! the flags bits, exactly one of them (or the idle flag) set, without a booleanity constraint
//! per flag. There is no flag for EBREAK, CSR instructions or any other word the VM rejects,
//! so such rows are unsatisfiable. `custom-0` has a flag; the row then requires a
//! registered coprocessor selector.

use ff::{PrimeField, PrimeFieldBits};
use nova_snark::frontend::{ConstraintSystem, SynthesisError};

use super::bits::{alloc, decompose, enforce_eq, enforce_zero_product, pow2, Expr};
use canopy_vm::decode::Instruction;

/// The instruction kinds the row circuit executes (RV32IM, FENCE, FENCE.I, ECALL, custom-0).
#[allow(missing_docs)] // the ISA's mnemonics
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(usize)]
pub enum Kind {
    Lui,
    Auipc,
    Jal,
    Jalr,
    Beq,
    Bne,
    Blt,
    Bge,
    Bltu,
    Bgeu,
    Lb,
    Lh,
    Lw,
    Lbu,
    Lhu,
    Sb,
    Sh,
    Sw,
    Addi,
    Slti,
    Sltiu,
    Xori,
    Ori,
    Andi,
    Slli,
    Srli,
    Srai,
    Add,
    Sub,
    Sll,
    Slt,
    Sltu,
    Xor,
    Srl,
    Sra,
    Or,
    And,
    Mul,
    Mulh,
    Mulhsu,
    Mulhu,
    Div,
    Divu,
    Rem,
    Remu,
    Fence,
    FenceI,
    Ecall,
    /// `custom-0`: a coprocessor call (rows A and B of the mailbox hand-off).
    Custom0,
}

/// Number of [`Kind`]s.
pub const NUM_KINDS: usize = 49;

impl Kind {
    /// Every kind, in flag order.
    pub const ALL: [Kind; NUM_KINDS] = {
        use Kind::*;
        [
            Lui, Auipc, Jal, Jalr, Beq, Bne, Blt, Bge, Bltu, Bgeu, Lb, Lh, Lw, Lbu, Lhu, Sb, Sh,
            Sw, Addi, Slti, Sltiu, Xori, Ori, Andi, Slli, Srli, Srai, Add, Sub, Sll, Slt, Sltu,
            Xor, Srl, Sra, Or, And, Mul, Mulh, Mulhsu, Mulhu, Div, Divu, Rem, Remu, Fence, FenceI,
            Ecall, Custom0,
        ]
    };

    /// `(mask, match)`: a word has this kind iff `word & mask == match`.
    pub fn mask_match(self) -> (u32, u32) {
        use Kind::*;
        const OPC: u32 = 0x7f;
        const F3: u32 = 0x707f;
        const F7: u32 = 0xfe00_707f;
        let f3 = |op: u32, f: u32| op | (f << 12);
        let r = |f7: u32, f: u32| 0x33 | (f << 12) | (f7 << 25);
        match self {
            Lui => (OPC, 0x37),
            Auipc => (OPC, 0x17),
            Jal => (OPC, 0x6f),
            Jalr => (F3, 0x67),
            Beq => (F3, f3(0x63, 0)),
            Bne => (F3, f3(0x63, 1)),
            Blt => (F3, f3(0x63, 4)),
            Bge => (F3, f3(0x63, 5)),
            Bltu => (F3, f3(0x63, 6)),
            Bgeu => (F3, f3(0x63, 7)),
            Lb => (F3, f3(0x03, 0)),
            Lh => (F3, f3(0x03, 1)),
            Lw => (F3, f3(0x03, 2)),
            Lbu => (F3, f3(0x03, 4)),
            Lhu => (F3, f3(0x03, 5)),
            Sb => (F3, f3(0x23, 0)),
            Sh => (F3, f3(0x23, 1)),
            Sw => (F3, f3(0x23, 2)),
            Addi => (F3, f3(0x13, 0)),
            Slti => (F3, f3(0x13, 2)),
            Sltiu => (F3, f3(0x13, 3)),
            Xori => (F3, f3(0x13, 4)),
            Ori => (F3, f3(0x13, 6)),
            Andi => (F3, f3(0x13, 7)),
            Slli => (F7, f3(0x13, 1)),
            Srli => (F7, f3(0x13, 5)),
            Srai => (F7, f3(0x13, 5) | (0x20 << 25)),
            Add => (F7, r(0, 0)),
            Sub => (F7, r(0x20, 0)),
            Sll => (F7, r(0, 1)),
            Slt => (F7, r(0, 2)),
            Sltu => (F7, r(0, 3)),
            Xor => (F7, r(0, 4)),
            Srl => (F7, r(0, 5)),
            Sra => (F7, r(0x20, 5)),
            Or => (F7, r(0, 6)),
            And => (F7, r(0, 7)),
            Mul => (F7, r(1, 0)),
            Mulh => (F7, r(1, 1)),
            Mulhsu => (F7, r(1, 2)),
            Mulhu => (F7, r(1, 3)),
            Div => (F7, r(1, 4)),
            Divu => (F7, r(1, 5)),
            Rem => (F7, r(1, 6)),
            Remu => (F7, r(1, 7)),
            Fence => (F3, f3(0x0f, 0)),
            FenceI => (F3, f3(0x0f, 1)),
            Ecall => (0xffff_ffff, 0x73),
            Custom0 => (OPC, 0x0b),
        }
    }

    /// The kind of a word, as the VM's decoder sees it (`None` for words the row rejects).
    pub fn of_word(word: u32) -> Option<Kind> {
        use Instruction as I;
        Some(match Instruction::decode(word) {
            I::Lui { .. } => Kind::Lui,
            I::Auipc { .. } => Kind::Auipc,
            I::Jal { .. } => Kind::Jal,
            I::Jalr { .. } => Kind::Jalr,
            I::Beq { .. } => Kind::Beq,
            I::Bne { .. } => Kind::Bne,
            I::Blt { .. } => Kind::Blt,
            I::Bge { .. } => Kind::Bge,
            I::Bltu { .. } => Kind::Bltu,
            I::Bgeu { .. } => Kind::Bgeu,
            I::Lb { .. } => Kind::Lb,
            I::Lh { .. } => Kind::Lh,
            I::Lw { .. } => Kind::Lw,
            I::Lbu { .. } => Kind::Lbu,
            I::Lhu { .. } => Kind::Lhu,
            I::Sb { .. } => Kind::Sb,
            I::Sh { .. } => Kind::Sh,
            I::Sw { .. } => Kind::Sw,
            I::Addi { .. } => Kind::Addi,
            I::Slti { .. } => Kind::Slti,
            I::Sltiu { .. } => Kind::Sltiu,
            I::Xori { .. } => Kind::Xori,
            I::Ori { .. } => Kind::Ori,
            I::Andi { .. } => Kind::Andi,
            I::Slli { .. } => Kind::Slli,
            I::Srli { .. } => Kind::Srli,
            I::Srai { .. } => Kind::Srai,
            I::Add { .. } => Kind::Add,
            I::Sub { .. } => Kind::Sub,
            I::Sll { .. } => Kind::Sll,
            I::Slt { .. } => Kind::Slt,
            I::Sltu { .. } => Kind::Sltu,
            I::Xor { .. } => Kind::Xor,
            I::Srl { .. } => Kind::Srl,
            I::Sra { .. } => Kind::Sra,
            I::Or { .. } => Kind::Or,
            I::And { .. } => Kind::And,
            I::Mul { .. } => Kind::Mul,
            I::Mulh { .. } => Kind::Mulh,
            I::Mulhsu { .. } => Kind::Mulhsu,
            I::Mulhu { .. } => Kind::Mulhu,
            I::Div { .. } => Kind::Div,
            I::Divu { .. } => Kind::Divu,
            I::Rem { .. } => Kind::Rem,
            I::Remu { .. } => Kind::Remu,
            I::Fence { .. } => Kind::Fence,
            I::FenceI => Kind::FenceI,
            I::Ecall => Kind::Ecall,
            I::Custom0 { .. } => Kind::Custom0,
            I::Ebreak | I::Csr { .. } | I::Illegal { .. } => return None,
        })
    }
}

/// The decoded instruction word inside the circuit.
pub(crate) struct Decoded<F: PrimeField> {
    pub rd: Expr<F>,
    /// The bits of rs1 and rs2, least significant first (booleans of the word's decomposition).
    pub rs1_bits: Vec<Expr<F>>,
    pub rs2_bits: Vec<Expr<F>>,
    pub imm_i: Expr<F>,
    pub imm_s: Expr<F>,
    pub imm_b: Expr<F>,
    pub imm_u: Expr<F>,
    pub imm_j: Expr<F>,
    /// One flag per [`Kind`], indexed by `Kind as usize`.
    pub flags: Vec<Expr<F>>,
    /// The idle flag (`halted + pending`).
    pub idle: Expr<F>,
    /// `funct7·8 + funct3` (the `custom-0` coprocessor selector).
    pub selector: Expr<F>,
}

impl<F: PrimeField> Decoded<F> {
    /// The flag of one kind.
    pub fn f(&self, k: Kind) -> &Expr<F> {
        &self.flags[k as usize]
    }

    /// The sum of the flags of several kinds.
    pub fn any(&self, ks: &[Kind]) -> Expr<F> {
        Expr::sum(ks.iter().map(|k| self.f(*k)))
    }
}

/// `Σ_{j=lo}^{hi} 2^(j - lo + shift) b_j`.
fn field<F: PrimeField>(bits: &[Expr<F>], lo: usize, hi: usize, shift: u32) -> Expr<F> {
    let mut acc = Expr::zero();
    for (j, b) in bits.iter().enumerate().take(hi + 1).skip(lo) {
        acc = acc + &b.scale(pow2((j - lo) as u32 + shift));
    }
    acc
}

/// Decodes `word` (allocated by the caller, a u32 by this decomposition) into bits, fields,
/// immediates and kind flags. `idle` is the incoming halted flag; `kind` the witness's kind
/// (`None` on idle rows). Cost: 33 (bits) + 1 (idle is a bit) + 49 (keys) + 1 (sum).
pub(crate) fn decode<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    word: &Expr<F>,
    idle: &Expr<F>,
    kind: Option<Kind>,
) -> Result<Decoded<F>, SynthesisError> {
    decode_with_flags(cs, word, idle, |k| {
        if kind == Some(k) {
            F::ONE
        } else {
            F::ZERO
        }
    })
}

/// [`decode`] with the flags' values given by `flag` (an honest prover's is the indicator of
/// the word's kind; tests give others).
fn decode_with_flags<F: PrimeFieldBits, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    word: &Expr<F>,
    idle: &Expr<F>,
    flag: impl Fn(Kind) -> F,
) -> Result<Decoded<F>, SynthesisError> {
    let bits = decompose(cs, "word", word, 32)?;
    let sign = bits[31].clone();
    let top = |from: u32| pow2::<F>(32) - pow2::<F>(from);
    let imm_i = field(&bits, 20, 30, 0) + &sign.scale(top(11));
    let imm_s = field(&bits, 7, 11, 0) + &field(&bits, 25, 30, 5) + &sign.scale(top(11));
    let imm_b = field(&bits, 8, 11, 1)
        + &field(&bits, 25, 30, 5)
        + &bits[7].scale(pow2(11))
        + &sign.scale(top(12));
    let imm_u = field(&bits, 12, 31, 12);
    let imm_j = field(&bits, 21, 30, 1)
        + &bits[20].scale(pow2(11))
        + &field(&bits, 12, 19, 12)
        + &sign.scale(top(20));
    // The flags need no booleanity constraints of their own: the kinds' patterns are pairwise
    // disjoint (`tests::kind_patterns_are_disjoint`), so a word matches at most one kind k*,
    // and for every other kind the key differs from its match (integers below 2^32), which
    // forces the flag to 0. The sum then makes f_k* = 1 − idle, a bit once idle is one.
    enforce_zero_product(cs, "idle:bool", idle, &idle.not());
    let mut flags = Vec::with_capacity(NUM_KINDS);
    for k in Kind::ALL {
        let f = alloc(cs, &format!("f_{k:?}"), flag(k))?;
        let (mask, matched) = k.mask_match();
        let mut key = Expr::zero();
        for (j, b) in bits.iter().enumerate() {
            if (mask >> j) & 1 == 1 {
                key = key + &b.scale(pow2(j as u32));
            }
        }
        let key = key.add_const(-F::from(matched as u64));
        enforce_zero_product(cs, &format!("f_{k:?}:key"), &f, &key);
        flags.push(f);
    }
    let total = Expr::sum(flags.iter()) + idle;
    enforce_eq(cs, "one kind", &total, &Expr::from_u64(1));
    Ok(Decoded {
        rd: field(&bits, 7, 11, 0),
        rs1_bits: bits[15..20].to_vec(),
        rs2_bits: bits[20..25].to_vec(),
        imm_i,
        imm_s,
        imm_b,
        imm_u,
        imm_j,
        flags,
        idle: idle.clone(),
        selector: field(&bits, 12, 14, 0) + &field(&bits, 25, 31, 3),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::row::bits::alloc_num;
    use ff::Field;
    use nova_snark::frontend::test_cs::TestConstraintSystem;
    use nova_snark::provider::bn256_grumpkin::bn256::Scalar as F;

    const ADD_X1_X2_X3: u32 = 0x0031_00b3;

    /// Decodes `word` with the idle flag `idle` and the flags `flag`; true if satisfied.
    fn satisfied(word: u32, idle: u64, flag: impl Fn(Kind) -> F) -> bool {
        let mut cs = TestConstraintSystem::<F>::new();
        let w = alloc_num(&mut cs, "word", F::from(word as u64)).unwrap().1;
        let i = alloc_num(&mut cs, "idle", F::from(idle)).unwrap().1;
        decode_with_flags(&mut cs, &w, &i, flag).unwrap();
        cs.is_satisfied()
    }

    fn one_if(k: Kind) -> impl Fn(Kind) -> F {
        move |j| if j == k { F::ONE } else { F::ZERO }
    }

    #[test]
    fn decode_accepts_the_kind_of_the_word_only() {
        assert_eq!(Kind::of_word(ADD_X1_X2_X3), Some(Kind::Add));
        assert!(satisfied(ADD_X1_X2_X3, 0, one_if(Kind::Add)));
        assert!(satisfied(ADD_X1_X2_X3, 1, |_| F::ZERO), "an idle row");
        assert!(
            !satisfied(ADD_X1_X2_X3, 0, one_if(Kind::Sub)),
            "another kind"
        );
        assert!(
            !satisfied(ADD_X1_X2_X3, 0, |_| F::ZERO),
            "no kind on an active row"
        );
        assert!(
            !satisfied(ADD_X1_X2_X3, 1, one_if(Kind::Add)),
            "a kind on an idle row"
        );
    }

    #[test]
    fn decode_rejects_flags_that_are_not_bits() {
        let half = F::from(2).invert().unwrap();
        // half ADD, half SUB: SUB's key does not match
        assert!(!satisfied(ADD_X1_X2_X3, 0, |k| match k {
            Kind::Add | Kind::Sub => half,
            _ => F::ZERO,
        }));
        // 2·ADD − SUB sums to 1 too
        assert!(!satisfied(ADD_X1_X2_X3, 0, |k| match k {
            Kind::Add => F::from(2),
            Kind::Sub => -F::ONE,
            _ => F::ZERO,
        }));
        // idle = 2 (halted and pending at once) with f_ADD = −1: only idle's bit check stops it
        assert!(!satisfied(ADD_X1_X2_X3, 2, |k| if k == Kind::Add {
            -F::ONE
        } else {
            F::ZERO
        }));
    }

    /// No word matches two kinds: every two patterns disagree on a bit both fix. The decoder's
    /// flags rely on it instead of booleanity constraints.
    #[test]
    fn kind_patterns_are_disjoint() {
        for (i, a) in Kind::ALL.iter().enumerate() {
            for b in &Kind::ALL[i + 1..] {
                let ((ma, xa), (mb, xb)) = (a.mask_match(), b.mask_match());
                assert_eq!(xa & !ma, 0, "{a:?}: match outside its mask");
                assert_ne!(ma & mb & (xa ^ xb), 0, "{a:?} and {b:?} overlap");
            }
        }
    }
}
