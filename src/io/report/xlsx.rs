//! `report --format xlsx`: a sheet of figures (this month and the month before), a sheet of
//! native Excel charts over their data, and one sheet per list behind the figures.

use super::figures::{charts, sections, verdict_word, Chart, Scale, Value};
use super::ReportData;
use crate::domain::report::SURVEY_FIELDS;
use crate::domain::time::format_stamp;
use crate::i18n::{t, tf};
use crate::store::report::ReportLists;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Chart as XlChart, ChartType, Color, ExcelDateTime, Format, Workbook, Worksheet, XlsxError,
};

struct Formats {
    bold: Format,
    title: Format,
    count: Format,
    rate: Format,
    two: Format,
    one: Format,
    amount: Format,
    stamp: Format,
    date: Format,
    detail: Format,
    met: Format,
    missed: Format,
}

/// A rate in colour with its verdict written after it, so print-outs keep the meaning.
fn verdict_format(met: bool, colour: u32) -> Format {
    Format::new()
        .set_num_format(format!("0.00%\" {}\"", verdict_word(met).replace('"', "")))
        .set_font_color(Color::RGB(colour))
        .set_bold()
}

impl Formats {
    fn new() -> Formats {
        Formats {
            bold: Format::new().set_bold(),
            title: Format::new().set_bold().set_font_size(14),
            count: Format::new().set_num_format("#,##0"),
            rate: Format::new().set_num_format("0.00%"),
            two: Format::new().set_num_format("0.00"),
            one: Format::new().set_num_format("0.0"),
            amount: Format::new().set_num_format("#,##0.00"),
            stamp: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            detail: Format::new().set_indent(1),
            met: verdict_format(true, 0x1a7f37),
            missed: verdict_format(false, 0xcf222e),
        }
    }
}

fn put_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: &Value,
    f: &Formats,
) -> Result<(), XlsxError> {
    match v {
        Value::None | Value::Rate(None) | Value::Number(None, _) => {}
        Value::Target(line) => {
            if let (Some(actual), Some(met)) = (line.actual, line.met) {
                let format = if met { &f.met } else { &f.missed };
                ws.write_number_with_format(row, col, actual, format)?;
            }
        }
        Value::Count(n) => {
            ws.write_number_with_format(row, col, *n as f64, &f.count)?;
        }
        Value::Rate(Some(r)) => {
            ws.write_number_with_format(row, col, *r, &f.rate)?;
        }
        Value::Number(Some(x), d) => {
            ws.write_number_with_format(row, col, *x, if *d == 1 { &f.one } else { &f.two })?;
        }
        Value::Amount(a) => {
            ws.write_number_with_format(row, col, a.to_f64().unwrap_or(0.0), &f.amount)?;
        }
    }
    Ok(())
}

fn put_stamp(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    ts: Option<i64>,
    f: &Formats,
) -> Result<(), XlsxError> {
    if let Some(ts) = ts {
        match ExcelDateTime::parse_from_str(&format_stamp(ts)) {
            Ok(d) => ws.write_datetime_with_format(row, col, &d, &f.stamp)?,
            Err(_) => ws.write_string(row, col, format_stamp(ts))?,
        };
    }
    Ok(())
}

fn put_date(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    date: Option<&str>,
    f: &Formats,
) -> Result<(), XlsxError> {
    if let Some(text) = date.filter(|d| !d.is_empty()) {
        match ExcelDateTime::parse_from_str(text) {
            Ok(d) => ws.write_datetime_with_format(row, col, &d, &f.date)?,
            Err(_) => ws.write_string(row, col, text)?,
        };
    }
    Ok(())
}

/// A list sheet: a bold header row, frozen, with a filter over `rows` rows.
fn list_sheet(
    name: &str,
    headers: &[&str],
    rows: usize,
    f: &Formats,
) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, t(h), &f.bold)?;
        ws.set_column_width(c as u16, 16)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, rows as u32, headers.len().saturating_sub(1) as u16)?;
    Ok(ws)
}

fn figures_sheet(data: &ReportData, f: &Formats) -> Result<Worksheet, XlsxError> {
    let month = data.current.month;
    let mut ws = Worksheet::new();
    ws.set_name(t("report.sheet.figures"))?;
    ws.write_string_with_format(0, 0, tf("report.heading", &[("month", &month)]), &f.title)?;
    ws.write_string(1, 0, t("report.note"))?;
    ws.write_string_with_format(3, 0, t("report.figure"), &f.bold)?;
    ws.write_string_with_format(3, 1, month.to_string(), &f.bold)?;
    ws.write_string_with_format(3, 2, month.prev().to_string(), &f.bold)?;
    ws.set_column_width(0, 44)?;
    ws.set_column_width(1, 16)?;
    ws.set_column_width(2, 16)?;
    let mut row = 4;
    for s in sections(&data.current, &data.previous) {
        ws.write_string_with_format(row, 0, s.title, &f.bold)?;
        row += 1;
        for fig in s.figures {
            if fig.detail {
                ws.write_string_with_format(row, 0, &fig.label, &f.detail)?;
            } else {
                ws.write_string(row, 0, &fig.label)?;
            }
            put_value(&mut ws, row, 1, &fig.current, f)?;
            put_value(&mut ws, row, 2, &fig.previous, f)?;
            row += 1;
        }
    }
    ws.set_freeze_panes(4, 1)?;
    Ok(ws)
}

/// Each chart's data in two columns, the native chart beside it.
fn charts_sheet(data: &ReportData, f: &Formats) -> Result<Worksheet, XlsxError> {
    let name = t("report.sheet.charts");
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 12)?;
    let mut top = 0u32;
    for chart in charts(data) {
        let Chart { title, scale, bars } = &chart;
        ws.write_string_with_format(top, 0, title, &f.bold)?;
        for (i, b) in bars.iter().enumerate() {
            let row = top + 1 + i as u32;
            ws.write_string(row, 0, &b.label)?;
            match scale {
                Scale::Percent if b.shown != "–" => {
                    ws.write_number_with_format(row, 1, b.value / 100.0, &f.rate)?;
                }
                Scale::Score if b.shown != "–" => {
                    ws.write_number_with_format(row, 1, b.value, &f.two)?;
                }
                Scale::Count => {
                    ws.write_number_with_format(row, 1, b.value, &f.count)?;
                }
                _ => {}
            }
        }
        let last = top + bars.len() as u32;
        let mut xl = XlChart::new(if *scale == Scale::Percent {
            ChartType::Column
        } else {
            ChartType::Bar
        });
        xl.add_series()
            .set_categories((name, top + 1, 0, last, 0))
            .set_values((name, top + 1, 1, last, 1))
            .set_name(title.as_str());
        xl.title().set_name(title.as_str());
        xl.legend().set_hidden();
        match scale {
            Scale::Percent => {
                xl.y_axis().set_min(0).set_max(1).set_num_format("0%");
            }
            Scale::Score => {
                xl.x_axis().set_min(0).set_max(5);
                xl.y_axis().set_reverse();
            }
            Scale::Count => {
                xl.x_axis().set_min(0);
                xl.y_axis().set_reverse();
            }
        }
        xl.set_width(560).set_height(300);
        ws.insert_chart(top, 3, &xl)?;
        top = (last + 2).max(top + 17);
    }
    Ok(ws)
}

fn list_sheets(lists: &ReportLists, f: &Formats) -> Result<Vec<Worksheet>, XlsxError> {
    let word = |prefix: &str, w: &str| t(&format!("{prefix}.{w}")).to_string();
    let mut won = list_sheet(
        t("report.sheet.won"),
        &[
            "report.col.order_no",
            "report.col.customer",
            "report.col.type",
            "report.col.status",
            "report.col.ordered_at",
            "report.col.due_date",
            "report.col.currency",
            "report.col.total",
        ],
        lists.won.len(),
        f,
    )?;
    for (i, o) in lists.won.iter().enumerate() {
        let r = i as u32 + 1;
        won.write_string(r, 0, &o.order_no)?;
        won.write_string(r, 1, &o.customer)?;
        won.write_string(r, 2, word("type", &o.order_type))?;
        won.write_string(r, 3, word("status", &o.status))?;
        put_stamp(&mut won, r, 4, Some(o.ordered_at), f)?;
        put_date(&mut won, r, 5, o.due_date.as_deref(), f)?;
        won.write_string(r, 6, &o.currency)?;
        won.write_number_with_format(r, 7, o.total.to_f64().unwrap_or(0.0), &f.amount)?;
    }

    let mut late = list_sheet(
        t("report.sheet.late"),
        &[
            "report.col.order_no",
            "report.col.customer",
            "report.col.type",
            "report.col.due_date",
            "report.col.first_due_date",
            "report.col.delivered_at",
            "report.col.days_late",
            "report.col.cause",
        ],
        lists.late.len(),
        f,
    )?;
    for (i, o) in lists.late.iter().enumerate() {
        let r = i as u32 + 1;
        late.write_string(r, 0, &o.order_no)?;
        late.write_string(r, 1, &o.customer)?;
        late.write_string(r, 2, word("type", &o.order_type))?;
        put_date(&mut late, r, 3, o.due_date.as_deref(), f)?;
        put_date(
            &mut late,
            r,
            4,
            o.first_due_date.as_deref().or(o.due_date.as_deref()),
            f,
        )?;
        put_stamp(&mut late, r, 5, Some(o.delivered_at), f)?;
        if let Some(days) = o.days_late() {
            late.write_number(r, 6, days as f64)?;
        }
        late.write_string(
            r,
            7,
            word(
                "report.cause",
                o.cause
                    .as_deref()
                    .unwrap_or(crate::domain::report::UNSPECIFIED),
            ),
        )?;
    }

    let mut complaints = list_sheet(
        t("report.sheet.complaints"),
        &[
            "report.col.complaint_no",
            "report.col.customer",
            "report.col.order_no",
            "report.col.type",
            "report.col.severity",
            "report.col.opened_at",
            "report.col.first_response_at",
            "report.col.response_hours",
            "report.col.resolved_at",
            "report.col.department",
        ],
        lists.complaints.len(),
        f,
    )?;
    for (i, c) in lists.complaints.iter().enumerate() {
        let r = i as u32 + 1;
        complaints.write_string(r, 0, &c.complaint_no)?;
        complaints.write_string(r, 1, &c.customer)?;
        complaints.write_string(r, 2, c.order_no.as_deref().unwrap_or(""))?;
        complaints.write_string(r, 3, word("complaint_type", &c.kind))?;
        complaints.write_string(r, 4, word("severity", &c.severity))?;
        put_stamp(&mut complaints, r, 5, Some(c.opened_at), f)?;
        put_stamp(&mut complaints, r, 6, c.first_response_at, f)?;
        if let Some(at) = c.first_response_at {
            complaints.write_number_with_format(
                r,
                7,
                (at - c.opened_at) as f64 / 3600.0,
                &f.two,
            )?;
        }
        put_stamp(&mut complaints, r, 8, c.resolved_at, f)?;
        if let Some(d) = &c.department {
            complaints.write_string(r, 9, word("report.department", d))?;
        }
    }

    let mut headers = vec!["report.col.customer", "report.col.date"];
    let fields: Vec<String> = SURVEY_FIELDS
        .iter()
        .map(|s| format!("report.survey.{s}"))
        .collect();
    headers.extend(fields.iter().map(String::as_str));
    headers.push("report.survey.willingness");
    let mut surveys = list_sheet(t("report.sheet.surveys"), &headers, lists.surveys.len(), f)?;
    for (i, s) in lists.surveys.iter().enumerate() {
        let r = i as u32 + 1;
        surveys.write_string(r, 0, &s.customer)?;
        put_date(&mut surveys, r, 1, Some(&s.date), f)?;
        let answers = s
            .answers
            .scores
            .iter()
            .chain(std::iter::once(&s.answers.willingness));
        for (c, v) in answers.enumerate() {
            if let Some(v) = v {
                surveys.write_number(r, 2 + c as u16, f64::from(*v))?;
            }
        }
    }

    let mut requirements = list_sheet(
        t("report.sheet.requirements"),
        &[
            "report.col.customer",
            "report.col.category",
            "report.col.text",
            "report.col.status",
            "report.col.forwarded_to",
            "report.col.resolved_at",
        ],
        lists.requirements.len(),
        f,
    )?;
    requirements.set_column_width(2, 48)?;
    for (i, q) in lists.requirements.iter().enumerate() {
        let r = i as u32 + 1;
        requirements.write_string(r, 0, &q.customer)?;
        requirements.write_string(r, 1, word("report.category", &q.category))?;
        requirements.write_string(r, 2, &q.text)?;
        requirements.write_string(r, 3, word("report.requirement", &q.status))?;
        if let Some(to) = &q.forwarded_to {
            requirements.write_string(r, 4, word("report.forwarded", to))?;
        }
        put_stamp(&mut requirements, r, 5, Some(q.resolved_at), f)?;
    }
    Ok(vec![won, late, complaints, surveys, requirements])
}

pub fn render(data: &ReportData, lists: &ReportLists) -> anyhow::Result<Vec<u8>> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    wb.push_worksheet(figures_sheet(data, &f)?);
    wb.push_worksheet(charts_sheet(data, &f)?);
    for ws in list_sheets(lists, &f)? {
        wb.push_worksheet(ws);
    }
    Ok(wb.save_to_buffer()?)
}
