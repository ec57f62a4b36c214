//! "Projects shared with Ann": the projects a customer follows, directly or
//! through their organization (which counts once their email is verified).

use leptos::prelude::*;

use crate::api;

#[component]
pub fn SharedProjects(customer_id: i64, #[prop(into)] name: String) -> impl IntoView {
    let projects = LocalResource::new(move || api::sharing::customer_shared_projects(customer_id));
    let heading = format!("Projects shared with {name}");
    view! {
        <section class="shared-projects" aria-labelledby="shared-projects-title">
            <h3 class="panel__heading" id="shared-projects-title">{heading}</h3>
            {move || projects.get().map(|r| match r {
                Err(e) => view! { <p class="hint" role="alert">{e.message()}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="hint">"No project is shared with them."</p> }.into_any(),
                Ok(list) => view! {
                    <ul class="share__list" aria-label="Shared projects">
                        {list.into_iter().map(|p| {
                            let mut how = Vec::new();
                            if p.direct {
                                how.push("follows it".to_string());
                            }
                            if let Some(o) = &p.through_organization {
                                how.push(format!("through {}", o.name));
                            }
                            let how = how.join(", ");
                            view! {
                                <li class="share__row">
                                    <a class="share__name" href=format!("/projects/{}", p.id)>{p.name.clone()}</a>
                                    <span class="share__detail">{how}</span>
                                    {p.archived.then(|| view! { <span class="badge badge--archived">"Archived"</span> })}
                                    {(!p.access).then(|| view! { <span class="badge">"Once their email is verified"</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            })}
        </section>
    }
}
