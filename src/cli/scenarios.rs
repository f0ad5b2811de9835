//! `mailplan scenarios list|validate`.

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the scenarios (built-in and user).
    List,
    /// Validate scenario files in DIR (default: the built-in and user scenarios).
    Validate { dir: Option<std::path::PathBuf> },
}

pub fn run(_command: Command) -> u8 {
    super::usage_error("'scenarios' is not implemented yet")
}
