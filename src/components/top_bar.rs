use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_location, use_navigate};
use orgdesk_core::agent::Role;
use orgdesk_core::api::Session;
use orgdesk_core::word::Word;

use crate::api;
use crate::state::{use_session, Auth};

/// Brand, app navigation, the signed-in agent, their Account page and sign-out.
#[component]
pub fn TopBar(session: Session) -> impl IntoView {
    let ctx = use_session();
    let navigate = use_navigate();
    let is_admin = session.agent.role == Role::Admin;
    let sign_out = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            // Even if the server is unreachable, forget the session locally.
            let _ = api::auth::logout().await;
            navigate("/login", Default::default());
            ctx.0.set(Auth::SignedOut { reason: None });
        });
    };
    // Narrow screens: the navigation and the agent's controls hide behind a Menu
    // button (a disclosure: aria-expanded; Escape closes it and puts the focus back).
    let open = RwSignal::new(false);
    let menu_button = NodeRef::<leptos::html::Button>::new();
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        open.set(false);
    });
    let on_key = move |e: leptos::ev::KeyboardEvent| {
        if e.key() == "Escape" && open.get_untracked() {
            e.stop_propagation();
            open.set(false);
            if let Some(b) = menu_button.get_untracked() {
                let _ = b.focus();
            }
        }
    };
    view! {
        <header class="top-bar" class:top-bar--open=move || open.get() on:keydown=on_key>
            <a class="top-bar__brand" href="/customers">
                "Orgdesk"
            </a>
            <button
                type="button"
                class="button button--quiet top-bar__menu-button"
                node_ref=menu_button
                aria-expanded=move || if open.get() { "true" } else { "false" }
                aria-controls="top-bar-menu"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "Menu"
            </button>
            <div class="top-bar__menu" id="top-bar-menu">
                <nav class="top-bar__nav" aria-label="Apps">
                    <A href="/customers">"Customers"</A>
                    <A href="/projects">"Projects"</A>
                    <A href="/tickets">"Tickets"</A>
                    {is_admin.then(|| view! { <A href="/admin">"Administration"</A> })}
                </nav>
                <div class="top-bar__user">
                    <span class="top-bar__agent" data-testid="signed-in-agent">
                        {session.agent.name.clone()}
                        <span class="top-bar__role">{session.agent.role.as_str()}</span>
                    </span>
                    <A href="/account" attr:class="top-bar__account" attr:title="Your password and sessions">"Account"</A>
                    <button type="button" class="button button--quiet" on:click=sign_out>
                        "Sign out"
                    </button>
                </div>
            </div>
        </header>
    }
}
