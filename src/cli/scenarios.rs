//! `mailplan scenarios list|validate`.

use crate::sanitize::strip_controls;
use crate::scenarios::{self, ScenarioSet};
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the scenarios (built-in and user): id, name, summary and the file each came from.
    List {
        /// Also load scenario files from DIR; they replace scenarios with the same id.
        #[arg(long, value_name = "DIR", value_parser = crate::cli::path_arg)]
        scenarios: Option<PathBuf>,
    },
    /// Validate scenario files in DIR (default: the built-in and user scenarios).
    /// Prints file:line:column: message for each problem and exits non-zero if there is any.
    Validate {
        #[arg(value_parser = crate::cli::path_arg)]
        dir: Option<PathBuf>,
    },
}

pub fn run(command: Command) -> u8 {
    match command {
        Command::List { scenarios: extra } => {
            if let Some(dir) = &extra
                && !dir.is_dir()
            {
                return super::usage_error(&format!(
                    "--scenarios {}: not a folder",
                    strip_controls(&dir.display().to_string())
                ));
            }
            let ids = price_book_ids();
            let set = scenarios::load_all(extra.as_deref(), ids.as_ref());
            print_list(&set);
            if !set.errors.is_empty() {
                eprintln!(
                    "mailplan: {} problem(s) in scenario files; those files were left out (run `mailplan scenarios validate` for details):",
                    set.errors.len()
                );
                print_errors(&set);
            }
            // Listing worked even if some user files did not load; `validate` is the strict one.
            super::EXIT_OK
        }
        Command::Validate { dir } => {
            let ids = price_book_ids();
            let set = match &dir {
                Some(d) if !d.is_dir() => {
                    return super::usage_error(&format!(
                        "{}: not a folder",
                        strip_controls(&d.display().to_string())
                    ));
                }
                Some(d) => scenarios::load_dir(d, ids.as_ref()),
                None => scenarios::load_all(None, ids.as_ref()),
            };
            print_errors(&set);
            let where_ = match &dir {
                Some(d) => strip_controls(&d.display().to_string()),
                None => "built-in and user scenarios".to_owned(),
            };
            if set.errors.is_empty() {
                outln!("{}: {} scenario(s), all valid", where_, set.scenarios.len());
                super::EXIT_OK
            } else {
                eprintln!(
                    "{}: {} problem(s); {} scenario(s) valid",
                    where_,
                    set.errors.len(),
                    set.scenarios.len()
                );
                super::EXIT_FAILED
            }
        }
    }
}

/// The ids of every price-book item (built-in and the user's price folder), for checking the
/// scenarios' `default_item` references. `None` (no check) when the price books themselves have
/// problems, so that one broken price file does not make every scenario look wrong.
fn price_book_ids() -> Option<BTreeSet<String>> {
    let (catalogue, errors) = crate::costs::books::load_catalogue(&[]);
    if errors.is_empty() {
        Some(catalogue.ids())
    } else {
        eprintln!(
            "mailplan: the price books have {} problem(s) (see `mailplan estimate`); price-book references in scenarios were not checked",
            errors.len()
        );
        None
    }
}

fn print_list(set: &ScenarioSet) {
    for loaded in &set.scenarios {
        let s = &loaded.scenario;
        let replaced = match &loaded.replaces {
            Some(src) => format!(" (replaces {})", strip_controls(&src.to_string())),
            None => String::new(),
        };
        outln!("{}  {}", strip_controls(&s.id), strip_controls(&s.name));
        outln!("    {}", strip_controls(&s.summary));
        outln!(
            "    from {}{replaced}",
            strip_controls(&loaded.source.to_string())
        );
    }
}

fn print_errors(set: &ScenarioSet) {
    for e in &set.errors {
        eprintln!("{}", strip_controls(&e.to_string()));
    }
}
