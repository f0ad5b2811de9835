use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = mailplan::cli::Cli::parse();
    match cli.command {
        Some(command) => mailplan::cli::run(command),
        None => open_window(),
    }
}

#[cfg(feature = "gui")]
fn open_window() -> ExitCode {
    match mailplan::gui::run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mailplan: cannot open the window: {e}");
            eprintln!("mailplan: the subcommands work without a display; see `mailplan --help`.");
            ExitCode::from(1)
        }
    }
}

/// Built with `--no-default-features`: there is no window to open.
#[cfg(not(feature = "gui"))]
fn open_window() -> ExitCode {
    eprintln!("mailplan: this build has no desktop app (built without the `gui` feature).");
    eprintln!("mailplan: use a subcommand; see `mailplan --help`.");
    ExitCode::from(2)
}
