use leptos::prelude::*;

use crate::components::dialog::Dialog;
use crate::components::search_picker::{Pick, PickerKind, SearchPicker};

/// "Move to organization…": the organization picker (a combobox: type to search,
/// Arrow Down and Up through the results, Enter) with "No organization" first.
/// `None` means "No organization".
#[component]
pub fn MoveDialog(
    #[prop(into)] count: Signal<usize>,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_pick: Callback<(Option<i64>, String)>,
) -> impl IntoView {
    let title = Signal::derive(move || {
        let n = count.get();
        if n == 1 {
            "Move 1 customer".to_string()
        } else {
            format!("Move {n} customers")
        }
    });
    // Organization ids start at 1: 0 stands for "No organization".
    let none = Pick { id: 0, name: "No organization".into(), detail: String::new() };
    view! {
        <Dialog id="move" title=title on_close=on_close>
            <SearchPicker
                id="move-search"
                label="Organization"
                kind=PickerKind::Organization
                placeholder="Type to search"
                leading=vec![none]
                inline=true
                on_pick=move |p: Pick| on_pick.run(((p.id > 0).then_some(p.id), p.name))
            />
        </Dialog>
    }
}
