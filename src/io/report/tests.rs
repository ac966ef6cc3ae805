use super::*;
use crate::app::fixture;
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use serde_json::Value as Json;
use std::collections::BTreeSet;

fn january() -> Month {
    "2026-01".parse().unwrap()
}

fn rendered(format: Format) -> Vec<u8> {
    let app = fixture::report_app();
    render(
        app.store.conn(),
        january(),
        crate::domain::time::now(),
        &Default::default(),
        format,
    )
    .unwrap()
}

/// Every key path of a JSON value, `a.b.c`.
fn paths(v: &Json, prefix: &str, out: &mut BTreeSet<String>) {
    if let Json::Object(map) = v {
        for (k, v) in map {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            out.insert(p.clone());
            paths(v, &p, out);
        }
    }
}

#[test]
fn json_has_exactly_the_spec_keys() {
    let v: Json = serde_json::from_slice(&rendered(Format::Json)).unwrap();
    let mut got = BTreeSet::new();
    paths(&v, "", &mut got);
    // Currency codes under `amount` depend on the data; everything else is fixed.
    got.retain(|p| !p.starts_with("orders.confirmed.amount."));
    let mut want: BTreeSet<String> = [
        "month",
        "orders",
        "orders.confirmed",
        "orders.confirmed.count",
        "orders.confirmed.amount",
        "orders.confirmed.by_type",
        "delivery",
        "delivery.delivered",
        "delivery.on_time",
        "delivery.on_time_rate",
        "delivery.on_time_vs_first_promise",
        "delivery.late_by_cause",
        "conversion",
        "conversion.won",
        "conversion.lost",
        "conversion.rate",
        "complaints",
        "complaints.opened",
        "complaints.by_type",
        "complaints.responded_within_24h",
        "complaints.response_rate_24h",
        "complaints.avg_first_response_hours",
        "complaints.closed",
        "complaints.closure_rate",
        "contacts",
        "contacts.inbound",
        "contacts.replied_within_24h",
        "contacts.reply_rate_24h",
        "contacts.by_channel",
        "satisfaction",
        "satisfaction.surveys",
        "satisfaction.accuracy",
        "satisfaction.response",
        "satisfaction.resolution",
        "satisfaction.attitude",
        "satisfaction.customisation",
        "satisfaction.quality",
        "satisfaction.nps",
        "requirements",
        "requirements.met",
        "requirements.declined",
        "requirements.fulfilment_rate",
        "conversion.by_customer_type",
        "conversion.by_cycle",
        "conversion.avg_days_to_confirm",
        "spot_checks",
        "spot_checks.checked",
        "spot_checks.accurate",
        "spot_checks.accuracy_rate",
        "status_updates",
        "status_updates.changes",
        "status_updates.recorded_within_1h",
        "status_updates.rate_1h",
        "targets",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    for (parent, words) in [
        (
            "orders.confirmed.by_type",
            vec!["regular", "rush", "custom"],
        ),
        (
            "delivery.late_by_cause",
            crate::domain::report::cause_words(),
        ),
        (
            "complaints.by_type",
            crate::domain::enums::ComplaintType::words(),
        ),
        (
            "contacts.by_channel",
            crate::domain::enums::ContactChannel::words(),
        ),
        ("conversion.by_cycle", vec!["0-7", "8-30", "31-90", "90+"]),
    ] {
        want.extend(words.into_iter().map(|w| format!("{parent}.{w}")));
    }
    for kind in ["new", "regular", "key_account", "distributor"] {
        for key in ["", ".won", ".lost", ".rate"] {
            want.insert(format!("conversion.by_customer_type.{kind}{key}"));
        }
    }
    for figure in [
        "on_time_rate",
        "response_rate_24h",
        "reply_rate_24h",
        "closure_rate",
        "rate_1h",
        "accuracy_rate",
    ] {
        for key in ["", ".target", ".actual", ".met"] {
            want.insert(format!("targets.{figure}{key}"));
        }
    }
    assert_eq!(got, want);
    assert_eq!(v["month"], "2026-01");
    assert_eq!(v["orders"]["confirmed"]["amount"]["USD"], "125.00");
    assert_eq!(v["delivery"]["on_time_rate"], 0.5);
}

#[test]
fn text_lines_up_both_months_and_the_trend() {
    let text = String::from_utf8(rendered(Format::Text)).unwrap();
    assert!(
        text.starts_with("OrderDesk monthly report 2026-01\n"),
        "{text}"
    );
    let line = |label: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label}:\n{text}"))
            .to_string()
    };
    let header = line("Figure");
    let rate = line("On-time delivery rate");
    assert!(
        header.ends_with("2025-12") && header.contains("2026-01"),
        "{header}"
    );
    assert!(
        rate.ends_with("100.00%") && rate.contains("50.00%"),
        "{rate}"
    );
    assert_eq!(
        unicode_width::UnicodeWidthStr::width(header.as_str()),
        unicode_width::UnicodeWidthStr::width(rate.as_str()),
        "columns line up"
    );
    assert!(line("Net promoter score").contains("0.0"));
    assert!(text.contains("2026-01   50.0%"), "{text}");
    assert!(
        !text.lines().any(|l| l.ends_with(' ')),
        "no trailing blanks"
    );
}

#[test]
fn the_page_is_self_contained_with_svg_charts() {
    let html = String::from_utf8(rendered(Format::Html)).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 5, "five charts");
    for banned in ["<script", "http://", "https://", "<link", "src="] {
        let outside_svg_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(!outside_svg_ns.contains(banned), "{banned} in the page");
    }
    assert!(html.contains("On-time delivery rate, last 12 months"));
    assert!(html.contains("<td>50.00%</td>"));
    assert_eq!(
        html::escape(r#"<b>"A&B"</b> 'x'"#),
        "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt; &#39;x&#39;"
    );
}

#[test]
fn the_workbook_has_figures_charts_and_the_lists_behind_them() {
    let bytes = rendered(Format::Xlsx);
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Figures",
            "Charts",
            "Orders won",
            "Late deliveries",
            "Complaints",
            "Surveys",
            "Requirements resolved"
        ]
    );
    let figures = wb.worksheet_range("Figures").unwrap();
    let row = |label: &str| {
        figures
            .rows()
            .find(|r| r[0] == Data::String(label.to_string()))
            .unwrap_or_else(|| panic!("no {label}"))
            .to_vec()
    };
    assert_eq!(row("On-time delivery rate")[1], Data::Float(0.5));
    assert_eq!(row("On-time delivery rate")[2], Data::Float(1.0));
    assert_eq!(row("Amount won, USD")[1], Data::Float(125.0));
    assert_eq!(row("Net promoter score")[1], Data::Float(0.0));
    let late = wb.worksheet_range("Late deliveries").unwrap();
    assert_eq!(late.height(), 3, "header and two late orders");
    assert_eq!(late.get((1, 7)), Some(&Data::String("Logistics".into())));
    assert_eq!(late.get((2, 7)), Some(&Data::String("Unspecified".into())));
    assert_eq!(wb.worksheet_range("Orders won").unwrap().height(), 5);
    assert_eq!(wb.worksheet_range("Complaints").unwrap().height(), 5);
}

#[test]
fn files_are_private_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.html");
    save(&path, b"<p>1</p>").unwrap();
    save(&path, b"<p>2</p>").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"<p>2</p>");
    assert!(!dir.path().join("r.partial").exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0);
    }
    assert!(save(&dir.path().join("no/such/dir/r.html"), b"x").is_err());
    let p = export_path(&dir.path().join("desk.db"), january(), Format::Xlsx);
    assert_eq!(p.parent().unwrap(), dir.path().join("exports"));
    assert!(p
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("report-2026-01-"));
}

#[test]
fn the_gathered_trend_is_the_twelve_month_walk() {
    let app = fixture::report_app();
    let c = app.store.conn();
    let now = crate::domain::time::now();
    for month in [january(), january().next(), january().prev()] {
        let data = gather(c, month, now, &Default::default()).unwrap();
        assert_eq!(
            data.trend,
            report::on_time_trend(c, month, TREND_MONTHS).unwrap()
        );
        assert_eq!(data.trend.len(), TREND_MONTHS);
    }
}
