//! The shipping desk's keys on the Orders screen, for the open order (else the selected
//! one): its production progress, exceptions, documents and instruction sheet (`p`).

use super::{Ctx, OrdersScreen};
use crate::app::form::specs;
use crate::app::input::TextInput;
use crate::app::keymap::Action;
use crate::app::shipping::{Pick, PickFor};
use crate::app::{Mode, Prompt};
use crate::docs::instruction::{self, Address};
use crate::domain::time::{format_stamp_short, now};
use crate::i18n::{t, tf};
use crate::store::documents::{self, DocumentRow};
use crate::store::exceptions::{self, Step};
use crate::store::undo::Change;
use crate::store::{production, Context};

impl OrdersScreen {
    /// The shipping desk's keys on an order; `false` leaves the action to the others.
    pub(in crate::app) fn shipping_act(
        &mut self,
        ctx: &mut Ctx<'_>,
        action: Action,
    ) -> crate::store::Result<bool> {
        let Some((id, no)) = self.current() else {
            let shipping = matches!(
                action,
                Action::Instructions
                    | Action::Production
                    | Action::OpenException
                    | Action::InformCustomer
                    | Action::ResolveException
                    | Action::AttachDocument
                    | Action::OpenDocument
            );
            return Ok(shipping);
        };
        match action {
            // The full address on an encrypted desk is authorised (see `app::authorise`).
            Action::Instructions if ctx.store.passphrase().is_some() => {
                *ctx.mode = Mode::Prompt {
                    prompt: Prompt::SheetPassphrase { order: id },
                    input: TextInput::default(),
                }
            }
            Action::Instructions => write_sheet(ctx, id, Address::Full)?,
            Action::Production => {
                let current = production::load(ctx.store.conn(), id)?.unwrap_or_default();
                self.form = Some(specs::production(id, &no, &current));
            }
            Action::OpenException => self.form = Some(specs::exception(id, &no)),
            Action::InformCustomer => pick_exception(ctx, id, Step::Informed)?,
            Action::ResolveException => pick_exception(ctx, id, Step::Resolved)?,
            Action::AttachDocument => self.form = Some(specs::document(id, &no)),
            Action::OpenDocument => pick_document(ctx, id)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The order shown in the detail, else the one under the cursor: (id, order no.).
    pub(in crate::app) fn current(&self) -> Option<(i64, String)> {
        match &self.detail {
            Some(d) => Some((d.id, d.draft.order_no.clone())),
            None => self.list.selected().map(|r| (r.id, r.order_no.clone())),
        }
    }
}

fn exception_text(e: &exceptions::ExceptionRow) -> String {
    let mut s = format!(
        "{} · {} · {}",
        t(&format!("exc_kind.{}", e.kind)),
        t(&format!("exc_cause.{}", e.cause)),
        format_stamp_short(e.opened_at)
    );
    if !e.note.is_empty() {
        s.push_str(&format!(" · {}", e.note));
    }
    s
}

/// The order's exceptions still open at `step`: the only one is marked, several are
/// offered to pick from.
fn pick_exception(ctx: &mut Ctx<'_>, order: i64, step: Step) -> crate::store::Result<()> {
    let items: Vec<(i64, String)> = exceptions::list(ctx.store.conn(), order)?
        .into_iter()
        .filter(|e| match step {
            Step::Informed => e.customer_informed_at.is_none(),
            Step::Resolved => e.resolved_at.is_none(),
        })
        .map(|e| (e.id, exception_text(&e)))
        .collect();
    match items.as_slice() {
        [] => ctx.info(t("exception.none_open").into()),
        [(only, _)] => mark_exception(ctx, *only, step)?,
        _ => {
            *ctx.mode = Mode::Pick(Pick {
                purpose: PickFor::Exception(step),
                items,
                selected: 0,
            })
        }
    }
    Ok(())
}

/// The customer was informed of exception `id`, or it is resolved, now: one undoable step.
pub(in crate::app) fn mark_exception(
    ctx: &mut Ctx<'_>,
    id: i64,
    step: Step,
) -> crate::store::Result<()> {
    let tx = ctx.store.begin()?;
    let label = match step {
        Step::Informed => t("exception.undo_informed"),
        Step::Resolved => t("exception.undo_resolved"),
    };
    let mut change = Change::new(label);
    exceptions::mark(&tx, &mut change, id, step, now())?;
    change.record(&tx)?;
    tx.commit().doing("saving the exception")?;
    ctx.changed = true;
    ctx.info(
        match step {
            Step::Informed => t("exception.informed"),
            Step::Resolved => t("exception.resolved"),
        }
        .into(),
    );
    Ok(())
}

/// The order's documents: the only one opens, several are offered to pick from.
fn pick_document(ctx: &mut Ctx<'_>, order: i64) -> crate::store::Result<()> {
    let docs = documents::list(ctx.store.conn(), order)?;
    match docs.as_slice() {
        [] => ctx.info(t("document.none").into()),
        [only] => open_document(ctx, only),
        _ => {
            *ctx.mode = Mode::Pick(Pick {
                purpose: PickFor::Document,
                items: docs
                    .iter()
                    .map(|d| {
                        (
                            d.id,
                            format!(
                                "{} · {} · {}",
                                t(&format!("doc_kind.{}", d.kind)),
                                d.original_name,
                                format_stamp_short(d.added_at)
                            ),
                        )
                    })
                    .collect(),
                selected: 0,
            })
        }
    }
    Ok(())
}

/// Opens the stored copy with the system viewer, detached, its output discarded.
pub(in crate::app) fn open_document(ctx: &mut Ctx<'_>, doc: &DocumentRow) {
    let path = documents::full_path(ctx.store.path(), doc);
    if !path.is_file() {
        ctx.status
            .error(tf("document.missing", &[("path", &path.display())]));
        return;
    }
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(&path)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            // Reaped in the background, so no zombie stays behind.
            std::thread::spawn(move || child.wait());
            ctx.info(tf("document.opened", &[("path", &path.display())]));
        }
        Err(e) => ctx.status.error(tf(
            "document.open_failed",
            &[("path", &path.display()), ("error", &e)],
        )),
    }
}

/// Writes the order's instruction sheet with the address as `address` says.
pub(in crate::app) fn write_sheet(
    ctx: &mut Ctx<'_>,
    order: i64,
    address: Address,
) -> crate::store::Result<()> {
    let path = ctx.store.path().to_path_buf();
    let written = instruction::write_with(ctx.store.conn(), &path, order, address)?;
    let mut text = tf(
        "sheet.written",
        &[
            ("text", &written.text.display()),
            ("html", &written.html.display()),
        ],
    );
    if ctx.store.passphrase().is_none() && !ctx.workers.backups.unprotected_said {
        ctx.workers.backups.unprotected_said = true;
        text = format!("{text} · {}", t("authorise.unprotected_app"));
    }
    ctx.info(text);
    Ok(())
}
