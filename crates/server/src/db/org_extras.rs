//! Organization detail panel (issue #5): storage.
