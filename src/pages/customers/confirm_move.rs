//! The question before a move that takes items along.

use leptos::prelude::*;

use super::moves::{move_warning, PendingMove};
use crate::components::dialog::Dialog;
use crate::text::count_of;

#[component]
pub fn ConfirmMove(
    pending: PendingMove,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_confirm: Callback<PendingMove>,
) -> impl IntoView {
    let who = count_of(pending.moves.len() as i64, "customer", "customers");
    let title = format!("Move {who} to {}?", pending.target_name);
    let warning = move_warning(&pending.preview, &pending.target_name, pending.from_name.as_deref());
    let pending = StoredValue::new(pending);
    view! {
        <Dialog id="confirm-move" title=title on_close=on_close>
            <p class="notice notice--warning" role="alert">{warning}</p>
            <div class="form__actions">
                <button type="button" class="button button--primary" on:click=move |_| on_confirm.run(pending.get_value())>
                    "Move"
                </button>
                <button type="button" class="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
            </div>
        </Dialog>
    }
}
