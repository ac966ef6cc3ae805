//! Every colour and style in one place, in a dark and a light palette (`theme` in the
//! config). Under `NO_COLOR` no colour is drawn at all, so the styles that carry meaning
//! lean on attributes too: the cursor row is reversed (and every list marks it with `▶`).

use crate::config::Theme;
use ratatui::style::{Color, Modifier, Style};
use std::cell::Cell;

const DARK: u8 = 0;
const LIGHT: u8 = 1;
const PLAIN: u8 = 2;

thread_local! {
    /// The palette in use, chosen at start by the thread that draws (per thread, so tests
    /// drawing in several palettes at once do not meet).
    static PALETTE: Cell<u8> = const { Cell::new(DARK) };
}

/// Uses `theme`, or no colour at all when `no_color` (the `NO_COLOR` convention).
pub fn set(theme: Theme, no_color: bool) {
    let p = match (no_color, theme) {
        (true, _) => PLAIN,
        (false, Theme::Dark) => DARK,
        (false, Theme::Light) => LIGHT,
    };
    PALETTE.with(|c| c.set(p));
}

/// From the config and the environment, as the app starts.
pub fn set_from(theme: Theme) {
    set(
        theme,
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
    );
}

fn palette() -> u8 {
    PALETTE.with(Cell::get)
}

/// The colour of this palette: dark, light; none without colour.
fn pick(dark: Color, light: Color) -> Option<Color> {
    match palette() {
        DARK => Some(dark),
        LIGHT => Some(light),
        _ => None,
    }
}

fn fg(dark: Color, light: Color) -> Style {
    match pick(dark, light) {
        Some(c) => Style::new().fg(c),
        None => Style::new(),
    }
}

fn fg_bg(fg: (Color, Color), bg: (Color, Color)) -> Style {
    match (pick(fg.0, fg.1), pick(bg.0, bg.1)) {
        (Some(f), Some(b)) => Style::new().fg(f).bg(b),
        _ => Style::new().add_modifier(Modifier::REVERSED),
    }
}

pub fn accent() -> Style {
    fg(Color::Cyan, Color::Blue)
}

pub fn title() -> Style {
    accent().add_modifier(Modifier::BOLD)
}
pub fn header() -> Style {
    Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}
pub fn selected() -> Style {
    fg_bg(
        (Color::White, Color::Black),
        (Color::Blue, Color::LightCyan),
    )
    .add_modifier(Modifier::BOLD)
}
pub fn marked() -> Style {
    fg(Color::LightMagenta, Color::Magenta).add_modifier(Modifier::BOLD)
}
pub fn late() -> Style {
    fg(Color::Red, Color::Red).add_modifier(Modifier::BOLD)
}
pub fn at_risk() -> Style {
    fg(Color::Yellow, Color::Rgb(160, 100, 0))
}
pub fn done() -> Style {
    fg(Color::DarkGray, Color::Gray)
}
pub fn incomplete() -> Style {
    fg(Color::Magenta, Color::Magenta)
}
pub fn error() -> Style {
    fg_bg((Color::White, Color::White), (Color::Red, Color::Red))
}
pub fn info() -> Style {
    fg(Color::Green, Color::Rgb(0, 120, 0))
}
pub fn dim() -> Style {
    fg(Color::DarkGray, Color::Gray)
}
pub fn key() -> Style {
    fg_bg((Color::Black, Color::White), (Color::Cyan, Color::Blue))
}
pub fn tab_active() -> Style {
    key().add_modifier(Modifier::BOLD)
}
pub fn field_error() -> Style {
    fg(Color::Red, Color::Red)
}
pub fn focused() -> Style {
    fg(Color::Yellow, Color::Blue).add_modifier(Modifier::BOLD)
}
