//! `orderdesk`: parse the command line and run; errors become one line on stderr.

use std::process::ExitCode;

fn main() -> ExitCode {
    orderdesk::crash::install_hook();
    match orderdesk::cli::run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("orderdesk: {e:#}");
            ExitCode::from(1)
        }
    }
}
