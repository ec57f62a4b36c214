use leptos::ev;
use leptos::prelude::*;

/// A modal dialog: labelled by its title, closed with Escape or the close button.
#[component]
pub fn Dialog(
    /// Unique id prefix; the title gets `<id>-title`.
    id: &'static str,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    let handle = window_event_listener(ev::keydown, move |e| {
        if e.key() == "Escape" {
            on_close.run(());
        }
    });
    on_cleanup(move || handle.remove());
    view! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby=labelled_by id=id>
                <header class="dialog__header">
                    <h2 class="dialog__title" id=title_id>
                        {move || title.get()}
                    </h2>
                    <button type="button" class="dialog__close" aria-label="Close" on:click=move |_| on_close.run(())>
                        "×"
                    </button>
                </header>
                {children()}
            </div>
        </div>
    }
}
