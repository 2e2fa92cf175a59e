//! The Mail Lab page. One reducer state ([`state::Lab`]) owns the world; small
//! components render it and send [`state::Action`]s. The engines know nothing of Yew.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod charset;
pub mod files;
pub mod i18n;
pub mod lesson_panel;
pub mod lessons;
pub mod mailbox;
pub mod mua;
pub mod network;
pub mod persist;
pub mod state;
mod view;

pub use view::App;
