//! What can go wrong in the store, as values: the rules' refusals, the records they name,
//! and the failures of the file itself. The UI words them (`ui::words`); `Context` names the
//! step a failed statement was taking.

/// The kinds of record an error can be about; the UI names each in the clerk's language
/// (`record.order` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::AsRefStr, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub enum RecordKind {
    Order,
    Customer,
    Shipment,
    Complaint,
    Contact,
    Followup,
    Exception,
    Requirement,
    Account,
}

/// One record by its kind and what names it (its number, or its id).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: RecordKind,
    pub key: String,
}

impl Record {
    pub fn new(kind: RecordKind, key: impl std::fmt::Display) -> Record {
        Record {
            kind,
            key: key.to_string(),
        }
    }
}

/// In English, for logs and the command line's rare errors: "order SO-1".
impl std::fmt::Display for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind: &str = match &self.kind {
            RecordKind::Followup => "follow-up",
            other => other.as_ref(),
        };
        write!(f, "{kind} {}", self.key)
    }
}

/// What a number or a name is already taken by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    OrderNo,
    Waybill,
    ComplaintNo,
    CustomerCode,
    CustomerName,
}

/// A change the store refuses by the rules, as a value: the store says what, the UI says it
/// in the clerk's language (`ui::words::refusal`). The English here is for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// A rule of the record's content, by the string key the form shows beside the field.
    #[error("{0}")]
    Rule(&'static str),
    #[error("{value} is taken ({what:?})")]
    Taken { what: Unique, value: String },
    #[error("{order_no} is not a won order")]
    NotWon { order_no: String },
    #[error("{order_no} has no customer to write to")]
    NoCustomer { order_no: String },
    #[error("no order {order_no}")]
    NoOrder { order_no: String },
    #[error("shipment {waybill} is already delivered")]
    AlreadyDelivered { waybill: String },
    #[error("the customer was already informed of this exception")]
    AlreadyInformed,
    #[error("this exception is already resolved")]
    AlreadyResolved,
    #[error("complaint {complaint_no} is closed already")]
    ComplaintClosed { complaint_no: String },
    #[error("closing needs the resolution")]
    ResolutionRequired,
    #[error("{path} is not a file")]
    NotAFile { path: String },
    #[error("a follow-up needs a text")]
    FollowupText,
    #[error("this follow-up is already done")]
    FollowupDone,
    #[error("a requirement needs its text")]
    RequirementText,
    #[error("a changed due date needs a reason")]
    DueReasonRequired,
    #[error("the order's total is too large")]
    TotalTooLarge,
    #[error("a {status} order needs {} (or a missing reason)", .fields.join(", "))]
    Incomplete {
        status: crate::domain::status::Status,
        fields: Vec<&'static str>,
    },
    #[error("the order belongs to another customer")]
    OtherCustomersOrder,
    #[error("{0}")]
    RequirementStep(crate::domain::customer::StepError),
    #[error("an outbound contact needs no reply")]
    OutboundNeedsNoReply,
    #[error("{order_no} is {status:?}: an instruction sheet is for a won order")]
    SheetNotWon {
        order_no: String,
        status: crate::domain::status::Status,
    },
    #[error("a first response needs its plan")]
    PlanRequired,
}

/// What a file step was doing when the system refused it; the UI names each in the clerk's
/// language (`file_op.create_folder` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::AsRefStr, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub enum FileOp {
    CreateFolder,
    Create,
    Open,
    Read,
    Write,
    Sync,
    Remove,
    Replace,
}

impl FileOp {
    /// In English, for logs and the command line: "cannot create folder".
    fn english(self) -> &'static str {
        match self {
            FileOp::CreateFolder => "cannot create folder",
            FileOp::Create => "cannot create",
            FileOp::Open => "cannot open",
            FileOp::Read => "cannot read",
            FileOp::Write => "cannot write",
            FileOp::Sync => "cannot sync",
            FileOp::Remove => "cannot remove",
            FileOp::Replace => "cannot replace",
        }
    }
}

/// Why the system refused a file step, as far as the clerk can act on it; the system's own
/// (English) text stays in `Failure::File::detail` for logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::AsRefStr, strum::EnumIter)]
#[strum(serialize_all = "snake_case")]
pub enum IoCause {
    NotFound,
    Permission,
    Exists,
    Full,
    Other,
}

impl IoCause {
    pub fn of(e: &std::io::Error) -> IoCause {
        use std::io::ErrorKind as K;
        match e.kind() {
            K::NotFound => IoCause::NotFound,
            K::PermissionDenied | K::ReadOnlyFilesystem => IoCause::Permission,
            K::AlreadyExists => IoCause::Exists,
            K::StorageFull | K::QuotaExceeded | K::FileTooLarge => IoCause::Full,
            _ => IoCause::Other,
        }
    }
}

/// A step the store could not take that no rule refused: the file system, a damaged backup
/// or undo record, a template. Typed, so the UI words it in the clerk's language
/// (`ui::words::failure`); the English here is for logs and the command line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    #[error("{} {path}: {detail}", .op.english())]
    File {
        op: FileOp,
        path: String,
        cause: IoCause,
        /// The system's error number, when it gave one.
        code: Option<i32>,
        /// The system's own words, for logs.
        detail: String,
    },
    /// A path that must be kept (the input of this run, a kept folder) would be written.
    #[error("{path} would overwrite {kept}, which is kept")]
    Kept {
        path: String,
        kept: String,
        /// A folder that is kept, rather than the file itself.
        folder: bool,
    },
    #[error("the database stayed locked; the backup was not made")]
    BackupLocked,
    #[error("the backup failed its check ({problems}) and was removed")]
    BackupCheck { problems: String },
    #[error("{path} is damaged ({problems}); choose another backup")]
    Damaged { path: String, problems: String },
    #[error("{path} is open in another OrderDesk (or another program); close it and try again")]
    InUse { path: String },
    #[error(
        "the converted copy of {path} failed its check ({problems}); the original is unchanged"
    )]
    ConvertCheck { path: String, problems: String },
    #[error("the converted copy of {path} differs from the original; the original is unchanged")]
    ConvertDiffers { path: String },
    #[error("the undo record is damaged: {detail}")]
    UndoDamaged { detail: String },
    #[error("instruction template: {detail}")]
    Template { detail: String },
    #[error("cannot start a thread: {detail}")]
    Thread { detail: String },
    /// Something that cannot happen unless OrderDesk itself is wrong (a form saved as
    /// another kind, a scratch index of another shape); `detail` is for the log.
    #[error("internal error: {detail}")]
    Internal { detail: String },
    #[error(
        "the account {name} exists already (change its password with `orderdesk user passwd`)"
    )]
    AccountExists { name: String },
}

impl Failure {
    /// A file step the system refused.
    pub fn file(op: FileOp, path: &std::path::Path, e: &std::io::Error) -> Failure {
        Failure::File {
            op,
            path: path.display().to_string(),
            cause: IoCause::of(e),
            code: e.raw_os_error(),
            detail: e.to_string(),
        }
    }
}

impl From<Failure> for StoreError {
    fn from(f: Failure) -> StoreError {
        StoreError::Failed(Box::new(f))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: not an OrderDesk database ({reason})")]
    NotADatabase { path: String, reason: String },
    #[error("{path} was written by a newer OrderDesk (schema {found}, this one knows up to {known}); update OrderDesk")]
    NewerSchema {
        path: String,
        found: i64,
        known: i64,
    },
    // Random bytes cannot be told from an encrypted file, so both are named.
    #[error("{path} is encrypted, or is not an OrderDesk database: if it is encrypted, give the passphrase (ORDERDESK_PASSPHRASE or the prompt)")]
    Encrypted { path: String },
    #[error("{path}: wrong passphrase")]
    WrongPassphrase { path: String },
    /// A step that failed without a rule refusing it; the UI words it (`ui::words`).
    #[error("{0}")]
    Failed(Box<Failure>),
    /// A change the rules refuse; the UI words it (`ui::words::refusal`).
    #[error("{0}")]
    Refused(#[from] Refusal),
    /// A status change the lifecycle refuses; the UI words it (`ui::words`).
    #[error("{order_no}: {error}")]
    Transition {
        order_no: String,
        error: crate::domain::status::TransitionError,
    },
    #[error("{0} was changed elsewhere meanwhile; reload and try again")]
    Conflict(Record),
    #[error("{0} not found")]
    NotFound(Record),
    #[error("database error while {doing}: {source}")]
    Sql {
        doing: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot write to the disk while {doing} (is the disk full, or a file size limit reached?); nothing was saved")]
    DiskFull { doing: &'static str },
    #[error("{0} is read-only (no permission to write to it); {1}")]
    ReadOnly(String, &'static str),
    #[error("the database is busy in another program (another copy of OrderDesk?) while {doing}; try again")]
    Busy { doing: &'static str },
}

/// Whether a failed statement ran out of room: the disk full (ENOSPC), or a write refused
/// by a file size limit (EFBIG), which SQLite reports as a failed write or shared-memory
/// resize.
fn out_of_room(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi;
    let rusqlite::Error::SqliteFailure(f, _) = e else {
        return false;
    };
    f.code == rusqlite::ErrorCode::DiskFull
        || [
            ffi::SQLITE_IOERR_WRITE,
            ffi::SQLITE_IOERR_FSYNC,
            ffi::SQLITE_IOERR_DIR_FSYNC,
            ffi::SQLITE_IOERR_TRUNCATE,
            ffi::SQLITE_IOERR_SHMSIZE,
            ffi::SQLITE_IOERR_SHMMAP,
        ]
        .contains(&f.extended_code)
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl StoreError {
    /// Another program holds the write lock: the same change may succeed when retried.
    pub fn is_busy(&self) -> bool {
        matches!(self, StoreError::Busy { .. })
    }
}

/// Adds what a statement was doing to its error, so a message names the failed step.
pub trait Context<T> {
    fn doing(self, what: &'static str) -> Result<T>;
}

impl<T> Context<T> for rusqlite::Result<T> {
    fn doing(self, what: &'static str) -> Result<T> {
        self.map_err(|source| {
            if out_of_room(&source) {
                StoreError::DiskFull { doing: what }
            } else if source.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
                StoreError::Busy { doing: what }
            } else {
                StoreError::Sql {
                    doing: what,
                    source,
                }
            }
        })
    }
}
