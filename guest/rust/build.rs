//! Links the example guests with canopy-guest's linker script.
fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rustc-link-arg-bins=-T{dir}/canopy-guest/link.ld");
    println!("cargo:rerun-if-changed=canopy-guest/link.ld");
}
