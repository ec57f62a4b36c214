//! A list the server sends a page at a time, shown with "Show more": each page is
//! put at its offset (a load at 0 replaces the list), and the answer of a load that
//! [`PagedList::restart`] superseded is dropped.

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::ApiError;

pub struct PagedList<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    /// `None` until the first page arrives.
    pub total: RwSignal<Option<i64>>,
    pub loading: RwSignal<bool>,
    pub error: RwSignal<Option<String>>,
    generation: StoredValue<u32>,
}

impl<T: Send + Sync + 'static> Clone for PagedList<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for PagedList<T> {}

impl<T: Send + Sync + 'static> PagedList<T> {
    pub fn new() -> Self {
        PagedList {
            items: RwSignal::new(Vec::new()),
            total: RwSignal::new(None),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    /// Drops the answers of the loads in flight (the filters or the data changed).
    pub fn restart(&self) {
        self.generation.update_value(|g| *g = g.wrapping_add(1));
    }

    /// Fetches the page at `offset`: `fetch` answers with its items and the total.
    pub fn load(self, offset: usize, fetch: impl Future<Output = Result<(Vec<T>, i64), ApiError>> + 'static) {
        let mine = self.generation.get_value();
        self.loading.set(true);
        spawn_local(async move {
            let result = fetch.await;
            // Superseded, or the list is gone (its page was left while loading).
            if self.generation.try_get_value() != Some(mine) {
                return;
            }
            self.loading.set(false);
            match result {
                Ok((page, total)) => {
                    self.items.update(|list| {
                        list.truncate(offset);
                        list.extend(page);
                    });
                    self.total.set(Some(total));
                    self.error.set(None);
                }
                Err(e) => self.error.set(Some(e.message())),
            }
        });
    }
}
