//! Progress bars on standard error for the long commands (demo, import, export, backup,
//! restore, encrypt, decrypt, reports): only when standard error is a terminal, never with
//! `--quiet`. Anyone may call [`Progress::new`]; it costs nothing when hidden.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static QUIET: AtomicBool = AtomicBool::new(false);

/// `--quiet`: no progress at all.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Bars are drawn: standard error is a terminal and `--quiet` was not given.
pub fn shown() -> bool {
    !QUIET.load(Ordering::Relaxed) && std::io::stderr().is_terminal()
}

/// One bar (a known total) or spinner (an unknown one), cleared when dropped.
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// `what` names the work (`"import orders.csv"`); `total` in `unit`s when known. A unit
    /// of `"B"` counts bytes; no unit and no total is a spinner with the time taken.
    pub fn new(what: &str, total: Option<u64>, unit: &str) -> Progress {
        if !shown() {
            return Progress {
                bar: ProgressBar::hidden(),
            };
        }
        let what = crate::domain::text::shown(what).into_owned();
        let bar = match total {
            Some(n) => {
                let bar = ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr());
                let template = format!(
                    "{{msg}} [{{bar:30}}] {{human_pos}}/{{human_len}} {unit} · {{per_sec:0}} · {{eta}}"
                );
                if let Ok(style) = ProgressStyle::with_template(&template) {
                    bar.set_style(style.progress_chars("=> "));
                }
                bar
            }
            None => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                let template = match unit {
                    "" => "{spinner} {msg} {elapsed}".to_string(),
                    "B" => "{spinner} {msg} {bytes} · {bytes_per_sec} · {elapsed}".to_string(),
                    unit => format!("{{spinner}} {{msg}} {{human_pos}} {unit} · {{per_sec:0}}"),
                };
                if let Ok(style) = ProgressStyle::with_template(&template) {
                    bar.set_style(style);
                }
                bar
            }
        };
        bar.set_message(what);
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar }
    }

    /// Done so far.
    pub fn set(&self, done: u64) {
        self.bar.set_position(done);
    }

    pub fn add(&self, n: u64) {
        self.bar.inc(n);
    }

    pub fn set_total(&self, total: u64) {
        self.bar.set_length(total);
    }

    /// A callback for code that reports its progress as (done, total).
    pub fn callback(&self) -> impl Fn(u64, u64) + Send + Sync + 'static {
        let bar = self.bar.clone();
        move |done, total| {
            if bar.length() != Some(total) && total > 0 {
                bar.set_length(total);
            }
            bar.set_position(done);
        }
    }

    /// A writer that counts the bytes through it.
    pub fn wrap_write<W: std::io::Write>(&self, inner: W) -> indicatif::ProgressBarIter<W> {
        self.bar.wrap_write(inner)
    }
}

/// What a schema upgrade shows while it runs: a spinner with the file, its step and the
/// time taken, gone when it is done.
pub fn upgrade_notice() -> impl Fn(&std::path::Path, usize, usize) + Send + Sync + 'static {
    let bar: std::sync::Mutex<Option<Progress>> = std::sync::Mutex::new(None);
    move |path, done, steps| {
        let mut bar = bar.lock().unwrap_or_else(|e| e.into_inner());
        if done >= steps {
            *bar = None;
            return;
        }
        let what = crate::i18n::tf(
            "upgrade.step",
            &[
                ("path", &crate::io::files::shown_path(path)),
                ("step", &(done + 1)),
                ("steps", &steps),
            ],
        );
        match bar.as_ref() {
            Some(p) => p
                .bar
                .set_message(crate::domain::text::shown(&what).into_owned()),
            None => *bar = Some(Progress::new(&what, None, "")),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_when_quiet_and_counting_anyway() {
        set_quiet(true);
        assert!(!shown());
        let p = Progress::new("export", Some(10), "rows");
        p.set(3);
        p.add(2);
        (p.callback())(7, 20);
    }
}
