//! `canopy new NAME [--sdk DIR]`: scaffolds a Rust guest project in the new directory NAME.
//!
//! Files: `Cargo.toml` (its own workspace, depending on `canopy-guest` by path, release profile
//! with `panic = "abort"`, LTO and `trim-paths` for reproducible ELFs), `.cargo/config.toml`
//! (target `riscv32im-unknown-none-elf`, `-Z build-std`, the linker
//! `riscv64-unknown-elf-gcc` and its flags), `link.ld` (canopy-guest's linker script: memory
//! layout, stack and heap sizes), `build.rs` (links with `link.ld`), `src/main.rs` (a guest that
//! reads a decimal number and prints a sum of squares), `input.txt` (a sample input) and
//! `.gitignore`. Build it with `canopy build NAME`.
//!
//! The `canopy-guest` crate is this checkout's `guest/rust/canopy-guest` unless `--sdk` names
//! another copy.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::EXIT_LOAD_ERROR;

/// The target's cargo configuration, shared with guest/rust.
const CARGO_CONFIG: &str = include_str!("../../guest/rust/.cargo/config.toml");
/// canopy-guest's linker script.
const LINK_LD: &str = include_str!("../../guest/rust/canopy-guest/link.ld");

const BUILD_RS: &str = r#"//! Links the guest with link.ld (next to this file): memory layout, stack and heap sizes.
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-arg-bins=-T{dir}/link.ld");
    println!("cargo:rerun-if-changed=link.ld");
}
"#;

const MAIN_RS: &str = r#"//! A Canopy guest: reads a decimal number n from the public input (fd 0) and writes the sum
//! of the squares 1..=n to the public output (fd 1), which a proof binds.
//!
//! Typed values: `let v: MyType = canopy_guest::read_input();` decodes the whole input as
//! postcard (serde), `canopy_guest::commit(&value)` appends a value to the output; the host
//! side is `canopy::guest_io`. Coprocessors: `canopy_guest::copro` (run and prove with
//! `--coprocessors builtins`).
#![no_std]
#![no_main]

extern crate alloc;

use alloc::vec::Vec;

canopy_guest::entry!(main);

fn main() -> i32 {
    let input = canopy_guest::io::read_input_bytes();
    let Some(n) = core::str::from_utf8(&input)
        .ok()
        .and_then(|s| s.trim().parse::<u32>().ok())
    else {
        // The debug log (fd 2) is not bound by the proof.
        canopy_guest::eprintln!("expected a decimal number as public input");
        return 1;
    };
    let squares: Vec<u64> = (1..=u64::from(n)).map(|i| i * i).collect();
    let sum: u64 = squares.iter().sum();
    canopy_guest::println!("sum of squares 1..={n}: {sum}");
    0
}
"#;

#[derive(clap::Args, Debug)]
pub(crate) struct NewArgs {
    /// Directory of the new project (must not exist or be empty); its last component is the
    /// package name.
    name: PathBuf,
    /// The canopy-guest crate to depend on (default: guest/rust/canopy-guest of the checkout
    /// this `canopy` was built from).
    #[arg(long, value_name = "DIR")]
    sdk: Option<PathBuf>,
}

/// Checks that `name` can be a cargo package name.
fn check_package_name(name: &str) -> anyhow::Result<()> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && !name.starts_with(|c: char| c.is_ascii_digit() || c == '-');
    if !ok {
        bail!(
            "{name:?} is not a valid package name: use ASCII letters, digits, '_' and '-', \
             starting with a letter or '_'"
        );
    }
    Ok(())
}

fn default_sdk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../guest/rust/canopy-guest")
}

/// The scaffold's files (relative path, contents).
fn files(package: &str, sdk: &Path) -> Vec<(&'static str, String)> {
    // A TOML basic string: escape backslashes and quotes of the path.
    let sdk = sdk
        .display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    let cargo_toml = format!(
        r#"# A Canopy guest (RV32IM). Build with `canopy build`; the ELF is
# target/riscv32im-unknown-none-elf/release/{package}.
# trim-paths (an unstable cargo feature; `canopy build` enables them) keeps file paths out of
# the ELF, so it is the same bytes wherever it is built.
cargo-features = ["trim-paths"]

[package]
name = "{package}"
version = "0.1.0"
edition = "2021"
publish = false

# Its own workspace, also when created inside another one.
[workspace]

[dependencies]
canopy-guest = {{ path = "{sdk}" }}
serde = {{ version = "1", default-features = false, features = ["derive", "alloc"] }}

[[bin]]
name = "{package}"
path = "src/main.rs"
test = false
bench = false

[profile.release]
opt-level = 3
lto = true
codegen-units = 1
panic = "abort"
debug = false
trim-paths = "all"

[profile.dev]
panic = "abort"
"#
    );
    vec![
        ("Cargo.toml", cargo_toml),
        (".cargo/config.toml", CARGO_CONFIG.to_string()),
        ("link.ld", LINK_LD.to_string()),
        ("build.rs", BUILD_RS.to_string()),
        ("src/main.rs", MAIN_RS.to_string()),
        ("input.txt", "10\n".to_string()),
        (".gitignore", "target/\n".to_string()),
    ]
}

/// Writes a new project in `dir` and returns the files written.
pub(crate) fn scaffold(dir: &Path, sdk: Option<&Path>) -> anyhow::Result<Vec<PathBuf>> {
    let package = dir
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{} has no usable last component", dir.display()))?;
    check_package_name(package)?;
    let sdk = match sdk {
        Some(p) => p.to_path_buf(),
        None => default_sdk(),
    };
    if !sdk.join("Cargo.toml").is_file() {
        bail!(
            "canopy-guest not found at {} (pass its directory with --sdk: \
             guest/rust/canopy-guest of a Canopy checkout)",
            sdk.display()
        );
    }
    let sdk = sdk
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", sdk.display()))?;
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir)
            .with_context(|| format!("{} exists and is not a directory", dir.display()))?;
        if entries.next().is_some() {
            bail!("{} exists and is not empty", dir.display());
        }
    }
    let mut written = Vec::new();
    for (rel, contents) in files(package, &sdk) {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, contents)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Runs `canopy new`.
pub(crate) fn new(args: NewArgs) -> ExitCode {
    match scaffold(&args.name, args.sdk.as_deref()) {
        Ok(files) => {
            for f in &files {
                eprintln!("  created {}", f.display());
            }
            let d = args.name.display();
            eprintln!(
                "canopy: new guest project in {d}; next:\n  \
                 canopy build {d}\n  \
                 canopy run {d}/target/{t}/release/{n} --input {d}/input.txt",
                t = crate::build::GUEST_TARGET,
                n = args
                    .name
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("canopy: error: {e:#}");
            ExitCode::from(EXIT_LOAD_ERROR)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        assert!(check_package_name("my-guest_2").is_ok());
        assert!(check_package_name("_x").is_ok());
        assert!(check_package_name("2x").is_err());
        assert!(check_package_name("a b").is_err());
        assert!(check_package_name("").is_err());
    }

    #[test]
    fn scaffold_refuses_a_non_empty_directory_and_writes_the_files() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        let files = scaffold(&dir, None).unwrap();
        assert_eq!(files.len(), 7);
        let toml = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(toml.contains("name = \"demo\""), "{toml}");
        assert!(toml.contains("canopy-guest = { path = \"/"), "{toml}");
        assert!(scaffold(&dir, None).is_err());
        assert!(scaffold(&tmp.path().join("bad name"), None).is_err());
        assert!(scaffold(&tmp.path().join("x"), Some(tmp.path())).is_err());
    }
}
