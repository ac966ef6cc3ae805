//! The routes: the login form, the pages (each behind a session), the language switch and
//! the two static files. Reading and rendering happen on a blocking thread with a pooled
//! connection, in the reader's language.

use super::auth::Session;
use super::cache;
use super::http::{self, cookie, found, language, see_other, set_cookie};
use super::lists;
use super::login;
use super::views::{self, Reader, View, ViewError};
use super::Desk;
use crate::domain::account::Role;
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

/// What the page frame shows. With `nav`, the frame holds the reader's own name, role and
/// form token as marks that `finish` fills in (pages are kept and shared between readers).
pub(super) fn page_context(
    lang: Lang,
    title: &str,
    nav: bool,
    section: &str,
    refresh: bool,
    path: &str,
) -> Value {
    json!({
        "lang": if lang == Lang::Zh { "zh-CN" } else { "en" },
        "title": title,
        "nav": nav,
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
        let page = page_context(
            lang,
            t("web.error.title"),
            session.is_some(),
            "",
            false,
            "/orders",
        );
        render(
            desk,
            "error.html",
            json!({ "message": t(message_key) }),
            page,
        )
    });
    match (body, session) {
        (Ok(b), Some(s)) => html_response(status, finish(&b, s, lang)),
        (Ok(b), None) => html_response(status, b),
        (Err(_), _) => status.into_response(),
    }
}

/// The session the request carries, if it is alive.
pub(super) fn session_of(desk: &Desk, headers: &HeaderMap) -> Option<(String, Session)> {
    let id = cookie(headers, http::SESSION_COOKIE)?;
    desk.sessions.touch(id).map(|s| (id.to_string(), s))
}

/// What reading and rendering a page came to.
enum Outcome {
    /// The account is gone: its sessions end.
    Gone,
    Page(Role, Result<String, minijinja::Error>),
    Failed(Role, ViewError),
}

/// A page behind the login: without a live session, 302 to the login form. A page that
/// `keeps` is served from the cache while the data and the day stay the same.
async fn page<F>(
    desk: Arc<Desk>,
    headers: &HeaderMap,
    section: &'static str,
    refresh: bool,
    path: String,
    keeps: bool,
    view: F,
) -> Response
where
    F: FnOnce(&rusqlite::Connection, &Reader) -> views::ViewResult + Send + 'static,
{
    let Some((_, mut session)) = session_of(&desk, headers) else {
        return found(&format!("/login?next={}", http::encode(&path)));
    };
    let lang = language(headers);
    // Taken before anything is read, so whatever is read is at least this new.
    let generation = desk.cache.generation();
    let ctx = ListContext::current();
    match desk.cache.role(generation, &session.user) {
        Some(None) => {
            desk.sessions.end_user(&session.user);
            return found("/login");
        }
        Some(Some(role)) if keeps => {
            if let Some(body) = desk.cache.page(generation, &ctx.today, lang, role, &path) {
                session.role = role;
                return html_response(StatusCode::OK, finish(&body, &session, lang));
            }
        }
        _ => {}
    }
    let Some(conn) = desk.pool.get().await else {
        return error_page(
            &desk,
            StatusCode::INTERNAL_SERVER_ERROR,
            "web.error.server",
            lang,
            Some(&session),
        );
    };
    let d = desk.clone();
    let user = session.user.clone();
    let shown_path = path.clone();
    let today = ctx.today.clone();
    let done = tokio::task::spawn_blocking(move || {
        i18n::with_lang(lang, || {
            // A removed account's sessions end here; a changed role counts from now.
            let role = match users::role(&conn, &user) {
                Ok(Some(role)) => role,
                Ok(None) => return Outcome::Gone,
                Err(e) => return Outcome::Failed(Role::Viewer, ViewError::Store(e)),
            };
            let reader = Reader {
                role,
                ctx,
                windows: d.windows,
                targets: d.targets,
            };
            let View {
                template,
                title,
                data,
            } = match view(&conn, &reader) {
                Ok(v) => v,
                Err(e) => return Outcome::Failed(role, e),
            };
            drop(conn);
            let page = page_context(lang, &title, true, section, refresh, &path);
            Outcome::Page(role, render(&d, template, data, page))
        })
    })
    .await;
    if let Ok(Outcome::Page(role, _) | Outcome::Failed(role, _)) = &done {
        session.role = *role;
    }
    let failed = |status, key| error_page(&desk, status, key, lang, Some(&session));
    match done {
        Ok(Outcome::Gone) => {
            desk.cache.keep_role(generation, &session.user, None);
            desk.sessions.end_user(&session.user);
            found("/login")
        }
        Ok(Outcome::Page(role, Ok(body))) => {
            desk.cache.keep_role(generation, &session.user, Some(role));
            let page = finish(&body, &session, lang);
            if keeps {
                let path = &shown_path;
                desk.cache
                    .keep_page(generation, &today, lang, role, path, Arc::from(body));
            }
            html_response(StatusCode::OK, page)
        }
        Ok(Outcome::Page(_, Err(e))) => {
            eprintln!("web desk: rendering {shown_path}: {e}");
            failed(StatusCode::INTERNAL_SERVER_ERROR, "web.error.server")
        }
        Ok(Outcome::Failed(_, ViewError::NotFound)) => {
            failed(StatusCode::NOT_FOUND, "web.error.not_found")
        }
        Ok(Outcome::Failed(_, ViewError::Store(e))) => {
            eprintln!(
                "web desk: {shown_path}: {}",
                crate::domain::text::shown(&e.to_string())
            );
            failed(StatusCode::INTERNAL_SERVER_ERROR, "web.error.server")
        }
        Err(_) => failed(StatusCode::INTERNAL_SERVER_ERROR, "web.error.server"),
    }
}

/// Escaped for HTML as the templates escape.
fn escape(text: &str) -> String {
    minijinja::HtmlEscape(text).to_string()
}

/// A rendered page with the reader's own name, role and form token in its frame.
fn finish(body: &str, session: &Session, lang: Lang) -> String {
    let role = i18n::with_lang(lang, || {
        t(&format!("web.role.{}", session.role.as_str())).to_string()
    });
    cache::personal(
        body,
        &escape(&crate::domain::text::shown(&session.user)),
        &escape(&role),
        &escape(&session.csrf),
    )
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
    page(desk, &headers, "orders", true, path, true, move |c, r| {
        lists::orders(c, r, &q)
    })
    .await
}

async fn order(State(desk): Shared, headers: HeaderMap, Path(order_no): Path<String>) -> Response {
    let path = format!("/orders/{}", http::encode(&order_no));
    page(desk, &headers, "orders", false, path, false, move |c, r| {
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
    page(
        desk,
        &headers,
        "shipments",
        true,
        path,
        false,
        move |c, r| lists::shipments(c, r, &q),
    )
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
    page(
        desk,
        &headers,
        "complaints",
        true,
        path,
        false,
        move |c, r| lists::complaints(c, r, &q),
    )
    .await
}

async fn today(State(desk): Shared, headers: HeaderMap) -> Response {
    page(
        desk,
        &headers,
        "today",
        true,
        "/today".into(),
        false,
        views::today,
    )
    .await
}

async fn report(
    State(desk): Shared,
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: Result<Query<views::ReportQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let path = full_path("/report", uri.query());
    page(desk, &headers, "report", false, path, false, move |c, r| {
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
        false,
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
