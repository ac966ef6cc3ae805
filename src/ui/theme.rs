//! Every colour and style in one place.

use ratatui::style::{Color, Modifier, Style};

pub const ACCENT: Color = Color::Cyan;

pub fn title() -> Style {
    Style::new().fg(ACCENT).add_modifier(Modifier::BOLD)
}
pub fn header() -> Style {
    Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}
pub fn selected() -> Style {
    Style::new()
        .bg(Color::Blue)
        .fg(Color::White)
        .add_modifier(Modifier::BOLD)
}
pub fn marked() -> Style {
    Style::new()
        .fg(Color::LightMagenta)
        .add_modifier(Modifier::BOLD)
}
pub fn late() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn at_risk() -> Style {
    Style::new().fg(Color::Yellow)
}
pub fn done() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn incomplete() -> Style {
    Style::new().fg(Color::Magenta)
}
pub fn error() -> Style {
    Style::new().fg(Color::White).bg(Color::Red)
}
pub fn info() -> Style {
    Style::new().fg(Color::Green)
}
pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}
pub fn key() -> Style {
    Style::new().fg(Color::Black).bg(ACCENT)
}
pub fn tab_active() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(ACCENT)
        .add_modifier(Modifier::BOLD)
}
pub fn field_error() -> Style {
    Style::new().fg(Color::Red)
}
pub fn focused() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
