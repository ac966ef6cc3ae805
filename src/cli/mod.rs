//! The command line: opening the app, and the commands that run without it.

use crate::app::keymap::Keymap;
use crate::app::App;
use crate::config::{self, Config};
use crate::domain::month::Month;
use crate::i18n::{self, Lang};
use crate::io::files::shown_path;
use crate::io::{self, Kind};

pub mod authorise;
mod data;
mod desk;
mod ecosystem;
pub mod output;
pub mod progress;
mod report;
mod safety;
mod send;
mod serve;
mod spotcheck;
mod user;
use crate::store::Store;
use anyhow::{anyhow, bail, Context};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "orderdesk",
    version,
    about = "The order-desk clerk's terminal desk: orders, customers, shipments, complaints",
    long_about = None,
    after_help = ENVIRONMENT
)]
pub struct Cli {
    /// The database file (default: the data dir's orderdesk.db; also ORDERDESK_DB)
    #[arg(long, global = true, env = "ORDERDESK_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// Open the app on a demo database in the data dir (created when absent)
    #[arg(long)]
    pub demo: bool,

    /// No progress bars (they are drawn on standard error only when it is a terminal)
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The environment variables, listed by `--help`.
const ENVIRONMENT: &str = "\
Environment:
  ORDERDESK_DB              the database file (like --db)
  ORDERDESK_CONFIG          the config file (default: config.toml in the config folder)
  ORDERDESK_PASSPHRASE      the passphrase of an encrypted database (else asked on the terminal)
  ORDERDESK_NEW_PASSPHRASE  the new passphrase for `encrypt` and `passphrase`
  ORDERDESK_SMTP_PASSWORD   the password of the mail server (else asked once, kept in memory)
  ORDERDESK_WEBDAV_USER     the WebDAV user for off-site backups (else asked)
  ORDERDESK_WEBDAV_PASSWORD the WebDAV password for off-site backups (else asked)
  AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL
                            S3 off-site backups (AWS_ENDPOINT_URL for a service other than Amazon)
  LANG, LC_ALL, LC_MESSAGES the language when config.toml sets none (zh* for Chinese)
  TZ                        the time zone for dates and times
  NO_COLOR                  no colour and no bold in the output
  EDITOR                    not used: every edit happens inside the app

-o - (or no -o) writes to standard output.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fill an empty database with realistic demo data
    Demo {
        /// How many orders
        #[arg(long, default_value_t = 2000)]
        orders: usize,
        /// The same seed gives the same data
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Read one kind of record from a CSV or XLSX file (all or nothing)
    Import {
        /// What the file holds
        kind: Kind,
        /// The CSV or XLSX file (`-`: standard input)
        file: PathBuf,
        /// Check every row and report problems without writing anything
        #[arg(long)]
        dry_run: bool,
        /// The text encoding of a CSV file (default: told from the file)
        #[arg(long, value_enum)]
        encoding: Option<crate::io::import::TextEncoding>,
    },
    /// Write one kind of record (sensitive fields masked unless --include-pii)
    Export {
        /// What to export
        kind: Kind,
        /// File format
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Output file (default or `-`: standard output)
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// Export phone, e-mail, IM handle and addresses unmasked (recorded in the audit log;
        /// an encrypted database asks for the passphrase again and a reason)
        #[arg(long)]
        include_pii: bool,
        /// Why the unmasked export is made (kept in the audit log; else asked)
        #[arg(long, value_name = "TEXT", requires = "include_pii")]
        reason: Option<String>,
        /// CSV without the UTF-8 byte-order mark that Excel and WPS need for Chinese text
        #[arg(long)]
        no_bom: bool,
    },
    /// The monthly KPI report
    Report {
        /// The month, YYYY-MM (default: the current month)
        #[arg(long, value_name = "YYYY-MM")]
        month: Option<Month>,
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
        format: ReportFormat,
        /// Output file (default: standard output; required for xlsx)
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Today's reminders as text
    Remind,
    /// The weekly review: high-risk orders, late shipments, bottlenecks, complaints awaiting response
    Review {
        /// Output format
        #[arg(long, value_enum, default_value_t = ReviewFormat::Text)]
        format: ReviewFormat,
        /// Output file (default: standard output)
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Copy the database to the backup folder (or DIR), verified, keeping 30; and off-site
    /// (--to URL, or `offsite` in config), keeping 30 there
    Backup {
        /// Folder for the backup (default: the configured backup folder), or an off-site
        /// address: s3://bucket/folder, webdav://host[:port]/folder, webdavs://…
        #[arg(long, value_name = "DIR|URL")]
        to: Option<PathBuf>,
        /// Let a backup of an unencrypted database leave this machine
        #[arg(long)]
        allow_plaintext: bool,
    },
    /// Replace the database by a backup, after checking it and keeping a copy of the current file
    Restore {
        /// The backup file, or an off-site address (s3://…, webdav://…) of one backup or of
        /// the folder (its newest backup)
        #[arg(value_name = "FILE|URL")]
        file: PathBuf,
        /// Why the database is replaced (kept in the audit log; else asked on an encrypted one)
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Encrypt the database with a passphrase (asked twice, or ORDERDESK_PASSPHRASE); its
    /// unencrypted backups are encrypted too, or deleted
    Encrypt {
        /// Delete the unencrypted backups (and copies kept by restore) instead of encrypting them
        #[arg(long)]
        delete_plain_backups: bool,
    },
    /// Remove the encryption of the database
    Decrypt,
    /// Change the passphrase of an encrypted database
    Passphrase,
    /// Check the file: integrity, schema version, audit chain
    Check,
    /// Send a customer message about an order by e-mail and log it (password: ORDERDESK_SMTP_PASSWORD, else asked)
    Send(send::SendArgs),
    /// Print a shell completion script (e.g. `orderdesk completions bash > ~/.local/share/bash-completion/completions/orderdesk`)
    Completions {
        /// The shell
        shell: ecosystem::Shell,
    },
    /// Print the manual page (e.g. `orderdesk man > orderdesk.1`)
    Man,
    /// Spot-checks of follow-up records: list the week's sample of contacts, or mark one
    #[command(
        after_help = "Each ISO week a random sample of its contacts is drawn ([spot_checks] sample_size in config, default 10), the same sample every time. Examples:\n  orderdesk spotcheck\n  orderdesk spotcheck --week 2026-W49\n  orderdesk spotcheck mark 1234 --accurate no --note \"delivery date not confirmed\""
    )]
    Spotcheck {
        /// The ISO week, YYYY-Www (default: this week)
        #[arg(long, value_name = "YYYY-Www")]
        week: Option<crate::domain::spotcheck::Week>,
        #[command(subcommand)]
        action: Option<spotcheck::SpotcheckAction>,
    },
    /// The read-only web desk for the other departments (login required)
    Serve(serve::ServeArgs),
    /// The accounts of the web desk
    User {
        #[command(subcommand)]
        command: user::UserCommand,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Text,
    Json,
    Xlsx,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReviewFormat {
    Text,
    Html,
}

/// The database path: `--db`, else `ORDERDESK_DB` (both via clap), else the data dir.
fn db_path(cli: &Cli) -> anyhow::Result<PathBuf> {
    if let Some(p) = &cli.db {
        return Ok(p.clone());
    }
    data_dir().map(|d| d.join("orderdesk.db"))
}

fn data_dir() -> anyhow::Result<PathBuf> {
    config::dirs()
        .map(|d| d.data_dir().to_path_buf())
        .ok_or_else(|| anyhow!("cannot find a home folder for the data; give --db PATH"))
}

pub fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    progress::set_quiet(cli.quiet);
    match &cli.command {
        Some(Command::Completions { shell }) => return ecosystem::completions(*shell),
        Some(Command::Man) => return ecosystem::man(),
        _ => {}
    }
    let db = db_path(&cli);
    // A file from an older OrderDesk is upgraded when opened: said on standard error.
    crate::store::on_migration(Box::new(progress::upgrade_notice()));
    let config_path = config::default_path();
    let config = Config::load(config_path.as_deref())?;
    i18n::init(Lang::detect(config.language.as_deref()));
    // What no output may replace (see `io::files`).
    if let Some(c) = &config_path {
        crate::io::files::keep_file(c);
    }
    if let Ok(db) = &db {
        crate::io::files::keep_database(db);
        crate::io::files::keep_folder(&crate::store::backup::folder(
            db,
            config.backup_dir.as_deref(),
        ));
    }
    match cli.command {
        None => {
            let path = if cli.demo {
                let demo = data_dir()?.join("demo.db");
                crate::io::files::keep_database(&demo);
                crate::io::files::keep_folder(&crate::store::backup::folder(
                    &demo,
                    config.backup_dir.as_deref(),
                ));
                demo
            } else {
                db?
            };
            let terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
            let new_file = match std::fs::metadata(&path) {
                Ok(m) => m.is_file() && m.len() == 0,
                Err(_) => true,
            };
            if !terminal && new_file {
                // Not even a new file before it is clear that the app can run.
                bail!("the app needs a terminal (for scripts, see `orderdesk --help`)");
            }
            // Before the file is opened: looking at its locks from here opens and closes it,
            // which would drop this process's own SQLite locks (see `Store::open_again`).
            let backups = crate::store::backup::folder(&path, config.backup_dir.as_deref());
            crate::store::backup::clean_leftovers(&path, &backups);
            crate::io::files::tighten_folders(&path);
            let mut store = open_writable(&path)?;
            // Also when a first run was interrupted and left the demo file empty.
            let fresh_demo = cli.demo
                && store
                    .conn()
                    .query_row(
                        "SELECT NOT EXISTS (SELECT 1 FROM orders)
                            AND NOT EXISTS (SELECT 1 FROM customers)",
                        [],
                        |r| r.get::<_, bool>(0),
                    )
                    .context("reading the demo database")?;
            if fresh_demo {
                crate::demo::generate(&mut store, 2000, 1)?;
            }
            let keymap = Keymap::load(config.keys.as_ref()).context("config.toml [keys]")?;
            // Commits never pay for a WAL checkpoint; this worker does them (store::checkpoint).
            let checkpoints = crate::store::checkpoint::Checkpointer::start(&store)?;
            let mut app = App::new(store, config, keymap);
            app.enable_backups(backups);
            let result = run_app(app);
            drop(checkpoints);
            result?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Demo { orders, seed }) => {
            let path = db?;
            let mut store = open_writable(&path)?;
            let started = std::time::Instant::now();
            let progress = progress::Progress::new(&format!("demo: {orders} orders"), None, "");
            let summary = crate::demo::generate(&mut store, orders, seed)?;
            drop(progress);
            eprintln!(
                "{}: {} orders, {} customers, {} shipments, {} complaints, {} contacts in {:.1} s",
                shown_path(&path),
                summary.orders,
                summary.customers,
                summary.shipments,
                summary.complaints,
                summary.contacts,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Import {
            kind,
            file,
            dry_run,
            encoding,
        }) => data::import(db?, &config, kind, &file, dry_run, encoding),
        Some(Command::Export {
            kind,
            format,
            output,
            include_pii,
            reason,
            no_bom,
        }) => data::export(
            db?,
            kind,
            format,
            output,
            data::Pii {
                include: include_pii,
                reason,
            },
            no_bom,
        ),
        Some(Command::Report {
            month,
            format,
            output,
        }) => report::report(db?, &config, month, format, output),
        Some(Command::Remind) => desk::remind(db?, &config),
        Some(Command::Review { format, output }) => desk::review(db?, &config, format, output),
        Some(Command::Backup {
            to,
            allow_plaintext,
        }) => safety::backup(db?, &config, to, allow_plaintext),
        Some(Command::Restore { file, reason }) => safety::restore(db?, &file, reason),
        Some(Command::Encrypt {
            delete_plain_backups,
        }) => safety::encrypt(db?, &config, delete_plain_backups),
        Some(Command::Decrypt) => safety::decrypt(db?),
        Some(Command::Passphrase) => safety::passphrase(db?),
        Some(Command::Send(args)) => send::send(db?, &config, args),
        Some(Command::Completions { .. }) | Some(Command::Man) => Ok(ExitCode::SUCCESS),
        Some(Command::Spotcheck { week, action }) => {
            spotcheck::spotcheck(db?, &config, week, action)
        }
        Some(Command::Serve(args)) => serve::serve(db?, &config, args),
        Some(Command::User { command }) => user::run(db?, command),
        Some(Command::Check) => {
            let store = open_existing(db?)?;
            let report = io::check(&store)?;
            let text = format!("{}\n", report.render());
            output::print(crate::domain::text::shown_lines(&text).as_bytes())?;
            Ok(if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

/// Commands that read data refuse to create an empty file by mistake, or to fill one that
/// is there but empty (SQLite would take a 0-byte file for a new database). An encrypted file
/// takes its passphrase from ORDERDESK_PASSPHRASE or the terminal.
pub(crate) fn open_existing(path: PathBuf) -> anyhow::Result<Store> {
    if !path.exists() {
        bail!(
            "{}: no such database (create one with `orderdesk demo` or open the app)",
            shown_path(&path)
        );
    }
    if std::fs::metadata(&path).is_ok_and(|m| m.is_file() && m.len() == 0) {
        bail!(
            "{}: an empty file, not an OrderDesk database yet (fill it with `orderdesk demo` or open it in the app)",
            shown_path(&path)
        );
    }
    safety::open_store(&path)
}

/// Commands that change the file: a read-only one is refused before anything starts.
pub(crate) fn open_writable(path: &std::path::Path) -> anyhow::Result<Store> {
    let store = safety::open_store(path)?;
    if store.is_read_only() {
        return Err(crate::store::StoreError::ReadOnly(
            shown_path(path),
            "OrderDesk needs to write to it (`orderdesk check` reads it as it is)",
        )
        .into());
    }
    Ok(store)
}

fn run_app(mut app: App) -> anyhow::Result<()> {
    // `try_init` sets the terminal up (raw mode, alternate screen, panic hook); the app
    // draws through its own quiet backend on the same stdout.
    drop(ratatui::try_init().context("cannot use this terminal")?);
    let mut terminal = crate::app::run::terminal().context("cannot use this terminal")?;
    let result = crate::app::run::run(&mut terminal, &mut app);
    ratatui::restore();
    if app.background_running() {
        eprintln!("finishing the backup… (Ctrl-C leaves it unfinished)");
    }
    app.finish_background();
    let unsaved = app.last_try();
    if unsaved > 0 {
        eprintln!(
            "{}",
            crate::i18n::tf("busy.unsaved", &[("count", &unsaved)])
        );
    }
    result.context("terminal")
}
