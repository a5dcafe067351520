//! The coprocessor API: the one trait a coprocessor implements ([`ProvableCoprocessor`] = the
//! VM's native [`canopy_vm::Coprocessor`] + its circuit [`CoprocessorCircuit`]), the memory
//! [`Region`]s a circuit declares, what it is handed ([`InputWord`]) and returns
//! ([`CoprocessorOutput`]), and [`u32_bits`] for implementors. The step circuit that wraps a
//! user's circuit and keeps the CPU sound is [`crate::handoff`].

mod dyn_cs;

use std::fmt;

use canopy_folding::F1;
use ff::{Field, PrimeField};
use nova_snark::frontend::num::AllocatedNum;
use nova_snark::frontend::{AllocatedBit, Boolean, ConstraintSystem, SynthesisError};

pub use dyn_cs::{DynCs, ErasedCs};

use crate::memory::gadgets::pack_bits;

/// Which mailbox argument a region's address is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arg {
    /// `arg0` (the value of rs1).
    Rs1,
    /// `arg1` (the value of rs2).
    Rs2,
}

/// A fixed-length run of guest words at `arg + 4·offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Region {
    /// The base register.
    pub base: Arg,
    /// Offset from the base, in words.
    pub offset: u32,
    /// Length in words.
    pub words: u32,
}

impl Region {
    /// The byte addresses of the region's words for the given arguments (`None` on overflow).
    pub fn addresses(&self, args: [u32; 2]) -> Option<Vec<u32>> {
        let base = match self.base {
            Arg::Rs1 => args[0],
            Arg::Rs2 => args[1],
        } as u64;
        (0..self.words as u64)
            .map(|i| {
                let a = base + 4 * (self.offset as u64 + i);
                u32::try_from(a).ok()
            })
            .collect()
    }
}

/// A guest word read by a coprocessor: its value and its 32 bits, least significant first.
#[derive(Debug, Clone)]
pub struct InputWord {
    /// The word (a u32: the bits sum to it).
    pub value: AllocatedNum<F1>,
    /// Its bits, least significant first.
    pub bits: Vec<Boolean>,
}

/// What a coprocessor circuit returns: the output words in region order and the status for rd.
#[derive(Debug, Clone)]
pub struct CoprocessorOutput {
    /// One value per output word (the wrapper range-checks each to 32 bits).
    pub words: Vec<AllocatedNum<F1>>,
    /// The status written to rd (range-checked to 32 bits).
    pub status: AllocatedNum<F1>,
}

/// A coprocessor's circuit. Its memory footprint is fixed ([`Self::inputs`],
/// [`Self::outputs`]); the wrapper [`CoprocessorStep`] does all memory and state handling.
/// The native function (run by the VM) must read the input regions and write exactly the
/// output regions with the values this circuit computes.
pub trait CoprocessorCircuit: Send + Sync {
    /// A short name (for errors and parameter listings).
    fn name(&self) -> &str;
    /// The `(funct7, funct3)` of the `custom-0` instruction that calls it.
    fn funct(&self) -> (u8, u8);
    /// The words it reads, in the order handed to [`Self::synthesize`].
    fn inputs(&self) -> Vec<Region>;
    /// The words it writes, in the order of [`CoprocessorOutput::words`].
    fn outputs(&self) -> Vec<Region>;
    /// The circuit: from the arguments and the input words, the output words and status.
    /// The constraint structure must not depend on the values.
    fn synthesize(
        &self,
        cs: &mut DynCs<'_>,
        args: [&AllocatedNum<F1>; 2],
        inputs: &[InputWord],
    ) -> Result<CoprocessorOutput, SynthesisError>;
}

impl fmt::Debug for dyn CoprocessorCircuit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (f7, f3) = self.funct();
        write!(f, "{} (funct7 {f7:#x}, funct3 {f3})", self.name())
    }
}

/// A coprocessor with both halves: the native function the VM runs when a guest calls it
/// ([`canopy_vm::Coprocessor`]) and its circuit ([`CoprocessorCircuit`]). This is the one
/// trait a coprocessor implements to be registered for proving (implement the two halves; the
/// blanket impl gives this one).
pub trait ProvableCoprocessor: canopy_vm::Coprocessor + CoprocessorCircuit {}

impl<T: canopy_vm::Coprocessor + CoprocessorCircuit> ProvableCoprocessor for T {}

/// The 32 bits of `v` (33 constraints): range-checks `v` to a u32.
pub fn u32_bits<CS: ConstraintSystem<F1>>(
    mut cs: CS,
    v: &AllocatedNum<F1>,
) -> Result<Vec<Boolean>, SynthesisError> {
    let val = v.get_value().map(|x| {
        let r = x.to_repr();
        u32::from_le_bytes([r.as_ref()[0], r.as_ref()[1], r.as_ref()[2], r.as_ref()[3]])
    });
    let mut bits = Vec::with_capacity(32);
    for i in 0..32 {
        let b = AllocatedBit::alloc(
            cs.namespace(|| format!("b{i}")),
            val.map(|w| w >> i & 1 == 1),
        )?;
        bits.push(Boolean::Is(b));
    }
    let packed = pack_bits::<F1, CS>(&bits, 0);
    cs.enforce(
        || "u32 range",
        |_| packed.lc(F1::ONE),
        |lc| lc + CS::one(),
        |lc| lc + v.get_variable(),
    );
    Ok(bits)
}
