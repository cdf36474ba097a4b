//! Runtime threat detection on Kubernetes audit events.

pub mod state;
