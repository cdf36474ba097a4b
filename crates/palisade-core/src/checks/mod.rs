//! The check catalog: one static registry list per area, chained in a fixed order.
//!
//! Adding a check means adding one line to its area's `registry!` list (see CONTRIBUTING.md);
//! there is no link-time registration, so this file is the complete list of areas.

use crate::check::Registered;

pub mod netpol;
pub mod network;
pub mod paths;
pub mod rbac;
pub mod secrets;
pub mod tenancy;
pub mod workload;

/// The registries of all areas.
static AREAS: &[&[Registered]] = &[
    workload::CHECKS,
    network::CHECKS,
    secrets::CHECKS,
    tenancy::CHECKS,
    rbac::CHECKS,
    netpol::CHECKS,
    paths::CHECKS,
];

/// Every check, in area order then id order.
pub fn all() -> impl Iterator<Item = &'static Registered> {
    AREAS.iter().flat_map(|area| area.iter())
}

/// The check with this id or slug.
pub fn find(key: &str) -> Option<&'static Registered> {
    all().find(|r| r.meta.matches(key))
}

#[cfg(test)]
mod harness;
