//! The real binary in a real terminal: a tmux session at 120x40, keys in, screen out.

use super::BIN;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    pub session: String,
}

impl Tmux {
    pub fn start(db: &Path, exit_file: &Path) -> Tmux {
        Tmux::start_with(db, exit_file, "C.UTF-8")
    }

    pub fn start_with(db: &Path, exit_file: &Path, lang: &str) -> Tmux {
        Tmux::run(
            &format!(
                "ORDERDESK_CONFIG=/nonexistent/x.toml LC_ALL= LANG={lang} {} --db '{}'; echo $? > '{}'",
                BIN,
                db.display(),
                exit_file.display()
            ),
            120,
            40,
        )
    }

    /// Runs `command` (a shell command line) in a new detached session of the given size.
    pub fn run(command: &str, width: u16, height: u16) -> Tmux {
        // Tests of one binary run in parallel: a counter keeps their sessions apart.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let session = format!("odtest{}-{n}-{}", std::process::id(), rand_suffix());
        let ok = Command::new("tmux")
            .args(["new-session", "-d", "-s", &session, "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string())
            .arg(command)
            .status()
            .expect("tmux is installed (CI installs it)");
        assert!(ok.success(), "tmux new-session");
        Tmux { session }
    }

    /// The app alone in the pane (`exec`, so the pane's process is the app itself).
    pub fn app(db: &Path, width: u16, height: u16) -> Tmux {
        Tmux::run(
            &format!(
                "exec env ORDERDESK_CONFIG=/nonexistent/x.toml LC_ALL= LANG=C.UTF-8 {BIN} --db '{}'",
                db.display()
            ),
            width,
            height,
        )
    }

    /// Keys by tmux name (`Space`, `Enter`, `C-s`) or literal text, in one go: tmux keeps
    /// their order, so there is no waiting between them (unlike `keys`).
    pub fn send(&self, keys: &[&str]) {
        let ok = Command::new("tmux")
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .unwrap();
        assert!(ok.success(), "send-keys {keys:?}");
    }

    /// A tmux format of the pane, e.g. `#{pane_pid}`.
    pub fn format(&self, what: &str) -> String {
        let out = Command::new("tmux")
            .args(["display-message", "-p", "-t", &self.session, what])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn pid(&self) -> u32 {
        self.format("#{pane_pid}").parse().expect("pane pid")
    }

    pub fn resize(&self, width: u16, height: u16) {
        Command::new("tmux")
            .args(["resize-window", "-t", &self.session, "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string())
            .status()
            .unwrap();
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            let status = Command::new("tmux")
                .args(["send-keys", "-t", &self.session, k])
                .status()
                .unwrap();
            assert!(status.success());
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    pub fn text(&self, text: &str) {
        Command::new("tmux")
            .args(["send-keys", "-t", &self.session, "-l", text])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    pub fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["capture-pane", "-t", &self.session, "-p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn wait_for(&self, what: impl Fn(&str) -> bool, label: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if what(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "timed out waiting for {label}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["kill-session", "-t", &self.session])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() as u64 % 1000)
        .unwrap_or(0)
}

pub fn wait_exit(exit_file: &Path) -> String {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if let Ok(s) = std::fs::read_to_string(exit_file) {
            if !s.trim().is_empty() {
                return s.trim().to_string();
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the app did not exit");
}
