//! State shared through context: the session, the server's reachability, and the
//! Customers list that the organization panel beside it reloads.

use leptos::prelude::*;
use orgdesk_core::api::Session;

/// Where the sign-in stands.
#[derive(Clone, Debug, PartialEq)]
pub enum Auth {
    /// Asking the server whether the browser still has a session.
    Checking,
    /// Signed out; `reason` says why when it was not the agent's choice.
    SignedOut {
        reason: Option<String>,
    },
    SignedIn(Session),
}

#[derive(Clone, Copy)]
pub struct SessionContext(pub RwSignal<Auth>);

impl SessionContext {
    pub fn session(&self) -> Option<Session> {
        match self.0.get() {
            Auth::SignedIn(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_admin(&self) -> bool {
        self.session().is_some_and(|s| s.agent.role == orgdesk_core::agent::Role::Admin)
    }
}

pub fn provide_session() -> SessionContext {
    let ctx = SessionContext(RwSignal::new(Auth::Checking));
    provide_context(ctx);
    ctx
}

pub fn use_session() -> SessionContext {
    expect_context::<SessionContext>()
}

/// False while the last call to the server got no answer at all.
#[derive(Clone, Copy)]
pub struct ConnectionContext(pub RwSignal<bool>);

pub fn provide_connection() -> ConnectionContext {
    let ctx = ConnectionContext(RwSignal::new(true));
    provide_context(ctx);
    ctx
}

pub fn use_connection() -> ConnectionContext {
    expect_context::<ConnectionContext>()
}

/// What the organization panel (in the Customers page's outlet) shares with the list.
#[derive(Clone, Copy)]
pub struct CustomersContext {
    /// Fetches the list again (after the panel renamed an organization or moved customers).
    pub reload: Callback<()>,
    /// Whether this agent may delete organizations (admins, or agents when an admin allowed it).
    pub may_delete_organizations: Signal<bool>,
}
