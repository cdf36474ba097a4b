//! Checks for credentials stored or passed in ways that leak them.

crate::check::registry! {}
