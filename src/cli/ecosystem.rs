//! `completions` and `man`: what a packaged command-line tool is expected to offer.

use super::{output, Cli};
use clap::{CommandFactory, ValueEnum};
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

/// The completion script for `shell` on standard output.
pub fn completions(shell: Shell) -> anyhow::Result<ExitCode> {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "orderdesk", &mut script);
    output::print(&script)?;
    Ok(ExitCode::SUCCESS)
}

/// The manual page (roff) on standard output.
pub fn man() -> anyhow::Result<ExitCode> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    output::print(&page)?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed_and_quotes_no_spec() {
        Cli::command().debug_assert();
        let help = Cli::command().render_long_help().to_string();
        assert!(help.contains("ORDERDESK_PASSPHRASE") && help.contains("NO_COLOR"));
        let mut all = Cli::command();
        all.build();
        for sub in all.get_subcommands_mut() {
            let text = sub.render_long_help().to_string();
            assert!(!text.contains("SPEC") && !text.contains('§'), "{text}");
        }
        assert!(!help.contains("SPEC"));
    }

    #[test]
    fn completions_and_man_page_name_the_commands() {
        for shell in [clap_complete::Shell::Bash, clap_complete::Shell::Zsh] {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "orderdesk", &mut script);
            let text = String::from_utf8(script).unwrap();
            assert!(text.contains("export") && text.contains("remind"));
        }
        let mut page = Vec::new();
        clap_mangen::Man::new(Cli::command())
            .render(&mut page)
            .unwrap();
        assert!(String::from_utf8(page).unwrap().contains("ORDERDESK_DB"));
    }
}
