//! The routes: the login form, the pages (each behind a session), the language switch and
//! the two static files. Reading and rendering happen on a blocking thread with a pooled
//! connection, in the reader's language.

use super::auth::{same_token, token, Session};
use super::http::{self, cookie, found, language, see_other, set_cookie};
use super::views::{self, Reader, View, ViewError};
use super::Desk;
use crate::domain::account::{verify_password, Role};
use crate::i18n::{self, t, tf, Lang};
use crate::store::list::ListContext;
use crate::store::users::{self, LoginEvent};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

type Shared = State<Arc<Desk>>;

pub fn router(desk: Arc<Desk>) -> Router {
    let mut router = Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
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
fn safe_back(back: &str) -> &str {
    if back.starts_with('/') && !back.starts_with("//") && !back.contains('\\') {
        back
    } else {
        "/orders"
    }
}

fn page_context(
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

fn html_response(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

fn render(
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

fn error_page(
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
fn session_of(desk: &Desk, headers: &HeaderMap) -> Option<(String, Session)> {
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
    q: Result<Query<views::OrdersQuery>, QueryRejection>,
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
        views::orders(c, r, &q)
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
    q: Result<Query<views::ShipmentsQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let path = full_path("/shipments", uri.query());
    page(desk, &headers, "shipments", true, path, move |c, r| {
        views::shipments(c, r, &q)
    })
    .await
}

async fn complaints(
    State(desk): Shared,
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: Result<Query<views::ComplaintsQuery>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let path = full_path("/complaints", uri.query());
    page(desk, &headers, "complaints", true, path, move |c, r| {
        views::complaints(c, r, &q)
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

#[derive(serde::Deserialize, Default)]
struct Next {
    #[serde(default)]
    next: String,
}

/// The login form with its form token, also set as a cookie: a post must carry both. A
/// browser keeps the token it has, so a second login page (another tab, a favicon sent
/// here) does not spoil the form already shown.
fn login_page(
    desk: &Desk,
    headers: &HeaderMap,
    lang: Lang,
    status: StatusCode,
    message: &str,
    user: &str,
    next: &str,
) -> Response {
    let csrf = cookie(headers, http::LOGIN_COOKIE)
        .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string)
        .unwrap_or_else(token);
    let body = i18n::with_lang(lang, || {
        let page = page_context(lang, t("web.login.title"), None, "", false, "/login");
        render(
            desk,
            "login.html",
            json!({ "csrf": csrf, "message": message, "user": crate::domain::text::shown(user), "next": safe_back(next) }),
            page,
        )
    });
    let mut r = match body {
        Ok(b) => html_response(status, b),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(http::LOGIN_COOKIE, &csrf, desk.secure, Some(3600)),
    );
    r
}

async fn login_form(
    State(desk): Shared,
    headers: HeaderMap,
    q: Result<Query<Next>, QueryRejection>,
) -> Response {
    let next = q.map(|Query(n)| n.next).unwrap_or_default();
    if session_of(&desk, &headers).is_some() {
        return see_other(safe_back(&next));
    }
    login_page(
        &desk,
        &headers,
        language(&headers),
        StatusCode::OK,
        "",
        "",
        &next,
    )
}

#[derive(serde::Deserialize)]
struct LoginForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

async fn login(
    State(desk): Shared,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let lang = language(&headers);
    let Ok(Form(form)) = form else {
        return i18n::with_lang(lang, || {
            login_page(
                &desk,
                &headers,
                lang,
                StatusCode::FORBIDDEN,
                t("web.login.csrf"),
                "",
                "",
            )
        });
    };
    let expected = cookie(&headers, http::LOGIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !same_token(expected, &form.csrf) {
        return i18n::with_lang(lang, || {
            login_page(
                &desk,
                &headers,
                lang,
                StatusCode::FORBIDDEN,
                t("web.login.csrf"),
                &form.user,
                &form.next,
            )
        });
    }
    let address = peer.ip().to_string();
    let user: String = form
        .user
        .trim()
        .chars()
        .take(crate::domain::account::MAX_NAME_CHARS + 1)
        .collect();
    if let Some(wait) = desk.limiter.blocked(&user, &address) {
        let d = desk.clone();
        let (u, a) = (user.clone(), address.clone());
        let _ = tokio::task::spawn_blocking(move || audit(&d, LoginEvent::Limited, &u, &a)).await;
        let minutes = wait.as_secs().div_ceil(60).max(1);
        let message = i18n::with_lang(lang, || tf("web.login.limited", &[("minutes", &minutes)]));
        return login_page(
            &desk,
            &headers,
            lang,
            StatusCode::TOO_MANY_REQUESTS,
            &message,
            &user,
            &form.next,
        );
    }
    let d = desk.clone();
    let (u, a, password) = (
        user.clone(),
        address.clone(),
        zeroize::Zeroizing::new(form.password),
    );
    let outcome = tokio::task::spawn_blocking(move || -> Option<Role> {
        let creds = {
            let conn = d.pool.get();
            users::credentials(&conn, &u).ok().flatten()
        };
        // An unknown name costs the same time as a wrong password.
        let (hash, role) = match &creds {
            Some(c) => (c.password_hash.as_str(), Some(c.role)),
            None => (d.decoy_hash.as_str(), None),
        };
        let ok = verify_password(&password, hash) && role.is_some();
        audit(
            &d,
            if ok {
                LoginEvent::Login
            } else {
                LoginEvent::Failed
            },
            &u,
            &a,
        );
        role.filter(|_| ok)
    })
    .await
    .ok()
    .flatten();
    match outcome {
        Some(role) => {
            desk.limiter.succeeded(&user);
            let id = desk.sessions.start(&user, role);
            let mut r = see_other(safe_back(&form.next));
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(http::SESSION_COOKIE, &id, desk.secure, None),
            );
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(http::LOGIN_COOKIE, "", desk.secure, Some(0)),
            );
            r
        }
        None => {
            desk.limiter.failed(&user, &address);
            let message = i18n::with_lang(lang, || t("web.login.failed"));
            login_page(
                &desk,
                &headers,
                lang,
                StatusCode::UNAUTHORIZED,
                message,
                &user,
                &form.next,
            )
        }
    }
}

/// Logins go into the audit log; a log that cannot be written is said on stderr, and the
/// login still answered (the file may be busy with a long import).
fn audit(desk: &Desk, event: LoginEvent, user: &str, address: &str) {
    let mut writer = desk.writer.lock().unwrap_or_else(|e| e.into_inner());
    if let Err(e) = users::record(&mut writer, event, user, address) {
        eprintln!("web desk: cannot record a login in the audit log: {e}");
    }
}

#[derive(serde::Deserialize)]
struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(desk): Shared,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Response {
    let Some((id, session)) = session_of(&desk, &headers) else {
        return see_other("/login");
    };
    let csrf = form.map(|Form(f)| f.csrf).unwrap_or_default();
    if !same_token(&session.csrf, &csrf) {
        return error_page(
            &desk,
            StatusCode::FORBIDDEN,
            "web.login.csrf",
            language(&headers),
            Some(&session),
        );
    }
    desk.sessions.end(&id);
    let d = desk.clone();
    let address = peer.ip().to_string();
    let _ =
        tokio::task::spawn_blocking(move || audit(&d, LoginEvent::Logout, &session.user, &address))
            .await;
    let mut r = see_other("/login");
    r.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(http::SESSION_COOKIE, "", desk.secure, Some(0)),
    );
    r
}
