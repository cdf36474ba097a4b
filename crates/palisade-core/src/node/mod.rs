//! The CIS node and control-plane benchmark, over a node snapshot.
//!
//! A [`Snapshot`](snapshot::Snapshot) is plain data (processes' command lines, files with
//! their mode, owner and, for configuration, text); [`collect`](collect::collect) fills one
//! through a [`NodeSource`](collect::NodeSource) that palisade-io implements for a real file
//! system. [`components`] finds the control-plane components and the kubelet in it and the
//! settings they run with; [`cis`] evaluates the benchmark; [`policies`] answers section 5
//! from a cluster dump, with the Pod Security defaults [`admission`] reads. Nothing in this module touches the file system itself.

pub mod admission;
pub mod cis;
pub mod collect;
pub mod components;
pub mod embedded;
pub mod flags;
pub mod locations;
pub mod policies;
pub mod snapshot;
pub mod systemd;
