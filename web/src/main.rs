//! Entry point of the page.
#![forbid(unsafe_code)]

fn main() {
    yew::Renderer::<mail_lab_web::App>::new().render();
}
