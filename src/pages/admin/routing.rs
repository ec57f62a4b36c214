//! Administration > Routing (`/admin/routing`): the property-targeted routing rules,
//! which apply to every organization whose custom property has a value ("Plan =
//! Enterprise"). Admins add, edit, enable, delete and reorder them
//! ([`RoutingRuleList`]); other agents read them.

use leptos::prelude::*;
use leptos_router::components::A;
use orgdesk_core::routing::PRECEDENCE;

use crate::components::routing_rule_editor::RuleScope;
use crate::components::routing_rule_list::RoutingRuleList;
use crate::state::use_session;

#[component]
pub fn AdminRoutingPage() -> impl IntoView {
    crate::hooks::use_title(|| Some("Routing rules".to_string()));
    let session = use_session();
    let is_admin = Signal::derive(move || session.is_admin());
    view! {
        <section class="page admin-routing">
            <p class="audit__back"><A href="/admin">"← Administration"</A></p>
            <h1 class="page__title">"Routing"</h1>
            <p class="admin-routing__intro">
                "Rules for every organization whose property has a value, for example Plan = Enterprise. \
                 Each organization's routing section shows the ones that reach it."
            </p>
            <p class="hint admin-routing__precedence" data-testid="routing-precedence">{PRECEDENCE}</p>
            <Show when=move || !is_admin.get()>
                <p class="notice">"Only administrators can change these rules; you can read them."</p>
            </Show>
            <RoutingRuleList
                scope=RuleScope::Property
                editable=is_admin
                label="Property-targeted rules"
                empty="No property-targeted rules yet."
                add_first="Add rule"
            />
        </section>
    }
}
