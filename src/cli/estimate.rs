//! `mailplan estimate`.

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_args: Args) -> u8 {
    super::usage_error("'estimate' is not implemented yet")
}
