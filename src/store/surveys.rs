//! SQL for satisfaction surveys: a customer's scores over time, and entering one.

use super::undo::Change;
use super::{audit, Context, Result};
use crate::domain::customer::Survey;
use crate::domain::time::{format_date, parse_date};
use rusqlite::{params, Connection, Row};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyItem {
    pub id: i64,
    pub survey: Survey,
}

fn item(r: &Row) -> rusqlite::Result<SurveyItem> {
    let date: String = r.get(1)?;
    let mut scores = [None; 6];
    for (i, s) in scores.iter_mut().enumerate() {
        *s = r.get(2 + i)?;
    }
    Ok(SurveyItem {
        id: r.get(0)?,
        survey: Survey {
            date: parse_date(&date).unwrap_or_default(),
            scores,
            willingness: r.get(8)?,
        },
    })
}

/// The customer's latest `limit` surveys, oldest first, so they read as a trend.
pub fn for_customer(conn: &Connection, customer: i64, limit: usize) -> Result<Vec<SurveyItem>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT * FROM (
                 SELECT id, date, accuracy, response, resolution, attitude, customisation,
                        quality, willingness
                 FROM surveys WHERE customer_id = ?1 ORDER BY date DESC, id DESC LIMIT ?2)
             ORDER BY date, id",
        )
        .doing("reading surveys")?;
    let rows = stmt
        .query_map(params![customer, limit as i64], item)
        .doing("reading surveys")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .doing("reading surveys")?;
    Ok(rows)
}

/// Enters a survey; returns its id. The caller has checked it (`Survey::check`).
pub fn add(conn: &Connection, change: &mut Change, customer: i64, survey: &Survey) -> Result<i64> {
    let [a, b, c, d, e, f] = survey.scores;
    conn.execute(
        "INSERT INTO surveys (customer_id, date, accuracy, response, resolution, attitude,
                              customisation, quality, willingness)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            customer,
            format_date(survey.date),
            a,
            b,
            c,
            d,
            e,
            f,
            survey.willingness
        ],
    )
    .doing("entering a survey")?;
    let id = conn.last_insert_rowid();
    change.inserted("surveys", id)?;
    audit::append(
        conn,
        "create",
        "survey",
        &id.to_string(),
        &json!({"customer_id": customer, "date": format_date(survey.date)}),
    )?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_data::{in_tx, store};
    use chrono::NaiveDate;

    #[test]
    fn surveys_read_back_oldest_first() {
        let mut store = store();
        in_tx(&mut store, |tx, ch| {
            for (day, w) in [(3, 9), (1, 6), (2, 10)] {
                let s = Survey {
                    date: NaiveDate::from_ymd_opt(2026, 1, day).unwrap(),
                    scores: [Some(5), None, Some(4), None, None, Some(3)],
                    willingness: Some(w),
                };
                add(tx, ch, 1, &s)?;
            }
            Ok(())
        })
        .unwrap();
        let got = for_customer(store.conn(), 1, 2).unwrap();
        let days: Vec<String> = got.iter().map(|s| format_date(s.survey.date)).collect();
        assert_eq!(
            days,
            ["2026-01-02", "2026-01-03"],
            "latest two, oldest first"
        );
        assert_eq!(got[1].survey.scores[2], Some(4));
        assert_eq!(got[1].survey.willingness, Some(9));
    }
}
