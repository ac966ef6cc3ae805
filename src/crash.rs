//! A panic must never show a Rust backtrace to the clerk: the details go to a crash log and
//! the terminal gets one line saying where. (ratatui's own hook, installed later, restores
//! the terminal first and then calls this one.)

use std::io::Write;
use std::path::PathBuf;

fn crash_log_path() -> PathBuf {
    crate::config::dirs()
        .map(|d| d.data_dir().join("crash.log"))
        .unwrap_or_else(|| std::env::temp_dir().join("orderdesk-crash.log"))
}

pub fn install_hook() {
    std::panic::set_hook(Box::new(|info| {
        let path = crash_log_path();
        let backtrace = std::backtrace::Backtrace::force_capture();
        let written = path
            .parent()
            .map(std::fs::create_dir_all)
            .unwrap_or(Ok(()))
            .and_then(|_| {
                let mut options = std::fs::OpenOptions::new();
                options.create(true).append(true);
                // Readable by the owner only: a backtrace can hold data from the file.
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut f = options.open(&path)?;
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let _ = f.set_permissions(std::fs::Permissions::from_mode(0o600));
                }
                writeln!(
                    f,
                    "--- {}\n{info}\n{backtrace}",
                    chrono::Local::now().to_rfc3339()
                )
            });
        match written {
            Ok(()) => eprintln!("orderdesk: internal error; details in {}", path.display()),
            Err(_) => eprintln!("orderdesk: internal error: {info}"),
        }
    }));
}
