//! The compact pre-decoded form kept in the instruction cache.
//!
//! An [`Op`] is an [`Instruction`] flattened into fixed fields (kind, rd, rs1, rs2, imm) so
//! that the executor's hot loop loads it with one 64-bit load and dispatches on one byte. The
//! conversion is total and loses nothing the executor needs; the executor's semantics are
//! written once, over `Op`.

use crate::decode::Instruction;

/// What an [`Op`] does. One variant per executable instruction, plus the failure kinds.
#[allow(missing_docs)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum OpKind {
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
    /// FENCE, FENCE.I.
    Nop,
    Ecall,
    /// `custom-0`: `imm` holds `funct3 | funct7 << 8`.
    Custom0,
    /// EBREAK and CSR instructions.
    Unsupported,
    Illegal,
    /// Not an instruction: the fetch address is not executable (see `Memory::fetch_or_no_fetch`).
    NoFetch,
}

/// A pre-decoded instruction. `rs1`/`rs2` are 0 where the format reads no such register
/// (as [`Instruction::source_registers`]); `rd` is 0 where it writes none. `imm` is the
/// immediate as the executor uses it (U-type: already shifted; shifts: the shift amount).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, align(8))]
pub(crate) struct Op {
    pub(crate) imm: u32,
    pub(crate) kind: OpKind,
    pub(crate) rd: u8,
    pub(crate) rs1: u8,
    pub(crate) rs2: u8,
}

impl Op {
    /// The result of fetching from a non-executable or misaligned address.
    pub(crate) const NO_FETCH: Op = Op {
        kind: OpKind::NoFetch,
        rd: 0,
        rs1: 0,
        rs2: 0,
        imm: 0,
    };

    /// Decodes a word into an `Op`.
    pub(crate) fn decode(word: u32) -> Op {
        Op::from(Instruction::decode(word))
    }
}

impl From<Instruction> for Op {
    fn from(insn: Instruction) -> Op {
        use Instruction as I;
        use OpKind as K;
        let (rs1, rs2) = insn.source_registers();
        let op = |kind, rd: u8, imm: u32| Op {
            kind,
            rd,
            rs1,
            rs2,
            imm,
        };
        match insn {
            I::Lui { rd, imm } => op(K::Lui, rd, imm),
            I::Auipc { rd, imm } => op(K::Auipc, rd, imm),
            I::Jal { rd, imm } => op(K::Jal, rd, imm as u32),
            I::Jalr { rd, imm, .. } => op(K::Jalr, rd, imm as u32),
            I::Beq { imm, .. } => op(K::Beq, 0, imm as u32),
            I::Bne { imm, .. } => op(K::Bne, 0, imm as u32),
            I::Blt { imm, .. } => op(K::Blt, 0, imm as u32),
            I::Bge { imm, .. } => op(K::Bge, 0, imm as u32),
            I::Bltu { imm, .. } => op(K::Bltu, 0, imm as u32),
            I::Bgeu { imm, .. } => op(K::Bgeu, 0, imm as u32),
            I::Lb { rd, imm, .. } => op(K::Lb, rd, imm as u32),
            I::Lh { rd, imm, .. } => op(K::Lh, rd, imm as u32),
            I::Lw { rd, imm, .. } => op(K::Lw, rd, imm as u32),
            I::Lbu { rd, imm, .. } => op(K::Lbu, rd, imm as u32),
            I::Lhu { rd, imm, .. } => op(K::Lhu, rd, imm as u32),
            I::Sb { imm, .. } => op(K::Sb, 0, imm as u32),
            I::Sh { imm, .. } => op(K::Sh, 0, imm as u32),
            I::Sw { imm, .. } => op(K::Sw, 0, imm as u32),
            I::Addi { rd, imm, .. } => op(K::Addi, rd, imm as u32),
            I::Slti { rd, imm, .. } => op(K::Slti, rd, imm as u32),
            I::Sltiu { rd, imm, .. } => op(K::Sltiu, rd, imm as u32),
            I::Xori { rd, imm, .. } => op(K::Xori, rd, imm as u32),
            I::Ori { rd, imm, .. } => op(K::Ori, rd, imm as u32),
            I::Andi { rd, imm, .. } => op(K::Andi, rd, imm as u32),
            I::Slli { rd, shamt, .. } => op(K::Slli, rd, shamt as u32),
            I::Srli { rd, shamt, .. } => op(K::Srli, rd, shamt as u32),
            I::Srai { rd, shamt, .. } => op(K::Srai, rd, shamt as u32),
            I::Add { rd, .. } => op(K::Add, rd, 0),
            I::Sub { rd, .. } => op(K::Sub, rd, 0),
            I::Sll { rd, .. } => op(K::Sll, rd, 0),
            I::Slt { rd, .. } => op(K::Slt, rd, 0),
            I::Sltu { rd, .. } => op(K::Sltu, rd, 0),
            I::Xor { rd, .. } => op(K::Xor, rd, 0),
            I::Srl { rd, .. } => op(K::Srl, rd, 0),
            I::Sra { rd, .. } => op(K::Sra, rd, 0),
            I::Or { rd, .. } => op(K::Or, rd, 0),
            I::And { rd, .. } => op(K::And, rd, 0),
            I::Mul { rd, .. } => op(K::Mul, rd, 0),
            I::Mulh { rd, .. } => op(K::Mulh, rd, 0),
            I::Mulhsu { rd, .. } => op(K::Mulhsu, rd, 0),
            I::Mulhu { rd, .. } => op(K::Mulhu, rd, 0),
            I::Div { rd, .. } => op(K::Div, rd, 0),
            I::Divu { rd, .. } => op(K::Divu, rd, 0),
            I::Rem { rd, .. } => op(K::Rem, rd, 0),
            I::Remu { rd, .. } => op(K::Remu, rd, 0),
            I::Fence { .. } | I::FenceI => op(K::Nop, 0, 0),
            I::Ecall => op(K::Ecall, 0, 0),
            I::Custom0 {
                rd, funct3, funct7, ..
            } => op(K::Custom0, rd, funct3 as u32 | (funct7 as u32) << 8),
            I::Ebreak | I::Csr { .. } => op(K::Unsupported, 0, 0),
            I::Illegal { .. } => op(K::Illegal, 0, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn op_is_eight_bytes_and_keeps_fields() {
        assert_eq!(std::mem::size_of::<Op>(), 8);
        let op = Op::decode(0x02b50533); // mul a0, a0, a1
        assert_eq!((op.kind, op.rd, op.rs1, op.rs2), (OpKind::Mul, 10, 10, 11));
        let op = Op::decode(0xfe0718e3); // bne a4, zero, -16
        assert_eq!(
            (op.kind, op.rd, op.rs1, op.imm as i32),
            (OpKind::Bne, 0, 14, -16)
        );
        let op = Op::from(Instruction::Custom0 {
            rd: 1,
            rs1: 2,
            rs2: 3,
            funct3: 5,
            funct7: 0x7f,
        });
        assert_eq!((op.kind, op.imm), (OpKind::Custom0, 0x7f05));
    }
}
