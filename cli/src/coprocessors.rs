//! `--coprocessors SET`: which coprocessors `canopy run`, `prove`, `verify` and `setup` register.
//!
//! `none` (the default) registers nothing; `builtins` registers every built-in of
//! `canopy_coprocessors::builtins()` (SHA-256 compression, Poseidon, 256-bit modular
//! multiplication, ...), in that function's order, through [`canopy::CoprocessorSet`]. The set
//! changes the parameters (one more step circuit per coprocessor, and the parameters digest
//! covers every shape), so it is part of the parameters cache key and a proof verifies only
//! under the set it was made with.

use anyhow::Context;
use canopy::CoprocessorSet;

/// The coprocessor sets the CLI knows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum CoprocessorChoice {
    /// No coprocessor: a guest's `custom-0` instruction is a run-time error.
    #[default]
    None,
    /// Every built-in of `canopy-coprocessors` (SHA-256 compression, Poseidon, 256-bit
    /// modular multiplication, ...).
    Builtins,
}

impl CoprocessorChoice {
    /// The option's value as typed on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            CoprocessorChoice::None => "none",
            CoprocessorChoice::Builtins => "builtins",
        }
    }

    /// The set to register.
    pub fn set(self) -> anyhow::Result<CoprocessorSet> {
        match self {
            CoprocessorChoice::None => Ok(CoprocessorSet::new()),
            CoprocessorChoice::Builtins => CoprocessorSet::of(canopy_coprocessors::builtins())
                .context("cannot register the built-in coprocessors"),
        }
    }
}

/// A short human description: `none`, or the names in order.
pub fn describe(set: &CoprocessorSet) -> String {
    names(&set.describe())
}

/// The names of `infos`, comma-separated (`none` for an empty list).
pub fn names(infos: &[canopy::CoprocessorInfo]) -> String {
    if infos.is_empty() {
        return "none".into();
    }
    infos
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A coprocessor list (as a statement records it) as JSON:
/// `[{"id", "name", "funct7", "funct3"}, ...]` in circuit order (entry i is step circuit i + 1).
pub fn infos_json(infos: &[canopy::CoprocessorInfo]) -> serde_json::Value {
    serde_json::Value::Array(
        infos
            .iter()
            .map(|c| {
                serde_json::json!({
                    "id": c.id, "name": c.name, "funct7": c.funct7, "funct3": c.funct3
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use canopy::vm::Coprocessor;

    #[test]
    fn builtins_register_in_order() {
        let none = CoprocessorChoice::None.set().unwrap();
        assert!(none.is_empty());
        assert_eq!(describe(&none), "none");

        let set = CoprocessorChoice::Builtins.set().unwrap();
        let expected = canopy_coprocessors::builtins();
        assert_eq!(set.len(), expected.len());
        let ids: Vec<u32> = set.describe().iter().map(|d| d.id).collect();
        let want: Vec<u32> = expected.iter().map(|b| Coprocessor::id(&**b)).collect();
        assert_eq!(ids, want);
        assert!(ids.contains(&canopy_coprocessors::SHA256_ID));
        assert_eq!(
            infos_json(&set.describe()).as_array().map(Vec::len),
            Some(set.len())
        );
    }
}
