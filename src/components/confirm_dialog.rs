use leptos::prelude::*;

use crate::components::dialog::Dialog;
use crate::components::error_notice::ErrorNotice;

/// Asks before something that cannot be undone: a title, what will happen, and a
/// confirm button (named `confirm_label`) beside Cancel. `error` shows a failed try.
#[component]
pub fn ConfirmDialog(
    id: &'static str,
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    #[prop(into)] confirm_label: String,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into, optional)] busy: Signal<bool>,
    #[prop(into, optional)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <Dialog id=id title=title on_close=on_close>
            <p class="confirm__message">{message}</p>
            <ErrorNotice message=error />
            <div class="form__actions">
                <button type="button" class="button button--danger" disabled=move || busy.get()
                    on:click=move |_| on_confirm.run(())>
                    {confirm_label}
                </button>
                <button type="button" class="button" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
            </div>
        </Dialog>
    }
}
