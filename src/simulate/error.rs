//! The simulator's errors and warnings: a world that cannot be loaded
//! ([`LoadError`], which names the file, document and object), a policy object
//! it loaded but cannot evaluate ([`Unsimulated`], a warning) and a query about
//! a pod the world does not have ([`QueryError`]).
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

/// "file, document N, item M" as parts, as far as they are known.
fn place(file: Option<&str>, document: Option<usize>, item: Option<usize>) -> Vec<String> {
    let mut place = Vec::new();
    place.extend(file.map(str::to_owned));
    match (document, item) {
        (Some(document), Some(item)) => place.push(format!("document {document}, item {item}")),
        (Some(document), None) => place.push(format!("document {document}")),
        (None, Some(item)) => place.push(format!("item {item}")),
        (None, None) => {}
    }
    place
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut place = place(self.file.as_deref(), self.document, self.item);
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

/// A warning: a policy object of a kind the simulator does not evaluate (a
/// `CiliumNetworkPolicy`, an `AdminNetworkPolicy`, a Calico
/// `GlobalNetworkPolicy`...). The cluster enforces it, the simulation does
/// not, so verdicts about the pods it applies to may be wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsimulated {
    /// The file, as in [`LoadError::file`].
    pub file: Option<String>,
    /// The 1-based document of the file's stream.
    pub document: Option<usize>,
    /// The 1-based item of a `List` document.
    pub item: Option<usize>,
    /// The object's `apiVersion`, when it has one.
    pub api_version: Option<String>,
    /// The object.
    pub object: ObjectRef,
}

impl fmt::Display for Unsimulated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in place(self.file.as_deref(), self.document, self.item) {
            write!(f, "{part}: ")?;
        }
        write!(f, "{}", self.object)?;
        if let Some(api_version) = &self.api_version {
            write!(f, " (`{api_version}`)")?;
        }
        f.write_str(
            " is a policy the simulator does not evaluate; verdicts about the pods it applies to may be wrong",
        )
    }
}

/// What is wrong with one object, in one lowercase line naming the field
/// (`` `spec.podSelector` has an empty key ``): a value the API server would
/// refuse, or one the simulator cannot read. [`LoadError`] adds where the
/// object is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invalid(pub String);

/// `Err(Invalid(message))`.
pub(crate) fn invalid<T>(message: String) -> Result<T, Invalid> {
    Err(Invalid(message))
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Invalid {}

impl From<Invalid> for String {
    fn from(error: Invalid) -> Self {
        error.0
    }
}

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
