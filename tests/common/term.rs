//! The real binary in a pseudo-terminal (`portable-pty`) read by a terminal emulator
//! (`vt100`): keys in, screen, window title and exit status out. Only cargo is needed.
//!
//! A reader thread drains the terminal into the emulator as the app writes, so the app never
//! blocks on a full terminal, and wakes the waits; `wait_for` polls the screen for a state
//! until a deadline instead of sleeping a guessed time.

use super::BIN;
use portable_pty::{Child, CommandBuilder, MasterPty, PtySize};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a wait may take on a loaded two-core machine before it counts as a failure.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// The window titles the program set (OSC 0 and 2), told by the emulator as they come.
#[derive(Default)]
struct Titles {
    /// The title now ("" until one is set).
    current: String,
    /// Every title set, in order.
    all: Vec<String>,
}

impl vt100::Callbacks for Titles {
    fn set_window_title(&mut self, _: &mut vt100::Screen, title: &[u8]) {
        let title = String::from_utf8_lossy(title).into_owned();
        if title != self.current {
            self.all.push(title.clone());
            self.current = title;
        }
    }
}

/// A screen size as the emulator takes it (a terminal has at least one row and column).
fn cells(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).unwrap_or(std::num::NonZeroU16::MIN)
}

/// What the reader thread keeps: the emulated terminal and what went through it.
struct Shared {
    parser: vt100::Parser<Titles>,
    /// The screen as of the end of the last whole frame (see `Shared::shown`).
    frame: vt100::Screen,
    /// The last bytes seen, to find a frame's end split across two reads.
    recent: Vec<u8>,
    /// How often the app erased the whole screen (`ESC [ 2 J`).
    clears: usize,
    /// The last bytes of the stream, to find a sequence split across two reads.
    tail: Vec<u8>,
    /// The app closed the terminal (it ended).
    closed: bool,
    /// How often the emulator failed on the output and started afresh (see `recover`).
    resets: usize,
    /// Every byte the app wrote to the terminal, counted.
    written: usize,
}

/// ratatui ends every frame by hiding the cursor, or by showing it and then placing it.
const FRAME_ENDS: [&[u8]; 2] = [b"\x1b[?25l", b"\x1b[?25h"];

impl Shared {
    fn take(&mut self, chunk: &[u8]) {
        self.written += chunk.len();
        const CLEAR: &[u8] = b"\x1b[2J";
        let mut window = std::mem::take(&mut self.tail);
        window.extend_from_slice(chunk);
        self.clears += window.windows(CLEAR.len()).filter(|w| *w == CLEAR).count();
        self.tail = window[window.len().saturating_sub(CLEAR.len() - 1)..].to_vec();
        // Fed up to each frame's end, where the screen is whole, and taken as the frame.
        let mut from = 0;
        for (i, &b) in chunk.iter().enumerate() {
            if self.recent.len() == 6 {
                self.recent.remove(0);
            }
            self.recent.push(b);
            if FRAME_ENDS.iter().any(|end| self.recent.ends_with(end)) {
                self.parser.process(&chunk[from..=i]);
                from = i + 1;
                self.frame = self.parser.screen().clone();
            }
        }
        self.parser.process(&chunk[from..]);
    }

    /// Should the emulator ever fail on the output (it did, up to vt100 0.15, on screens a
    /// few cells small), the screen starts afresh at its size and in its modes, as after a
    /// resize, and the next full redraw (the app makes one after every resize) shows
    /// everything again.
    fn recover(&mut self) {
        let (rows, cols) = self.parser.screen().size();
        self.resets += 1;
        self.resize(rows.get(), cols.get());
    }

    /// A new size. The screen starts afresh in the same modes, with the titles seen so far:
    /// the app clears and redraws it all after a resize anyway, and a wide character cut by
    /// a narrower screen is never left behind.
    fn resize(&mut self, rows: u16, cols: u16) {
        let old = self.parser.screen();
        let mut modes = Vec::new();
        if old.alternate_screen() {
            modes.extend_from_slice(b"\x1b[?1049h");
        }
        if old.hide_cursor() {
            modes.extend_from_slice(b"\x1b[?25l");
        }
        let titles = std::mem::take(self.parser.callbacks_mut());
        self.parser = vt100::Parser::new_with_callbacks(cells(rows), cells(cols), 0, titles);
        self.parser.process(&modes);
    }

    /// What a person sees: in the full-screen app (the alternate screen) the last whole
    /// frame, not one half drawn (a frame may arrive in several reads); elsewhere (prompts,
    /// messages after the app) the screen as it is.
    fn shown(&self) -> &vt100::Screen {
        let live = self.parser.screen();
        if live.alternate_screen() {
            &self.frame
        } else {
            live
        }
    }
}

/// The app (or any program) to start in a terminal: the binary on a database with a clean
/// environment (no user config, English, UTC unless set), 120x40 unless sized.
pub struct Spawn {
    cmd: CommandBuilder,
    cols: u16,
    rows: u16,
}

impl Spawn {
    /// `orderdesk` with no arguments yet.
    pub fn bare() -> Spawn {
        let mut cmd = CommandBuilder::new(BIN);
        if let Ok(dir) = std::env::current_dir() {
            cmd.cwd(dir);
        }
        cmd.env(
            "ORDERDESK_CONFIG",
            "/nonexistent/orderdesk-test-config.toml",
        );
        cmd.env("LANG", "C.UTF-8");
        cmd.env("TERM", "xterm-256color");
        for name in [
            "LC_ALL",
            "LC_MESSAGES",
            "ORDERDESK_DB",
            "ORDERDESK_PASSPHRASE",
            "ORDERDESK_NEW_PASSPHRASE",
            "ORDERDESK_TEST_PANIC",
        ] {
            cmd.env_remove(name);
        }
        Spawn {
            cmd,
            cols: 120,
            rows: 40,
        }
    }

    /// `orderdesk --db DB`.
    pub fn app(db: &Path) -> Spawn {
        Spawn::bare().arg("--db").arg(db)
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Spawn {
        self.cmd.arg(arg);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Spawn {
        self.cmd.env(key, value);
        self
    }

    pub fn lang(self, lang: &str) -> Spawn {
        self.env("LANG", lang)
    }

    pub fn size(mut self, cols: u16, rows: u16) -> Spawn {
        self.cols = cols;
        self.rows = rows;
        self
    }

    pub fn start(self) -> Term {
        let pair = portable_pty::native_pty_system()
            .openpty(size(self.cols, self.rows))
            .expect("a pseudo-terminal");
        let child = pair
            .slave
            .spawn_command(self.cmd)
            .expect("the binary starts in the terminal");
        // Only the child keeps the terminal's slave side open: when it ends, reading the
        // master side ends too.
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("a reader");
        let writer = pair.master.take_writer().expect("a writer");
        let shared = Arc::new((
            Mutex::new(Shared {
                parser: vt100::Parser::new_with_callbacks(
                    cells(self.rows),
                    cells(self.cols),
                    0,
                    Titles::default(),
                ),
                frame: vt100::Parser::new(cells(self.rows), cells(self.cols), 0)
                    .screen()
                    .clone(),
                recent: Vec::with_capacity(6),
                clears: 0,
                tail: Vec::new(),
                closed: false,
                resets: 0,
                written: 0,
            }),
            Condvar::new(),
        ));
        let feed = Arc::clone(&shared);
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 64 * 1024];
            loop {
                let n = match reader.read(&mut buf) {
                    Ok(0) | Err(_) => 0,
                    Ok(n) => n,
                };
                let (lock, changed) = &*feed;
                let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
                if n == 0 {
                    s.closed = true;
                    changed.notify_all();
                    return;
                }
                let taken = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    s.take(&buf[..n]);
                }));
                if taken.is_err() {
                    s.recover();
                }
                changed.notify_all();
            }
        });
        let pid = child.process_id().expect("a child process id");
        Term {
            master: pair.master,
            writer: Mutex::new(writer),
            child: Mutex::new(child),
            pid,
            shared,
        }
    }
}

fn size(cols: u16, rows: u16) -> PtySize {
    PtySize {
        rows,
        cols,
        pixel_width: 0,
        pixel_height: 0,
    }
}

/// A running program in its own terminal. Dropping it kills the program (SIGKILL).
pub struct Term {
    master: Box<dyn MasterPty + Send>,
    writer: Mutex<Box<dyn Write + Send>>,
    child: Mutex<Box<dyn Child + Send + Sync>>,
    pid: u32,
    shared: Arc<(Mutex<Shared>, Condvar)>,
}

impl Term {
    /// The app on `db` at 120x40 in English.
    pub fn start(db: &Path) -> Term {
        Spawn::app(db).start()
    }

    /// The app on `db` at 120x40 in the given locale (e.g. `zh_CN.UTF-8`).
    pub fn start_with(db: &Path, lang: &str) -> Term {
        Spawn::app(db).lang(lang).start()
    }

    /// The app on `db` in a terminal of the given size.
    pub fn app(db: &Path, cols: u16, rows: u16) -> Term {
        Spawn::app(db).size(cols, rows).start()
    }

    fn state(&self) -> MutexGuard<'_, Shared> {
        self.shared.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Keys as tmux names them (`Enter`, `Escape`, `Tab`, `BTab`, `Space`, `BSpace`, `Up`,
    /// `Down`, `Left`, `Right`, `Home`, `End`, `PageUp`/`PPage`, `PageDown`/`NPage`,
    /// `Delete`, `F1`…`F12`, `C-s` for Ctrl-S), anything else as literal text, written in one
    /// go and in order.
    ///
    /// `Escape` goes as `ESC [ 27 u` (the fixed-up keyboard protocol's form, which crossterm
    /// reads as Esc whatever the terminal mode), so keys right behind it are not taken for
    /// Alt+key as a bare ESC would be without a guessed pause.
    pub fn send(&self, keys: &[&str]) {
        let mut bytes = Vec::new();
        for k in keys {
            bytes.extend_from_slice(&key_bytes(k));
        }
        self.write(&bytes);
    }

    /// The same as `send`.
    pub fn keys(&self, keys: &[&str]) {
        self.send(keys);
    }

    /// Literal text, never read as a key name.
    pub fn text(&self, text: &str) {
        self.write(text.as_bytes());
    }

    fn write(&self, bytes: &[u8]) {
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        w.write_all(bytes)
            .and_then(|()| w.flush())
            .expect("the keys reach the terminal");
    }

    /// Waits until the app has read every key sent so far (the terminal's input queue is
    /// empty) and handled them: its event loop sleeps waiting for the next event.
    pub fn wait_idle(&self, label: &str) {
        let start = Instant::now();
        let mut stuck = None;
        // Seen asleep twice running: a main thread caught in a brief lock is not idle.
        let mut seen = 0;
        loop {
            let (queued, asleep) = self.nudge_if_stuck(&mut stuck);
            seen = if queued == 0 && asleep { seen + 1 } else { 0 };
            if seen == 2 {
                return;
            }
            let status = self.exit_status();
            assert!(
                start.elapsed() < DEADLINE && status.is_none(),
                "not idle ({queued} bytes of keys unread, {status:?}): {label}\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Bytes of keys the app has not read yet, and whether its event loop sleeps (see
    /// `event_loop_asleep`). Keys left unread for a while by a sleeping app get a nudge.
    ///
    /// crossterm 0.28 polls edge-triggered and, when a resize signal and keys wake it
    /// together, handles the resize and drops the keys' readiness: they then wait, unread,
    /// for the next byte typed. The nudge is that byte: a focus-gained report (`ESC [ I`),
    /// an event the app ignores.
    fn nudge_if_stuck(&self, stuck_since: &mut Option<Instant>) -> (libc::c_int, bool) {
        let path = self.master.tty_name().expect("the terminal's name");
        // Opened for the look only: a slave side held open would keep the terminal from
        // ending with the program.
        let Ok(tty) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOCTTY)
            .open(&path)
        else {
            return (0, false);
        };
        let mut queued: libc::c_int = 0;
        // SAFETY: FIONREAD writes one c_int through the pointer; tty is open.
        let r = unsafe { libc::ioctl(tty.as_raw_fd(), libc::FIONREAD, &mut queued) };
        assert_eq!(r, 0, "FIONREAD: {}", std::io::Error::last_os_error());
        drop(tty);
        let asleep = event_loop_asleep(self.pid);
        if queued > 0 && asleep {
            let since = *stuck_since.get_or_insert_with(Instant::now);
            if since.elapsed() > Duration::from_millis(50) {
                self.write(b"\x1b[I");
                *stuck_since = None;
            }
        } else {
            *stuck_since = None;
        }
        (queued, asleep)
    }

    /// The screen as text: one line per row, trailing blanks left out. In the app, the last
    /// whole frame.
    pub fn screen(&self) -> String {
        screen_text(self.state().shown())
    }

    /// Looks at the emulated screen as `screen` shows it (cells, colours, cursor, modes).
    pub fn with_screen<R>(&self, look: impl FnOnce(&vt100::Screen) -> R) -> R {
        look(self.state().shown())
    }

    /// Every window title the program set, in order (none for the app).
    pub fn titles(&self) -> Vec<String> {
        self.state().parser.callbacks().all.clone()
    }

    /// The window title now ("" when none was ever set).
    pub fn title(&self) -> String {
        self.state().parser.callbacks().current.clone()
    }

    /// How often the emulator failed on the output and started afresh (tiny screens only).
    pub fn emulator_resets(&self) -> usize {
        self.state().resets
    }

    /// How many bytes the program wrote to the terminal so far.
    pub fn bytes_written(&self) -> usize {
        self.state().written
    }

    /// The names of the program's threads (`/proc/PID/task/*/comm`).
    pub fn threads(&self) -> Vec<String> {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.pid)) else {
            return Vec::new();
        };
        tasks
            .flatten()
            .filter_map(|t| std::fs::read_to_string(t.path().join("comm")).ok())
            .map(|c| c.trim().to_string())
            .collect()
    }

    /// How often the program erased the whole screen.
    pub fn clears(&self) -> usize {
        self.state().clears
    }

    /// Waits until the program ended and everything it wrote is on the emulated screen.
    pub fn wait_closed(&self, label: &str) {
        let start = Instant::now();
        let (lock, changed) = &*self.shared;
        let mut s = lock.lock().unwrap_or_else(|e| e.into_inner());
        while !s.closed {
            let left = DEADLINE.checked_sub(start.elapsed());
            let Some(left) = left.filter(|l| !l.is_zero()) else {
                panic!("timed out waiting for {label}:\n{}", screen_text(s.shown()));
            };
            s = changed
                .wait_timeout(s, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits (until the deadline) for the screen to satisfy `what`; the screen then.
    pub fn wait_for(&self, what: impl Fn(&str) -> bool, label: &str) -> String {
        let mut text = String::new();
        self.wait(
            |s| {
                text = screen_text(s.shown());
                what(&text)
            },
            label,
        );
        text
    }

    /// Waits for a hidden prompt: the screen satisfies `what` and the program has turned the
    /// terminal's echo off. A prompt is printed before echo goes off, so text typed in between
    /// would be echoed; a test types its secret only after this.
    pub fn wait_for_secret_prompt(&self, what: impl Fn(&str) -> bool, label: &str) -> String {
        let text = self.wait_for(what, label);
        self.wait(|_| self.termios().c_lflag & libc::ECHO == 0, label);
        text
    }

    fn wait(&self, mut done: impl FnMut(&Shared) -> bool, label: &str) {
        let start = Instant::now();
        let mut stuck = None;
        loop {
            {
                let (lock, changed) = &*self.shared;
                let s = lock.lock().unwrap_or_else(|e| e.into_inner());
                if done(&s) {
                    return;
                }
                let screen = screen_text(s.shown());
                assert!(
                    !s.closed,
                    "the program ended while waiting for {label}:\n{screen}"
                );
                let left = DEADLINE.checked_sub(start.elapsed());
                let Some(left) = left.filter(|l| !l.is_zero()) else {
                    panic!("timed out waiting for {label}:\n{screen}");
                };
                // Woken by new output, and now and then to look for keys left unread.
                let _ = changed
                    .wait_timeout(s, left.min(Duration::from_millis(20)))
                    .unwrap_or_else(|e| e.into_inner());
            }
            self.nudge_if_stuck(&mut stuck);
        }
    }

    /// Resizes the terminal (the app gets SIGWINCH) and the emulated screen with it, and
    /// waits for the app's frame at the new size (ratatui clears the screen for it).
    ///
    /// The app is let go idle first, and keys may follow once the frame is there: crossterm
    /// 0.28 drops the terminal's readiness when a resize signal comes in the same wake-up
    /// (edge-triggered polling), so keys arriving with a pending resize would wait for the
    /// next key. Idle before, frame after, means the resize was handled on its own.
    pub fn resize(&self, cols: u16, rows: u16) {
        self.wait_idle(&format!("before resizing to {cols}x{rows}"));
        let clears = self.clears();
        self.state().resize(rows, cols);
        self.master
            .resize(size(cols, rows))
            .expect("the terminal resizes");
        self.wait(
            |s| s.clears > clears,
            &format!("the frame at {cols}x{rows}"),
        );
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// SIGKILL, as a crash or a power cut would end it.
    pub fn kill9(&self) {
        // SAFETY: kill has no memory effects; the pid is our own child, not yet reaped
        // (reaping happens only in `wait_exit`/`exit_status`), so it cannot be reused.
        unsafe {
            libc::kill(self.pid as libc::pid_t, libc::SIGKILL);
        }
    }

    /// The exit status once the program ended, without waiting.
    pub fn exit_status(&self) -> Option<portable_pty::ExitStatus> {
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        child.try_wait().expect("the child's status")
    }

    /// Waits (until the deadline) for the program to end; its exit code. A program ended by
    /// a signal fails the test.
    pub fn wait_exit(&self) -> u32 {
        let start = Instant::now();
        let mut stuck = None;
        loop {
            if let Some(status) = self.exit_status() {
                assert!(
                    status.signal().is_none(),
                    "ended by a signal: {status}\n{}",
                    self.screen()
                );
                return status.exit_code();
            }
            assert!(
                start.elapsed() < DEADLINE,
                "the program did not exit:\n{}",
                self.screen()
            );
            self.nudge_if_stuck(&mut stuck);
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The terminal's line discipline (echo, canonical mode, …) as the program left it.
    pub fn termios(&self) -> libc::termios {
        let fd = self
            .master
            .as_raw_fd()
            .expect("the master side's descriptor");
        // SAFETY: a zeroed termios is a valid value for tcgetattr to fill; fd is open for as
        // long as `self.master` lives.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::tcgetattr(fd, &mut t) };
        assert_eq!(r, 0, "tcgetattr: {}", std::io::Error::last_os_error());
        t
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let child = self.child.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Ok(None) = child.try_wait() {
            // SAFETY: as in `kill9`: our own child, not yet reaped.
            unsafe {
                libc::kill(self.pid as libc::pid_t, libc::SIGKILL);
            }
        }
        let _ = child.wait();
    }
}

/// The bytes a terminal sends for a key named as tmux names it; other text as it is.
pub fn key_bytes(key: &str) -> Vec<u8> {
    let named: &[u8] = match key {
        "Enter" => b"\r",
        "Escape" | "Esc" => b"\x1b[27u",
        "Tab" => b"\t",
        "BTab" => b"\x1b[Z",
        "Space" => b" ",
        "BSpace" => b"\x7f",
        "Up" => b"\x1b[A",
        "Down" => b"\x1b[B",
        "Right" => b"\x1b[C",
        "Left" => b"\x1b[D",
        "Home" => b"\x1b[H",
        "End" => b"\x1b[F",
        "PageUp" | "PPage" => b"\x1b[5~",
        "PageDown" | "NPage" => b"\x1b[6~",
        "Delete" | "DC" => b"\x1b[3~",
        "F1" => b"\x1bOP",
        "F2" => b"\x1bOQ",
        "F3" => b"\x1bOR",
        "F4" => b"\x1bOS",
        "F5" => b"\x1b[15~",
        "F6" => b"\x1b[17~",
        "F7" => b"\x1b[18~",
        "F8" => b"\x1b[19~",
        "F9" => b"\x1b[20~",
        "F10" => b"\x1b[21~",
        "F11" => b"\x1b[23~",
        "F12" => b"\x1b[24~",
        _ => {
            let ctrl = key
                .strip_prefix("C-")
                .filter(|c| c.len() == 1)
                .and_then(|c| c.bytes().next())
                .filter(u8::is_ascii_alphabetic);
            return match ctrl {
                Some(c) => vec![c.to_ascii_lowercase() - b'a' + 1],
                None => key.as_bytes().to_vec(),
            };
        }
    };
    named.to_vec()
}

fn screen_text(screen: &vt100::Screen) -> String {
    let (_, cols) = screen.size();
    let mut out = String::new();
    for row in screen.rows(0, cols.get()) {
        out.push_str(row.trim_end());
        out.push('\n');
    }
    out
}

/// Whether `pid` still runs (a zombie waiting to be reaped does not).
/// The app's event loop sleeps waiting for the next event: its main thread waits (on the
/// terminal, or on the channel its terminal thread feeds) and that thread, named
/// `terminal`, if there is one, waits on the terminal.
pub fn event_loop_asleep(pid: u32) -> bool {
    let wchan = |tid: &str| {
        std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/wchan")).unwrap_or_default()
    };
    let main = wchan(&pid.to_string());
    if main.contains("epoll") {
        return true;
    }
    if !main.contains("futex") {
        return false;
    }
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().any(|t| {
        let tid = t.file_name().to_string_lossy().into_owned();
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        comm.trim() == "terminal" && wchan(&tid).contains("epoll")
    })
}

pub fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| !s.contains(") Z "))
        .unwrap_or(false)
}
