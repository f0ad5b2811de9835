use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = mailplan::cli::Cli::parse();
    match cli.command {
        Some(command) => mailplan::cli::run(command),
        None => match mailplan::gui::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("mailplan: cannot open the window: {e}");
                eprintln!(
                    "mailplan: the subcommands work without a display; see `mailplan --help`."
                );
                ExitCode::from(1)
            }
        },
    }
}
