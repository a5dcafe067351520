//! collections: `alloc` in a guest (String, Vec, BTreeMap, BTreeSet, format!).
//!
//! Input  (fd 0): any UTF-8 text.
//! Output (fd 1): "words=N distinct=D\n", then one line "COUNT WORD" per distinct word
//! (lower-cased, split at anything that is not alphanumeric), most frequent first, ties in
//! alphabetical order; then "longest=W\n" (the first of the longest words in alphabetical
//! order). Input that is not UTF-8: message on fd 2, exit code 1.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

canopy_guest::entry!(main);

fn main() -> Result<(), core::str::Utf8Error> {
    let input = canopy_guest::io::read_input_bytes();
    let text = core::str::from_utf8(&input)?;
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
    for w in &words {
        *counts.entry(w.as_str()).or_default() += 1;
    }
    let distinct: BTreeSet<&str> = counts.keys().copied().collect();
    let mut by_count: Vec<(&str, u32)> = counts.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut out = alloc::format!("words={} distinct={}\n", words.len(), distinct.len());
    for (w, c) in &by_count {
        out.push_str(&alloc::format!("{c} {w}\n"));
    }
    let longest = distinct.iter().fold("", |best, w| {
        if w.chars().count() > best.chars().count() {
            w
        } else {
            best
        }
    });
    out.push_str(&alloc::format!("longest={longest}\n"));
    canopy_guest::io::commit_bytes(out.as_bytes());
    Ok(())
}
