//! The UI edge where typed errors become words: the domain and the store say what went
//! wrong as values (`TransitionError`, `TimeError`, `StoreError`), and only here are they
//! put in the clerk's language. Values from the data pass the text policy on the way.

use crate::domain::customer::StepError;
use crate::domain::money::MoneyError;
use crate::domain::status::{Status, TransitionError};
use crate::domain::text::shown;
use crate::domain::time::{
    short_duration, DurationUnit, ShortDuration, TimeError, FIRST_YEAR, LAST_YEAR,
};
use crate::i18n::{t, tf};
use crate::store::{Failure, IoCause, Record, Refusal, StoreError, Unique};

fn status(s: Status) -> &'static str {
    t(&format!("status.{}", s.as_str()))
}

/// A field of the order by its label: `due_date` → "Due date" / "交期".
fn field(name: &str) -> String {
    match name {
        "lines" => t("detail.lines").to_string(),
        "product_code" | "unit_price" => t(&format!("line.{name}")).to_string(),
        _ => t(&format!("field.{name}")).to_string(),
    }
}

pub fn transition_error(e: &TransitionError) -> String {
    match e {
        TransitionError::NoNext { from } => tf("err.no_next", &[("status", &status(*from))]),
        TransitionError::Same(s) => tf("err.same_status", &[("status", &status(*s))]),
        TransitionError::NotAllowed { from, to } => tf(
            "err.not_allowed",
            &[("status_from", &status(*from)), ("status_to", &status(*to))],
        ),
        TransitionError::Incomplete { fields } => {
            let names: Vec<String> = fields.iter().map(|f| field(f)).collect();
            tf(
                "err.incomplete",
                &[("fields", &names.join(t("err.list_separator")))],
            )
        }
        TransitionError::ReasonRequired => t("err.reason_required").to_string(),
    }
}

pub fn time_error(e: &TimeError) -> String {
    match e {
        TimeError::BadDate(s) => tf("err.bad_date", &[("value", &shown(s))]),
        TimeError::BadStamp(s) => tf("err.bad_stamp", &[("value", &shown(s))]),
        TimeError::NoSuchLocalTime(s) => tf("err.no_such_time", &[("value", &shown(s))]),
        TimeError::OutOfRange(s) => tf(
            "import.problem.out_of_range",
            &[
                ("value", &shown(s)),
                ("min", &FIRST_YEAR),
                ("max", &LAST_YEAR),
            ],
        ),
    }
}

/// A countdown in the clerk's language: `36h` / `36小时`, `-3d` / `-3天`.
pub fn duration(d: ShortDuration) -> String {
    let key = match d.unit {
        DurationUnit::Days => "duration.days",
        DurationUnit::Hours => "duration.hours",
        DurationUnit::Minutes => "duration.minutes",
    };
    let sign = if d.negative { "-" } else { "" };
    format!("{sign}{}", tf(key, &[("count", &d.count)]))
}

/// `seconds` as a compact countdown in the clerk's language.
pub fn countdown(seconds: i64) -> String {
    duration(short_duration(seconds))
}

pub fn money_error(e: &MoneyError) -> String {
    match e {
        MoneyError::NotANumber(v) => tf("import.problem.not_a_number", &[("value", &shown(v))]),
        MoneyError::BadCurrency(v) => tf("import.problem.bad_currency", &[("value", &shown(v))]),
        MoneyError::Negative => t("form.negative").to_string(),
        MoneyError::NotPositive => t("form.not_positive").to_string(),
        MoneyError::TooLarge => t("form.too_large").to_string(),
        MoneyError::CommaDecimal(v) => tf("import.problem.comma_decimal", &[("value", &shown(v))]),
    }
}

/// A record as the clerk names it: "order SO-1" / "订单 SO-1".
pub fn record(r: &Record) -> String {
    tf(
        &format!("record.{}", r.kind.as_ref()),
        &[("key", &shown(&r.key))],
    )
}

/// A change the rules refused, as the status line says it.
pub fn refusal(r: &Refusal) -> String {
    match r {
        Refusal::Rule(key) => t(key).to_string(),
        Refusal::Taken { what, value } => {
            let key = match what {
                Unique::OrderNo => "refused.taken_order_no",
                Unique::Waybill => "refused.taken_waybill",
                Unique::ComplaintNo => "refused.taken_complaint_no",
                Unique::CustomerCode => "refused.taken_customer_code",
                Unique::CustomerName => "refused.taken_customer_name",
            };
            tf(key, &[("value", &shown(value))])
        }
        Refusal::NotWon { order_no } => tf("production.not_won", &[("order", &shown(order_no))]),
        Refusal::NoCustomer { order_no } => {
            format!("{}: {}", shown(order_no), t("message.err_no_customer"))
        }
        Refusal::NoOrder { order_no } => tf("refused.no_order", &[("order", &shown(order_no))]),
        Refusal::AlreadyDelivered { waybill } => tf(
            "shipment.already_delivered",
            &[("waybill", &shown(waybill))],
        ),
        Refusal::AlreadyInformed => t("exception.already_informed").to_string(),
        Refusal::AlreadyResolved => t("exception.already_resolved").to_string(),
        Refusal::ComplaintClosed { complaint_no } => tf(
            "refused.complaint_closed",
            &[("complaint", &shown(complaint_no))],
        ),
        Refusal::ResolutionRequired => t("msg.resolution_required").to_string(),
        Refusal::NotAFile { path } => tf("document.not_a_file", &[("path", &shown(path))]),
        Refusal::FollowupText => t("followup.need_text").to_string(),
        Refusal::FollowupDone => t("refused.followup_done").to_string(),
        Refusal::RequirementText => t("refused.requirement_text").to_string(),
        Refusal::DueReasonRequired => t("refused.due_reason").to_string(),
        Refusal::TotalTooLarge => t("refused.total_too_large").to_string(),
        Refusal::Incomplete { status: s, fields } => {
            let names: Vec<String> = fields.iter().map(|f| field(f)).collect();
            tf(
                "refused.incomplete",
                &[
                    ("status", &status(*s)),
                    ("fields", &names.join(t("err.list_separator"))),
                ],
            )
        }
        Refusal::OtherCustomersOrder => t("refused.other_customers_order").to_string(),
        Refusal::RequirementStep(StepError::Settled) => {
            t("refused.requirement_settled").to_string()
        }
        Refusal::RequirementStep(StepError::Unchanged(s)) => tf(
            "refused.requirement_unchanged",
            &[("status", &t(&format!("requirement_status.{}", s.as_str())))],
        ),
        Refusal::OutboundNeedsNoReply => t("msg.outbound_needs_no_reply").to_string(),
        Refusal::SheetNotWon {
            order_no,
            status: s,
        } => tf(
            "sheet.not_won",
            &[("order", &shown(order_no)), ("status", &status(*s))],
        ),
        Refusal::PlanRequired => t("complaint.plan_required").to_string(),
    }
}

/// Why the system refused a file step, in the clerk's language.
fn io_cause(cause: IoCause, code: Option<i32>) -> String {
    match (cause, code) {
        (IoCause::Other, Some(code)) => tf("io_cause.other", &[("code", &code)]),
        (IoCause::Other, None) => t("io_cause.other_nocode").to_string(),
        (c, _) => t(&format!("io_cause.{}", c.as_ref())).to_string(),
    }
}

/// A step that failed without a rule refusing it, as the status line says it. The
/// system's and SQLite's own (English) details are left to the log.
pub fn failure(f: &Failure) -> String {
    let path = |p: &str| shown(p).into_owned();
    match f {
        Failure::File {
            op,
            path: p,
            cause,
            code,
            ..
        } => tf(
            &format!("file_op.{}", op.as_ref()),
            &[("path", &path(p)), ("cause", &io_cause(*cause, *code))],
        ),
        Failure::Kept {
            path: p,
            kept,
            folder,
        } => tf(
            if *folder {
                "output.kept_folder"
            } else {
                "output.kept_file"
            },
            &[("path", &path(p)), ("kept", &path(kept))],
        ),
        Failure::BackupLocked => t("failure.backup_locked").to_string(),
        Failure::BackupCheck { .. } => t("failure.backup_check").to_string(),
        Failure::Damaged { path: p, .. } => tf("failure.damaged", &[("path", &path(p))]),
        Failure::InUse { path: p } => tf("failure.in_use", &[("path", &path(p))]),
        Failure::ConvertCheck { path: p, .. } => tf("failure.convert_check", &[("path", &path(p))]),
        Failure::ConvertDiffers { path: p } => tf("failure.convert_differs", &[("path", &path(p))]),
        Failure::UndoDamaged { .. } => t("failure.undo_damaged").to_string(),
        Failure::Template { .. } => t("failure.template").to_string(),
        Failure::Thread { .. } => t("failure.thread").to_string(),
        Failure::Internal { .. } => t("failure.internal").to_string(),
        Failure::AccountExists { name } => tf("failure.account_exists", &[("name", &path(name))]),
    }
}

/// A store error as the status line says it, every kind in the clerk's language; the
/// system's own details (English) stay in the error's `Display`, for logs.
pub fn store_error(e: &StoreError) -> String {
    match e {
        StoreError::Transition { order_no, error } => {
            format!("{}: {}", shown(order_no), transition_error(error))
        }
        StoreError::Conflict(what) => tf("err.conflict", &[("what", &record(what))]),
        StoreError::NotFound(what) => tf("err.not_found", &[("what", &record(what))]),
        // Another program holds the write lock (changes the app keeps are said by `app::busy`).
        StoreError::Busy { .. } => t("busy.refused").to_string(),
        StoreError::Refused(r) => refusal(r),
        StoreError::Failed(f) => failure(f),
        StoreError::DiskFull { .. } => t("err.disk_full").to_string(),
        StoreError::ReadOnly(path, _) => tf("err.read_only", &[("path", &shown(path))]),
        // `doing` is English, for the log and the English screen; the Chinese one leaves it
        // out and gives SQLite's error number.
        StoreError::Sql { doing, source } => tf(
            "err.database",
            &[
                ("doing", doing),
                (
                    "code",
                    &source.sqlite_error().map_or(0, |e| e.extended_code),
                ),
            ],
        ),
        StoreError::NotADatabase { path, .. } => {
            tf("err.not_a_database", &[("path", &shown(path))])
        }
        StoreError::NewerSchema { path, .. } => tf("err.newer_schema", &[("path", &shown(path))]),
        StoreError::Encrypted { path } => tf("err.encrypted", &[("path", &shown(path))]),
        StoreError::WrongPassphrase { path } => {
            tf("err.wrong_passphrase", &[("path", &shown(path))])
        }
    }
}

/// The mark beside a status change recorded over an hour late (the one-hour rule): "recorded
/// 3 h late" / "迟 3 小时录入". The detail pane and the web desk's order page both say it.
pub fn recorded_late(h: &crate::store::orders::HistoryEntry) -> String {
    let hours = crate::domain::report::quality::hours_late(h.happened_at, h.recorded_at);
    tf("history.recorded_late", &[("hours", &hours.to_string())])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::test_lang;

    #[test]
    fn errors_are_worded_in_the_ui_language() {
        let e = TransitionError::Incomplete {
            fields: vec!["unit_price", "due_date"],
        };
        let bad = TimeError::BadDate("2026-13-45".into());
        assert_eq!(
            transition_error(&e),
            "missing Unit price, Due date: fill it in or give a missing reason"
        );
        assert_eq!(time_error(&bad), "'2026-13-45' is not a date (YYYY-MM-DD)");
        let _zh = test_lang::use_chinese();
        let zh = transition_error(&e);
        assert!(zh.contains("单价") && !zh.contains("unit_price"), "{zh}");
        let zh = time_error(&bad);
        assert!(zh.contains("2026-13-45") && !zh.contains("is not"), "{zh}");
        let zh = store_error(&StoreError::Transition {
            order_no: "SO-1".into(),
            error: TransitionError::NotAllowed {
                from: Status::Closed,
                to: Status::Shipped,
            },
        });
        assert!(zh.starts_with("SO-1: ") && !zh.contains("cannot"), "{zh}");
    }

    /// Every refusal and every record the store can name is said in Chinese with no English
    /// word of the source: only the data's own values (numbers, codes, paths) stay as they are.
    #[test]
    fn every_refusal_and_record_is_worded_in_chinese() {
        use crate::store::RecordKind;
        use strum::IntoEnumIterator;
        let value = "X-1";
        let mut refusals = vec![
            Refusal::Rule("production.err_percent"),
            Refusal::NotWon {
                order_no: value.into(),
            },
            Refusal::NoCustomer {
                order_no: value.into(),
            },
            Refusal::NoOrder {
                order_no: value.into(),
            },
            Refusal::AlreadyDelivered {
                waybill: value.into(),
            },
            Refusal::AlreadyInformed,
            Refusal::AlreadyResolved,
            Refusal::ComplaintClosed {
                complaint_no: value.into(),
            },
            Refusal::ResolutionRequired,
            Refusal::NotAFile { path: value.into() },
            Refusal::FollowupText,
            Refusal::FollowupDone,
            Refusal::RequirementText,
            Refusal::DueReasonRequired,
            Refusal::TotalTooLarge,
            Refusal::Incomplete {
                status: Status::Quoted,
                fields: vec!["due_date", "unit_price"],
            },
            Refusal::OtherCustomersOrder,
            Refusal::RequirementStep(StepError::Settled),
            Refusal::RequirementStep(StepError::Unchanged(
                crate::domain::enums::RequirementStatus::Forwarded,
            )),
        ];
        refusals.extend(
            [
                Unique::OrderNo,
                Unique::Waybill,
                Unique::ComplaintNo,
                Unique::CustomerCode,
                Unique::CustomerName,
            ]
            .map(|what| Refusal::Taken {
                what,
                value: value.into(),
            }),
        );
        let _zh = test_lang::use_chinese();
        let mut said: Vec<String> = refusals.iter().map(refusal).collect();
        for kind in RecordKind::iter() {
            said.push(store_error(&StoreError::NotFound(Record::new(kind, value))));
            said.push(store_error(&StoreError::Conflict(Record::new(kind, value))));
        }
        for s in &said {
            let english: Vec<&str> = s
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() > 1)
                .collect();
            assert!(english.is_empty(), "{s}: {english:?}");
            assert!(s.contains(value) || !s.contains('{'), "{s}");
        }
    }

    #[test]
    fn countdowns_are_worded_in_the_ui_language() {
        assert_eq!(countdown(36 * 3_600), "36h");
        assert_eq!(countdown(-3 * 86_400), "-3d");
        assert_eq!(countdown(45 * 60), "45m");
        let _zh = test_lang::use_chinese();
        assert_eq!(countdown(36 * 3_600), "36小时");
        assert_eq!(countdown(2 * 86_400 + 7), "2天");
        assert_eq!(countdown(-45 * 60), "-45分钟");
    }

    #[test]
    fn every_time_and_money_error_has_words_of_its_own() {
        let said = [
            time_error(&TimeError::BadDate("x".into())),
            time_error(&TimeError::BadStamp("x".into())),
            time_error(&TimeError::NoSuchLocalTime("x".into())),
            time_error(&TimeError::OutOfRange("9999-01-01".into())),
            money_error(&MoneyError::NotANumber("x".into())),
            money_error(&MoneyError::BadCurrency("x".into())),
            money_error(&MoneyError::Negative),
            money_error(&MoneyError::NotPositive),
            money_error(&MoneyError::TooLarge),
            money_error(&MoneyError::CommaDecimal("1,5".into())),
        ];
        for s in said {
            assert!(
                !s.contains("import.") && !s.contains("form.") && !s.contains("err."),
                "{s}"
            );
        }
        assert_eq!(
            time_error(&TimeError::OutOfRange("9999-01-01".into())),
            "'9999-01-01' is not between 1900 and 2199"
        );
    }

    /// The failures that once reached the screen in English (a folder, a backup, the
    /// cipher, a damaged undo record, a reply to an outbound contact, the instruction
    /// sheet, SQLite itself), each run for real, say no English word in Chinese; the paths
    /// and numbers they name are the clerk's own and are left out of the check.
    #[test]
    fn the_rare_failures_say_no_english_word_in_chinese() {
        use crate::domain::contact::ContactDraft;
        use crate::domain::enums::{ContactChannel, Direction};
        use crate::store::undo::Change;
        use crate::store::{backup, cipher, contacts, undo, Context, Store};
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().display().to_string();
        let mut errors: Vec<(&str, StoreError)> = Vec::new();
        // A file stands where a folder would be made.
        let blocker = dir.path().join("1");
        std::fs::write(&blocker, "").unwrap();
        let folder = Store::open(&blocker.join("2").join("3")).err();
        errors.push(("folder", folder.expect("no folder under a file")));
        let store = crate::app::fixture::store(3);
        let made = backup::backup(&store, &blocker.join("4")).err();
        errors.push(("backup", made.expect("no backup folder under a file")));
        // The cipher will not convert a file another connection has open.
        let file = dir.path().join("5");
        let open = Store::open(&file).unwrap();
        let converted = cipher::convert(&file, None, Some("口令口令口令口令")).err();
        errors.push(("cipher", converted.expect("refused while open")));
        drop(open);
        let conn = store.conn();
        conn.execute(
            "INSERT INTO undo_log (at, label, images) VALUES (1, '1', '{')",
            [],
        )
        .unwrap();
        errors.push((
            "undo",
            undo::undo_last(conn).map(drop).expect_err("damaged"),
        ));
        let draft = ContactDraft {
            customer_id: 1,
            order_id: None,
            channel: ContactChannel::Phone,
            direction: Direction::Out,
            at: 1,
            summary: "已发货".into(),
        };
        let id = contacts::log(conn, &mut Change::new("1"), &draft).unwrap();
        let replied = contacts::reply(conn, &mut Change::new("1"), id, 2, "").err();
        errors.push(("reply", replied.expect("outbound needs no reply")));
        let order_no: String = conn
            .query_row("SELECT order_no FROM orders WHERE id = 1", [], |r| r.get(0))
            .unwrap();
        let sheet = crate::docs::instruction::gather(conn, 1).err();
        errors.push(("sheet", sheet.expect("an inquiry has no sheet")));
        let sql = conn
            .execute("DELETE FROM 无此表", [])
            .doing("testing")
            .err();
        errors.push(("sql", sql.expect("no such table")));

        let _zh = test_lang::use_chinese();
        for (what, e) in &errors {
            // The clerk's own data: the folder and the order number.
            let said = store_error(e).replace(&root, "").replace(&order_no, "");
            let english: Vec<&str> = said
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| !w.is_empty())
                .collect();
            assert!(english.is_empty(), "{what}: {said} ({e})");
        }
    }
}
