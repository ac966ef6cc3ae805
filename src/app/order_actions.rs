//! What the desk does for the Orders screen beyond its own keys (`screens::orders`): a
//! status change from an overlay, undo, and the lists read again after a change.

use super::tab::Tab;
use super::{status_key, App, AppResult};
use crate::domain::status::Status;
use crate::i18n::{t, tf};
use crate::store::orders::{self, StatusRequest};
use crate::store::undo::undo_last;
use crate::store::Context;
use std::str::FromStr;

impl App {
    /// One step of undo: all `ids` change together or none does (the Orders screen's).
    pub(super) fn change_status(
        &mut self,
        ids: &[i64],
        request: StatusRequest,
        happened_at: i64,
        note: Option<&str>,
    ) -> AppResult {
        self.on_screens(|s, c| s.orders.change_status(c, ids, request, happened_at, note))
    }

    pub(super) fn after_change(&mut self) -> AppResult {
        self.screens.orders.reload(&self.store)
    }

    pub(super) fn undo(&mut self) -> AppResult {
        let tx = self.store.begin()?;
        let undone = undo_last(&tx)?;
        tx.commit().doing("saving the undo")?;
        match undone {
            Some(u) => {
                self.info(undone_text(&u.label));
                self.after_desk_change()?;
                // The cursor goes to the order undone, so the clerk sees what came back.
                if let (Tab::Orders, Some(id)) = (self.tab, u.orders.first().copied()) {
                    if !self.screens.orders.list.select_id(id) {
                        self.screens.orders.list.reset(self.store.conn())?;
                        self.screens.orders.list.select_id(id);
                    }
                    if self
                        .screens
                        .orders
                        .detail
                        .as_ref()
                        .is_some_and(|d| d.id != id)
                    {
                        self.screens.orders.detail =
                            Some(orders::load_detail(self.store.conn(), id)?);
                    }
                }
                self.status.last_change = None;
                return Ok(());
            }
            None => self.info(t("msg.nothing_to_undo").into()),
        }
        self.status.last_change = None;
        // Undo may restore any record, not only orders.
        self.after_desk_change()
    }

    pub(super) fn after_save(&mut self, id: i64) -> AppResult {
        self.screens.orders.list.total = None;
        self.screens.orders.list.refresh(self.store.conn())?;
        if !self.screens.orders.list.select_id(id) {
            self.screens.orders.list.reset(self.store.conn())?;
            self.screens.orders.list.select_id(id);
        }
        if self.screens.orders.detail.is_some() {
            self.screens.orders.detail = Some(orders::load_detail(self.store.conn(), id)?);
        }
        Ok(())
    }
}

/// A step's label in the clerk's language (`undo.<label>`; a delivery names its waybill), or as recorded when it has none
/// (labels recorded in words already, by an older version).
fn label_words(label: &str) -> String {
    if let Some(waybill) = label.strip_prefix("deliver:") {
        return tf("shipment.undo_label", &[("waybill", &waybill)]);
    }
    let key = format!("undo.{}", label.replace([' ', '-'], "_"));
    match t(&key) {
        words if words == key => label.to_string(),
        words => words.to_string(),
    }
}

/// What the status line says after undo: the order and the status it went back to, when
/// the label says so; else the step in the clerk's language.
pub(super) fn undone_text(label: &str) -> String {
    let mut parts = label.rsplitn(3, ':');
    let (Some(to), Some(from), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return tf("msg.undone", &[("what", &label_words(label))]);
    };
    let (Some(order), Ok(from), Ok(to)) = (
        rest.strip_prefix("status:"),
        Status::from_str(from),
        Status::from_str(to),
    ) else {
        return tf("msg.undone", &[("what", &label)]);
    };
    // Undoing went from the change's end back to where it started.
    tf(
        "msg.undone_status",
        &[
            ("order", &order),
            ("from", &t(&status_key(to))),
            ("to", &t(&status_key(from))),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::undone_text;
    use crate::i18n::test_lang;

    /// A delivery's undo names its waybill in the language of the moment it is undone, not
    /// of the moment it was saved.
    #[test]
    fn a_delivery_is_undone_in_the_language_of_the_moment() {
        let label = "deliver:1Z1000000001992767";
        assert!(undone_text(label).contains("delivered 1Z1000000001992767"));
        let _zh = test_lang::use_chinese();
        let said = undone_text(label);
        assert!(said.contains("签收 1Z1000000001992767"), "{said}");
        assert!(!said.contains("deliver"), "{said}");
    }

    /// Every label a step is recorded with is told in Chinese without an English word.
    #[test]
    fn undo_names_every_step_in_chinese() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src/app");
        let mut labels = vec!["bulk status".to_string(), "status".to_string()];
        let mut stack = vec![std::path::PathBuf::from(root)];
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if ["tests", "fixture"].iter().any(|w| name.contains(w)) {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests {").next().unwrap_or("");
            for pat in ["Change::new(\"", "change_requirement(\""] {
                for (at, _) in code.match_indices(pat) {
                    let rest = &code[at + pat.len()..];
                    labels.push(rest[..rest.find('"').unwrap()].to_string());
                }
            }
            // The labels chosen by `if id.is_some()`: "edit order" / "new order" ….
            for line in code.lines().map(str::trim) {
                if let Some(l) = line.strip_prefix('"').and_then(|l| l.strip_suffix('"')) {
                    if l.starts_with("edit ") || l.starts_with("new ") {
                        labels.push(l.to_string());
                    }
                }
            }
        }
        assert!(labels.len() > 20, "{labels:?}");
        let _zh = test_lang::use_chinese();
        for label in labels {
            let said = undone_text(&label);
            assert!(
                !said.chars().any(|c| c.is_ascii_alphabetic()),
                "{label}: {said}"
            );
        }
    }
}
