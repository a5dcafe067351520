//! A type-erased constraint system, so that coprocessor circuits can be trait objects.
//!
//! nova-snark's `ConstraintSystem` has generic methods, so a circuit written against it cannot
//! sit behind `dyn`. [`DynCs`] is a concrete `ConstraintSystem<F1>` that forwards every call to
//! the real one through the object-safe [`ErasedCs`]: user circuits keep nova's gadgets
//! (`AllocatedNum`, `Boolean`, `UInt32`, SHA-256, Poseidon, …) and the registry can hold
//! coprocessors of different types. The cost is one `String` per allocation and constraint for
//! the annotation, which the witness generator would otherwise skip.

use canopy_folding::F1;
use nova_snark::frontend::{ConstraintSystem, LinearCombination, SynthesisError, Variable};

/// The object-safe core of a constraint system (implemented for every `ConstraintSystem<F1>`).
pub trait ErasedCs: Send {
    /// Allocates a private variable with an already computed value.
    fn alloc_erased(
        &mut self,
        annotation: String,
        value: Result<F1, SynthesisError>,
    ) -> Result<Variable, SynthesisError>;
    /// Allocates a public input with an already computed value.
    fn alloc_input_erased(
        &mut self,
        annotation: String,
        value: Result<F1, SynthesisError>,
    ) -> Result<Variable, SynthesisError>;
    /// Enforces `a · b = c`.
    fn enforce_erased(
        &mut self,
        annotation: String,
        a: LinearCombination<F1>,
        b: LinearCombination<F1>,
        c: LinearCombination<F1>,
    );
    /// Enters a namespace.
    fn push_namespace_erased(&mut self, name: String);
    /// Leaves a namespace.
    fn pop_namespace_erased(&mut self);
}

impl<CS: ConstraintSystem<F1>> ErasedCs for CS {
    fn alloc_erased(
        &mut self,
        annotation: String,
        value: Result<F1, SynthesisError>,
    ) -> Result<Variable, SynthesisError> {
        self.alloc(|| annotation, || value)
    }

    fn alloc_input_erased(
        &mut self,
        annotation: String,
        value: Result<F1, SynthesisError>,
    ) -> Result<Variable, SynthesisError> {
        self.alloc_input(|| annotation, || value)
    }

    fn enforce_erased(
        &mut self,
        annotation: String,
        a: LinearCombination<F1>,
        b: LinearCombination<F1>,
        c: LinearCombination<F1>,
    ) {
        self.enforce(|| annotation, |_| a, |_| b, |_| c)
    }

    // Namespaces are pushed and popped on the root, as `ConstraintSystem::namespace` does
    // (a `Namespace` refuses `push_namespace`).
    fn push_namespace_erased(&mut self, name: String) {
        self.get_root().push_namespace(|| name)
    }

    fn pop_namespace_erased(&mut self) {
        self.get_root().pop_namespace()
    }
}

/// A concrete `ConstraintSystem<F1>` over any other one (see the module docs).
pub struct DynCs<'a> {
    inner: &'a mut dyn ErasedCs,
}

impl<'a> DynCs<'a> {
    /// Wraps a constraint system.
    pub fn new(inner: &'a mut dyn ErasedCs) -> Self {
        DynCs { inner }
    }
}

impl ConstraintSystem<F1> for DynCs<'_> {
    type Root = Self;

    fn alloc<F, A, AR>(&mut self, annotation: A, f: F) -> Result<Variable, SynthesisError>
    where
        F: FnOnce() -> Result<F1, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        // The value is computed eagerly; a shape synthesizer ignores it (and its error).
        self.inner.alloc_erased(annotation().into(), f())
    }

    fn alloc_input<F, A, AR>(&mut self, annotation: A, f: F) -> Result<Variable, SynthesisError>
    where
        F: FnOnce() -> Result<F1, SynthesisError>,
        A: FnOnce() -> AR,
        AR: Into<String>,
    {
        self.inner.alloc_input_erased(annotation().into(), f())
    }

    fn enforce<A, AR, LA, LB, LC>(&mut self, annotation: A, a: LA, b: LB, c: LC)
    where
        A: FnOnce() -> AR,
        AR: Into<String>,
        LA: FnOnce(LinearCombination<F1>) -> LinearCombination<F1>,
        LB: FnOnce(LinearCombination<F1>) -> LinearCombination<F1>,
        LC: FnOnce(LinearCombination<F1>) -> LinearCombination<F1>,
    {
        self.inner.enforce_erased(
            annotation().into(),
            a(LinearCombination::zero()),
            b(LinearCombination::zero()),
            c(LinearCombination::zero()),
        )
    }

    fn push_namespace<NR, N>(&mut self, name_fn: N)
    where
        NR: Into<String>,
        N: FnOnce() -> NR,
    {
        self.inner.push_namespace_erased(name_fn().into())
    }

    fn pop_namespace(&mut self) {
        self.inner.pop_namespace_erased()
    }

    fn get_root(&mut self) -> &mut Self::Root {
        self
    }
}
