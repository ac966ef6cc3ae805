//! The Customers screen's own keys: the list, the open customer and its lines (Enter opens
//! an order or complaint on its tab), the customer form, contacts, requirements on their
//! way, surveys and the key-account mark.

use super::{contacts, Ctx, CustomersScreen, Goto};
use crate::app::desk::{customer_items, is_move, Item};
use crate::app::desk_modes::{step, ChoicePurpose};
use crate::app::form::{specs, Form};
use crate::app::keymap::Action;
use crate::app::Mode;
use crate::domain::enums::RequirementStatus;
use crate::i18n::{t, tf};
use crate::store::contacts::Scope;
use crate::store::undo::Change;
use crate::store::{customers, Context};

impl CustomersScreen {
    /// The keys only this screen has; `false` leaves the action to the rest of the desk.
    pub(in crate::app) fn act(
        &mut self,
        ctx: &mut Ctx<'_>,
        action: Action,
    ) -> crate::store::Result<bool> {
        let open = self.detail.is_some();
        match action {
            // Enter on a line of the open customer: its order or complaint on its own tab.
            Action::Open if open => {
                ctx.goto = match self.selected_item() {
                    Some(Item::Order(id)) => Some(Goto::Order(id)),
                    Some(Item::Complaint(id)) => Some(Goto::Complaint(id)),
                    _ => None,
                }
            }
            Action::Open => {
                if let Some(id) = self.list.selected_id() {
                    self.detail = Some(customers::load_detail(ctx.store.conn(), id)?);
                    self.item = 0;
                }
            }
            Action::Back if open => self.detail = None,
            a if open && is_move(a) => {
                let n = self.detail.as_ref().map_or(0, |d| customer_items(d).len());
                self.item = step(self.item, n, a);
            }
            Action::New => self.form = Some(specs::customer(None)),
            Action::Edit => {
                if let Some((id, _, _)) = self.current() {
                    let (draft, version) = customers::draft(ctx.store.conn(), id)?;
                    self.form = Some(specs::customer(Some((id, version, &draft))));
                }
            }
            Action::LogContact => {
                self.with_customer(|id, name, channel| specs::contact(id, name, channel, None))
            }
            Action::Respond => self.respond(ctx)?,
            Action::AddRequirement => {
                self.with_customer(|id, name, _| specs::requirement(id, name))
            }
            Action::Survey => self.with_customer(|id, name, _| specs::survey(id, name)),
            Action::ForwardRequirement | Action::CloseRequirement => {
                self.requirement_choice(ctx, action)
            }
            Action::KeyAccount => self.toggle_key_account(ctx)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The customer on screen: the open detail's, else the list's selected row: (id, name,
    /// preferred channel).
    fn current(&self) -> Option<(i64, String, String)> {
        if let Some(d) = &self.detail {
            return Some((
                d.id,
                d.draft.name.clone(),
                d.draft.preferred_channel.as_str().to_string(),
            ));
        }
        self.list
            .selected()
            .map(|r| (r.id, r.name.clone(), r.channel.clone()))
    }

    fn with_customer(&mut self, form: impl FnOnce(i64, &str, &str) -> Form) {
        if let Some((id, name, channel)) = self.current() {
            self.form = Some(form(id, &name, &channel));
        }
    }

    /// `r`: the selected contact when one is, else the one waiting longest.
    fn respond(&mut self, ctx: &mut Ctx<'_>) -> crate::store::Result<()> {
        let form = match self.selected_item() {
            Some(Item::Contact(id)) => {
                let known = self
                    .detail
                    .iter()
                    .flat_map(|d| d.contacts.iter())
                    .find(|c| c.id == id);
                contacts::reply(ctx, id, known)?
            }
            _ => match self.current() {
                Some((id, _, _)) => contacts::reply_oldest(ctx, Scope::Customer(id))?,
                None => None,
            },
        };
        if form.is_some() {
            self.form = form;
        }
        Ok(())
    }

    /// `w`/`c` on a requirement still on its way: where it goes, or how it ended.
    fn requirement_choice(&mut self, ctx: &mut Ctx<'_>, action: Action) {
        let Some(Item::Requirement(id)) = self.selected_item() else {
            ctx.info(t("msg.select_requirement").into());
            return;
        };
        let settled = self.detail.as_ref().is_some_and(|d| {
            d.requirements.iter().any(|r| {
                r.id == id
                    && matches!(
                        r.status,
                        RequirementStatus::Met | RequirementStatus::Declined
                    )
            })
        });
        if settled {
            ctx.info(t("msg.requirement_settled").into());
            return;
        }
        let purpose = if action == Action::ForwardRequirement {
            ChoicePurpose::Forward { id }
        } else {
            ChoicePurpose::Settle { id }
        };
        *ctx.mode = Mode::Choose {
            purpose,
            selected: 0,
        };
    }

    /// `*`: marks the customer a key account, or no longer; one undoable step.
    fn toggle_key_account(&mut self, ctx: &mut Ctx<'_>) -> crate::store::Result<()> {
        let Some((id, name, _)) = self.current() else {
            return Ok(());
        };
        let (draft, version) = customers::draft(ctx.store.conn(), id)?;
        let on = !draft.key_account;
        let tx = ctx.store.begin()?;
        let mut change = Change::new("key account");
        customers::set_key_account(&tx, &mut change, id, Some(version), on)?;
        change.record(&tx)?;
        tx.commit().doing("marking the key account")?;
        ctx.info(tf(
            if on {
                "msg.key_account_on"
            } else {
                "msg.key_account_off"
            },
            &[("customer", &name)],
        ));
        ctx.changed = true;
        Ok(())
    }
}
