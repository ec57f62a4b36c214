//! Administration > Duplicate organizations (`/admin/duplicate-organizations`,
//! admins only; the server enforces it too): pairs that look like one company
//! (same name once case, punctuation, accents and legal forms are set aside, or
//! domains with the same root), each with "Merge" (the smaller into the larger, in
//! the organization panel's merge preview) and "Not duplicates".

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use orgdesk_core::api::deleted_organizations::{DuplicatePair, DuplicateSide};

use crate::api;
use crate::components::error_notice::ErrorNotice;
use crate::components::pager::Pager;
use crate::state::use_session;

/// How many pairs one page shows.
const PAGE: usize = 25;

#[component]
pub fn DuplicateOrganizationsPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Duplicate organizations".to_string()));
    let session = use_session();
    view! {
        <section class="page duplicates">
            <p class="audit__back"><A href="/admin">"← Administration"</A></p>
            <h1 class="page__title">"Duplicate organizations"</h1>
            <Show
                when=move || session.is_admin()
                fallback=|| view! { <ErrorNotice message="Only administrators can open duplicate suggestions." /> }
            >
                <p class="hint">
                    "Organizations that look like one company: the same name once case, punctuation, accents and legal forms (Inc., Ltd, GmbH…) are set aside, or domains with the same root (acme.com, acme.co.uk). Merge the smaller into the larger, or say they are not duplicates."
                </p>
                <DuplicateList />
            </Show>
        </section>
    }
}

#[component]
fn DuplicateList() -> impl IntoView {
    let offset = RwSignal::new(0usize);
    let version = RwSignal::new(0u32);
    let page = LocalResource::new(move || {
        version.get();
        api::deleted_organizations::list_duplicates(offset.get(), PAGE)
    });
    let on_dismissed = Callback::new(move |()| version.update(|v| *v += 1));
    view! {
        <Transition fallback=|| view! { <p>"Loading duplicate suggestions…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(page) if page.items.is_empty() && page.offset == 0 => view! {
                        <p class="empty-state">"No organizations look like duplicates."</p>
                    }.into_any(),
                    Ok(page) => {
                        let start = offset.get_untracked();
                        let shown = page.items.len();
                        let total = start + shown + usize::from(page.more);
                        view! {
                            <ul class="duplicates__list" aria-label="Possible duplicates">
                                {page.items.into_iter().map(|pair| view! { <PairRow pair=pair on_dismissed=on_dismissed /> }).collect_view()}
                            </ul>
                            <Pager label="Duplicate pages" offset=offset page=PAGE start=start shown=shown total=total />
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Side(side: DuplicateSide) -> impl IntoView {
    let members = match side.member_count {
        1 => "1 member".to_string(),
        n => format!("{n} members"),
    };
    let domains = if side.domains.is_empty() { "No domains".to_string() } else { side.domains.join(", ") };
    view! {
        <div class="duplicates__side">
            <A href=format!("/organizations/{}", side.id) attr:class="duplicates__name">{side.name.clone()}</A>
            <p class="duplicates__meta">{domains}" · "{members}</p>
        </div>
    }
}

#[component]
fn PairRow(pair: DuplicatePair, on_dismissed: Callback<()>) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let (small, large) = (pair.smaller.id, pair.larger.id);
    let dismiss = move |_| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::deleted_organizations::dismiss_duplicate(small, large).await {
                Ok(()) => on_dismissed.run(()),
                Err(e) => {
                    error.set(Some(e.message()));
                    busy.set(false);
                }
            }
        });
    };
    let merge_label = format!("Merge {} into {}", pair.smaller.name, pair.larger.name);
    let dismiss_label = format!("{} and {} are not duplicates", pair.smaller.name, pair.larger.name);
    view! {
        <li class="duplicates__row" data-smaller=small data-larger=large>
            <p class="duplicates__reason"><span class="badge">{pair.reason.clone()}</span></p>
            <div class="duplicates__pair">
                <Side side=pair.smaller.clone() />
                <span class="duplicates__arrow" aria-hidden="true">"→"</span>
                <Side side=pair.larger.clone() />
            </div>
            <ErrorNotice message=error />
            <div class="form__actions">
                <A href=format!("/organizations/{small}?merge_into={large}") attr:class="button button--small button--primary"
                    attr:aria-label=merge_label>
                    "Merge…"
                </A>
                <button type="button" class="button button--small" aria-label=dismiss_label
                    disabled=move || busy.get() on:click=dismiss>
                    "Not duplicates"
                </button>
            </div>
        </li>
    }
}
