//! The small forms of the shipping desk: a shipment, an order's production progress, a new
//! exception, a document to attach. Each is a column of labelled fields checked one by one;
//! a field with a fixed vocabulary cycles its words with ←/→. Nothing is saved until every
//! field is valid.

use super::input::TextInput;
use crate::domain::enums::{
    DocumentKind, ExceptionCause, ExceptionKind, MaterialsState, ProductionStage, ShipMode,
    ShipmentStatus,
};
use crate::domain::money::{canonical, parse_decimal};
use crate::domain::time::{format_date, format_stamp_short, parse_date, parse_stamp, parse_until};
use crate::i18n::t;
use crate::store::production::Production;
use crate::store::shipments::ShipmentDraft;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rust_decimal::Decimal;
use std::str::FromStr;

/// What the form edits, and for which record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    Shipment {
        id: Option<i64>,
        version: Option<i64>,
    },
    Production {
        order_id: i64,
        order_no: String,
    },
    Exception {
        order_id: i64,
        order_no: String,
    },
    Document {
        order_id: i64,
        order_no: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EField {
    /// The field's name: its label is `sfield.<name>`.
    pub name: &'static str,
    pub input: TextInput,
    pub error: Option<String>,
    /// The words a vocabulary field accepts, and the string-table prefix that shows them.
    pub choices: Option<(Vec<&'static str>, &'static str)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityForm {
    pub kind: FormKind,
    pub fields: Vec<EField>,
    pub focus: usize,
    pub dirty: bool,
    /// Just moved onto this field: the first typed character replaces its text.
    pub fresh: bool,
    pub message: Option<String>,
}

/// What a valid form holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Valid {
    Shipment(ShipmentDraft),
    Production(Production),
    Exception {
        kind: ExceptionKind,
        cause: ExceptionCause,
        note: String,
    },
    Document {
        kind: DocumentKind,
        path: String,
    },
}

fn text(name: &'static str, value: impl Into<String>) -> EField {
    EField {
        name,
        input: TextInput::new(value),
        error: None,
        choices: None,
    }
}

fn choice(
    name: &'static str,
    words: Vec<&'static str>,
    prefix: &'static str,
    value: &str,
) -> EField {
    EField {
        name,
        input: TextInput::new(value),
        error: None,
        choices: Some((words, prefix)),
    }
}

fn stamp(ts: Option<i64>) -> String {
    ts.map(format_stamp_short).unwrap_or_default()
}

impl EntityForm {
    fn with(kind: FormKind, fields: Vec<EField>) -> EntityForm {
        EntityForm {
            kind,
            fields,
            focus: 0,
            dirty: false,
            fresh: true,
            message: None,
        }
    }

    /// A shipment form: blank (`id = None`, the order number given when known) or holding
    /// an existing shipment.
    pub fn shipment(id: Option<i64>, version: Option<i64>, d: &ShipmentDraft) -> EntityForm {
        let fields = vec![
            text("order_no", d.order_no.clone()),
            text("carrier", d.carrier.clone()),
            text("waybill_no", d.waybill_no.clone()),
            choice("mode", ShipMode::words(), "mode", d.mode.as_str()),
            text("shipped_at", stamp(d.shipped_at)),
            text("eta", stamp(d.eta)),
            text("delivered_at", stamp(d.delivered_at)),
            choice(
                "status",
                ShipmentStatus::words(),
                "shipment_status",
                d.status.as_str(),
            ),
            text("weight_kg", d.weight_kg.map(canonical).unwrap_or_default()),
            text(
                "packages",
                d.packages.map(|n| n.to_string()).unwrap_or_default(),
            ),
            text("notes", d.notes.clone()),
        ];
        let mut f = EntityForm::with(FormKind::Shipment { id, version }, fields);
        if id.is_none() && !d.order_no.is_empty() {
            f.focus = 1;
        }
        f
    }

    pub fn production(order_id: i64, order_no: &str, p: &Production) -> EntityForm {
        let fields = vec![
            choice(
                "stage",
                ProductionStage::words(),
                "prod_stage",
                p.stage.as_str(),
            ),
            choice(
                "materials",
                MaterialsState::words(),
                "prod_materials",
                p.materials.as_str(),
            ),
            text(
                "scheduled_start",
                p.scheduled_start.map(format_date).unwrap_or_default(),
            ),
            text(
                "planned_finish",
                p.planned_finish.map(format_date).unwrap_or_default(),
            ),
            text("percent", p.percent.to_string()),
        ];
        EntityForm::with(
            FormKind::Production {
                order_id,
                order_no: order_no.to_string(),
            },
            fields,
        )
    }

    pub fn exception(order_id: i64, order_no: &str) -> EntityForm {
        let fields = vec![
            choice("exc_kind", ExceptionKind::words(), "exc_kind", "delay"),
            choice("cause", ExceptionCause::words(), "exc_cause", "other"),
            text("note", ""),
        ];
        EntityForm::with(
            FormKind::Exception {
                order_id,
                order_no: order_no.to_string(),
            },
            fields,
        )
    }

    pub fn document(order_id: i64, order_no: &str) -> EntityForm {
        let fields = vec![
            text("path", ""),
            choice("doc_kind", DocumentKind::words(), "doc_kind", "po"),
        ];
        EntityForm::with(
            FormKind::Document {
                order_id,
                order_no: order_no.to_string(),
            },
            fields,
        )
    }

    /// The title's string key and the record it is about.
    pub fn title(&self) -> String {
        match &self.kind {
            FormKind::Shipment { id: None, .. } => t("shipment.new_title").to_string(),
            FormKind::Shipment { .. } => t("shipment.edit_title").to_string(),
            FormKind::Production { order_no, .. } => {
                format!("{} · {order_no}", t("production.title"))
            }
            FormKind::Exception { order_no, .. } => {
                format!("{} · {order_no}", t("exception.title"))
            }
            FormKind::Document { order_no, .. } => {
                format!("{} · {order_no}", t("document.title"))
            }
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.name == name)
            .map_or("", |f| f.input.value().trim())
    }

    pub fn next(&mut self, step: isize) {
        let n = self.fields.len() as isize;
        self.focus = ((self.focus as isize + step).rem_euclid(n)) as usize;
        self.fresh = true;
    }

    /// Applies an editing key to the focused field; ←/→ cycle a vocabulary field.
    pub fn type_key(&mut self, key: &KeyEvent) {
        let fresh = std::mem::replace(&mut self.fresh, false);
        let Some(field) = self.fields.get_mut(self.focus) else {
            return;
        };
        if let (Some((words, _)), KeyCode::Left | KeyCode::Right) = (&field.choices, key.code) {
            let at = words.iter().position(|w| *w == field.input.value().trim());
            let n = words.len();
            let next = match (at, key.code) {
                (Some(i), KeyCode::Right) => (i + 1) % n,
                (Some(i), _) => (i + n - 1) % n,
                (None, _) => 0,
            };
            field.input.set(words[next]);
            self.dirty = true;
            return;
        }
        let typed =
            matches!(key.code, KeyCode::Char(_)) && !key.modifiers.contains(KeyModifiers::CONTROL);
        if fresh && typed {
            field.input.set("");
        }
        self.dirty |= field.input.handle(key);
    }

    fn set_error(&mut self, name: &str, error: String) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.name == name) {
            if f.error.is_none() {
                f.error = Some(error);
            }
        }
    }

    /// Checks every field; on success what the form holds.
    pub fn validate(&mut self) -> Option<Valid> {
        for f in &mut self.fields {
            f.error = None;
            if let Some((words, _)) = &f.choices {
                if !words.contains(&f.input.value().trim()) {
                    f.error = Some(format!("{}: {}", t("form.one_of"), words.join(" | ")));
                }
            }
        }
        let result = match self.kind.clone() {
            FormKind::Shipment { .. } => self.check_shipment().map(Valid::Shipment),
            FormKind::Production { .. } => self.check_production().map(Valid::Production),
            FormKind::Exception { .. } => Some(Valid::Exception {
                kind: ExceptionKind::from_str(self.value("exc_kind"))
                    .unwrap_or(ExceptionKind::Other),
                cause: ExceptionCause::from_str(self.value("cause"))
                    .unwrap_or(ExceptionCause::Other),
                note: self.value("note").to_string(),
            }),
            FormKind::Document { .. } => {
                let path = self.value("path").to_string();
                if path.is_empty() {
                    self.set_error("path", t("document.path_required").to_string());
                } else if !std::path::Path::new(&expand_home(&path)).is_file() {
                    self.set_error("path", t("document.no_such_file").to_string());
                }
                Some(Valid::Document {
                    kind: DocumentKind::from_str(self.value("doc_kind"))
                        .unwrap_or(DocumentKind::Other),
                    path: expand_home(&path),
                })
            }
        };
        if self.fields.iter().any(|f| f.error.is_some()) || result.is_none() {
            self.message = Some(t("form.fix_fields").to_string());
            return None;
        }
        self.message = None;
        result
    }

    fn optional<T>(
        &mut self,
        name: &'static str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let text = self.value(name).to_string();
        if text.is_empty() {
            return None;
        }
        match parse(&text) {
            Ok(v) => Some(v),
            Err(e) => {
                self.set_error(name, e);
                None
            }
        }
    }

    fn check_shipment(&mut self) -> Option<ShipmentDraft> {
        let stamp = |s: &str| parse_stamp(s).map_err(|e| crate::ui::words::time_error(&e));
        let draft = ShipmentDraft {
            order_no: self.value("order_no").to_string(),
            carrier: self.value("carrier").to_string(),
            waybill_no: self.value("waybill_no").to_string(),
            mode: ShipMode::from_str(self.value("mode")).unwrap_or(ShipMode::Sea),
            shipped_at: self.optional("shipped_at", stamp),
            // A date alone means the end of that day: not late before it is over.
            eta: self.optional("eta", |s| {
                parse_until(s).map_err(|e| crate::ui::words::time_error(&e))
            }),
            delivered_at: self.optional("delivered_at", stamp),
            status: ShipmentStatus::from_str(self.value("status"))
                .unwrap_or(ShipmentStatus::Booked),
            weight_kg: self.optional("weight_kg", |s| {
                parse_decimal(s)
                    .map_err(|e| crate::ui::words::money_error(&e))
                    .and_then(|d| {
                        if d < Decimal::ZERO {
                            Err(t("shipment.err_negative").to_string())
                        } else {
                            Ok(d)
                        }
                    })
            }),
            packages: self.optional("packages", |s| {
                s.parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .ok_or_else(|| t("shipment.err_count").to_string())
            }),
            notes: self.value("notes").to_string(),
        };
        for (field, key) in draft.problems() {
            self.set_error(field, t(key).to_string());
        }
        Some(draft)
    }

    fn check_production(&mut self) -> Option<Production> {
        let date = |s: &str| parse_date(s).map_err(|e| crate::ui::words::time_error(&e));
        let percent_text = self.value("percent").to_string();
        let percent = match percent_text.trim_end_matches('%').trim().parse::<i64>() {
            Ok(p) => p,
            Err(_) => {
                self.set_error("percent", t("production.err_percent").to_string());
                0
            }
        };
        let p = Production {
            stage: ProductionStage::from_str(self.value("stage"))
                .unwrap_or(ProductionStage::Materials),
            materials: MaterialsState::from_str(self.value("materials"))
                .unwrap_or(MaterialsState::Pending),
            scheduled_start: self.optional("scheduled_start", date),
            planned_finish: self.optional("planned_finish", date),
            percent,
        };
        for (field, key) in p.problems() {
            self.set_error(field, t(key).to_string());
        }
        Some(p)
    }
}

/// `~/x` → the home folder's `x`, as a shell would.
fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(f: &mut EntityForm, name: &str, value: &str) {
        f.fields
            .iter_mut()
            .find(|x| x.name == name)
            .unwrap()
            .input
            .set(value);
    }

    fn error(f: &EntityForm, name: &str) -> Option<String> {
        f.fields
            .iter()
            .find(|x| x.name == name)
            .unwrap()
            .error
            .clone()
    }

    fn blank() -> ShipmentDraft {
        ShipmentDraft {
            order_no: String::new(),
            carrier: String::new(),
            waybill_no: String::new(),
            mode: ShipMode::Sea,
            shipped_at: None,
            eta: None,
            delivered_at: None,
            status: ShipmentStatus::Booked,
            weight_kg: None,
            packages: None,
            notes: String::new(),
        }
    }

    #[test]
    fn a_shipment_form_names_each_bad_field() {
        let mut f = EntityForm::shipment(None, None, &blank());
        set(&mut f, "eta", "next tuesday");
        set(&mut f, "weight_kg", "-3");
        set(&mut f, "packages", "two");
        set(&mut f, "mode", "boat");
        set(&mut f, "delivered_at", "2026-01-05 10:00");
        assert!(f.validate().is_none());
        for name in ["order_no", "eta", "weight_kg", "packages", "mode", "status"] {
            assert!(error(&f, name).is_some(), "{name} is marked");
        }
        set(&mut f, "order_no", "SO-1");
        set(&mut f, "eta", "2026-01-09");
        set(&mut f, "weight_kg", "12.5");
        set(&mut f, "packages", "2");
        set(&mut f, "mode", "air");
        set(&mut f, "status", "delivered");
        let Some(Valid::Shipment(d)) = f.validate() else {
            panic!("valid now: {:?}", f.fields)
        };
        assert_eq!(d.mode, ShipMode::Air);
        assert_eq!(d.weight_kg.map(canonical).as_deref(), Some("12.5"));
        assert!(d.delivered_at.is_some());
    }

    #[test]
    fn production_percent_is_0_to_100_and_vocabularies_cycle() {
        let mut f = EntityForm::production(1, "SO-1", &Production::default());
        set(&mut f, "percent", "120");
        assert!(f.validate().is_none());
        assert!(error(&f, "percent").is_some());
        set(&mut f, "percent", "40");
        set(&mut f, "scheduled_start", "2026-03-10");
        set(&mut f, "planned_finish", "2026-03-01");
        assert!(f.validate().is_none());
        assert!(error(&f, "planned_finish").is_some());
        set(&mut f, "planned_finish", "2026-03-20");
        f.focus = 0;
        f.type_key(&KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
        let Some(Valid::Production(p)) = f.validate() else {
            panic!("valid")
        };
        assert_eq!(p.stage, ProductionStage::Scheduled);
        assert_eq!(p.percent, 40);
    }
}
