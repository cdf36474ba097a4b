//! The inventory: every object of a run, indexed once and shared read-only by all checks.
//!
//! Views that several analyses need (objects by kind, namespaces in use, the RBAC model) are
//! computed here once, lazily, so that checks and commands share them instead of rebuilding them.
//! The same holds for the NetworkPolicy connectivity model.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use crate::object::Object;

/// An object's index in the inventory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId(pub u32);

/// All objects of a run.
#[derive(Debug, Default)]
pub struct Inventory {
    objects: Vec<Object>,
    by_kind: BTreeMap<Box<str>, Vec<ObjectId>>,
    rbac: OnceLock<crate::rbac::Model>,
    attack_graph: OnceLock<crate::graph::Graph>,
    netpol: OnceLock<crate::netpol::Cluster>,
}

impl Inventory {
    /// Builds the inventory and its indexes.
    pub fn new(objects: Vec<Object>) -> Self {
        let mut by_kind: BTreeMap<Box<str>, Vec<ObjectId>> = BTreeMap::new();
        for (i, object) in objects.iter().enumerate() {
            by_kind
                .entry(object.kind.clone())
                .or_default()
                .push(ObjectId(i as u32));
        }
        Inventory {
            objects,
            by_kind,
            rbac: OnceLock::new(),
            attack_graph: OnceLock::new(),
            netpol: OnceLock::new(),
        }
    }

    /// The RBAC model of the inventory's Roles, bindings and service accounts, built on first use.
    pub fn rbac(&self) -> &crate::rbac::Model {
        self.rbac
            .get_or_init(|| crate::rbac::Model::from_inventory(self))
    }

    /// The attack graph of the inventory (default options), built on first use.
    pub fn attack_graph(&self) -> &crate::graph::Graph {
        self.attack_graph
            .get_or_init(|| crate::graph::Graph::from_inventory(self))
    }

    /// The NetworkPolicy connectivity model of the inventory, built on first use.
    pub fn netpol(&self) -> &crate::netpol::Cluster {
        self.netpol.get_or_init(|| {
            crate::netpol::Cluster::from_files(
                self.objects.iter().map(|o| (&*o.source.file, &o.root)),
            )
        })
    }

    /// All objects, in input order.
    pub fn objects(&self) -> &[Object] {
        &self.objects
    }

    /// Objects with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (ObjectId, &Object)> {
        self.objects
            .iter()
            .enumerate()
            .map(|(i, o)| (ObjectId(i as u32), o))
    }

    /// One object.
    pub fn get(&self, id: ObjectId) -> &Object {
        &self.objects[id.0 as usize]
    }

    /// Objects of one kind, in input order.
    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = (ObjectId, &'a Object)> {
        self.by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .map(|id| (*id, self.get(*id)))
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// Whether there are no objects.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Namespaces that namespaced objects in the input name explicitly, plus declared Namespace
    /// objects.
    pub fn namespaces(&self) -> BTreeSet<&str> {
        let mut out: BTreeSet<&str> = self
            .objects
            .iter()
            .filter_map(|o| o.namespace.as_deref())
            .collect();
        out.extend(self.of_kind("Namespace").map(|(_, o)| &*o.name));
        out
    }
}
