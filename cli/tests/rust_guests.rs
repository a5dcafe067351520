//! Rust guests (guest/rust) end to end through the CLI: every example gives the same output
//! and exit code under `qemu-riscv32` and `canopy run`; the coprocessor examples agree with
//! their software twins and the host's reference functions; a panicking guest exits with 101 and
//! says where and why; the smallest typed guest is proven and verified (`canopy prove --full`);
//! `canopy build` rebuilds the committed ELFs byte for byte; `canopy new` + `canopy build` give a
//! guest that runs.
//!
//! The tests that build guests need Debian's Rust toolchain (`rustc-web cargo-web rust-web-src`,
//! installed by scripts/setup.sh, which CI runs) and the network for crates.io; like the qemu
//! tests they fail, not skip, when it is missing. They share one target directory under
//! `$CARGO_TARGET_TMPDIR`, so core and alloc compile once per test run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};

use canopy::guest_io;

fn canopy() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_canopy"));
    c.env_remove("CANOPY_PARAMS_DIR");
    c
}

fn rust_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../guest/rust")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Builds are serialised (2 cores; cargo would wait on its lock anyway).
fn build_lock() -> MutexGuard<'static, ()> {
    static L: Mutex<()> = Mutex::new(());
    L.lock().unwrap_or_else(|e| e.into_inner())
}

/// The target directory shared by every guest build of this test binary.
fn guest_target_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("rust-guests")
}

/// `(stdout, exit code, stderr)` of a command, with `input` on stdin.
fn run_with_stdin(mut c: Command, input: &[u8]) -> (Vec<u8>, i32, String) {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {c:?}: {e}"));
    // The guest may exit without reading everything: ignore broken pipes.
    let _ = child.stdin.take().unwrap().write_all(input);
    let out = child.wait_with_output().unwrap();
    let code = out.status.code().unwrap_or_else(|| {
        use std::os::unix::process::ExitStatusExt;
        128 + out.status.signal().unwrap_or(0)
    });
    let err = stderr(&out);
    (out.stdout, code, err)
}

fn qemu(elf: &Path, input: &[u8]) -> (Vec<u8>, i32, String) {
    let found = std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|p| p.join("qemu-riscv32").is_file())
    });
    assert!(
        found,
        "qemu-riscv32 not found on PATH: the differential tests need it \
         (Debian: apt-get install qemu-user; CI installs it)"
    );
    let mut c = Command::new("qemu-riscv32");
    c.arg(elf);
    run_with_stdin(c, input)
}

fn canopy_run(elf: &Path, input: &[u8], builtins: bool) -> (Vec<u8>, i32, String) {
    let mut c = canopy();
    c.arg("run").arg(elf).args(["--input", "/dev/stdin"]);
    if builtins {
        c.args(["--coprocessors", "builtins"]);
    }
    run_with_stdin(c, input)
}

/// The `.elf` files of a directory, sorted.
fn elfs_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "elf"))
        .collect();
    v.sort();
    v
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn examples_match_qemu_under_canopy_run() {
    let elfs = elfs_in(&rust_dir().join("examples"));
    assert!(elfs.len() >= 6, "{elfs:?}");
    for elf in elfs {
        let name = elf.display().to_string();
        let input = read(&elf.with_extension("in"));
        let expected = read(&elf.with_extension("out"));
        let c = canopy_run(&elf, &input, false);
        let q = qemu(&elf, &input);
        assert_eq!(c.0, q.0, "{name}: stdout differs from qemu's");
        assert_eq!(c.1, q.1, "{name}: exit code differs from qemu's ({})", c.2);
        assert_eq!(c.2, q.2, "{name}: debug log differs from qemu's stderr");
        assert_eq!(c.0, expected, "{name}: stdout differs from the .out file");
        eprintln!("{name}: ok (exit {})", c.1);
    }
}

#[test]
fn panicking_guest_exits_101_with_location_and_message() {
    let examples = rust_dir().join("examples");
    let (out, code, err) = canopy_run(&examples.join("panic.elf"), b"4000000000 300000000", false);
    assert_eq!(code, 101, "{err}");
    assert!(out.is_empty());
    assert!(
        err.starts_with("guest panicked at examples/panic.rs:"),
        "{err}"
    );
    assert!(
        err.ends_with("the sum of 2 numbers overflows u32\n"),
        "{err}"
    );
    // The same program without a panic.
    let (out, code, _) = canopy_run(&examples.join("panic.elf"), b"1 2 3", false);
    assert_eq!((out.as_slice(), code), (&b"sum=6\n"[..], 0));
    // A typed read of a malformed input panics in the library, naming the reason.
    let (_, code, err) = canopy_run(&examples.join("square.elf"), b"", false);
    assert_eq!(code, 101, "{err}");
    assert!(err.contains("cannot read the public input"), "{err}");
    let (_, code, err) = canopy_run(&examples.join("square.elf"), b"\x05\x00", false);
    assert_eq!(code, 101, "{err}");
    assert!(err.contains("1 bytes left after the value"), "{err}");
}

#[test]
fn typed_guests_round_trip_with_guest_io() {
    let examples = rust_dir().join("examples");
    let (out, code, err) = canopy_run(
        &examples.join("square.elf"),
        &guest_io::encode(&70_000u32).unwrap(),
        false,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(guest_io::decode::<u64>(&out).unwrap(), 4_900_000_000);

    // typed.rs's `Order` and `Receipt` have the serde shape of these tuples (postcard writes
    // a struct as its fields in order).
    let order = (vec![("a", 5u32, 2u16), ("b", 7, 1)], 16u64);
    let (out, code, err) = canopy_run(
        &examples.join("typed.elf"),
        &guest_io::encode(&order).unwrap(),
        false,
    );
    assert_eq!(code, 0, "{err}");
    let receipt: (u32, u64, Option<String>, bool) = guest_io::decode(&out).unwrap();
    assert_eq!(receipt, (2, 17, Some("b".into()), false));
}

/// The coprocessor guests (not runnable under qemu: SIGILL) agree with software SHA-256 under
/// qemu, the C twin, and the host's reference functions.
#[test]
fn coprocessor_guests_agree_with_software_and_the_host() {
    let copro = rust_dir().join("copro");
    let examples = rust_dir().join("examples");
    for input in [
        &b""[..],
        b"abc",
        &[0x5a; 200],
        &read(&copro.join("sha256_copro.in")),
    ] {
        let c = canopy_run(&copro.join("sha256_copro.elf"), input, true);
        let q = qemu(&examples.join("sha2.elf"), input);
        assert_eq!(
            (c.1, &c.0),
            (0, &q.0),
            "sha256 of {} bytes: {}",
            input.len(),
            c.2
        );
    }
    let c = canopy_run(
        &copro.join("sha256_copro.elf"),
        &read(&copro.join("sha256_copro.in")),
        true,
    );
    assert_eq!(c.0, read(&copro.join("sha256_copro.out")));
    assert_eq!(
        qemu(&copro.join("sha256_copro.elf"), b"abc").1,
        132,
        "SIGILL"
    );

    let schnorr_in = read(&copro.join("schnorr.in"));
    let c = canopy_run(&copro.join("schnorr.elf"), &schnorr_in, true);
    assert_eq!((c.0.as_slice(), c.1), (&b"valid\n"[..], 0), "{}", c.2);
    let mut forged = schnorr_in.clone();
    forged[96] ^= 1; // another message
    let c = canopy_run(&copro.join("schnorr.elf"), &forged, true);
    assert_eq!((c.0.as_slice(), c.1), (&b"invalid\n"[..], 0), "{}", c.2);

    // field: Poseidon(x, y) and a * b mod m against canopy-coprocessors' native functions.
    let field_in = read(&copro.join("field.in"));
    type W = [u32; 8];
    let (x, y, a, b, m): (W, W, W, W, W) = guest_io::decode(&field_in).unwrap();
    let c = canopy_run(&copro.join("field.elf"), &field_in, true);
    assert_eq!(c.1, 0, "{}", c.2);
    let (hash, product): (W, W) = guest_io::decode(&c.0).unwrap();
    use canopy_coprocessors::poseidon::{element_from_words, element_to_words, PoseidonHash};
    let expected_hash = PoseidonHash::new().hash(
        element_from_words(&x).unwrap(),
        element_from_words(&y).unwrap(),
    );
    assert_eq!(hash, element_to_words(expected_hash));
    assert_eq!(
        Some(product),
        canopy_coprocessors::modmul::mod_mul(&a, &b, &m)
    );
    assert_eq!(c.0, read(&copro.join("field.out")));
}

/// `canopy prove --full` and `canopy verify` of the smallest typed guest (320 instructions),
/// with the K = 4 parameters cache of cli_prove.
#[test]
fn square_is_proven_and_verified_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let elf = rust_dir().join("examples/square.elf");
    let input = dir.path().join("in.bin");
    std::fs::write(&input, guest_io::encode(&12u32).unwrap()).unwrap();
    let proof = dir.path().join("square.proof");
    let params = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("canopy-params-k4");
    let o = canopy()
        .arg("prove")
        .arg(&elf)
        .arg("--input")
        .arg(&input)
        .args(["--full", "--block-size", "4", "--params-dir"])
        .arg(&params)
        .arg("-o")
        .arg(&proof)
        .output()
        .unwrap();
    assert!(o.status.success(), "prove failed: {}", stderr(&o));
    let verify = |input: &Path| {
        canopy()
            .arg("verify")
            .arg(&proof)
            .arg("--program")
            .arg(&elf)
            .arg("--input")
            .arg(input)
            .arg("--params-dir")
            .arg(&params)
            .output()
            .unwrap()
    };
    let o = verify(&input);
    assert!(o.status.success(), "verify failed: {}", stderr(&o));
    assert_eq!(guest_io::decode::<u64>(&o.stdout).unwrap(), 144);
    assert!(stderr(&o).contains("proof verified"), "{}", stderr(&o));
    // Another public input: refused.
    let other = dir.path().join("other.bin");
    std::fs::write(&other, guest_io::encode(&13u32).unwrap()).unwrap();
    let o = verify(&other);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}

/// `rustc --version` of the guest toolchain and `riscv64-unknown-elf-ld --version`'s first
/// line, as build-examples.sh records them in guest/rust/TOOLCHAIN.
fn installed_toolchain() -> String {
    let dir = std::env::var_os("CANOPY_GUEST_TOOLCHAIN").map_or("/usr/bin".into(), PathBuf::from);
    let version = |program: PathBuf| {
        let o = Command::new(&program)
            .arg("--version")
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "{} is missing ({e}): these tests need Debian's Rust toolchain and the guest \
                     linker (apt-get install -y rustc-web cargo-web rust-web-src \
                     gcc-riscv64-unknown-elf; scripts/setup.sh does)",
                    program.display()
                )
            });
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        text.lines().next().unwrap_or("").trim().to_string()
    };
    format!(
        "{}\n{}",
        version(dir.join("rustc")),
        version("riscv64-unknown-elf-ld".into())
    )
}

/// `canopy build DIR -- ARGS` with the shared target directory; the ELF paths it printed.
fn canopy_build(dir: &Path, args: &[&str]) -> Vec<PathBuf> {
    installed_toolchain();
    let _g = build_lock();
    let o = canopy()
        .arg("build")
        .arg(dir)
        .arg("--")
        .args(args)
        .env("CARGO_TARGET_DIR", guest_target_dir())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "canopy build {}: {}",
        dir.display(),
        stderr(&o)
    );
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .map(PathBuf::from)
        .collect()
}

/// CI rebuilds every Rust example from source: with the compiler and linker that built the
/// committed ELFs (guest/rust/TOOLCHAIN) they must be the same bytes; with others (a Debian
/// update) they must behave the same on their sample inputs.
#[test]
fn committed_elfs_are_rebuilt_byte_for_byte() {
    let rust = rust_dir();
    let built = canopy_build(&rust, &["--locked"]);
    let recorded = String::from_utf8(read(&rust.join("TOOLCHAIN"))).unwrap();
    let installed = installed_toolchain();
    let same_compiler = recorded.trim() == installed;
    if !same_compiler {
        eprintln!(
            "note: the toolchain ({installed:?}) is not the one recorded in \
             guest/rust/TOOLCHAIN ({:?}): comparing behaviour",
            recorded.trim()
        );
    }
    let mut checked = 0;
    for elf in &built {
        let name = elf.file_name().unwrap().to_str().unwrap();
        let (dir, builtins) = if rust.join(format!("examples/{name}.rs")).is_file() {
            ("examples", false)
        } else {
            ("copro", true)
        };
        let committed = rust.join(dir).join(format!("{name}.elf"));
        if same_compiler {
            assert!(
                read(elf) == read(&committed),
                "{} is not the committed {}: run guest/rust/build-examples.sh and commit the ELFs",
                elf.display(),
                committed.display()
            );
        } else {
            let input = read(&committed.with_extension("in"));
            assert_eq!(
                canopy_run(elf, &input, builtins),
                canopy_run(&committed, &input, builtins),
                "{name}"
            );
        }
        checked += 1;
    }
    let sources = ["examples", "copro"]
        .iter()
        .flat_map(|d| std::fs::read_dir(rust.join(d)).unwrap())
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "rs")
        })
        .count();
    assert_eq!(checked, sources, "every example was built: {built:?}");
}

#[test]
fn new_project_builds_and_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hello-guest");
    let o = canopy().arg("new").arg(&dir).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("canopy build"), "{}", stderr(&o));
    for f in [
        "Cargo.toml",
        ".cargo/config.toml",
        "link.ld",
        "build.rs",
        "src/main.rs",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    // A second time: refused, nothing overwritten.
    let o = canopy().arg("new").arg(&dir).output().unwrap();
    assert_eq!(o.status.code(), Some(125));
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));

    let elfs = canopy_build(&dir, &[]);
    assert_eq!(elfs.len(), 1, "{elfs:?}");
    assert!(elfs[0].ends_with("riscv32im-unknown-none-elf/release/hello-guest"));
    let input = read(&dir.join("input.txt"));
    let c = canopy_run(&elfs[0], &input, false);
    assert_eq!(
        (String::from_utf8_lossy(&c.0).as_ref(), c.1),
        ("sum of squares 1..=10: 385\n", 0),
        "{}",
        c.2
    );
    assert_eq!(c, qemu(&elfs[0], &input));
}

#[test]
fn missing_toolchain_names_the_debian_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let o = canopy()
        .arg("build")
        .arg(rust_dir())
        .env("CANOPY_GUEST_TOOLCHAIN", tmp.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(125), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("rustc-web cargo-web rust-web-src") && err.contains("apt-get install"),
        "{err}"
    );
}
