//! The simulator's errors: a world that cannot be loaded ([`LoadError`], which
//! names the file, document and object) and a query about a pod the world does
//! not have ([`QueryError`]).
//!
//! Errors are data: each part is a field, and `Display` joins them into one
//! lowercase line.

use super::endpoint::PodRef;
use std::fmt;

/// The Kubernetes object an error is about, as far as it is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectRef {
    /// The object's `kind` (`Pod`, `NetworkPolicy`, ...).
    pub kind: String,
    /// Its namespace, when it has one.
    pub namespace: Option<String>,
    /// Its name, when it has one.
    pub name: Option<String>,
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.namespace, &self.name) {
            (Some(namespace), Some(name)) => write!(f, "{} `{namespace}/{name}`", self.kind),
            (None, Some(name)) => write!(f, "{} `{name}`", self.kind),
            (Some(namespace), None) => {
                write!(f, "{} without a name in namespace `{namespace}`", self.kind)
            }
            (None, None) => write!(f, "{} without a name", self.kind),
        }
    }
}

/// Why a world could not be loaded: the place, the object and the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file (as given in [`super::Document::name`]); `None` for objects
    /// given in memory.
    pub file: Option<String>,
    /// The 1-based index of the YAML document in the file's stream.
    pub document: Option<usize>,
    /// The 1-based index of the item in a `List` document.
    pub item: Option<usize>,
    /// The object at fault, when it could be identified.
    pub object: Option<Box<ObjectRef>>,
    /// What is wrong, in one lowercase line.
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = Vec::new();
        if let Some(file) = &self.file {
            place.push(file.clone());
        }
        match (self.document, self.item) {
            (Some(document), Some(item)) => place.push(format!("document {document}, item {item}")),
            (Some(document), None) => place.push(format!("document {document}")),
            (None, Some(item)) => place.push(format!("item {item}")),
            (None, None) => {}
        }
        if let Some(object) = &self.object {
            place.push(object.to_string());
        }
        for part in place {
            write!(f, "{part}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for LoadError {}

/// A query named something the world does not have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryError {
    /// No pod of the world has this namespace and name.
    UnknownPod(PodRef),
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownPod(pod) => write!(f, "no pod `{pod}` in the world"),
        }
    }
}

impl std::error::Error for QueryError {}
