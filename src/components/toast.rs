use leptos::prelude::*;

/// A short message at the bottom of the screen, optionally with an Undo action.
#[derive(Clone)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    pub undo: Option<Callback<()>>,
}

#[component]
pub fn ToastView(toast: RwSignal<Option<Toast>>) -> impl IntoView {
    move || {
        toast.get().map(|t| {
            let role = if t.error { "alert" } else { "status" };
            let undo = t.undo;
            view! {
                <div class="toast" class:toast--error=t.error role=role>
                    <span>{t.text}</span>
                    {undo.map(|cb| view! {
                        <button type="button" class="button button--small" on:click=move |_| { toast.set(None); cb.run(()); }>
                            "Undo"
                        </button>
                    })}
                    <button type="button" class="toast__close" aria-label="Dismiss" on:click=move |_| toast.set(None)>
                        "×"
                    </button>
                </div>
            }
        })
    }
}
