//! One keymap drives input, the footer hints and the `?` help, so they can never disagree.
//! Defaults are embedded from `assets/keymap.toml`; `config.toml` may override any action.

use crate::domain::status::Status;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;
use std::fmt;
use strum::{AsRefStr, EnumIter, EnumString, IntoEnumIterator};

const DEFAULTS: &str = include_str!("../../assets/keymap.toml");

/// Every action a key can trigger, named as in the keymap file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumString, EnumIter, AsRefStr,
)]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    Quit,
    ForceQuit,
    NextTab,
    PrevTab,
    TabOrders,
    TabCustomers,
    TabShipments,
    TabComplaints,
    TabToday,
    TabReports,
    Help,
    Palette,
    Back,
    PrevMonth,
    NextMonth,
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    Open,
    Search,
    Filter,
    Sort,
    Mark,
    New,
    Edit,
    Advance,
    StatusMenu,
    Hold,
    CancelOrder,
    NextOrder,
    PrevOrder,
    Undo,
    Instructions,
    Production,
    OpenException,
    InformCustomer,
    ResolveException,
    AttachDocument,
    OpenDocument,
    Deliver,
    Bottlenecks,
    LogContact,
    Respond,
    AddRequirement,
    ForwardRequirement,
    CloseRequirement,
    Survey,
    KeyAccount,
    CloseComplaint,
    Route,
    Save,
    NextField,
    PrevField,
    NextSuggestion,
    PrevSuggestion,
    Accept,
    AddLine,
    DeleteLine,
    Close,
    DraftMessage,
    CopyMessage,
    SaveMessage,
    SaveMessageEml,
    SendMessage,
    NextTemplate,
    PrevTemplate,
    ExportReportXlsx,
    ExportReportHtml,
    GotoMonth,
    ClearFilters,
    FollowUp,
    NewFollowup,
    CompleteFollowup,
    Yes,
    No,
    ClearLine,
    LineStart,
    LineEnd,
    NextChoice,
    SetInquiry,
    SetQuoted,
    SetConfirmed,
    SetInProduction,
    SetReady,
    SetShipped,
    SetDelivered,
    SetClosed,
    SetOnHold,
    SetCancelled,
    SetLost,
    #[strum(serialize = "pick_1")]
    Pick1,
    #[strum(serialize = "pick_2")]
    Pick2,
    #[strum(serialize = "pick_3")]
    Pick3,
    #[strum(serialize = "pick_4")]
    Pick4,
    #[strum(serialize = "pick_5")]
    Pick5,
    #[strum(serialize = "pick_6")]
    Pick6,
    #[strum(serialize = "pick_7")]
    Pick7,
    #[strum(serialize = "pick_8")]
    Pick8,
    #[strum(serialize = "pick_9")]
    Pick9,
}

/// The status-menu keys, one per status, in the lifecycle's order.
const SET_STATUS: [(Action, Status); 11] = [
    (Action::SetInquiry, Status::Inquiry),
    (Action::SetQuoted, Status::Quoted),
    (Action::SetConfirmed, Status::Confirmed),
    (Action::SetInProduction, Status::InProduction),
    (Action::SetReady, Status::Ready),
    (Action::SetShipped, Status::Shipped),
    (Action::SetDelivered, Status::Delivered),
    (Action::SetClosed, Status::Closed),
    (Action::SetOnHold, Status::OnHold),
    (Action::SetCancelled, Status::Cancelled),
    (Action::SetLost, Status::Lost),
];

/// The quick-pick keys of a short list, first item first.
const PICKS: [Action; 9] = [
    Action::Pick1,
    Action::Pick2,
    Action::Pick3,
    Action::Pick4,
    Action::Pick5,
    Action::Pick6,
    Action::Pick7,
    Action::Pick8,
    Action::Pick9,
];

impl Action {
    /// The status a status-menu key sets.
    pub fn status(self) -> Option<Status> {
        SET_STATUS.iter().find(|(a, _)| *a == self).map(|(_, s)| *s)
    }

    /// The status-menu key's action of `status`.
    pub fn set_status(status: Status) -> Action {
        SET_STATUS
            .iter()
            .find(|(_, s)| *s == status)
            .map_or(Action::StatusMenu, |(a, _)| *a)
    }

    /// Which item (from 0) a quick-pick key picks.
    pub fn pick_index(self) -> Option<usize> {
        PICKS.iter().position(|a| *a == self)
    }

    /// The quick-pick key's action of item `index` (from 0), for the first nine.
    pub fn pick(index: usize) -> Option<Action> {
        PICKS.get(index).copied()
    }
}

/// Groups of bindings that are active together.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, EnumString, AsRefStr,
)]
#[strum(serialize_all = "snake_case")]
pub enum Section {
    Global,
    List,
    Records,
    Orders,
    Shipments,
    Contacts,
    Customers,
    Complaints,
    Form,
    Message,
    Reports,
    Today,
    Confirm,
    Menu,
    StatusMenu,
    Pick,
}

/// A key as written in the keymap: `j`, `G`, `>`, `Enter`, `Ctrl-s`, `Shift-Tab`, `PgDn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub code: KeyName,
    pub ctrl: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyName {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
    Backspace,
    Delete,
    F(u8),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error(
        "unknown key '{0}' (examples: j, G, Enter, Esc, Tab, Shift-Tab, Ctrl-s, PgDn, F1, Space)"
    )]
    BadKey(String),
    #[error("unknown action '{action}' in [keys.{section}]")]
    BadAction { section: String, action: String },
    #[error(
        "unknown keymap section [keys.{0}] (sections: global, list, records, orders, contacts, customers, complaints, shipments, reports, today, form, message, confirm, menu, status_menu, pick)"
    )]
    BadSection(String),
    #[error("key {key} is bound to both {first} and {second}")]
    Conflict {
        key: String,
        first: String,
        second: String,
    },
    #[error("keymap: {0}")]
    Syntax(String),
}

impl Key {
    pub fn parse(text: &str) -> Result<Key, KeymapError> {
        let bad = || KeymapError::BadKey(text.to_string());
        let (ctrl, rest) = match text.strip_prefix("Ctrl-") {
            Some(r) => (true, r),
            None => (false, text),
        };
        let code = match rest {
            "Enter" => KeyName::Enter,
            "Esc" => KeyName::Esc,
            "Tab" => KeyName::Tab,
            "Shift-Tab" => KeyName::BackTab,
            "Up" => KeyName::Up,
            "Down" => KeyName::Down,
            "Left" => KeyName::Left,
            "Right" => KeyName::Right,
            "Home" => KeyName::Home,
            "End" => KeyName::End,
            "PgUp" => KeyName::PageUp,
            "PgDn" => KeyName::PageDown,
            "Backspace" => KeyName::Backspace,
            "Delete" => KeyName::Delete,
            "Space" => KeyName::Char(' '),
            f if f.len() >= 2 && f.starts_with('F') => {
                KeyName::F(f[1..].parse::<u8>().map_err(|_| bad())?)
            }
            c => {
                let mut chars = c.chars();
                match (chars.next(), chars.next()) {
                    (Some(ch), None) => {
                        KeyName::Char(if ctrl { ch.to_ascii_lowercase() } else { ch })
                    }
                    _ => return Err(bad()),
                }
            }
        };
        Ok(Key { code, ctrl })
    }

    /// A plain character, which a field being typed in takes as text.
    pub fn is_typed(&self) -> bool {
        matches!(self.code, KeyName::Char(_)) && !self.ctrl
    }

    pub fn from_event(ev: &KeyEvent) -> Option<Key> {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let code = match ev.code {
            KeyCode::Char(c) => KeyName::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::Enter => KeyName::Enter,
            KeyCode::Esc => KeyName::Esc,
            KeyCode::Tab if ev.modifiers.contains(KeyModifiers::SHIFT) => KeyName::BackTab,
            KeyCode::Tab => KeyName::Tab,
            KeyCode::BackTab => KeyName::BackTab,
            KeyCode::Up => KeyName::Up,
            KeyCode::Down => KeyName::Down,
            KeyCode::Left => KeyName::Left,
            KeyCode::Right => KeyName::Right,
            KeyCode::Home => KeyName::Home,
            KeyCode::End => KeyName::End,
            KeyCode::PageUp => KeyName::PageUp,
            KeyCode::PageDown => KeyName::PageDown,
            KeyCode::Backspace => KeyName::Backspace,
            KeyCode::Delete => KeyName::Delete,
            KeyCode::F(n) => KeyName::F(n),
            _ => return None,
        };
        Some(Key { code, ctrl })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            write!(f, "Ctrl-")?;
        }
        match self.code {
            KeyName::Char(' ') => write!(f, "Space"),
            KeyName::Char(c) => write!(f, "{c}"),
            KeyName::Enter => write!(f, "Enter"),
            KeyName::Esc => write!(f, "Esc"),
            KeyName::Tab => write!(f, "Tab"),
            KeyName::BackTab => write!(f, "Shift-Tab"),
            KeyName::Up => write!(f, "↑"),
            KeyName::Down => write!(f, "↓"),
            KeyName::Left => write!(f, "←"),
            KeyName::Right => write!(f, "→"),
            KeyName::Home => write!(f, "Home"),
            KeyName::End => write!(f, "End"),
            KeyName::PageUp => write!(f, "PgUp"),
            KeyName::PageDown => write!(f, "PgDn"),
            KeyName::Backspace => write!(f, "Backspace"),
            KeyName::Delete => write!(f, "Delete"),
            KeyName::F(n) => write!(f, "F{n}"),
        }
    }
}

/// Which sections are live together; a key may appear once across them.
pub const LIST_SCREEN: &[Section] = &[
    Section::Global,
    Section::List,
    Section::Records,
    Section::Orders,
    Section::Contacts,
];
pub const CUSTOMERS_SCREEN: &[Section] = &[
    Section::Global,
    Section::List,
    Section::Records,
    Section::Customers,
    Section::Contacts,
];
pub const COMPLAINTS_SCREEN: &[Section] = &[
    Section::Global,
    Section::List,
    Section::Records,
    Section::Complaints,
    Section::Contacts,
];
pub const FORM_SCREEN: &[Section] = &[Section::Form];
/// The message popup: its own keys, scrolling and Esc from the lists and global sections.
pub const MESSAGE_SCREEN: &[Section] = &[Section::Message, Section::List, Section::Global];
pub const SHIPMENTS_SCREEN: &[Section] = &[
    Section::Global,
    Section::List,
    Section::Records,
    Section::Shipments,
];
/// The Reports tab's own keys come before the list's: `g` asks for a month there, where
/// the list's `g` (top) would mean nothing more than Home.
pub const REPORTS_SCREEN: &[Section] = &[Section::Global, Section::Reports, Section::List];
pub const TODAY_SCREEN: &[Section] = &[Section::Global, Section::List, Section::Today];
/// A yes/no question: its own keys only.
pub const CONFIRM_SCREEN: &[Section] = &[Section::Confirm];
/// A list to pick from over the screen (filters, a department, an exception): its own
/// keys, then the list's moves, Enter and Esc.
pub const MENU_SCREEN: &[Section] = &[Section::Menu, Section::List, Section::Global];
/// A short list of words to pick (a department, how a requirement ended): a digit picks
/// the word it numbers, before the tab keys; then the menu's keys.
pub const CHOOSE_SCREEN: &[Section] =
    &[Section::Pick, Section::Menu, Section::List, Section::Global];
/// The status menu: a status's own key sets it; the `[form]` keys edit the time typed.
pub const STATUS_MENU_SCREEN: &[Section] = &[Section::StatusMenu, Section::Form];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: BTreeMap<Section, BTreeMap<Action, Vec<Key>>>,
}

type RawMap = BTreeMap<String, BTreeMap<String, Vec<String>>>;

fn apply(
    bindings: &mut BTreeMap<Section, BTreeMap<Action, Vec<Key>>>,
    raw: &RawMap,
) -> Result<(), KeymapError> {
    for (section, actions) in raw {
        let sec: Section = section
            .parse()
            .map_err(|_| KeymapError::BadSection(section.clone()))?;
        for (action, keys) in actions {
            let act: Action = action.parse().map_err(|_| KeymapError::BadAction {
                section: section.clone(),
                action: action.clone(),
            })?;
            let keys = keys
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<Vec<_>, _>>()?;
            // An action lives in one section; an override replaces it wherever it was.
            for map in bindings.values_mut() {
                map.remove(&act);
            }
            bindings.entry(sec).or_default().insert(act, keys);
        }
    }
    Ok(())
}

impl Keymap {
    /// The defaults with `overrides` (the `[keys]` table of config.toml) applied, checked
    /// for conflicts.
    pub fn load(overrides: Option<&toml::Table>) -> Result<Keymap, KeymapError> {
        let defaults: RawMap =
            toml::from_str(DEFAULTS).map_err(|e| KeymapError::Syntax(e.to_string()))?;
        let mut bindings = BTreeMap::new();
        apply(&mut bindings, &defaults)?;
        if let Some(table) = overrides {
            let raw: RawMap = table
                .clone()
                .try_into()
                .map_err(|e: toml::de::Error| KeymapError::Syntax(e.to_string()))?;
            apply(&mut bindings, &raw)?;
        }
        let map = Keymap { bindings };
        map.check(LIST_SCREEN)?;
        map.check(CUSTOMERS_SCREEN)?;
        map.check(COMPLAINTS_SCREEN)?;
        map.check(&[Section::Global, Section::List])?;
        map.check(FORM_SCREEN)?;
        map.check(MESSAGE_SCREEN)?;
        map.check(SHIPMENTS_SCREEN)?;
        map.check(REPORTS_SCREEN)?;
        map.check(TODAY_SCREEN)?;
        map.check(CONFIRM_SCREEN)?;
        map.check(MENU_SCREEN)?;
        map.check(CHOOSE_SCREEN)?;
        map.check(STATUS_MENU_SCREEN)?;
        Ok(map)
    }

    pub fn defaults() -> Keymap {
        // The embedded file is checked by a unit test, so loading it cannot fail.
        Keymap::load(None).expect("embedded keymap is valid")
    }

    fn check(&self, sections: &[Section]) -> Result<(), KeymapError> {
        let mut seen: BTreeMap<Key, Action> = BTreeMap::new();
        for s in sections {
            for (action, keys) in self.bindings.get(s).into_iter().flatten() {
                for k in keys {
                    // A screen's own section listed before the list's shadows its key (and,
                    // over the global keys, the tab digits of a quick pick).
                    if matches!(s, Section::List | Section::Global)
                        && seen.contains_key(k)
                        && self.shadows(sections)
                    {
                        continue;
                    }
                    if let Some(first) = seen.insert(*k, *action) {
                        if first != *action {
                            return Err(KeymapError::Conflict {
                                key: k.to_string(),
                                first: first.as_ref().to_string(),
                                second: action.as_ref().to_string(),
                            });
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether a section other than Global comes before List on this screen: its keys then
    /// win over the list's (only the Reports tab's are listed so).
    fn shadows(&self, sections: &[Section]) -> bool {
        let list = sections.iter().position(|s| *s == Section::List);
        list.is_some_and(|at| sections[..at].iter().any(|s| *s != Section::Global))
    }

    /// The action `key` triggers among `sections`, searched in order.
    pub fn action(&self, sections: &[Section], key: &Key) -> Option<Action> {
        sections.iter().find_map(|s| {
            self.bindings
                .get(s)?
                .iter()
                .find(|(_, keys)| keys.contains(key))
                .map(|(a, _)| *a)
        })
    }

    pub fn keys(&self, action: Action) -> Vec<Key> {
        self.bindings
            .values()
            .find_map(|m| m.get(&action).cloned())
            .unwrap_or_default()
    }

    /// `j/↓` style text for hints.
    pub fn describe(&self, action: Action) -> String {
        self.keys(action)
            .iter()
            .map(Key::to_string)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Every binding of the given sections, in keymap order, for the help screen; a key an
    /// earlier section took is left out, so the help says what the key does here.
    pub fn entries(&self, sections: &[Section]) -> Vec<(Section, Action, String)> {
        let mut out = Vec::new();
        let mut taken: Vec<Key> = Vec::new();
        for s in sections {
            let mut here = Vec::new();
            for a in Action::iter() {
                if let Some(keys) = self.bindings.get(s).and_then(|m| m.get(&a)) {
                    let live: Vec<&Key> = keys.iter().filter(|k| !taken.contains(k)).collect();
                    here.extend(keys.iter().copied());
                    if live.is_empty() {
                        continue;
                    }
                    let text = live
                        .iter()
                        .map(|k| k.to_string())
                        .collect::<Vec<_>>()
                        .join(" ");
                    out.push((*s, a, text));
                }
            }
            taken.extend(here);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn embedded_defaults_load_and_cover_the_spec_keys() {
        let k = Keymap::defaults();
        let on_list = |s: &str| k.action(LIST_SCREEN, &Key::parse(s).unwrap());
        assert_eq!(on_list("j"), Some(Action::Down));
        assert_eq!(on_list(">"), Some(Action::Advance));
        assert_eq!(on_list("u"), Some(Action::Undo));
        assert_eq!(on_list("Space"), Some(Action::Mark));
        assert_eq!(on_list("6"), Some(Action::TabReports));
        assert_eq!(on_list("p"), Some(Action::Instructions));
        let on_shipments = |s: &str| k.action(SHIPMENTS_SCREEN, &Key::parse(s).unwrap());
        assert_eq!(on_shipments("d"), Some(Action::Deliver));
        assert_eq!(on_shipments("u"), Some(Action::Undo));
        assert_eq!(on_shipments("n"), Some(Action::New));
        assert_eq!(on_shipments(">"), None, "order keys stay on the Orders tab");
        assert_eq!(on_list("Shift-Tab"), Some(Action::PrevTab));
        assert_eq!(
            k.action(FORM_SCREEN, &Key::parse("Ctrl-s").unwrap()),
            Some(Action::Save)
        );
        let on = |screen: &[Section], s: &str| k.action(screen, &Key::parse(s).unwrap());
        assert_eq!(on(COMPLAINTS_SCREEN, "r"), Some(Action::Respond));
        assert_eq!(on(COMPLAINTS_SCREEN, "c"), Some(Action::CloseComplaint));
        assert_eq!(on(COMPLAINTS_SCREEN, "n"), Some(Action::New));
        assert_eq!(on(COMPLAINTS_SCREEN, "u"), Some(Action::Undo));
        assert_eq!(
            on(COMPLAINTS_SCREEN, ">"),
            None,
            "order keys stay on orders"
        );
        assert_eq!(on(CUSTOMERS_SCREEN, "c"), Some(Action::CloseRequirement));
        assert_eq!(on(CUSTOMERS_SCREEN, "l"), Some(Action::LogContact));
        assert_eq!(on(LIST_SCREEN, "l"), Some(Action::LogContact));
        assert_eq!(on(LIST_SCREEN, "r"), Some(Action::Respond));
        for screen in [
            LIST_SCREEN,
            CUSTOMERS_SCREEN,
            COMPLAINTS_SCREEN,
            SHIPMENTS_SCREEN,
        ] {
            assert_eq!(on(screen, "m"), Some(Action::DraftMessage));
        }
        let on_reports = |s: &str| k.action(REPORTS_SCREEN, &Key::parse(s).unwrap());
        assert_eq!(on_reports("["), Some(Action::PrevMonth));
        assert_eq!(on_reports("]"), Some(Action::NextMonth));
        assert_eq!(on_reports("x"), Some(Action::ExportReportXlsx));
        assert_eq!(on_reports("h"), Some(Action::ExportReportHtml));
        assert_eq!(on_reports("j"), Some(Action::Down));
        assert_eq!(
            on_list("x"),
            Some(Action::CancelOrder),
            "x cancels on the Orders list"
        );
    }

    #[test]
    fn status_menu_and_quick_pick_keys_come_from_the_keymap() {
        let k = Keymap::defaults();
        let on = |screen: &[Section], s: &str| k.action(screen, &Key::parse(s).unwrap());
        for s in <Status as IntoEnumIterator>::iter() {
            let keys = k.keys(Action::set_status(s));
            assert_eq!(keys.len(), 1, "{s:?} has one status-menu key");
            assert_eq!(
                k.action(STATUS_MENU_SCREEN, &keys[0])
                    .and_then(Action::status),
                Some(s)
            );
        }
        assert_eq!(on(CHOOSE_SCREEN, "1"), Some(Action::Pick1));
        assert_eq!(on(CHOOSE_SCREEN, "9").and_then(Action::pick_index), Some(8));
        assert_eq!(on(CHOOSE_SCREEN, "j"), Some(Action::Down));
        assert_eq!(
            on(LIST_SCREEN, "1"),
            Some(Action::TabOrders),
            "digits stay tabs"
        );
        let over: toml::Table = toml::from_str("[pick]\npick_1 = [\"a\"]").unwrap();
        let k = Keymap::load(Some(&over)).unwrap();
        assert_eq!(
            k.action(CHOOSE_SCREEN, &Key::parse("a").unwrap()),
            Some(Action::Pick1)
        );
    }

    /// The keymap is the only place that names a key: no key handling code (outside this
    /// file and the tests) matches a character literal or a digit itself.
    #[test]
    fn no_key_is_hard_coded_outside_the_keymap() {
        const HARD_CODED: [&str; 5] = [
            "KeyCode::Char('",
            "KeyName::Char('",
            ".to_digit(",
            "Key::parse(\"",
            "from_menu_letter",
        ];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut stack = vec![root.join("app"), root.join("ui"), root.join("web")];
        let mut found = Vec::new();
        while let Some(p) = stack.pop() {
            if p.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
                continue;
            }
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let test_only = ["tests", "snapshots", "fixture"]
                .iter()
                .any(|w| name.contains(w));
            if test_only || name == "keymap.rs" || !name.ends_with(".rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            // Test modules sit at the end of a file.
            let code = text
                .match_indices("#[cfg(test)]\nmod ")
                .find(|(at, _)| {
                    let line = text[*at..].lines().nth(1).unwrap_or("");
                    line.ends_with('{')
                })
                .map_or(text.as_str(), |(at, _)| &text[..at]);
            for (n, line) in code.lines().enumerate() {
                if line.trim_start().starts_with("//") {
                    continue;
                }
                if let Some(pat) = HARD_CODED.iter().find(|p| line.contains(*p)) {
                    found.push(format!("{}:{}: {pat}", p.display(), n + 1));
                }
            }
        }
        assert!(
            found.is_empty(),
            "keys named outside the keymap: {found:#?}"
        );
    }

    #[test]
    fn overrides_replace_and_conflicts_are_refused() {
        let over: toml::Table = toml::from_str("[list]\ndown = [\"n\", \"Down\"]").unwrap();
        let err = Keymap::load(Some(&over)).unwrap_err();
        assert!(
            matches!(err, KeymapError::Conflict { .. }),
            "n is `new` already: {err}"
        );
        let over: toml::Table = toml::from_str("[list]\ndown = [\"Z\"]").unwrap();
        let k = Keymap::load(Some(&over)).unwrap();
        assert_eq!(
            k.action(LIST_SCREEN, &Key::parse("Z").unwrap()),
            Some(Action::Down)
        );
        assert_eq!(k.action(LIST_SCREEN, &Key::parse("j").unwrap()), None);
        let over: toml::Table = toml::from_str("[list]\nfly = [\"z\"]").unwrap();
        assert!(matches!(
            Keymap::load(Some(&over)),
            Err(KeymapError::BadAction { .. })
        ));
        let over: toml::Table = toml::from_str("[list]\ndown = [\"Hyper-x\"]").unwrap();
        assert!(matches!(
            Keymap::load(Some(&over)),
            Err(KeymapError::BadKey(_))
        ));
    }

    /// Key names as people write them, right and wrong.
    fn key_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "(Ctrl-)?[ -~]",
            proptest::sample::select(vec![
                "Enter",
                "Esc",
                "Tab",
                "Shift-Tab",
                "Up",
                "Down",
                "Left",
                "Right",
                "Home",
                "End",
                "PgUp",
                "PgDn",
                "Backspace",
                "Delete",
                "Space",
                "F1",
                "F12",
                "F0",
                "F256",
                "F",
                "Ctrl-",
                "Ctrl-Ctrl-x",
                "Alt-x",
                "华",
                "Ctrl-华",
                "",
            ])
            .prop_map(str::to_string),
            "\\PC{0,6}",
        ]
    }

    fn override_table() -> impl Strategy<Value = toml::Table> {
        let section = prop_oneof![
            4 => proptest::sample::select(vec!["global", "list", "orders", "form"]),
            1 => Just("nowhere"),
        ];
        let action = prop_oneof![
            6 => proptest::sample::select(Action::iter().map(|a| a.as_ref().to_string()).collect::<Vec<_>>()),
            1 => "[a-z_]{1,8}",
        ];
        let keys = prop_oneof![
            8 => proptest::collection::vec(key_text(), 0..4)
                .prop_map(|v| toml::Value::Array(v.into_iter().map(toml::Value::String).collect())),
            1 => any::<i64>().prop_map(toml::Value::Integer),
            1 => key_text().prop_map(toml::Value::String),
        ];
        proptest::collection::vec(
            (section, proptest::collection::vec((action, keys), 0..4)),
            0..4,
        )
        .prop_map(|sections| {
            let mut table = toml::Table::new();
            for (section, actions) in sections {
                let entry = table
                    .entry(section.to_string())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                if let toml::Value::Table(t) = entry {
                    for (a, k) in actions {
                        t.insert(a, k);
                    }
                }
            }
            table
        })
    }

    proptest! {
        #[test]
        fn any_key_text_parses_or_is_a_bad_key(s in key_text()) {
            match Key::parse(&s) {
                Ok(_) => {}
                Err(e) => prop_assert_eq!(e, KeymapError::BadKey(s.clone())),
            }
        }

        /// Any override table gives a keymap in which no key means two things on one
        /// screen and every overridden action has exactly its new keys, or a keymap error.
        #[test]
        fn override_tables_load_consistently_or_are_refused(table in override_table()) {
            let Ok(map) = Keymap::load(Some(&table)) else {
                return Ok(());
            };
            for screen in [LIST_SCREEN, &[Section::Global, Section::List][..], FORM_SCREEN] {
                let mut seen: BTreeMap<Key, Action> = BTreeMap::new();
                for (_, action, _) in map.entries(screen) {
                    for k in map.keys(action) {
                        if let Some(other) = seen.insert(k, action) {
                            prop_assert_eq!(other, action, "{} twice on one screen", k);
                        }
                    }
                }
            }
            for actions in table.values().filter_map(toml::Value::as_table) {
                for (action, keys) in actions {
                    let action: Action = action.parse().unwrap();
                    let want: Vec<Key> = keys
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|k| Key::parse(k.as_str().unwrap()).unwrap())
                        .collect();
                    let got = map.keys(action);
                    // The last section naming an action wins; it holds the same keys.
                    prop_assert!(got == want || table.values().filter_map(toml::Value::as_table).filter(|t| t.contains_key(action.as_ref())).count() > 1);
                }
            }
        }

        #[test]
        fn key_text_parses_or_errs_and_round_trips(s in "(Ctrl-)?[ -~]{1,4}") {
            if let Ok(k) = Key::parse(&s) {
                let shown = k.to_string();
                if !shown.contains(['↑', '↓', '←', '→']) {
                    prop_assert_eq!(Key::parse(&shown), Ok(k));
                }
            }
        }
    }
}
