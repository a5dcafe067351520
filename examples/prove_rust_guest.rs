//! Runs and proves Rust guests through the library API, with typed inputs and outputs.
//!
//! The guests are built from `guest/rust` with `canopy build guest/rust` (their ELFs are
//! committed): `typed.rs` reads an `Order` with `canopy_guest::read_input()` and commits a
//! `Receipt` with `canopy_guest::commit()`; `square.rs` reads a `u32` and commits its square as
//! a `u64`. The host encodes inputs and decodes outputs with `canopy::guest_io`, in the same
//! postcard format. `typed` is only executed (≈1,500 instructions would take minutes to prove
//! on a laptop); `square` (320 instructions) is proven and verified, in about a minute.
//!
//! ```sh
//! cargo run --release --example prove_rust_guest
//! ```

use canopy::{guest_io, verify, Params, Program, Prover};
use serde::{Deserialize, Serialize};

/// typed.rs's public input (the same serde shape as in the guest).
#[derive(Serialize)]
struct Order {
    items: Vec<Item>,
    max_total: u64,
}

#[derive(Serialize)]
struct Item {
    name: String,
    price: u32,
    quantity: u16,
}

/// typed.rs's public output.
#[derive(Debug, Deserialize)]
struct Receipt {
    items: u32,
    total: u64,
    most_expensive: Option<String>,
    within_budget: bool,
}

fn load(name: &str) -> Result<Program, Box<dyn std::error::Error>> {
    let path = format!(
        "{}/guest/rust/examples/{name}.elf",
        env!("CARGO_MANIFEST_DIR")
    );
    Ok(Program::from_elf(&std::fs::read(path)?)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // 1. Execute natively: a struct in, a struct out.
    let typed = load("typed")?;
    let order = Order {
        items: vec![
            Item {
                name: "tea".into(),
                price: 4,
                quantity: 3,
            },
            Item {
                name: "cake".into(),
                price: 9,
                quantity: 1,
            },
        ],
        max_total: 25,
    };
    let run = typed.execute(&guest_io::inputs(&order, None::<&()>)?, 1_000_000)?;
    let receipt: Receipt = guest_io::decode(&run.public_output)?;
    println!("typed: {} instructions, {receipt:?}", run.instructions);
    assert_eq!((receipt.items, receipt.total), (2, 21));
    assert_eq!(receipt.most_expensive.as_deref(), Some("cake"));
    assert!(receipt.within_budget);

    // 2. Prove and verify: K = 4 instructions per fold step (small parameters, quick setup).
    let square = load("square")?;
    let inputs = guest_io::inputs(&12u32, None::<&()>)?;
    let params = Params::setup(4, square.memory_size())?;
    let proof = Prover::new(&params).prove(&square, &inputs)?;
    // The verifier needs the program, the public input and the parameters; the proof gives it
    // the public output.
    let statement = verify(&proof, &square, &inputs.public, &params)?;
    let squared: u64 = guest_io::decode(&statement.public_output)?;
    println!(
        "square: proof verified, {} instructions, exit code {}, output {squared}",
        statement.instructions, statement.exit_code
    );
    assert_eq!(squared, 144);
    Ok(())
}
