//! The routes: the login form, the pages (each behind a session), the language switch and
//! the two static files. Reading and rendering happen on a blocking thread with a pooled
//! connection, in the reader's language.

use super::auth::Session;
use super::http::{self, cookie, found, language, see_other, set_cookie};
use super::lists;
use super::login;
use super::views::{self, Reader, View, ViewError};
use super::Desk;
use crate::i18n::{self, t, Lang};
use crate::store::list::ListContext;
use crate::store::users;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

pub(super) type Shared = State<Arc<Desk>>;

pub fn router(desk: Arc<Desk>) -> Router {
    let mut router = Router::new()
        .route("/", get(home))
        .route("/login", get(login::login_form).post(login::login))
        .route("/logout", post(login::logout))
        .route("/lang/{code}", get(switch_language))
        .route("/static/style.css", get(style))
        .route("/static/app.js", get(script))
        .route("/favicon.ico", get(|| async { StatusCode::NOT_FOUND }))
        .route("/orders", get(orders))
        .route("/orders/{order_no}", get(order))
        .route("/shipments", get(shipments))
        .route("/complaints", get(complaints))
        .route("/today", get(today))
        .route("/report", get(report))
        .route("/review", get(review))
        .fallback(not_found)
        .with_state(desk);
    for (name, value) in http::security_headers() {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    router
}

/// Where a login sends the reader back to: a path of this site only.
pub(super) fn safe_back(back: &str) -> &str {
    if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/orders"
    }
}

pub(super) fn page_context(
    lang: Lang,
    title: &str,
    session: Option<&Session>,
    section: &str,
    refresh: bool,
    path: &str,
) -> Value {
    json!({
        "lang": if lang == Lang::Zh { "zh-CN" } else { "en" },
        "title": title,
        "nav": session.is_some(),
        "user": session.map(|s| crate::domain::text::shown(&s.user).into_owned()).unwrap_or_default(),
        "role": session.map(|s| s.role.as_str()).unwrap_or("viewer"),
        "csrf": session.map(|s| s.csrf.clone()).unwrap_or_default(),
        "section": section,
        "refresh": refresh,
        "back": http::encode(path),
    })
}

pub(super) fn html_response(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

pub(super) fn render(
    desk: &Desk,
    template: &str,
    mut ctx: Value,
    page: Value,
) -> Result<String, minijinja::Error> {
    if let Value::Object(map) = &mut ctx {
        map.insert("page".into(), page);
    }
    desk.templates.render(
        template,
        minijinja::Value::from(minijinja::value::Serde(&ctx)),
    )
}

pub(super) fn error_page(
    desk: &Desk,
    status: StatusCode,
    message_key: &str,
    lang: Lang,
    session: Option<&Session>,
) -> Response {
    let body = i18n::with_lang(lang, || {
        let page = page_context(lang, t("web.error.title"), session, "", false, "/orders");
        render(
            desk,
            "error.html",
            json!({ "message": t(message_key) }),
            page,
        )
    });
    match body {
        Ok(b) => html_response(status, b),
        Err(_) => status.into_response(),
    }
}

/// The session the request carries, if it is alive.
pub(super) fn session_of(desk: &Desk, headers: &HeaderMap) -> Option<(String, Session)> {
    let id = cookie(headers, http::SESSION_COOKIE)?;
    desk.sessions.touch(id).map(|s| (id.to_string(), s))
}

/// A page behind the login: without a live session, 302 to the login form.
async fn page<F>(
    desk: Arc<Desk>,
    headers: &HeaderMap,
    section: &'static str,
    refresh: bool,
    path: String,
    view: F,
) -> Response
where
    F: FnOnce(&rusqlite::Connection, &Reader) -> views::ViewResult + Send + 'static,
{
    let Some((_, session)) = session_of(&desk, headers) else {
        return found(&format!("/login?next={}", http::encode(&path)));
    };
    let lang = language(headers);
    let d = desk.clone();
    let s = session.clone();
    let shown_path = path.clone();
    let done = tokio::task::spawn_blocking(move || {
        let conn = d.pool.get();
        i18n::with_lang(lang, || {
            // A removed account's sessions end here; a changed role counts from now.
            let role = match users::role(&conn, &s.user) {
                Ok(Some(role)) => role,
                Ok(None) => return Err(None),
                Err(e) => return Err(Some(ViewError::Store(e))),
            };
            let reader = Reader {
                role,
                ctx: ListContext::current(),
                windows: d.windows,
                targets: d.targets,
            };
            let View {
                template,
                title,
                data,
            } = view(&conn, &reader).map_err(Some)?;
            let mut session = s.clone();
            session.role = role;
            let page = page_context(lang, &title, Some(&session), section, refresh, &path);
            Ok(render(&d, template, data, page))
        })
    })
    .await;
    match done {
        Ok(Ok(Ok(body))) => html_response(StatusCode::OK, body),
        Ok(Ok(Err(e))) => {
            eprintln!("web desk: rendering {shown_path}: {e}");
            error_page(
                &desk,
                StatusCode::INTERNAL_SERVER_ERROR,
                "web.error.server",
                lang,
                Some(&session),
            )
        }
        Ok(Err(None)) => {
            desk.sessions.end_user(&session.user);
            found("/login")
        }
        Ok(Err(Some(ViewError::NotFound))) => error_page(
            &desk,
            StatusCode::NOT_FOUND,
            "web.error.not_found",
            lang,
            Some(&session),
        ),
        Ok(Err(Some(ViewError::Store(e)))) => {
            eprintln!(
                "web desk: {shown_path}: {}",
                crate::domain::text::shown(&e.to_string())
            );
            error_page(
                &desk,
                StatusCode::INTERNAL_SERVER_ERROR,
                "web.error.server",
                lang,
                Some(&session),
            )
        }
        Err(_) => error_page(
            &desk,
            StatusCode::INTERNAL_SERVER_ERROR,
            "web.error.server",
            lang,
            Some(&session),
        ),
    }
}

fn full_path(base: &str, raw: Option<&str>) -> String {
    match raw {
        Some(q) if !q.is_empty() => format!("{base}?{q}"),
        _ => base.to_string(),
    }
}

async fn orders(
    State(desk): Shared,
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: Result<Query<lists::OrdersQuery>, QueryRejection>,
) -> Response {
    let Ok(Query(q)) = q else {
        return error_page(
            &desk,
            StatusCode::BAD_REQUEST,
            "web.error.bad_request",
            language(&headers),
            None,
        );
    };
    let path = full_path("/orders", uri.query());
    page(desk, &headers, "orders", true, path, move |c, r| {
        lists::orders(c, r, &q)
    })
    .await
}

async fn order(State(desk): Shared, headers: HeaderMap, Path(order_no): Path<String>) -> Response {
    let path = format!("/orders/{}", http::encode(&order_no));
    page(desk, &headers, "orders", false, path, move |c, r| {
        views::order(c, r, &order_no)
    })
    .await
}

async fn shipments(
    State(desk): Shared,
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: Result<Query<lists::ShipmentsQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let path = full_path("/shipments", uri.query());
    page(desk, &headers, "shipments", true, path, move |c, r| {
        lists::shipments(c, r, &q)
    })
    .await
}

async fn complaints(
    State(desk): Shared,
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: Result<Query<lists::ComplaintsQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let path = full_path("/complaints", uri.query());
    page(desk, &headers, "complaints", true, path, move |c, r| {
        lists::complaints(c, r, &q)
    })
    .await
}

async fn today(State(desk): Shared, headers: HeaderMap) -> Response {
    page(desk, &headers, "today", true, "/today".into(), views::today).await
}

async fn report(
    State(desk): Shared,
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: Result<Query<views::ReportQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let path = full_path("/report", uri.query());
    page(desk, &headers, "report", false, path, move |c, r| {
        views::report(c, r, &q)
    })
    .await
}

async fn review(State(desk): Shared, headers: HeaderMap) -> Response {
    page(
        desk,
        &headers,
        "review",
        false,
        "/review".into(),
        views::review,
    )
    .await
}

async fn not_found(State(desk): Shared, headers: HeaderMap) -> Response {
    // Without a session even an unknown address goes to the login, so nothing is learnt.
    match session_of(&desk, &headers) {
        Some((_, s)) => error_page(
            &desk,
            StatusCode::NOT_FOUND,
            "web.error.not_found",
            language(&headers),
            Some(&s),
        ),
        None => found("/login"),
    }
}

async fn home(State(desk): Shared, headers: HeaderMap) -> Response {
    match session_of(&desk, &headers) {
        Some(_) => found("/orders"),
        None => found("/login"),
    }
}

async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        super::render::STYLE,
    )
        .into_response()
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        super::render::SCRIPT,
    )
        .into_response()
}

#[derive(serde::Deserialize)]
struct Back {
    #[serde(default)]
    back: String,
}

async fn switch_language(
    State(desk): Shared,
    Path(code): Path<String>,
    Query(b): Query<Back>,
) -> Response {
    let code = if code == "zh" { "zh" } else { "en" };
    let mut r = see_other(safe_back(&b.back));
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(http::LANG_COOKIE, code, desk.secure, Some(365 * 86400)),
    );
    r
}
