//! typed: typed public and private inputs and a typed public output (serde + postcard), the
//! guest of the host example `examples/prove_rust_guest.rs` (`cargo run --release --example
//! prove_rust_guest`).
//!
//! Public input (fd 0): a postcard-encoded `Order { items: Vec<Item>, max_total: u64 }`.
//! Output (fd 1): a postcard-encoded `Receipt`: the number of items, the total price, the
//! name of the most expensive item, and whether the total is within `max_total`.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

canopy_guest::entry!(main);

/// One line of an order.
#[derive(Deserialize)]
struct Item {
    name: String,
    price: u32,
    quantity: u16,
}

/// The public input.
#[derive(Deserialize)]
struct Order {
    items: Vec<Item>,
    max_total: u64,
}

/// The public output.
#[derive(Serialize)]
struct Receipt {
    items: u32,
    total: u64,
    most_expensive: Option<String>,
    within_budget: bool,
}

fn main() {
    let order: Order = canopy_guest::read_input();
    let total = order
        .items
        .iter()
        .map(|i| u64::from(i.price) * u64::from(i.quantity))
        .sum::<u64>();
    let most_expensive = order
        .items
        .iter()
        .max_by_key(|i| i.price)
        .map(|i| i.name.clone());
    canopy_guest::commit(&Receipt {
        items: order.items.len() as u32,
        total,
        most_expensive,
        within_budget: total <= order.max_total,
    });
}
