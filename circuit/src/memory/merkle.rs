//! The Merkle-path gadget: [`MerkleMemory`], the [`MemoryArgument`] of the sparse tree.
//!
//! Per level, the current node `c` goes to position `p = 2·b1 + b0` (two address bits) among
//! three witness siblings `s0, s1, s2` (position order, own position left out). With
//! `e = b0·b1` and the one-hot `o0 = 1 − b0 − b1 + e`, `o1 = b0 − e`, `o2 = b1 − e`, `o3 = e`:
//!
//! ```text
//! in0 = s0 + o0·(c − s0)
//! in1 = s1 + (1 − b1)·(s0 − s1) + o1·(c − s0)
//! in2 = s1 + b1·(s2 − s1)       + o2·(c − s2)
//! in3 = s2 + e·(c − s2)
//! ```
//!
//! Three products do not involve `c` (`e`, `(1−b1)(s0−s1)`, `b1(s2−s1)`) and four do, so a
//! read costs 7 + 288 (one width-5 permutation) per level, and a read-modify-write, which
//! reuses the siblings and the `c`-free products, costs 11 + 2·288. Constant address bits
//! (the missing top bit when `word_bits` is odd) turn their products into linear terms.
//! The hash outputs stay linear combinations (no `ensure_allocated` per level).
//!
//! Measured constraint counts (`memory_circuit` test `constraint_counts`, including the
//! sibling allocation, which costs nothing, and excluding the address decomposition):
//! see the table in the parent module's documentation.

use ff::PrimeField;
use nova_snark::frontend::gadgets::poseidon::Elt;
use nova_snark::frontend::num::{AllocatedNum, Num};
use nova_snark::frontend::{Boolean, ConstraintSystem, SynthesisError};

use super::hash::{NodeHasher, ARITY};
use super::leaf::TreeGeometry;
use super::native::MerklePath;
use super::{MemoryArgument, WordAddr};

/// The allocated state of the Merkle memory argument: its root.
#[derive(Debug, Clone)]
pub struct MerkleState<F: PrimeField> {
    /// The current memory root.
    pub root: AllocatedNum<F>,
}

/// The sparse Poseidon Merkle tree as a [`MemoryArgument`]. See the module docs.
#[derive(Debug, Clone)]
pub struct MerkleMemory<F: PrimeField> {
    geometry: TreeGeometry,
    hasher: NodeHasher<F>,
}

impl<F: PrimeField> MerkleMemory<F> {
    /// The gadget for a memory of `memory_size` bytes.
    pub fn new(memory_size: u64) -> Result<Self, super::MemoryArgError> {
        let geometry = TreeGeometry::new(memory_size)?;
        Ok(MerkleMemory {
            geometry,
            hasher: NodeHasher::new(geometry.levels()),
        })
    }

    /// The tree's geometry.
    pub fn geometry(&self) -> &TreeGeometry {
        &self.geometry
    }

    /// The node hasher (shared constants with the native tree).
    pub fn hasher(&self) -> &NodeHasher<F> {
        &self.hasher
    }
}

/// A 0/1 selector that is either a known constant or a linear combination of bits.
enum Sel<F: PrimeField> {
    Const(bool),
    Var(Num<F>),
}

fn bool_num<F: PrimeField, CS: ConstraintSystem<F>>(b: &Boolean) -> Num<F> {
    Num::zero().add_bool_with_coeff(CS::one(), b, F::ONE)
}

fn sub<F: PrimeField>(a: &Num<F>, b: &Num<F>) -> Num<F> {
    a.clone().add(&b.clone().scale(-F::ONE))
}

/// `1 − b0 − b1 + e`, `b0 − e`, `b1 − e`, `e` as selectors.
fn one_hot<F: PrimeField, CS: ConstraintSystem<F>>(
    b0: &Boolean,
    b1: &Boolean,
    e: &Boolean,
) -> [Sel<F>; 4] {
    let konst = |coeffs: [i8; 3], c: i8| -> Sel<F> {
        let bits = [b0, b1, e];
        if bits
            .iter()
            .zip(coeffs)
            .all(|(b, k)| k == 0 || b.is_constant())
        {
            let v: i8 = c + bits
                .iter()
                .zip(coeffs)
                .map(|(b, k)| {
                    if k != 0 && b.get_value() == Some(true) {
                        k
                    } else {
                        0
                    }
                })
                .sum::<i8>();
            return Sel::Const(v == 1);
        }
        let mut n = if c == 1 {
            Num::zero().add_bool_with_coeff(CS::one(), &Boolean::Constant(true), F::ONE)
        } else {
            Num::zero()
        };
        for (b, k) in bits.iter().zip(coeffs) {
            if k != 0 {
                let coeff = if k > 0 { F::ONE } else { -F::ONE };
                n = n.add_bool_with_coeff(CS::one(), b, coeff);
            }
        }
        Sel::Var(n)
    };
    [
        konst([-1, -1, 1], 1),
        konst([1, 0, -1], 0),
        konst([0, 1, -1], 0),
        konst([0, 0, 1], 0),
    ]
}

/// `sel · x`: free when `sel` is constant, one constraint otherwise.
fn select<F: PrimeField, CS: ConstraintSystem<F>>(
    mut cs: CS,
    sel: &Sel<F>,
    x: &Num<F>,
) -> Result<Num<F>, SynthesisError> {
    match sel {
        Sel::Const(false) => Ok(Num::zero()),
        Sel::Const(true) => Ok(x.clone()),
        Sel::Var(s) => {
            let p = AllocatedNum::alloc(cs.namespace(|| "product"), || {
                let a = s.get_value().ok_or(SynthesisError::AssignmentMissing)?;
                let b = x.get_value().ok_or(SynthesisError::AssignmentMissing)?;
                Ok(a * b)
            })?;
            cs.enforce(
                || "product constraint",
                |_| s.lc(F::ONE),
                |_| x.lc(F::ONE),
                |lc| lc + p.get_variable(),
            );
            Ok(p.into())
        }
    }
}

/// The `c`-independent part of one level: siblings, selectors, shared products.
struct Level<F: PrimeField> {
    s: [Num<F>; 3],
    o: [Sel<F>; 4],
    /// `(1 − b1)(s0 − s1)` and `b1(s2 − s1)`.
    t: [Num<F>; 2],
}

impl<F: PrimeField> Level<F> {
    fn new<CS: ConstraintSystem<F>>(
        cs: &mut CS,
        h: usize,
        bits: [&Boolean; 2],
        sibs: Option<&[F; ARITY - 1]>,
    ) -> Result<Self, SynthesisError> {
        let mut s: [Num<F>; 3] = [Num::zero(), Num::zero(), Num::zero()];
        for (k, sk) in s.iter_mut().enumerate() {
            *sk = AllocatedNum::alloc(cs.namespace(|| format!("sibling {h}.{k}")), || {
                sibs.map(|v| v[k]).ok_or(SynthesisError::AssignmentMissing)
            })?
            .into();
        }
        let (b0, b1) = (bits[0], bits[1]);
        let e = Boolean::and(cs.namespace(|| format!("e {h}")), b0, b1)?;
        let o = one_hot::<F, CS>(b0, b1, &e);
        let not_b1 = match b1 {
            Boolean::Constant(v) => Sel::Const(!v),
            _ => Sel::Var(bool_num::<F, CS>(&b1.not())),
        };
        let b1_sel = match b1 {
            Boolean::Constant(v) => Sel::Const(*v),
            _ => Sel::Var(bool_num::<F, CS>(b1)),
        };
        let t0 = select(
            cs.namespace(|| format!("t0 {h}")),
            &not_b1,
            &sub(&s[0], &s[1]),
        )?;
        let t1 = select(
            cs.namespace(|| format!("t1 {h}")),
            &b1_sel,
            &sub(&s[2], &s[1]),
        )?;
        Ok(Level { s, o, t: [t0, t1] })
    }

    /// The four children with `c` placed at the address position.
    fn children<CS: ConstraintSystem<F>>(
        &self,
        mut cs: CS,
        c: &Num<F>,
    ) -> Result<[Elt<F>; ARITY], SynthesisError> {
        let s = &self.s;
        let d0 = sub(c, &s[0]);
        let d2 = sub(c, &s[2]);
        let u0 = select(cs.namespace(|| "u0"), &self.o[0], &d0)?;
        let u1 = select(cs.namespace(|| "u1"), &self.o[1], &d0)?;
        let u2 = select(cs.namespace(|| "u2"), &self.o[2], &d2)?;
        let u3 = select(cs.namespace(|| "u3"), &self.o[3], &d2)?;
        Ok([
            Elt::Num(s[0].clone().add(&u0)),
            Elt::Num(s[1].clone().add(&self.t[0]).add(&u1)),
            Elt::Num(s[1].clone().add(&self.t[1]).add(&u2)),
            Elt::Num(s[2].clone().add(&u3)),
        ])
    }
}

impl<F: PrimeField> MerkleMemory<F> {
    fn levels<CS: ConstraintSystem<F>>(
        &self,
        cs: &mut CS,
        addr: &WordAddr,
        hint: Option<&MerklePath<F>>,
    ) -> Result<Vec<Level<F>>, SynthesisError> {
        let n = self.geometry.levels();
        if addr.bits().len() != self.geometry.word_bits() {
            return Err(SynthesisError::Unsatisfiable(format!(
                "word address has {} bits, the tree needs {}",
                addr.bits().len(),
                self.geometry.word_bits()
            )));
        }
        if let Some(p) = hint {
            if p.siblings.len() != n {
                return Err(SynthesisError::Unsatisfiable(format!(
                    "Merkle path has {} levels, the tree has {n}",
                    p.siblings.len()
                )));
            }
        }
        let zero = Boolean::Constant(false);
        (0..n)
            .map(|h| {
                let b0 = &addr.bits()[2 * h];
                let b1 = addr.bits().get(2 * h + 1).unwrap_or(&zero);
                Level::new(cs, h, [b0, b1], hint.map(|p| &p.siblings[h]))
            })
            .collect()
    }

    fn climb<CS: ConstraintSystem<F>>(
        &self,
        cs: &mut CS,
        levels: &[Level<F>],
        leaf: &Num<F>,
    ) -> Result<Num<F>, SynthesisError> {
        let mut c = leaf.clone();
        for (h, level) in levels.iter().enumerate() {
            let children = level.children(cs.namespace(|| format!("place {h}")), &c)?;
            c = self.hasher.hash_gadget(cs, h, &children)?.num();
        }
        Ok(c)
    }
}

fn enforce_eq<F: PrimeField, CS: ConstraintSystem<F>>(
    cs: &mut CS,
    what: &str,
    a: &Num<F>,
    b: &AllocatedNum<F>,
) {
    cs.enforce(
        || what.to_string(),
        |_| a.lc(F::ONE),
        |lc| lc + CS::one(),
        |lc| lc + b.get_variable(),
    );
}

impl<F: PrimeField> MemoryArgument<F> for MerkleMemory<F> {
    const STATE_LEN: usize = 1;
    type Hint = MerklePath<F>;
    type State = MerkleState<F>;

    fn word_bits(&self) -> usize {
        self.geometry.word_bits()
    }

    fn state_from_z(&self, z: &[AllocatedNum<F>]) -> Result<MerkleState<F>, SynthesisError> {
        match z {
            [root] => Ok(MerkleState { root: root.clone() }),
            _ => Err(SynthesisError::Unsatisfiable(format!(
                "Merkle memory state has 1 slot, got {}",
                z.len()
            ))),
        }
    }

    fn state_to_z(&self, st: &MerkleState<F>) -> Vec<AllocatedNum<F>> {
        vec![st.root.clone()]
    }

    fn read<CS: ConstraintSystem<F>>(
        &self,
        mut cs: CS,
        st: &MerkleState<F>,
        addr: &WordAddr,
        leaf: &Num<F>,
        hint: Option<&MerklePath<F>>,
    ) -> Result<(), SynthesisError> {
        let levels = self.levels(&mut cs, addr, hint)?;
        let root = self.climb(&mut cs.namespace(|| "path"), &levels, leaf)?;
        enforce_eq(&mut cs, "root matches", &root, &st.root);
        Ok(())
    }

    fn rmw<CS: ConstraintSystem<F>>(
        &self,
        mut cs: CS,
        st: &mut MerkleState<F>,
        addr: &WordAddr,
        old: &Num<F>,
        new: &Num<F>,
        hint: Option<&MerklePath<F>>,
    ) -> Result<(), SynthesisError> {
        let levels = self.levels(&mut cs, addr, hint)?;
        let old_root = self.climb(&mut cs.namespace(|| "old path"), &levels, old)?;
        enforce_eq(&mut cs, "old root matches", &old_root, &st.root);
        let new_root = self.climb(&mut cs.namespace(|| "new path"), &levels, new)?;
        let root = AllocatedNum::alloc(cs.namespace(|| "new root"), || {
            new_root
                .get_value()
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        enforce_eq(&mut cs, "new root is the path's", &new_root, &root);
        st.root = root;
        Ok(())
    }
}
