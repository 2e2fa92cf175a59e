//! The Mail Lab page. One reducer state ([`state::Lab`]) owns the world; the
//! page's parts ([`state::Part`]) are components that render it again only when
//! an action could have changed what they show, and send [`state::Action`]s.
//! The engines know nothing of Yew.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod charset;
pub mod files;
pub mod i18n;
pub mod lesson_panel;
pub mod lessons;
pub mod mail_client;
pub mod mailbox;
pub mod mua;
pub mod network;
pub mod persist;
pub mod state;
pub mod terminal;
mod view;

pub use view::App;
#[cfg(debug_assertions)]
pub use view::renders;

/// The page's allocator is rlsf's TLSF, in its small form, instead of the
/// standard library's dlmalloc: 3.5 KB gzip less page weight, at a higher peak
/// (the memory benchmark: 50 MB of wasm memory after 100 MB of junk, 36 MB with
/// dlmalloc; rlsf's default form 58 MB, Talc 91 MB). The wasm tests link this
/// crate and so run on it too.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: rlsf::SmallGlobalTlsf = rlsf::SmallGlobalTlsf::new();

/// The world benchmark's workload (`mail_lab_world::workload`), callable from
/// the page's bindings so scripts/bench-wasm.mjs can time it in Chromium beside
/// the native criterion figure. Returns how many messages reached carol. Only
/// in the benchmark's build of the page (`--features bench`): learners do not
/// download it.
#[cfg(feature = "bench")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn bench_relay_and_fetch(messages: usize) -> usize {
    mail_lab_world::workload::relay_and_fetch(messages).delivered
}
