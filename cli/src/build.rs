//! `canopy build [DIR] [-- CARGO_ARGS...]`: builds a Rust guest project (one made by
//! `canopy new`, or `guest/rust`) with Debian's Rust toolchain and prints the path of every ELF
//! it produced, one per line.
//!
//! The guest toolchain is Debian 12's `rustc`/`cargo` 1.96 with the standard library's sources
//! (packages `rustc-web`, `cargo-web`, `rust-web-src`; the linker `riscv64-unknown-elf-gcc` of
//! `gcc-riscv64-unknown-elf`), not the rustup toolchain that builds Canopy itself: rustup cannot
//! fetch a standard library for `riscv32im-unknown-none-elf` here, while Debian's sources let
//! `-Z build-std` compile `core` and `alloc` for it. The build runs
//!
//! ```text
//! RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo build --release \
//!     --target riscv32im-unknown-none-elf \
//!     -Z build-std=core,alloc,compiler_builtins -Z build-std-features=compiler-builtins-mem
//! ```
//!
//! in DIR; the project's `.cargo/config.toml` names the linker and its flags, and its build
//! script the linker script. `RUSTFLAGS` and friends are removed from the environment (they
//! would replace the project's link flags). `$CANOPY_GUEST_TOOLCHAIN` names another directory
//! holding `cargo` and `rustc` (default `/usr/bin`).

use std::ffi::OsString;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{bail, Context};

use crate::{EXIT_LOAD_ERROR, EXIT_REJECTED};

/// The guests' target triple.
pub(crate) const GUEST_TARGET: &str = "riscv32im-unknown-none-elf";
/// The Debian packages of the guest toolchain.
pub(crate) const DEBIAN_PACKAGES: &str = "rustc-web cargo-web rust-web-src";
/// The linker the projects name (Debian package `gcc-riscv64-unknown-elf`).
const LINKER: &str = "riscv64-unknown-elf-gcc";

#[derive(clap::Args, Debug)]
pub(crate) struct BuildArgs {
    /// The guest project's directory (holding Cargo.toml and .cargo/config.toml).
    #[arg(default_value = ".")]
    dir: PathBuf,
    /// Build with the dev profile instead of release.
    #[arg(long)]
    debug: bool,
    /// More arguments for `cargo build`, after `--` (e.g. `-- --locked --bin fib`).
    #[arg(last = true, value_name = "CARGO_ARGS")]
    cargo_args: Vec<OsString>,
}

/// The Debian toolchain that builds guests.
pub(crate) struct Toolchain {
    cargo: PathBuf,
    rustc: PathBuf,
}

impl Toolchain {
    /// Finds the toolchain, or says which Debian packages to install.
    pub(crate) fn find() -> anyhow::Result<Toolchain> {
        let dir = std::env::var_os("CANOPY_GUEST_TOOLCHAIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("/usr/bin"));
        let cargo = dir.join("cargo");
        let rustc = dir.join("rustc");
        let missing = |what: &str| {
            anyhow::anyhow!(
                "the Rust guest toolchain is missing ({what}): install Debian's packages \
                 {DEBIAN_PACKAGES} (as root: apt-get install -y {DEBIAN_PACKAGES}, or run \
                 scripts/setup.sh), which provide rustc/cargo 1.96 and the standard library's \
                 sources for -Z build-std; the rustup toolchain cannot build \
                 {GUEST_TARGET} guests here"
            )
        };
        if !cargo.is_file() {
            return Err(missing(&format!("no {}", cargo.display())));
        }
        if !rustc.is_file() {
            return Err(missing(&format!("no {}", rustc.display())));
        }
        let sysroot = Command::new(&rustc)
            .args(["--print", "sysroot"])
            .output()
            .with_context(|| format!("cannot run {}", rustc.display()))?;
        if !sysroot.status.success() {
            return Err(missing(&format!(
                "{} --print sysroot failed",
                rustc.display()
            )));
        }
        let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
        let src = sysroot.join("lib/rustlib/src/rust/library/Cargo.lock");
        if !src.is_file() {
            return Err(missing(&format!("no {}", src.display())));
        }
        if !on_path(LINKER) {
            bail!(
                "the guest linker {LINKER} is not on PATH: install Debian's package \
                 gcc-riscv64-unknown-elf (scripts/setup.sh does)"
            );
        }
        Ok(Toolchain { cargo, rustc })
    }

    /// `cargo build` for the guest target in `dir`, with `-Z build-std`.
    pub(crate) fn cargo_build(&self, dir: &Path, release: bool) -> Command {
        let mut c = Command::new(&self.cargo);
        c.current_dir(dir)
            .env("RUSTC", &self.rustc)
            .env("RUSTC_BOOTSTRAP", "1")
            .args(["build", "--target", GUEST_TARGET])
            .args([
                "-Z",
                "build-std=core,alloc,compiler_builtins",
                "-Z",
                "build-std-features=compiler-builtins-mem",
            ]);
        for var in [
            "RUSTFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_BUILD_RUSTFLAGS",
            "CARGO_BUILD_TARGET",
            "RUSTC_WRAPPER",
            "RUSTC_WORKSPACE_WRAPPER",
            "RUSTUP_TOOLCHAIN",
        ] {
            c.env_remove(var);
        }
        if release {
            c.arg("--release");
        }
        c
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(program).is_file()))
}

/// Builds the project in `dir` and returns the ELFs cargo reports, in its order.
pub(crate) fn build_project(
    toolchain: &Toolchain,
    dir: &Path,
    release: bool,
    extra: &[OsString],
) -> anyhow::Result<Vec<PathBuf>> {
    if !dir.join("Cargo.toml").is_file() {
        bail!(
            "{} has no Cargo.toml: not a Rust guest project (make one with `canopy new NAME`)",
            dir.display()
        );
    }
    let mut cmd = toolchain.cargo_build(dir, release);
    cmd.arg("--message-format=json-render-diagnostics")
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd
        .spawn()
        .with_context(|| format!("cannot start {}", toolchain.cargo.display()))?;
    let mut elfs = Vec::new();
    if let Some(out) = child.stdout.take() {
        for line in std::io::BufReader::new(out).lines() {
            let line = line.context("cannot read cargo's output")?;
            let Ok(msg) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if msg["reason"] == "compiler-artifact" {
                if let Some(exe) = msg["executable"].as_str() {
                    elfs.push(PathBuf::from(exe));
                }
            }
        }
    }
    let status = child.wait().context("cargo did not finish")?;
    if !status.success() {
        bail!("cargo build failed in {} ({status})", dir.display());
    }
    Ok(elfs)
}

/// Runs `canopy build`.
pub(crate) fn build(args: BuildArgs) -> ExitCode {
    let toolchain = match Toolchain::find() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("canopy: error: {e:#}");
            return ExitCode::from(EXIT_LOAD_ERROR);
        }
    };
    match build_project(&toolchain, &args.dir, !args.debug, &args.cargo_args) {
        Ok(elfs) => {
            if elfs.is_empty() {
                eprintln!("canopy: warning: the build produced no executable");
            }
            for elf in elfs {
                println!("{}", elf.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("canopy: error: {e:#}");
            ExitCode::from(EXIT_REJECTED)
        }
    }
}
