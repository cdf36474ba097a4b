//! Kubernetes objects read from parsed documents.
//!
//! This module owns the step from a [`Document`] to [`Object`]s: it recognises objects by their
//! `apiVersion` and `kind`, unpacks `kind: List` and `*List` wrappers (as `kubectl get -o yaml`
//! writes them), and counts documents that are not Kubernetes objects instead of failing on them.

use std::sync::Arc;

use crate::document::{Document, Node, Pos, Value};

/// Where an object came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file's display name (`-` for standard input).
    pub file: Arc<str>,
    /// The document's index in the file, from 0.
    pub document: usize,
    /// The item's index when the object was unpacked from a List.
    pub item: Option<usize>,
}

/// A Kubernetes object with its whole value tree.
#[derive(Debug, Clone)]
pub struct Object {
    /// `apiVersion`, e.g. `apps/v1`.
    pub api_version: Box<str>,
    /// `kind`, e.g. `Deployment`.
    pub kind: Box<str>,
    /// `metadata.name` (or `metadata.generateName`); empty when neither is set.
    pub name: Box<str>,
    /// `metadata.namespace`, when the manifest sets one.
    pub namespace: Option<Box<str>>,
    /// The whole object.
    pub root: Node,
    /// Where it was read.
    pub source: Source,
}

impl Object {
    /// The object's API group (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
    }

    /// `metadata`, if present.
    pub fn metadata(&self) -> Option<&Node> {
        self.root.get("metadata")
    }

    /// A label's value.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.root
            .path(&["metadata", "labels", key])
            .and_then(Node::as_str)
    }

    /// An annotation's value.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.root
            .path(&["metadata", "annotations", key])
            .and_then(Node::as_str)
    }

    /// Where the object starts in its file.
    pub fn pos(&self) -> Pos {
        self.root.pos
    }

    /// `namespace/name` or `name`, for messages.
    pub fn display_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.to_string(),
        }
    }
}

/// What [`objects_from_document`] found in one document.
#[derive(Debug, Default)]
pub struct Extracted {
    /// Kubernetes objects, in order.
    pub objects: Vec<Object>,
    /// Documents or List items that are not Kubernetes objects (no `apiVersion`/`kind`).
    pub skipped: usize,
}

/// Reads the Kubernetes objects in one document.
pub fn objects_from_document(file: &Arc<str>, doc: Document) -> Extracted {
    let mut out = Extracted::default();
    if doc.root.is_null() {
        return out;
    }
    let source = |item| Source {
        file: file.clone(),
        document: doc.index,
        item,
    };
    match list_items(doc.root) {
        Ok(items) => {
            for (i, item) in items.into_iter().enumerate() {
                match object_from_node(item, source(Some(i))) {
                    Some(o) => out.objects.push(o),
                    None => out.skipped += 1,
                }
            }
        }
        Err(root) => match object_from_node(root, source(None)) {
            Some(o) => out.objects.push(o),
            None => out.skipped += 1,
        },
    }
    out
}

/// The items of a `kind: List` or `*List` document, or the document back when it is not one.
fn list_items(root: Node) -> Result<Vec<Node>, Node> {
    let is_list = root
        .get("kind")
        .and_then(Node::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && matches!(root.get("items").map(|n| &n.value), Some(Value::Seq(_)));
    if !is_list {
        return Err(root);
    }
    let Value::Map(entries) = root.value else {
        return Ok(Vec::new());
    };
    Ok(entries
        .into_iter()
        .find(|e| &*e.key == "items")
        .and_then(|e| match e.value.value {
            Value::Seq(items) => Some(items),
            _ => None,
        })
        .unwrap_or_default())
}

fn object_from_node(root: Node, source: Source) -> Option<Object> {
    let api_version: Box<str> = root.get("apiVersion")?.as_str()?.into();
    let kind: Box<str> = root.get("kind")?.as_str()?.into();
    if kind.is_empty() || api_version.is_empty() {
        return None;
    }
    let meta = root.get("metadata");
    let name = meta
        .and_then(|m| m.get("name").or_else(|| m.get("generateName")))
        .and_then(Node::scalar_text)
        .map(|s| Box::from(s.as_ref()))
        .unwrap_or_default();
    let namespace = meta
        .and_then(|m| m.get("namespace"))
        .and_then(Node::as_str)
        .map(Box::from);
    Some(Object {
        api_version,
        kind,
        name,
        namespace,
        root,
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::parse_stream;

    fn extract(text: &str) -> Extracted {
        let file: Arc<str> = "t.yaml".into();
        let mut all = Extracted::default();
        for doc in parse_stream(text).documents {
            let e = objects_from_document(&file, doc);
            all.objects.extend(e.objects);
            all.skipped += e.skipped;
        }
        all
    }

    #[test]
    fn lists_are_unpacked_and_non_objects_counted() {
        let e = extract(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a, namespace: x}\n- foo: bar\n---\nhello: world\n",
        );
        assert_eq!(e.objects.len(), 1);
        assert_eq!(e.objects[0].display_name(), "x/a");
        assert_eq!(e.objects[0].source.item, Some(0));
        assert_eq!(e.objects[0].pos().line, 4);
        assert_eq!(e.skipped, 2);
    }

    #[test]
    fn identity_fields_that_look_like_booleans_or_numbers_keep_their_text() {
        let e = extract(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: yes\n  namespace: n\n  \
             labels:\n    enabled: on\n    version: 1.10\n  annotations:\n    replicas: 0x10\n",
        );
        let object = &e.objects[0];
        assert_eq!(&*object.name, "yes");
        assert_eq!(object.namespace.as_deref(), Some("n"));
        assert_eq!(object.label("enabled"), Some("on"));
        assert_eq!(object.label("version"), Some("1.10"));
        assert_eq!(object.annotation("replicas"), Some("0x10"));
        assert_eq!(object.display_name(), "n/yes");
    }

    #[test]
    fn group_is_empty_for_core() {
        let e = extract("apiVersion: v1\nkind: Pod\n---\napiVersion: apps/v1\nkind: Deployment\n");
        assert_eq!(e.objects[0].group(), "");
        assert_eq!(e.objects[1].group(), "apps");
    }
}
