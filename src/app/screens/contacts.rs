//! The contact log's keys on orders, customers and complaints, shared by their screens:
//! `l` logs a contact with what is known filled in, `r` records the reply to an inbound
//! one now.

use super::Ctx;
use crate::app::form::{specs, Form};
use crate::domain::enums::Direction;
use crate::domain::time::format_stamp_short;
use crate::i18n::t;
use crate::store::contacts::{self, ContactItem, Scope};
use crate::store::customers;

type Result<T> = crate::store::Result<T>;

/// The contact form for customer `id`, by the channel they prefer, about `order_no`.
pub(super) fn contact_form(ctx: &Ctx<'_>, customer: i64, order_no: Option<&str>) -> Result<Form> {
    let (draft, _) = customers::draft(ctx.store.conn(), customer)?;
    Ok(specs::contact(
        customer,
        &draft.name,
        draft.preferred_channel.as_str(),
        order_no,
    ))
}

/// The inbound contact waiting longest in `scope`, to answer; `None` says there is none.
pub(super) fn reply_oldest(ctx: &mut Ctx<'_>, scope: Scope) -> Result<Option<Form>> {
    match contacts::oldest_unanswered(ctx.store.conn(), scope)? {
        Some(c) => reply(ctx, c.id, Some(&c)),
        None => {
            ctx.info(t("msg.no_unanswered").into());
            Ok(None)
        }
    }
}

/// Asks what the reply to inbound contact `id` said (`known` when on screen already);
/// saving it records the reply now. An outbound contact needs none: the status line says so.
pub(super) fn reply(
    ctx: &mut Ctx<'_>,
    id: i64,
    known: Option<&ContactItem>,
) -> Result<Option<Form>> {
    let c: ContactItem = match known.filter(|c| c.id == id) {
        Some(c) => c.clone(),
        None => match contacts::load(ctx.store.conn(), id)? {
            Some(c) => c,
            None => return Ok(None),
        },
    };
    if c.direction != Direction::In {
        ctx.info(t("msg.outbound_needs_no_reply").into());
        return Ok(None);
    }
    let what = format!("{} · {}", format_stamp_short(c.at), c.summary);
    Ok(Some(specs::reply(id, &what)))
}
