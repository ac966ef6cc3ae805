//! The report laid out for people: sections of labelled figures (this month and the month
//! before) and the charts, in the chosen language. Every renderer and the Reports tab draw
//! from these, so they never disagree on what a figure is called or which figures there are.

use super::ReportData;
use crate::domain::enums::CustomerType;
use crate::domain::kpi::{decimal, percent};
use crate::domain::money::display_amount;
use crate::domain::report::conversion::CYCLE_BUCKETS;
use crate::domain::report::quality::TargetLine;
use crate::domain::report::{Counts, MonthReport, SURVEY_FIELDS};
use crate::i18n::{t, tf};
use rust_decimal::Decimal;
use std::collections::BTreeSet;

/// One figure's value, typed so that each medium can show it natively.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A heading row without a value of its own.
    None,
    Count(u64),
    /// A fraction in [0, 1]; `None` when there was nothing to rate.
    Rate(Option<f64>),
    /// A plain number with this many decimals; `None` when there was nothing to average.
    Number(Option<f64>, usize),
    Amount(Decimal),
    /// A rate held against its target: the rate and a word, met or missed.
    Target(TargetLine),
}

impl Value {
    /// As shown in text, on the page and on screen.
    pub fn text(&self) -> String {
        match self {
            Value::None => String::new(),
            Value::Count(n) => grouped(*n),
            Value::Rate(r) => percent(*r),
            Value::Number(v, d) => decimal(*v, *d),
            Value::Amount(a) => display_amount(*a),
            Value::Target(line) => match line.met {
                Some(met) => format!("{} {}", percent(line.actual), verdict_word(met)),
                None => percent(None),
            },
        }
    }

    /// Met (`Some(true)`) or missed, for a target with a rate to judge.
    pub fn verdict(&self) -> Option<bool> {
        match self {
            Value::Target(line) => line.met,
            _ => None,
        }
    }
}

/// `met` or `missed`: the colour of a verdict is never its only sign.
pub fn verdict_word(met: bool) -> &'static str {
    t(if met {
        "report.target.met"
    } else {
        "report.target.missed"
    })
}

/// `61,977`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A labelled figure: its value this month and the month before.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub label: String,
    /// A breakdown row under the figure above it.
    pub detail: bool,
    pub current: Value,
    pub previous: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: &'static str,
    pub figures: Vec<Figure>,
}

fn figure(
    label: impl Into<String>,
    pick: impl Fn(&MonthReport) -> Value,
    a: &MonthReport,
    b: &MonthReport,
) -> Figure {
    Figure {
        label: label.into(),
        detail: false,
        current: pick(a),
        previous: pick(b),
    }
}

/// A heading row and one row per vocabulary word.
fn breakdown(
    heading: &str,
    label_prefix: &str,
    pick: impl Fn(&MonthReport) -> &Counts,
    a: &MonthReport,
    b: &MonthReport,
) -> Vec<Figure> {
    let mut rows = vec![Figure {
        label: t(heading).to_string(),
        detail: false,
        current: Value::None,
        previous: Value::None,
    }];
    for (word, n) in pick(a).iter() {
        rows.push(Figure {
            label: t(&format!("{label_prefix}.{word}")).to_string(),
            detail: true,
            current: Value::Count(n),
            previous: Value::Count(pick(b).get(word)),
        });
    }
    rows
}

/// Every §4 figure of `a`, with `b` (the month before) beside it.
pub fn sections(a: &MonthReport, b: &MonthReport) -> Vec<Section> {
    let currencies: BTreeSet<&String> = a
        .orders
        .confirmed
        .amount
        .0
        .keys()
        .chain(b.orders.confirmed.amount.0.keys())
        .collect();
    let mut orders = vec![figure(
        t("report.fig.confirmed"),
        |r| Value::Count(r.orders.confirmed.count),
        a,
        b,
    )];
    for c in currencies {
        orders.push(figure(
            tf("report.fig.amount", &[("currency", c)]),
            |r| Value::Amount(r.orders.confirmed.amount.get(c)),
            a,
            b,
        ));
    }
    orders.extend(breakdown(
        "report.fig.by_type",
        "type",
        |r| &r.orders.confirmed.by_type,
        a,
        b,
    ));

    let mut delivery = vec![
        figure(
            t("report.fig.delivered"),
            |r| Value::Count(r.delivery.delivered),
            a,
            b,
        ),
        figure(
            t("report.fig.on_time"),
            |r| Value::Count(r.delivery.on_time),
            a,
            b,
        ),
        figure(
            t("report.fig.on_time_rate"),
            |r| Value::Rate(r.delivery.on_time_rate),
            a,
            b,
        ),
        figure(
            t("report.fig.on_time_first"),
            |r| Value::Count(r.delivery.on_time_vs_first_promise),
            a,
            b,
        ),
    ];
    delivery.extend(breakdown(
        "report.fig.late_by_cause",
        "report.cause",
        |r| &r.delivery.late_by_cause,
        a,
        b,
    ));

    let conversion = vec![
        figure(
            t("report.fig.won"),
            |r| Value::Count(r.conversion.won),
            a,
            b,
        ),
        figure(
            t("report.fig.lost"),
            |r| Value::Count(r.conversion.lost),
            a,
            b,
        ),
        figure(
            t("report.fig.conversion_rate"),
            |r| Value::Rate(r.conversion.rate),
            a,
            b,
        ),
    ];

    let conversion = [conversion, conversion_more(a, b)].concat();

    let mut complaints = vec![figure(
        t("report.fig.opened"),
        |r| Value::Count(r.complaints.opened),
        a,
        b,
    )];
    complaints.extend(breakdown(
        "report.fig.complaint_types",
        "complaint_type",
        |r| &r.complaints.by_type,
        a,
        b,
    ));
    complaints.extend([
        figure(
            t("report.fig.responded_24h"),
            |r| Value::Count(r.complaints.responded_within_24h),
            a,
            b,
        ),
        figure(
            t("report.fig.response_rate_24h"),
            |r| Value::Rate(r.complaints.response_rate_24h),
            a,
            b,
        ),
        figure(
            t("report.fig.avg_response_hours"),
            |r| Value::Number(r.complaints.avg_first_response_hours, 2),
            a,
            b,
        ),
        figure(
            t("report.fig.closed"),
            |r| Value::Count(r.complaints.closed),
            a,
            b,
        ),
        figure(
            t("report.fig.closure_rate"),
            |r| Value::Rate(r.complaints.closure_rate),
            a,
            b,
        ),
    ]);

    let mut contacts = vec![
        figure(
            t("report.fig.inbound"),
            |r| Value::Count(r.contacts.inbound),
            a,
            b,
        ),
        figure(
            t("report.fig.replied_24h"),
            |r| Value::Count(r.contacts.replied_within_24h),
            a,
            b,
        ),
        figure(
            t("report.fig.reply_rate_24h"),
            |r| Value::Rate(r.contacts.reply_rate_24h),
            a,
            b,
        ),
    ];
    contacts.extend(breakdown(
        "report.fig.by_channel",
        "channel",
        |r| &r.contacts.by_channel,
        a,
        b,
    ));

    let mut satisfaction = vec![figure(
        t("report.fig.surveys"),
        |r| Value::Count(r.satisfaction.surveys),
        a,
        b,
    )];
    for (i, field) in SURVEY_FIELDS.iter().enumerate() {
        satisfaction.push(figure(
            tf(
                "report.fig.average",
                &[("field", &t(&format!("report.survey.{field}")))],
            ),
            |r| Value::Number(r.satisfaction.averages()[i], 2),
            a,
            b,
        ));
    }
    satisfaction.push(figure(
        t("report.fig.nps"),
        |r| Value::Number(r.satisfaction.nps, 1),
        a,
        b,
    ));

    let requirements = vec![
        figure(
            t("report.fig.met"),
            |r| Value::Count(r.requirements.met),
            a,
            b,
        ),
        figure(
            t("report.fig.declined"),
            |r| Value::Count(r.requirements.declined),
            a,
            b,
        ),
        figure(
            t("report.fig.fulfilment_rate"),
            |r| Value::Rate(r.requirements.fulfilment_rate),
            a,
            b,
        ),
    ];

    [
        ("report.section.orders", orders),
        ("report.section.delivery", delivery),
        ("report.section.conversion", conversion),
        ("report.section.complaints", complaints),
        ("report.section.contacts", contacts),
        ("report.section.satisfaction", satisfaction),
        ("report.section.requirements", requirements),
        ("report.section.status_updates", status_updates(a, b)),
        ("report.section.spot_checks", spot_checks(a, b)),
        ("report.section.targets", targets(a, b)),
    ]
    .into_iter()
    .map(|(key, figures)| Section {
        title: t(key),
        figures,
    })
    .collect()
}

/// A heading row without values.
fn heading(label: &str) -> Figure {
    Figure {
        label: label.to_string(),
        detail: false,
        current: Value::None,
        previous: Value::None,
    }
}

fn detail(mut f: Figure) -> Figure {
    f.detail = true;
    f
}

/// Conversion by customer type and by sales cycle.
fn conversion_more(a: &MonthReport, b: &MonthReport) -> Vec<Figure> {
    let mut rows = vec![heading(t("report.fig.by_customer_type"))];
    for kind in <CustomerType as strum::IntoEnumIterator>::iter() {
        let name = t(&format!("customer_type.{kind}"));
        let by = |r: &MonthReport| r.conversion.by_customer_type.get(kind);
        rows.extend([
            detail(figure(
                tf("report.fig.type_won", &[("type", &name)]),
                |r| Value::Count(by(r).won),
                a,
                b,
            )),
            detail(figure(
                tf("report.fig.type_lost", &[("type", &name)]),
                |r| Value::Count(by(r).lost),
                a,
                b,
            )),
            detail(figure(
                tf("report.fig.type_rate", &[("type", &name)]),
                |r| Value::Rate(by(r).rate),
                a,
                b,
            )),
        ]);
    }
    rows.push(heading(t("report.fig.by_cycle")));
    for (bucket, _) in CYCLE_BUCKETS {
        rows.push(detail(figure(
            tf("report.fig.cycle_days", &[("bucket", &bucket)]),
            |r| Value::Count(r.conversion.by_cycle.get(bucket)),
            a,
            b,
        )));
    }
    rows.push(figure(
        t("report.fig.avg_days_to_confirm"),
        |r| Value::Number(r.conversion.avg_days_to_confirm, 2),
        a,
        b,
    ));
    rows
}

fn status_updates(a: &MonthReport, b: &MonthReport) -> Vec<Figure> {
    vec![
        figure(
            t("report.fig.changes"),
            |r| Value::Count(r.status_updates.changes),
            a,
            b,
        ),
        figure(
            t("report.fig.recorded_within_1h"),
            |r| Value::Count(r.status_updates.recorded_within_1h),
            a,
            b,
        ),
        figure(
            t("report.fig.rate_1h"),
            |r| Value::Rate(r.status_updates.rate_1h),
            a,
            b,
        ),
    ]
}

fn spot_checks(a: &MonthReport, b: &MonthReport) -> Vec<Figure> {
    vec![
        figure(
            t("report.fig.checked"),
            |r| Value::Count(r.spot_checks.checked),
            a,
            b,
        ),
        figure(
            t("report.fig.accurate"),
            |r| Value::Count(r.spot_checks.accurate),
            a,
            b,
        ),
        figure(
            t("report.fig.accuracy_rate"),
            |r| Value::Rate(r.spot_checks.accuracy_rate),
            a,
            b,
        ),
    ]
}

/// Each target: its figure and target in the label, the rate and met/missed as the value.
fn targets(a: &MonthReport, b: &MonthReport) -> Vec<Figure> {
    a.targets
        .0
        .iter()
        .map(|(name, line)| Figure {
            label: tf(
                "report.target.label",
                &[
                    ("name", &t(&format!("report.target.{name}"))),
                    ("target", &percent(Some(line.target))),
                ],
            ),
            detail: false,
            current: Value::Target(*line),
            previous: b.targets.get(name).map_or(Value::Rate(None), Value::Target),
        })
        .collect()
}

/// What a chart's bars measure, for scales and value labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Rates shown as percentages, 0–100.
    Percent,
    Count,
    /// Survey averages, 0–5.
    Score,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    /// Percent for `Scale::Percent`, else the value; 0 when there is none.
    pub value: f64,
    /// The value as written beside the bar (`–` when there is none).
    pub shown: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub scale: Scale,
    pub bars: Vec<Bar>,
}

impl Chart {
    /// The top of the value axis.
    pub fn max(&self) -> f64 {
        match self.scale {
            Scale::Percent => 100.0,
            Scale::Score => 5.0,
            Scale::Count => self.bars.iter().map(|b| b.value).fold(1.0, f64::max),
        }
    }
}

fn count_chart(title: &str, prefix: &str, counts: &Counts) -> Chart {
    Chart {
        title: t(title).to_string(),
        scale: Scale::Count,
        bars: counts
            .iter()
            .map(|(w, n)| Bar {
                label: t(&format!("{prefix}.{w}")).to_string(),
                value: n as f64,
                shown: grouped(n),
            })
            .collect(),
    }
}

/// The on-time trend over the last months.
pub fn trend_chart(data: &ReportData) -> Chart {
    Chart {
        title: t("report.chart.trend").to_string(),
        scale: Scale::Percent,
        bars: data
            .trend
            .iter()
            .map(|p| Bar {
                label: p.month.to_string(),
                value: p.on_time_rate.unwrap_or(0.0) * 100.0,
                shown: p
                    .on_time_rate
                    .map_or_else(|| "–".to_string(), |r| format!("{:.1}%", r * 100.0)),
            })
            .collect(),
    }
}

/// Complaint types, late causes, order types and satisfaction of the current month.
pub fn month_charts(r: &MonthReport) -> Vec<Chart> {
    let satisfaction = Chart {
        title: t("report.chart.satisfaction").to_string(),
        scale: Scale::Score,
        bars: SURVEY_FIELDS
            .iter()
            .zip(r.satisfaction.averages())
            .map(|(f, v)| Bar {
                label: t(&format!("report.survey.{f}")).to_string(),
                value: v.unwrap_or(0.0),
                shown: decimal(v, 2),
            })
            .collect(),
    };
    vec![
        count_chart(
            "report.chart.complaint_types",
            "complaint_type",
            &r.complaints.by_type,
        ),
        count_chart(
            "report.chart.late_causes",
            "report.cause",
            &r.delivery.late_by_cause,
        ),
        count_chart(
            "report.chart.order_types",
            "type",
            &r.orders.confirmed.by_type,
        ),
        satisfaction,
    ]
}

/// All five charts: the trend first.
pub fn charts(data: &ReportData) -> Vec<Chart> {
    let mut all = vec![trend_chart(data)];
    all.extend(month_charts(&data.current));
    all
}
