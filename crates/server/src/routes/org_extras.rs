//! Organization detail panel (issue #5): see `orgdesk_core::api::organization`.

use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
}
