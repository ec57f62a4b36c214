//! Administration: agents, the Customers settings, organization properties, the
//! outbox, and a link to the audit log (its own page, [`audit`]).

pub mod audit;
pub mod deleted_organizations;
pub mod duplicates;
pub mod import;
pub mod portal;
pub mod routing;
pub mod usergroups;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use orgdesk_core::agent::{validate_new_agent, Role};
use orgdesk_core::api::outbox::{OutboxMessage, OutboxPage};
use orgdesk_core::api::{Agent, CreateAgentRequest, UpdateAgentRequest};
use orgdesk_core::word::Word;
use orgdesk_core::FieldErrors;

use crate::api::properties::PropertyOwner;
use crate::api::{self, ApiError};
use crate::components::customer_settings::CustomerSettings;
use crate::components::error_notice::ErrorNotice;
use crate::components::pager::Pager;
use crate::components::property_definitions::PropertyDefinitions;
use crate::components::text_field::TextField;
use crate::components::timestamp::{local_time, Timestamp};
use crate::state::use_session;
use crate::text;

/// Administration: agent accounts, customer settings, organization properties and the outbox (admins only; the server enforces it too).
#[component]
pub fn AdminPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Administration".to_string()));
    let session = use_session();
    view! {
        <section class="page">
            <h1 class="page__title">"Administration"</h1>
            <Show
                when=move || session.is_admin()
                fallback=|| view! { <ErrorNotice message="Only administrators can open Administration." /> }
            >
                <nav class="admin__links" aria-label="More administration">
                    <ul class="admin__links-list">
                        <li><A href="/admin/audit">"Audit log"</A><span class="hint">" — who did what, when and from where"</span></li>
                        <li><A href="/admin/import">"Import"</A><span class="hint">" — customers and organizations from a CSV file, and the import history"</span></li>
                        <li><A href="/admin/portal">"Portal"</A><span class="hint">" — what customers see and do in the portal"</span></li>
                        <li><A href="/admin/routing">"Routing"</A><span class="hint">" — rules for every organization whose property has a value"</span></li>
                        <li><A href="/admin/usergroups">"Usergroups"</A><span class="hint">" — groups that grant customers more in the portal"</span></li>
                        <li><A href="/admin/deleted-organizations">"Deleted organizations"</A><span class="hint">" — restore one within the retention"</span></li>
                        <li><A href="/admin/duplicate-organizations">"Duplicate organizations"</A><span class="hint">" — organizations that look like one company"</span></li>
                    </ul>
                </nav>
                <AgentsSection />
                <CustomerSettings />
                <PropertyDefinitions />
                <PropertyDefinitions owner=PropertyOwner::Customer />
                <OutboxSection />
            </Show>
        </section>
    }
}

#[component]
fn AgentsSection() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let agents = LocalResource::new(move || {
        version.get();
        api::agents::list_agents()
    });
    let action_error = RwSignal::new(None::<String>);
    let action_done = RwSignal::new(None::<String>);
    let reload = move || version.update(|v| *v += 1);

    let send_reset = move |agent: Agent| {
        action_error.set(None);
        action_done.set(None);
        spawn_local(async move {
            match api::agents::send_password_reset(agent.id).await {
                Ok(()) => action_done.set(Some(format!(
                    "A password reset link for {} is in the outbox (it works once, for one hour).",
                    agent.name
                ))),
                Err(e) => action_error.set(Some(format!("{}: {}", agent.name, e.message()))),
            }
        });
    };

    let update = move |agent: Agent, req: UpdateAgentRequest| {
        action_error.set(None);
        spawn_local(async move {
            match api::agents::update_agent(agent.id, req).await {
                Ok(_) => reload(),
                Err(e) => action_error.set(Some(format!("{}: {}", agent.name, e.message()))),
            }
        });
    };

    view! {
        <h2 class="section__title">"Agents"</h2>
        <ErrorNotice message=action_error />
        {move || action_done.get().map(|m| view! { <p class="notice" role="status">{m}</p> })}
        <Transition fallback=|| view! { <p>"Loading agents…"</p> }>
            {move || Suspend::new(async move {
                match agents.await {
                    Ok(list) => view! {
                        // Scrolls sideways on a narrow screen instead of widening the page.
                        <div class="table-scroll">
                        <AgentTable
                            agents=list
                            on_update=Callback::new(move |(a, r)| update(a, r))
                            on_send_reset=Callback::new(send_reset)
                        />
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                }
            })}
        </Transition>
        <AddAgentForm on_added=Callback::new(move |_| reload()) />
    }
}

#[component]
fn AgentTable(
    agents: Vec<Agent>,
    on_update: Callback<(Agent, UpdateAgentRequest)>,
    on_send_reset: Callback<Agent>,
) -> impl IntoView {
    let me = use_session().session().map(|s| s.agent.id);
    view! {
        <table class="table" aria-label="Agents">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Email"</th>
                    <th scope="col">"Role"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                </tr>
            </thead>
            <tbody>
                {agents
                    .into_iter()
                    .map(|agent| {
                        let toggle = agent.clone();
                        let role_agent = agent.clone();
                        let reset_agent = agent.clone();
                        let reset_aria = format!("Send a password reset link to {}", agent.name);
                        let label = if agent.active { "Deactivate" } else { "Reactivate" };
                        let aria = format!("{label} {}", agent.name);
                        let role_label = format!("Role of {}", agent.name);
                        let is_me = Some(agent.id) == me;
                        view! {
                            <tr class:table__row--inactive=!agent.active>
                                <td>{agent.name.clone()}</td>
                                <td>{agent.email.clone()}</td>
                                <td>
                                    <select
                                        aria-label=role_label
                                        on:change=move |ev| {
                                            let role = Role::parse(&event_target_value(&ev)).unwrap_or(Role::Agent);
                                            on_update.run((role_agent.clone(), UpdateAgentRequest { role: Some(role), ..Default::default() }));
                                        }
                                    >
                                        <option value="agent" selected=agent.role == Role::Agent>"Agent"</option>
                                        <option value="admin" selected=agent.role == Role::Admin>"Admin"</option>
                                    </select>
                                </td>
                                <td>{if agent.active { "Active" } else { "Deactivated" }}</td>
                                <td>
                                    <button
                                        type="button"
                                        class="button button--small"
                                        aria-label=aria
                                        disabled=is_me
                                        title=if is_me { "You cannot deactivate yourself" } else { "" }
                                        on:click=move |_| {
                                            on_update.run((toggle.clone(), UpdateAgentRequest { active: Some(!toggle.active), ..Default::default() }));
                                        }
                                    >
                                        {label}
                                    </button>
                                    {agent.active.then(|| view! {
                                        <button
                                            type="button"
                                            class="button button--small"
                                            aria-label=reset_aria
                                            on:click=move |_| on_send_reset.run(reset_agent.clone())
                                        >
                                            "Send reset link"
                                        </button>
                                    })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn AddAgentForm(on_added: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Agent);
    let errors = RwSignal::new(FieldErrors::new());
    let message = RwSignal::new(None::<Result<String, String>>);

    let create = Action::new_local(move |req: &CreateAgentRequest| api::agents::create_agent(req.clone()));
    Effect::new(move |_| match create.value().get() {
        Some(Ok(agent)) => {
            message.set(Some(Ok(format!("Added {}.", agent.name))));
            name.set(String::new());
            email.set(String::new());
            password.set(String::new());
            on_added.run(());
        }
        Some(Err(ApiError::Server(body))) if !body.fields.is_empty() => errors.set(body.fields),
        Some(Err(e)) => message.set(Some(Err(e.message()))),
        None => {}
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        message.set(None);
        let req = CreateAgentRequest {
            name: name.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
            role: role.get_untracked(),
        };
        // The same rules the server applies, for instant feedback.
        match validate_new_agent(&req) {
            Ok(_) => {
                errors.set(FieldErrors::new());
                create.dispatch(req);
            }
            Err(fields) => errors.set(fields),
        }
    };
    let err = move |f: &'static str| Signal::derive(move || errors.get().get(f).cloned());

    view! {
        <form class="card form" on:submit=on_submit novalidate=true aria-labelledby="add-agent-title">
            <h2 class="section__title" id="add-agent-title">"Add agent"</h2>
            <TextField id="agent-name" label="Name" value=name error=err("name") />
            <TextField id="agent-email" label="Email" value=email error=err("email") input_type="email" />
            <div class="field">
                <label class="field__label" for="agent-role">"Role"</label>
                <select
                    id="agent-role"
                    class="field__input"
                    on:change=move |ev| role.set(Role::parse(&event_target_value(&ev)).unwrap_or(Role::Agent))
                >
                    <option value="agent">"Agent"</option>
                    <option value="admin">"Admin"</option>
                </select>
            </div>
            <TextField
                id="agent-password"
                label="Initial password"
                value=password
                error=err("password")
                input_type="password"
                autocomplete="new-password"
            />
            <button type="submit" class="button button--primary" disabled=move || create.pending().get()>
                "Add agent"
            </button>
            {move || {
                message.get().map(|m| match m {
                    Ok(text) => view! { <p class="notice" role="status">{text}</p> }.into_any(),
                    Err(text) => view! { <ErrorNotice message=text /> }.into_any(),
                })
            }}
        </form>
    }
}

/// How many outbox messages one page shows.
const OUTBOX_PAGE: usize = 50;

/// The outbox: every email Orgdesk sends, newest first, with its delivery status.
#[component]
fn OutboxSection() -> impl IntoView {
    let offset = RwSignal::new(0usize);
    let version = RwSignal::new(0u32);
    let page = LocalResource::new(move || {
        version.get();
        api::outbox::list_outbox(offset.get(), OUTBOX_PAGE)
    });

    view! {
        <section aria-labelledby="outbox-title">
            <h2 class="section__title" id="outbox-title">"Outbox"</h2>
            <p class="hint">
                "Every email Orgdesk sends, such as invitations, is kept here. Without SMTP settings, emails stay pending."
            </p>
            <div class="form__actions form__actions--above">
                <button type="button" class="button button--small" on:click=move |_| version.update(|v| *v += 1)>
                    "Refresh"
                </button>
            </div>
            <Transition fallback=|| view! { <p>"Loading the outbox…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        // Scrolls sideways on a narrow screen instead of widening the page.
                        Ok(page) => view! { <div class="table-scroll"><OutboxTable page=page offset=offset /></div> }.into_any(),
                        Err(e) => view! { <ErrorNotice message=e.message() /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn OutboxTable(page: OutboxPage, offset: RwSignal<usize>) -> impl IntoView {
    if page.total == 0 {
        return view! {
            <p class="empty-state">"No emails yet. Invitations and other emails appear here as soon as Orgdesk sends them."</p>
        }
        .into_any();
    }
    let start = offset.get_untracked();
    let shown = page.items.len();
    let total = usize::try_from(page.total).unwrap_or(0);
    let summary = text::newest_first_summary("Emails", start, shown, total);

    view! {
        <p class="hint" role="status">{summary}</p>
        <table class="table" aria-label="Outbox">
            <thead>
                <tr>
                    <th scope="col">"Recipient"</th>
                    <th scope="col">"Subject"</th>
                    <th scope="col">"Kind"</th>
                    <th scope="col">"About"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col">"Attempts"</th>
                    <th scope="col">"Created"</th>
                </tr>
            </thead>
            <tbody>{page.items.into_iter().map(|message| view! { <OutboxRow message=message /> }).collect_view()}</tbody>
        </table>
        <Pager label="Outbox pages" offset=offset page=OUTBOX_PAGE start=start shown=shown total=total />
    }
    .into_any()
}

#[component]
fn OutboxRow(message: OutboxMessage) -> impl IntoView {
    let status_title = match &message.sent_at {
        Some(at) => format!("Sent {}", local_time(at)),
        None => String::new(),
    };
    view! {
        <tr>
            <td>{message.recipient}</td>
            <td>{message.subject}</td>
            <td>{kind_label(&message.kind)}</td>
            <td>
                {message.item_id.map(|id| view! { <A href=format!("/tickets/{id}")>{format!("Item #{id}")}</A> })}
            </td>
            <td title=status_title>
                {message.status.label()}
                {message.last_error.map(|e| view! { <br /><small>{e}</small> })}
            </td>
            <td>{message.attempts}</td>
            <td class="table__nowrap">
                <Timestamp at=message.created_at.clone() />
            </td>
        </tr>
    }
}

/// `invitation` as `Invitation`.
/// An outbox message's kind as people say it ("Reply to item", not `item_reply`).
fn kind_label(kind: &str) -> String {
    match kind {
        "item_reply" => "Reply to item".into(),
        "item_history" => "Conversation so far (new requester)".into(),
        "conversation" => "Message to customers".into(),
        "invitation" => "Invitation".into(),
        "password_reset" => "Password reset".into(),
        "portal_password_reset" => "Portal password reset".into(),
        "portal_verify_email" => "Portal email verification".into(),
        "portal_account_exists" => "Portal account already exists".into(),
        other => {
            let words = other.replace('_', " ");
            let mut chars = words.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        }
    }
}

#[cfg(test)]
mod kind_tests {
    #[test]
    fn outbox_kinds_read_as_words() {
        assert_eq!(super::kind_label("item_reply"), "Reply to item");
        assert_eq!(super::kind_label("portal_verify_email"), "Portal email verification");
        assert_eq!(super::kind_label("some_new_kind"), "Some new kind");
    }
}
