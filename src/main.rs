//! The `ward` binary: everything lives in the library's `cli` module.
fn main() -> std::process::ExitCode {
    ward::cli::main()
}
