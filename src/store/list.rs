//! The list engine: a window of rows over a whole table, fetched with keyset paging
//! (`WHERE (sort, id) > (?, ?) ORDER BY sort, id LIMIT n`), so moving anywhere in a million
//! rows costs one indexed seek and never a large OFFSET. Each entity describes its query
//! once (`ListEntity`); screens hold a `ListQuery` and ask for windows.

use super::{Context, Result};
use rusqlite::types::Value;
use rusqlite::{Connection, Row, ToSql};

/// One way to order a list. `expr` must match an index for the list to stay fast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: &'static str,
    pub expr: &'static str,
    pub desc: bool,
}

/// One filter. Filters of the same group exclude each other; different groups combine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub key: String,
    pub group: &'static str,
    pub sql: String,
}

/// Values that filters and searches may refer to by name.
#[derive(Debug, Clone)]
pub struct ListContext {
    pub today: String,
    pub week_end: String,
    pub now: i64,
}

impl ListContext {
    pub fn current() -> ListContext {
        let today = crate::domain::time::today();
        let week_end = today + chrono::Duration::days(7);
        ListContext {
            today: crate::domain::time::format_date(today),
            week_end: crate::domain::time::format_date(week_end),
            now: crate::domain::time::now(),
        }
    }

    /// `today` as a date.
    pub fn day(&self) -> chrono::NaiveDate {
        crate::domain::time::parse_date(&self.today)
            .unwrap_or_else(|_| crate::domain::time::today())
    }
}

/// A search as a SQL condition with its own named parameters.
pub struct SearchClause {
    pub sql: String,
    pub params: Vec<(String, Value)>,
}

pub trait ListEntity: Sized {
    /// `FROM` part, with the joins the row needs.
    const FROM: &'static str;
    /// The smallest `FROM` that still counts the same rows.
    const COUNT_FROM: &'static str;
    /// The id column, unique, used to break ties in every sort.
    const ID: &'static str;
    /// The columns `from_row` reads, starting at index 2.
    const COLUMNS: &'static str;

    fn sorts() -> &'static [Sort];
    fn filters() -> Vec<Filter>;

    /// A filter whose key carries its value (e.g. one customer's id), not in `filters()`.
    fn dynamic_filter(_key: &str) -> Option<Filter> {
        None
    }

    /// The filter a key names, listed or dynamic.
    fn filter(key: &str) -> Option<Filter> {
        Self::filters()
            .into_iter()
            .find(|f| f.key == key)
            .or_else(|| Self::dynamic_filter(key))
    }

    fn search(query: &str) -> Option<SearchClause>;

    /// The search as it should run on this data: an entity may look at the data to choose
    /// the cheaper form of the same condition.
    fn search_in(_conn: &Connection, query: &str) -> Option<SearchClause> {
        Self::search(query)
    }
    fn from_row(row: &Row) -> rusqlite::Result<Self>;

    /// The same window as `fetch` by a cheaper route when one applies and can be shown to
    /// give the same rows; `None` leaves it to the general plan.
    fn quick_fetch(
        _conn: &Connection,
        _q: &ListQuery,
        _anchor: &Anchor,
        _limit: usize,
        _ctx: &ListContext,
    ) -> Result<Option<Page<Self>>> {
        Ok(None)
    }

    /// A condition the list applies when the clerk has neither searched nor filtered (the
    /// Orders list leaves archived orders out this way).
    fn default_condition() -> Option<&'static str> {
        None
    }

    /// The rows `default_condition` leaves out, so the screen can say how many are hidden.
    fn hidden_condition() -> Option<&'static str> {
        None
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    pub search: String,
    /// Keys of the active filters (at most one per group).
    pub filters: Vec<String>,
    pub sort: usize,
    /// Flips the sort's natural direction.
    pub reversed: bool,
}

/// Where a row sits in the order: its sort value and id.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    pub sort: Value,
    pub id: i64,
}

/// Where to start a window.
#[derive(Debug, Clone, PartialEq)]
pub enum Anchor {
    First,
    Last,
    /// Rows from this key on, this one included.
    From(Key),
    /// Rows after this key.
    After(Key),
    /// Rows before this key (returned in display order, nearest last).
    Before(Key),
}

pub struct Page<T> {
    pub keys: Vec<Key>,
    pub rows: Vec<T>,
}

/// A query's conditions as SQL, with their named parameters.
pub(super) struct Built {
    pub sql: String,
    pub params: Vec<(String, Value)>,
}

fn conditions<T: ListEntity>(conn: &Connection, q: &ListQuery, ctx: &ListContext) -> Built {
    conditions_with::<T>(q, ctx, T::search_in(conn, q.search.trim()))
}

/// The filters of `q` and the given form of its search, joined with AND.
pub(super) fn conditions_with<T: ListEntity>(
    q: &ListQuery,
    ctx: &ListContext,
    search: Option<SearchClause>,
) -> Built {
    let mut parts = Vec::new();
    let mut params: Vec<(String, Value)> = Vec::new();
    for key in &q.filters {
        if let Some(f) = T::filter(key) {
            parts.push(format!("({})", f.sql));
        }
    }
    if let Some(s) = search {
        parts.push(format!("({})", s.sql));
        params.extend(s.params);
    }
    if parts.is_empty() {
        if let Some(d) = T::default_condition() {
            parts.push(d.to_string());
        }
    }
    let sql = if parts.is_empty() {
        String::new()
    } else {
        parts.join(" AND ")
    };
    for (name, value) in [
        (":today", Value::Text(ctx.today.clone())),
        (":week_end", Value::Text(ctx.week_end.clone())),
        (":now", Value::Integer(ctx.now)),
    ] {
        if sql.contains(name) {
            params.push((name.to_string(), value));
        }
    }
    Built { sql, params }
}

fn sort_of<T: ListEntity>(q: &ListQuery) -> (Sort, bool) {
    let sorts = T::sorts();
    let sort = sorts.get(q.sort).copied().unwrap_or(sorts[0]);
    (sort, sort.desc ^ q.reversed)
}

/// Runs a list query whose columns are the sort value, the id, then `T::COLUMNS`.
pub(super) fn run<T: ListEntity>(
    conn: &Connection,
    sql: &str,
    params: &[(String, Value)],
) -> Result<Page<T>> {
    let mut stmt = conn.prepare_cached(sql).doing("preparing a list query")?;
    let named: Vec<(&str, &dyn ToSql)> = params
        .iter()
        .map(|(n, v)| (n.as_str(), v as &dyn ToSql))
        .collect();
    let mut rows = stmt.query(named.as_slice()).doing("reading a list")?;
    let mut page = Page {
        keys: Vec::new(),
        rows: Vec::new(),
    };
    while let Some(r) = rows.next().doing("reading a list")? {
        page.keys.push(Key {
            sort: r.get(0).doing("reading a list key")?,
            id: r.get(1).doing("reading a list key")?,
        });
        page.rows.push(T::from_row(r).doing("reading a list row")?);
    }
    Ok(page)
}

/// Up to `limit` rows at `anchor`, in display order.
pub fn fetch<T: ListEntity>(
    conn: &Connection,
    q: &ListQuery,
    anchor: &Anchor,
    limit: usize,
    ctx: &ListContext,
) -> Result<Page<T>> {
    if let Some(page) = T::quick_fetch(conn, q, anchor, limit, ctx)? {
        return Ok(page);
    }
    fetch_planned(conn, q, anchor, limit, ctx)
}

/// `fetch` by the general plan: a keyset walk of the list in its own order.
pub(crate) fn fetch_planned<T: ListEntity>(
    conn: &Connection,
    q: &ListQuery,
    anchor: &Anchor,
    limit: usize,
    ctx: &ListContext,
) -> Result<Page<T>> {
    let (sort, desc) = sort_of::<T>(q);
    let built = conditions::<T>(conn, q, ctx);
    let mut params = built.params;
    let mut conds = Vec::new();
    if !built.sql.is_empty() {
        conds.push(built.sql);
    }
    // Walking backwards means the opposite order, then reversing the rows.
    let backwards = matches!(anchor, Anchor::Last | Anchor::Before(_));
    let ascending = desc == backwards;
    let key = match anchor {
        Anchor::First | Anchor::Last => None,
        Anchor::From(k) => Some((k, if ascending { ">=" } else { "<=" })),
        Anchor::After(k) | Anchor::Before(k) => Some((k, if ascending { ">" } else { "<" })),
    };
    if let Some((k, op)) = key {
        conds.push(format!("({}, {}) {op} (:k_sort, :k_id)", sort.expr, T::ID));
        params.push((":k_sort".into(), k.sort.clone()));
        params.push((":k_id".into(), Value::Integer(k.id)));
    }
    let dir = if ascending { "ASC" } else { "DESC" };
    let where_ = if conds.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conds.join(" AND "))
    };
    let sql = format!(
        "SELECT {expr}, {id}, {cols} FROM {from} {where_} ORDER BY {expr} {dir}, {id} {dir} LIMIT {limit}",
        expr = sort.expr,
        id = T::ID,
        cols = T::COLUMNS,
        from = T::FROM,
    );
    let mut page = run::<T>(conn, &sql, &params)?;
    if backwards {
        page.keys.reverse();
        page.rows.reverse();
    }
    Ok(page)
}

/// Where row `id` sits in the query's order, or `None` when the query does not hold it.
pub fn key_of<T: ListEntity>(
    conn: &Connection,
    q: &ListQuery,
    id: i64,
    ctx: &ListContext,
) -> Result<Option<Key>> {
    let (sort, _) = sort_of::<T>(q);
    let built = conditions::<T>(conn, q, ctx);
    let mut params = built.params;
    params.push((":row_id".into(), Value::Integer(id)));
    let and = if built.sql.is_empty() {
        String::new()
    } else {
        format!("AND {}", built.sql)
    };
    let sql = format!(
        "SELECT {expr}, {id_col} FROM {from} WHERE {id_col} = :row_id {and}",
        expr = sort.expr,
        id_col = T::ID,
        from = T::COUNT_FROM,
    );
    let page = run_keys(conn, &sql, &params)?;
    Ok(page.into_iter().next())
}

/// How many rows of the query come before `key`: its position from the top.
pub fn rows_before<T: ListEntity>(
    conn: &Connection,
    q: &ListQuery,
    key: &Key,
    ctx: &ListContext,
) -> Result<u64> {
    let (sort, desc) = sort_of::<T>(q);
    let built = conditions::<T>(conn, q, ctx);
    let mut params = built.params;
    let op = if desc { ">" } else { "<" };
    let mut conds = vec![format!("({}, {}) {op} (:k_sort, :k_id)", sort.expr, T::ID)];
    if !built.sql.is_empty() {
        conds.push(built.sql);
    }
    params.push((":k_sort".into(), key.sort.clone()));
    params.push((":k_id".into(), Value::Integer(key.id)));
    // Counted only up to the cap: under a filter whose index does not hold the sort column,
    // every row before the key is a table read (seconds for a row deep in a big list).
    let sql = format!(
        "SELECT count(*) FROM (SELECT 1 FROM {} WHERE {} LIMIT {})",
        T::COUNT_FROM,
        conds.join(" AND "),
        POSITION_CAP + 1
    );
    let mut stmt = conn.prepare_cached(&sql).doing("preparing a count")?;
    let named: Vec<(&str, &dyn ToSql)> = params
        .iter()
        .map(|(n, v)| (n.as_str(), v as &dyn ToSql))
        .collect();
    stmt.query_row(named.as_slice(), |r| r.get::<_, i64>(0))
        .map(|n| n.max(0) as u64)
        .doing("finding a row's position")
}

fn run_keys(conn: &Connection, sql: &str, params: &[(String, Value)]) -> Result<Vec<Key>> {
    let mut stmt = conn.prepare_cached(sql).doing("preparing a list query")?;
    let named: Vec<(&str, &dyn ToSql)> = params
        .iter()
        .map(|(n, v)| (n.as_str(), v as &dyn ToSql))
        .collect();
    let rows = stmt
        .query_map(named.as_slice(), |r| {
            Ok(Key {
                sort: r.get(0)?,
                id: r.get(1)?,
            })
        })
        .doing("finding a row")?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .doing("finding a row")
}

/// A row's position (going to a row) is counted up to this many rows before it; more shows
/// as "10000+" until the cursor goes to the top or the end.
pub const POSITION_CAP: u64 = 10_000;

/// Searches are counted up to this many; more shows as "10000+".
pub const SEARCH_COUNT_CAP: u64 = 10_000;

/// How many rows the default view leaves out (closed orders), when the clerk has neither
/// searched nor filtered; `None` when nothing is left out by default.
pub fn count_hidden<T: ListEntity>(conn: &Connection, q: &ListQuery) -> Result<Option<u64>> {
    let Some(hidden) = T::hidden_condition() else {
        return Ok(None);
    };
    if !q.search.trim().is_empty() || !q.filters.is_empty() {
        return Ok(None);
    }
    let sql = format!("SELECT count(*) FROM {} WHERE {hidden}", T::COUNT_FROM);
    let n: i64 = conn
        .query_row(&sql, [], |r| r.get(0))
        .doing("counting the hidden rows")?;
    Ok(Some(n.max(0) as u64))
}

/// How many rows the query matches (an indexed count; screens ask for it after the first
/// frame). A search is counted only up to `SEARCH_COUNT_CAP` + 1, so a common word stays fast.
pub fn count<T: ListEntity>(conn: &Connection, q: &ListQuery, ctx: &ListContext) -> Result<u64> {
    let built = conditions::<T>(conn, q, ctx);
    let where_ = if built.sql.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", built.sql)
    };
    let sql = if q.search.trim().is_empty() {
        format!("SELECT count(*) FROM {} {where_}", T::COUNT_FROM)
    } else {
        format!(
            "SELECT count(*) FROM (SELECT 1 FROM {} {where_} LIMIT {})",
            T::COUNT_FROM,
            SEARCH_COUNT_CAP + 1
        )
    };
    let mut stmt = conn.prepare_cached(&sql).doing("preparing a count")?;
    let named: Vec<(&str, &dyn ToSql)> = built
        .params
        .iter()
        .map(|(n, v)| (n.as_str(), v as &dyn ToSql))
        .collect();
    stmt.query_row(named.as_slice(), |r| r.get::<_, i64>(0))
        .map(|n| n.max(0) as u64)
        .doing("counting a list")
}

/// Escapes `%`, `_` and `\` for a LIKE pattern written with `ESCAPE '\'`.
pub fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
