//! The `ward` command line: wires the library's stages together.
fn main() {}
