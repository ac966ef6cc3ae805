//! The login form, logging in (a form token, a brake on guessing, the audit log) and out.

use super::auth::{same_token, token};
use super::http::{self, cookie, language, see_other, set_cookie};
use super::pages::{
    error_page, html_response, page_context, render, safe_back, session_of, Shared,
};
use super::Desk;
use crate::domain::account::{verify_password, Role};
use crate::i18n::{self, t, tf, Lang};
use crate::store::users::{self, LoginEvent};
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::header::{self, HeaderMap};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::net::SocketAddr;

#[derive(serde::Deserialize, Default)]
pub(super) struct Next {
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
        let page = page_context(lang, t("web.login.title"), false, "", false, "/login");
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

pub(super) async fn login_form(
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
pub(super) struct LoginForm {
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
}

pub(super) async fn login(
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
    let lease = desk.pool.get().await;
    let outcome = tokio::task::spawn_blocking(move || -> Option<Role> {
        let creds = lease.and_then(|conn| users::credentials(&conn, &u).ok().flatten());
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
pub(super) struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn logout(
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
