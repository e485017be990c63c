//! `ward completions SHELL` and `ward man [COMMAND]`: shell completions and
//! man pages, generated from the one clap definition of the command line so
//! that they cannot drift from it.

use super::{Cli, Failure, InternalError, UsageError};
use clap::CommandFactory;
use std::io::Write;

/// Writes the completion script for `shell` to stdout.
pub fn completions(shell: clap_complete::Shell) -> Result<u8, UsageError> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "ward", &mut script);
    write_stdout(&script)
}

/// Writes a man page (roff, section 1) to stdout: `ward(1)`, or with a
/// command `ward-COMMAND(1)`.
pub fn man(command: Option<&str>) -> Result<u8, Failure> {
    let mut cli = Cli::command();
    cli.build();
    let (page, title) = match command {
        None => (cli, "ward".to_owned()),
        Some(name) => {
            let sub = cli
                .find_subcommand(name)
                .filter(|sub| !sub.is_hide_set())
                .ok_or_else(|| {
                    UsageError(format!(
                        "`{name}` is not a command of `ward` (`ward --help` lists them)"
                    ))
                })?;
            let title = format!("ward-{}", sub.get_name());
            (
                sub.clone().bin_name(format!("ward {}", sub.get_name())),
                title,
            )
        }
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .title(title)
        .render(&mut roff)
        .map_err(|e| InternalError(format!("cannot render the man page: {e}")))?;
    Ok(write_stdout(&roff)?)
}

fn write_stdout(bytes: &[u8]) -> Result<u8, UsageError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| UsageError(format!("cannot write to stdout: {e}")))?;
    Ok(0)
}
