//! `mailplan check`.

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> u8 {
    super::usage_error("'check' is not implemented yet")
}
