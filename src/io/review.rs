//! The weekly review (SPEC §6 `review`): high-risk orders with their reasons, late
//! shipments, production bottlenecks and complaints awaiting a response, as aligned text or
//! as one self-contained printable HTML page.

use super::reminders::describe;
use crate::domain::time::format_stamp_short;
use crate::i18n::{lang, t, tf, Lang};
use crate::store::list::ListContext;
use crate::store::today::{bottlenecks, kind_items, Detail, ResponseWindows};
use crate::store::Context;
use crate::ui::text::{pad as fit, thousands};
use crate::ui::words::countdown;
use unicode_width::UnicodeWidthStr;

const PAGE: &str = include_str!("../../assets/review.html");

/// One section of the review: a titled table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub title: String,
    pub count: String,
    pub columns: Vec<String>,
    pub rows: Vec<Line>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub cells: Vec<String>,
    /// Past its date, shown in red on the page.
    pub late: bool,
    /// A target met, shown in green on the page (the row's words say it too).
    pub good: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub title: String,
    pub generated: String,
    pub sections: Vec<Section>,
}

fn cols(keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| t(&format!("review.col.{k}")).to_string())
        .collect()
}

/// Reads everything the review shows, in full.
pub fn gather(
    conn: &rusqlite::Connection,
    windows: ResponseWindows,
    ctx: &ListContext,
) -> crate::store::Result<Review> {
    let now = ctx.now;
    let today = ctx.day();
    let tx = conn
        .unchecked_transaction()
        .doing("reading the weekly review")?;
    let risky = kind_items(&tx, "high_risk", windows, ctx, None)?;
    let late = kind_items(&tx, "late_shipments", windows, ctx, None)?;
    let overdue = kind_items(&tx, "complaints_overdue", windows, ctx, None)?;
    let awaiting = kind_items(&tx, "complaints_awaiting", windows, ctx, None)?;
    let stages = bottlenecks(&tx, ctx)?;

    let risk_rows = risky
        .items
        .iter()
        .map(|i| {
            let x = describe(i, now, today);
            Line {
                cells: vec![x.what, x.customer, x.when, x.why],
                late: x.late,
                good: false,
            }
        })
        .collect();
    let ship_rows = late
        .items
        .iter()
        .map(|i| {
            let (order_no, carrier, eta) = match &i.detail {
                Detail::Shipment {
                    order_no,
                    carrier,
                    eta,
                } => (order_no.clone(), carrier.clone(), *eta),
                _ => Default::default(),
            };
            Line {
                cells: vec![
                    i.what.clone(),
                    order_no,
                    i.customer.clone(),
                    carrier,
                    format_stamp_short(eta),
                    countdown(now - eta),
                ],
                late: true,
                good: false,
            }
        })
        .collect();
    let stage_rows = stages
        .iter()
        .map(|b| Line {
            cells: vec![
                t(&format!("today.stage.{}", b.stage.as_str())).to_string(),
                thousands(b.orders),
                thousands(b.late),
            ],
            late: b.late > 0,
            good: false,
        })
        .collect();
    let complaint_rows = overdue
        .items
        .iter()
        .chain(&awaiting.items)
        .map(|i| {
            let (deadline, severity, kind) = match &i.detail {
                Detail::Complaint {
                    deadline,
                    severity,
                    kind,
                    ..
                } => (*deadline, severity.clone(), kind.clone()),
                _ => Default::default(),
            };
            let state = if deadline < now {
                tf(
                    "today.why.due_overdue",
                    &[("time", &countdown(now - deadline))],
                )
            } else {
                tf("today.why.due_in", &[("time", &countdown(deadline - now))])
            };
            Line {
                cells: vec![
                    i.what.clone(),
                    i.customer.clone(),
                    t(&format!("severity.{severity}")).to_string(),
                    t(&format!("complaint_type.{kind}")).to_string(),
                    format_stamp_short(deadline),
                    state,
                ],
                late: deadline < now,
                good: false,
            }
        })
        .collect();
    Ok(Review {
        title: tf("review.title", &[("date", &today.format("%Y-%m-%d"))]),
        generated: tf("review.generated", &[("at", &format_stamp_short(now))]),
        sections: vec![
            Section {
                title: t("review.high_risk").into(),
                count: thousands(risky.count),
                columns: cols(&["order_no", "customer", "due", "reasons"]),
                rows: risk_rows,
            },
            Section {
                title: t("review.late_shipments").into(),
                count: thousands(late.count),
                columns: cols(&[
                    "waybill", "order_no", "customer", "carrier", "eta", "late_by",
                ]),
                rows: ship_rows,
            },
            Section {
                title: t("review.bottlenecks").into(),
                count: thousands(stages.iter().map(|b| b.orders).sum()),
                columns: cols(&["stage", "orders", "past_finish"]),
                rows: stage_rows,
            },
            Section {
                title: t("review.complaints").into(),
                count: thousands(overdue.count + awaiting.count),
                columns: cols(&[
                    "complaint_no",
                    "customer",
                    "severity",
                    "type",
                    "deadline",
                    "response",
                ]),
                rows: complaint_rows,
            },
        ],
    })
}

/// The review as plain text, each section a table aligned by display width.
pub fn text(r: &Review) -> String {
    text_coloured(r, false)
}

/// The review as text; with `colour` (a terminal without NO_COLOR) the last cell of a row
/// past its date or a target missed is red, of a target met green, as on the page.
pub fn text_coloured(r: &Review, colour: bool) -> String {
    use crate::domain::text::shown;
    let mut out = format!("{}\n{}\n", r.title, r.generated);
    for s in &r.sections {
        out.push_str(&format!(
            "\n{}\n",
            tf(
                "review.section",
                &[("title", &s.title), ("count", &s.count)]
            )
        ));
        if s.rows.is_empty() {
            out.push_str(&format!("  {}\n", t("review.none")));
            continue;
        }
        let n = s.columns.len();
        let widths: Vec<usize> = (0..n)
            .map(|c| {
                s.rows
                    .iter()
                    .map(|l| l.cells.get(c).map_or(0, |x| shown(x).width()))
                    .chain([s.columns[c].width()])
                    .max()
                    .unwrap_or(0)
                    .min(40)
            })
            .collect();
        let line = |cells: &[String], tone: Option<&str>| {
            let text = cells
                .iter()
                .enumerate()
                .map(|(c, x)| {
                    let x = shown(x);
                    match (c + 1 == n, tone) {
                        (true, Some(code)) if colour => format!("\x1b[{code}m{x}\x1b[0m"),
                        (true, _) => x.into_owned(),
                        _ => fit(&x, widths[c]),
                    }
                })
                .collect::<Vec<_>>()
                .join("  ");
            format!("  {}\n", text.trim_end())
        };
        out.push_str(&line(&s.columns, None));
        for l in &s.rows {
            let tone = if l.late {
                Some("31")
            } else if l.good {
                Some("32")
            } else {
                None
            };
            out.push_str(&line(&l.cells, tone));
        }
    }
    out
}

/// The review as one printable HTML page: inline CSS, every text escaped by the template.
pub fn html(r: &Review) -> anyhow::Result<String> {
    use minijinja::{context, Value};
    let mut env = minijinja::Environment::new();
    env.add_template("review.html", PAGE)?;
    let lang = match lang() {
        Lang::Zh => "zh-CN",
        Lang::En => "en",
    };
    let sections: Vec<Value> = r
        .sections
        .iter()
        .map(|s| {
            let rows: Vec<Value> = s
                .rows
                .iter()
                .map(|l| context! { cells => l.cells.clone(), late => l.late, good => l.good })
                .collect();
            context! {
                title => s.title.clone(),
                count => s.count.clone(),
                columns => s.columns.clone(),
                rows => rows,
            }
        })
        .collect();
    let review = context! {
        title => r.title.clone(),
        generated => r.generated.clone(),
        sections => sections,
    };
    Ok(env.get_template("review.html")?.render(context! {
        review => review,
        lang => lang,
        none => t("review.none"),
    })?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn an_empty_desk_reviews_to_headings_and_none() {
        let store = Store::open_in_memory().unwrap();
        let r = gather(
            store.conn(),
            ResponseWindows::DEFAULT,
            &ListContext::current(),
        )
        .unwrap();
        let text = text(&r);
        assert!(
            !text.contains("review."),
            "every string key exists:\n{text}"
        );
        assert_eq!(text.matches(t("review.none")).count(), 3, "{text}");
        assert!(
            text.contains("Materials"),
            "stages are listed even when empty"
        );
        let page = html(&r).unwrap();
        assert!(page.contains("<h2>High-risk orders"));
    }
}
