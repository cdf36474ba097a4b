//! Palisade's core: pure analysis of Kubernetes objects.
//!
//! This crate owns the object model (documents with positions, objects, the inventory, pod
//! views), the check registry and engine, suppression, and the reporters that write results to
//! any `impl Write`. It performs no I/O of its own: no files, sockets, clock or environment.
//! Callers pass text in and the current date where suppression needs it. Work is spread over
//! the caller's rayon thread pool; the crate starts no threads itself.

pub mod check;
pub mod checks;
pub mod detect;
pub mod document;
pub mod inventory;
pub mod load;
pub mod netpol;
pub mod object;
pub mod pss;
pub mod rbac;
pub mod report;
pub mod scan;
pub mod suppress;
pub mod workload;

#[cfg(test)]
mod robustness_tests;
