use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use orgdesk_core::agent::{validate_new_agent, Role};
use orgdesk_core::api::{Agent, CreateAgentRequest, UpdateAgentRequest};
use orgdesk_core::FieldErrors;

use crate::api::{self, ApiError};
use crate::components::text_field::TextField;
use crate::state::use_session;

/// Administration: agent accounts (admins only; the server enforces it too).
#[component]
pub fn AdminPage() -> impl IntoView {
    let session = use_session();
    view! {
        <section class="page">
            <h1 class="page__title">"Administration"</h1>
            <Show
                when=move || session.is_admin()
                fallback=|| view! { <p class="notice notice--error" role="alert">"Only administrators can open Administration."</p> }
            >
                <AgentsSection />
            </Show>
        </section>
    }
}

#[component]
fn AgentsSection() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let agents = LocalResource::new(move || {
        version.get();
        api::list_agents()
    });
    let action_error = RwSignal::new(None::<String>);
    let reload = move || version.update(|v| *v += 1);

    let update = move |agent: Agent, req: UpdateAgentRequest| {
        action_error.set(None);
        spawn_local(async move {
            match api::update_agent(agent.id, req).await {
                Ok(_) => reload(),
                Err(e) => action_error.set(Some(format!("{}: {}", agent.name, e.message()))),
            }
        });
    };

    view! {
        <h2 class="section__title">"Agents"</h2>
        {move || action_error.get().map(|e| view! { <p class="notice notice--error" role="alert">{e}</p> })}
        <Transition fallback=|| view! { <p>"Loading agents…"</p> }>
            {move || Suspend::new(async move {
                match agents.await {
                    Ok(list) => view! { <AgentTable agents=list on_update=Callback::new(move |(a, r)| update(a, r)) /> }.into_any(),
                    Err(e) => view! { <p class="notice notice--error" role="alert">{e.message()}</p> }.into_any(),
                }
            })}
        </Transition>
        <AddAgentForm on_added=Callback::new(move |_| reload()) />
    }
}

#[component]
fn AgentTable(agents: Vec<Agent>, on_update: Callback<(Agent, UpdateAgentRequest)>) -> impl IntoView {
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

    let create = Action::new_local(move |req: &CreateAgentRequest| api::create_agent(req.clone()));
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
                    Err(text) => view! { <p class="notice notice--error" role="alert">{text}</p> }.into_any(),
                })
            }}
        </form>
    }
}
