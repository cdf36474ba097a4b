//! Checks of namespaces and tenancy boundaries.

crate::check::registry! {}
