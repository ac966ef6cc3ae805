//! The order form: header fields and a grid of lines, checked field by field. Nothing is
//! saved until every field is valid; the store then saves the whole order in one step.

use super::input::TextInput;
use crate::domain::enums::OrderType;
use crate::domain::money::{canonical, parse_currency, parse_price, parse_quantity, MoneyError};
use crate::domain::order::{OrderDraft, OrderLine};
use crate::domain::status::Status;
use crate::domain::time::{format_date, format_stamp_short, now, parse_date, parse_stamp};
use crate::i18n::t;
use strum::{AsRefStr, EnumIter, IntoEnumIterator};

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, AsRefStr)]
#[strum(serialize_all = "snake_case")]
pub enum FieldKey {
    OrderNo,
    Customer,
    OrderType,
    Status,
    OrderedAt,
    DueDate,
    DueReason,
    DeliveryAddress,
    Currency,
    PaymentDue,
    PaidAt,
    MissingReason,
    Notes,
}

pub const LINE_COLUMNS: [&str; 5] = ["product_code", "spec", "quantity", "unit", "unit_price"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: FieldKey,
    pub input: TextInput,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LineInputs {
    pub cells: [TextInput; 5],
    pub errors: [Option<String>; 5],
}

/// Where the cursor is: a header field or a cell of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Field(usize),
    Cell { line: usize, col: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderForm {
    pub id: Option<i64>,
    pub version: Option<i64>,
    pub fields: Vec<Field>,
    pub lines: Vec<LineInputs>,
    pub focus: Focus,
    pub dirty: bool,
    /// Just moved onto this field: the first typed character replaces its text, as in a
    /// spreadsheet cell.
    pub fresh: bool,
    /// A problem with the whole form (e.g. the store refused it).
    pub message: Option<String>,
    original_due: Option<String>,
}

impl OrderForm {
    /// A blank form for a new order.
    pub fn new_order(currency: &str) -> OrderForm {
        let mut form = OrderForm::with(None, None, None);
        form.set(FieldKey::OrderType, &type_label(OrderType::Regular));
        form.set(FieldKey::Status, &status_label(Status::Inquiry));
        form.set(FieldKey::OrderedAt, &format_stamp_short(now()));
        form.set(FieldKey::Currency, currency);
        form.lines.push(LineInputs::default());
        form
    }

    /// A form holding an existing order; `customer` is its code.
    pub fn edit(id: i64, version: i64, draft: &OrderDraft, customer: &str) -> OrderForm {
        let due = draft.due_date.map(format_date);
        let mut form = OrderForm::with(Some(id), Some(version), due.clone());
        form.set(FieldKey::OrderNo, &draft.order_no);
        form.set(FieldKey::Customer, customer);
        form.set(FieldKey::OrderType, &type_label(draft.order_type));
        form.set(FieldKey::OrderedAt, &format_stamp_short(draft.ordered_at));
        form.set(FieldKey::DueDate, due.as_deref().unwrap_or(""));
        form.set(FieldKey::DeliveryAddress, &draft.delivery_address);
        form.set(FieldKey::Currency, &draft.currency);
        form.set(
            FieldKey::PaymentDue,
            &draft.payment_due.map(format_date).unwrap_or_default(),
        );
        form.set(
            FieldKey::PaidAt,
            &draft.paid_at.map(format_date).unwrap_or_default(),
        );
        form.set(FieldKey::MissingReason, &draft.missing_reason);
        form.set(FieldKey::Notes, &draft.notes);
        form.lines = draft
            .lines
            .iter()
            .map(|l| LineInputs {
                cells: [
                    TextInput::new(l.product_code.clone()),
                    TextInput::new(l.spec.clone()),
                    TextInput::new(canonical(l.quantity)),
                    TextInput::new(l.unit.clone()),
                    TextInput::new(l.unit_price.map(canonical).unwrap_or_default()),
                ],
                errors: Default::default(),
            })
            .collect();
        if form.lines.is_empty() {
            form.lines.push(LineInputs::default());
        }
        form.dirty = false;
        form
    }

    fn with(id: Option<i64>, version: Option<i64>, original_due: Option<String>) -> OrderForm {
        let fields = FieldKey::iter()
            .filter(|k| match k {
                FieldKey::Status => id.is_none(),
                FieldKey::DueReason => id.is_some(),
                _ => true,
            })
            .map(|key| Field {
                key,
                input: TextInput::default(),
                error: None,
            })
            .collect();
        OrderForm {
            id,
            version,
            fields,
            lines: Vec::new(),
            focus: Focus::Field(0),
            dirty: false,
            fresh: true,
            message: None,
            original_due,
        }
    }

    /// The field under the cursor, when it is a header field.
    pub fn focused_key(&self) -> Option<FieldKey> {
        match self.focus {
            Focus::Field(i) => self.fields.get(i).map(|f| f.key),
            Focus::Cell { .. } => None,
        }
    }

    /// Fills a field the clerk has left empty (a default from the customer).
    pub fn fill_empty(&mut self, key: FieldKey, value: &str) {
        if self.value(key).trim().is_empty() && !value.is_empty() {
            self.set(key, value);
            self.dirty = true;
        }
    }

    fn set(&mut self, key: FieldKey, value: &str) {
        if let Some(f) = self.fields.iter_mut().find(|f| f.key == key) {
            f.input.set(value);
        }
    }

    pub fn value(&self, key: FieldKey) -> &str {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map_or("", |f| f.input.value())
    }

    /// Whether the due-date reason applies: only when an existing due date is changed.
    pub fn due_changed(&self) -> bool {
        self.id.is_some()
            && self.original_due.is_some()
            && self.original_due.as_deref() != Some(self.value(FieldKey::DueDate).trim())
    }

    pub fn focused_input(&mut self) -> Option<&mut TextInput> {
        match self.focus {
            Focus::Field(i) => self.fields.get_mut(i).map(|f| &mut f.input),
            Focus::Cell { line, col } => self.lines.get_mut(line).map(|l| &mut l.cells[col]),
        }
    }

    fn slots(&self) -> Vec<Focus> {
        let mut s: Vec<Focus> = (0..self.fields.len()).map(Focus::Field).collect();
        for line in 0..self.lines.len() {
            for col in 0..LINE_COLUMNS.len() {
                s.push(Focus::Cell { line, col });
            }
        }
        s
    }

    pub fn next(&mut self, step: isize) {
        let slots = self.slots();
        let at = slots.iter().position(|s| *s == self.focus).unwrap_or(0) as isize;
        let n = slots.len() as isize;
        self.focus = slots[((at + step).rem_euclid(n)) as usize];
        self.fresh = true;
    }

    /// Applies an editing key to the focused input; returns whether the text changed.
    pub fn type_key(&mut self, key: &crossterm::event::KeyEvent) -> bool {
        let fresh = std::mem::replace(&mut self.fresh, false);
        let Some(input) = self.focused_input() else {
            return false;
        };
        let changed = input.type_over(key, fresh);
        self.dirty |= changed;
        changed
    }

    pub fn add_line(&mut self) {
        self.lines.push(LineInputs::default());
        self.focus = Focus::Cell {
            line: self.lines.len() - 1,
            col: 0,
        };
        self.fresh = true;
        self.dirty = true;
    }

    pub fn delete_line(&mut self) {
        if let Focus::Cell { line, .. } = self.focus {
            if line < self.lines.len() {
                self.lines.remove(line);
                self.dirty = true;
            }
            self.focus = if self.lines.is_empty() {
                Focus::Field(self.fields.len() - 1)
            } else {
                Focus::Cell {
                    line: line.min(self.lines.len() - 1),
                    col: 0,
                }
            };
        }
    }

    /// Checks every field; on success the draft to save and the due-date reason.
    /// `customer_id` resolves the customer field (a code or a name).
    pub fn validate(
        &mut self,
        customer_id: &dyn Fn(&str) -> Option<i64>,
    ) -> Option<(OrderDraft, Option<String>)> {
        let mut ok = true;
        let mut draft = OrderDraft {
            order_no: self.value(FieldKey::OrderNo).trim().to_string(),
            customer_id: None,
            order_type: OrderType::Regular,
            status: Status::Inquiry,
            ordered_at: now(),
            due_date: None,
            delivery_address: self.value(FieldKey::DeliveryAddress).trim().to_string(),
            currency: String::new(),
            payment_due: None,
            paid_at: None,
            missing_reason: self.value(FieldKey::MissingReason).trim().to_string(),
            notes: self.value(FieldKey::Notes).trim().to_string(),
            lines: Vec::new(),
        };
        let due_changed = self.due_changed();
        for i in 0..self.fields.len() {
            let key = self.fields[i].key;
            let text = self.fields[i].input.value().trim().to_string();
            let optional_date = |s: &str| {
                if s.is_empty() {
                    Ok(None)
                } else {
                    parse_date(s)
                        .map(Some)
                        .map_err(|e| crate::ui::words::time_error(&e))
                }
            };
            let result: Result<(), String> = match key {
                FieldKey::Customer if text.is_empty() => Ok(()),
                FieldKey::Customer => customer_id(&text)
                    .map(|id| draft.customer_id = Some(id))
                    .ok_or_else(|| t("form.no_such_customer").to_string()),
                FieldKey::OrderType => pick(&text, OrderType::iter(), type_label)
                    .map(|v| draft.order_type = v)
                    .ok_or_else(|| one_of(OrderType::iter().map(type_label))),
                FieldKey::Status => pick(&text, Status::iter(), status_label)
                    .map(|v| draft.status = v)
                    .ok_or_else(|| one_of(Status::iter().map(status_label))),
                FieldKey::OrderedAt => parse_stamp(&text)
                    .map(|v| draft.ordered_at = v)
                    .map_err(|e| crate::ui::words::time_error(&e)),
                FieldKey::DueDate => optional_date(&text).map(|v| draft.due_date = v),
                FieldKey::PaymentDue => optional_date(&text).map(|v| draft.payment_due = v),
                FieldKey::PaidAt => optional_date(&text).map(|v| draft.paid_at = v),
                FieldKey::Currency => parse_currency(&text)
                    .map(|v| draft.currency = v)
                    .map_err(|e| crate::ui::words::money_error(&e)),
                FieldKey::DueReason if due_changed && text.is_empty() => {
                    Err(t("form.due_reason_needed").to_string())
                }
                _ => Ok(()),
            };
            self.fields[i].error = result.err();
            ok &= self.fields[i].error.is_none();
        }
        for line in &mut self.lines {
            let v = |i: usize| line.cells[i].value().trim().to_string();
            let quantity = parse_quantity(&v(2)).map_err(|e| crate::ui::words::money_error(&e));
            let price = if v(4).is_empty() {
                Ok(None)
            } else {
                parse_price(&v(4))
                    .map(Some)
                    .map_err(|e| crate::ui::words::money_error(&e))
            };
            line.errors = Default::default();
            line.errors[2] = quantity.as_ref().err().cloned();
            line.errors[4] = price.as_ref().err().cloned();
            if let (Ok(q), Ok(Some(p))) = (&quantity, &price) {
                if q.checked_mul(*p).is_none() {
                    line.errors[4] = Some(crate::ui::words::money_error(&MoneyError::TooLarge));
                }
            }
            ok &= line.errors.iter().all(Option::is_none);
            if let (Ok(quantity), Ok(unit_price)) = (quantity, price) {
                draft.lines.push(OrderLine {
                    product_code: v(0),
                    spec: v(1),
                    quantity,
                    unit: v(3),
                    unit_price,
                });
            }
        }
        if !ok {
            self.message = Some(t("form.fix_fields").to_string());
            return None;
        }
        if draft.checked_total().is_none() {
            self.message = Some(format!(
                "{}: {}",
                t("col.total"),
                crate::ui::words::money_error(&MoneyError::TooLarge)
            ));
            return None;
        }
        // The lifecycle rule is checked here too, so the message lands on the form.
        if self.id.is_none() && draft.status != Status::Inquiry {
            let missing = draft.missing_fields();
            if let Err(e) = crate::domain::status::plan_change(
                Status::Inquiry,
                draft.status,
                &missing,
                !draft.missing_reason.is_empty(),
                Some("new"),
            ) {
                self.message = Some(crate::ui::words::transition_error(&e));
                return None;
            }
        }
        self.message = None;
        let reason = due_changed.then(|| self.value(FieldKey::DueReason).trim().to_string());
        Some((draft, reason))
    }
}

/// An order type as the clerk reads it (`Rush`, `加急`).
fn type_label(v: OrderType) -> String {
    t(&format!("type.{}", v.as_str())).to_string()
}

fn status_label(s: Status) -> String {
    t(&super::status_key(s)).to_string()
}

/// The choice typed as its label in the UI language or as its code, in any case.
fn pick<T: Copy + AsRef<str>>(
    text: &str,
    all: impl Iterator<Item = T>,
    label: fn(T) -> String,
) -> Option<T> {
    let text = text.trim().to_lowercase();
    all.into_iter()
        .find(|v| v.as_ref() == text || label(*v).to_lowercase() == text)
}

fn one_of(labels: impl Iterator<Item = String>) -> String {
    format!(
        "{}: {}",
        t("form.one_of"),
        labels.collect::<Vec<_>>().join(" | ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(text: &str) -> Option<i64> {
        (text == "C001").then_some(7)
    }

    fn type_into(form: &mut OrderForm, key: FieldKey, text: &str) {
        let i = form.fields.iter().position(|f| f.key == key).unwrap();
        form.fields[i].input.set(text);
    }

    #[test]
    fn a_new_form_validates_field_by_field() {
        let mut f = OrderForm::new_order("USD");
        type_into(&mut f, FieldKey::Customer, "NOPE");
        type_into(&mut f, FieldKey::DueDate, "2026-02-30");
        f.lines[0].cells[2].set("0");
        assert!(f.validate(&lookup).is_none());
        let err = |f: &OrderForm, k| f.fields.iter().find(|x| x.key == k).unwrap().error.clone();
        assert!(err(&f, FieldKey::Customer).is_some());
        assert!(err(&f, FieldKey::DueDate).is_some());
        assert!(f.lines[0].errors[2].is_some());

        type_into(&mut f, FieldKey::Customer, "C001");
        type_into(&mut f, FieldKey::DueDate, "2026-12-31");
        f.lines[0].cells[0].set("P-1");
        f.lines[0].cells[2].set("12");
        f.lines[0].cells[4].set("1.5");
        let (draft, reason) = f.validate(&lookup).expect("valid now");
        assert_eq!(draft.customer_id, Some(7));
        assert_eq!(draft.total().to_string(), "18.0");
        assert_eq!(reason, None);
    }

    #[test]
    fn a_choice_is_typed_as_its_label_or_its_code() {
        let zh = |v: OrderType| {
            match v {
                OrderType::Regular => "常规",
                OrderType::Rush => "加急",
                OrderType::Custom => "定制",
            }
            .to_string()
        };
        assert_eq!(pick("加急", OrderType::iter(), zh), Some(OrderType::Rush));
        assert_eq!(pick(" rush ", OrderType::iter(), zh), Some(OrderType::Rush));
        assert_eq!(pick("急", OrderType::iter(), zh), None);
        let err = |f: &OrderForm, k| {
            f.fields
                .iter()
                .find(|x| x.key == k)
                .and_then(|x| x.error.clone())
        };
        let mut f = OrderForm::new_order("USD");
        assert_eq!(f.value(FieldKey::OrderType), "Regular");
        type_into(&mut f, FieldKey::OrderType, "RUSH");
        type_into(&mut f, FieldKey::Status, "Quoted");
        type_into(&mut f, FieldKey::DueDate, "2026-13-45");
        assert!(f.validate(&lookup).is_none());
        assert_eq!(err(&f, FieldKey::OrderType), None);
        assert_eq!(err(&f, FieldKey::Status), None);
        assert_eq!(
            err(&f, FieldKey::DueDate),
            Some("'2026-13-45' is not a date (YYYY-MM-DD)".to_string())
        );
        type_into(&mut f, FieldKey::OrderType, "express");
        assert!(f.validate(&lookup).is_none());
        assert_eq!(
            err(&f, FieldKey::OrderType),
            Some("one of: Regular | Rush | Custom".to_string())
        );
    }

    #[test]
    fn a_new_confirmed_order_must_be_complete_or_explained() {
        let mut f = OrderForm::new_order("USD");
        type_into(&mut f, FieldKey::Status, "confirmed");
        f.lines[0].cells[2].set("1");
        assert!(f.validate(&lookup).is_none());
        // Named by the field's label, in the UI language.
        assert!(f.message.as_deref().unwrap_or("").contains("Customer"));
        type_into(&mut f, FieldKey::MissingReason, "PO pending");
        assert!(f.validate(&lookup).is_some());
    }

    #[test]
    fn changing_a_due_date_asks_why() {
        let draft = OrderDraft {
            order_no: "SO-1".into(),
            customer_id: Some(7),
            order_type: OrderType::Rush,
            status: Status::Confirmed,
            ordered_at: 1_700_000_000,
            due_date: parse_date("2026-12-01").ok(),
            delivery_address: "x".into(),
            currency: "USD".into(),
            payment_due: None,
            paid_at: None,
            missing_reason: String::new(),
            notes: String::new(),
            lines: vec![],
        };
        let mut f = OrderForm::edit(1, 3, &draft, "C001");
        assert!(!f.dirty);
        type_into(&mut f, FieldKey::DueDate, "2026-12-09");
        f.lines[0].cells[2].set("1");
        assert!(f.validate(&lookup).is_none(), "reason missing");
        type_into(&mut f, FieldKey::DueReason, "customer asked");
        let (_, reason) = f.validate(&lookup).unwrap();
        assert_eq!(reason.as_deref(), Some("customer asked"));
    }

    #[test]
    fn focus_walks_fields_then_cells_and_wraps() {
        let mut f = OrderForm::new_order("CNY");
        let n = f.fields.len();
        f.next(n as isize);
        assert_eq!(f.focus, Focus::Cell { line: 0, col: 0 });
        f.next(5);
        assert_eq!(f.focus, Focus::Field(0));
        f.next(-1);
        assert_eq!(f.focus, Focus::Cell { line: 0, col: 4 });
        f.add_line();
        assert_eq!(f.focus, Focus::Cell { line: 1, col: 0 });
        f.delete_line();
        assert_eq!(f.lines.len(), 1);
    }
}
