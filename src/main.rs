//! `orderdesk`: parse the command line and run; errors become one line on stderr.

use std::process::ExitCode;

fn main() -> ExitCode {
    orderdesk::crash::install_hook();
    orderdesk::store::tune_process();
    match orderdesk::cli::run() {
        Ok(code) => code,
        // The reader stopped early (`| head`): what it wanted was written.
        Err(e) if orderdesk::cli::output::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // A refused authorisation (a wrong passphrase, no reason) is told apart.
            let code = if e
                .downcast_ref::<orderdesk::cli::authorise::Refused>()
                .is_some()
            {
                2
            } else {
                1
            };
            // Names and paths in an error can hold anything: shown harmless (domain::text).
            let line = one_line(&e);
            eprintln!("orderdesk: {}", orderdesk::domain::text::shown(&line));
            ExitCode::from(code)
        }
    }
}

/// The error and its causes on one line, each cause once: a cause whose text its
/// predecessor already quotes adds nothing.
fn one_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string().replace('\n', " ");
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}
