//! Waits for typing to pause before acting on it (search boxes and text filters).

use std::time::Duration;

use leptos::prelude::*;

/// Runs the latest action once `delay` has passed without a newer one.
#[derive(Clone, Copy)]
pub struct Debounce {
    delay: Duration,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl Debounce {
    pub fn new(delay: Duration) -> Self {
        Debounce { delay, timer: StoredValue::new(None) }
    }

    /// Schedules `action`, cancelling the one scheduled before it.
    pub fn run(&self, action: impl FnOnce() + 'static) {
        if let Some(t) = self.timer.get_value() {
            t.clear();
        }
        self.timer.set_value(set_timeout_with_handle(action, self.delay).ok());
    }
}
