//! Reactive helpers that components and pages call from their setup code.

mod close_on_escape;
mod debounce;
mod title;

pub use close_on_escape::close_on_escape;
pub use debounce::Debounce;
pub use title::use_title;
