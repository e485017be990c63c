//! Reading a world from YAML text as `kubectl get -o yaml` prints it: single
//! documents, multi-document streams and `List` objects, in any number of
//! files.
//!
//! Owns the mapping from documents to typed objects: Namespaces, Pods and
//! NetworkPolicies as they are; workloads (Deployment, StatefulSet,
//! DaemonSet, ReplicaSet, ReplicationController, Job, CronJob) as one pod
//! made from their pod template, unless real pods or an owning workload of
//! the same world already stand for them; policy objects of other kinds
//! (Cilium, Calico, AdminNetworkPolicy...) kept as warnings; every other kind
//! ignored. Objects are decoded strictly (a field the schema does not have is
//! an error, as with the API server's strict field validation) and validated
//! as the API server would (`validate`). YAML is read through `crate::yaml`,
//! within its limits. It takes text, never paths: reading files is the CLI's
//! job.

use super::error::{LoadError, ObjectRef, Unsimulated};
use super::validate::{self, NameRule};
use super::world::{Origin, Sourced, World};
use crate::yaml;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Namespace, Pod, PodTemplateSpec, ReplicationController};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeSet;

/// One input file: its name (for messages) and its YAML text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    /// The file name, as messages should show it.
    pub name: String,
    /// The YAML text: one document, a `---` stream, or a `List`.
    pub text: String,
}

impl Document {
    /// A document named `name` with `text`.
    #[must_use]
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// The kinds taken as their pod template.
const WORKLOADS: [&str; 7] = [
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "Job",
    "CronJob",
];

/// A workload: kind, namespace, name.
type WorkloadKey = (String, String, String);

struct Workload {
    origin: Origin,
    key: WorkloadKey,
    /// The workload that owns this one (a Deployment owns its ReplicaSets).
    owner: Option<WorkloadKey>,
    labels: Option<std::collections::BTreeMap<String, String>>,
    spec: Option<k8s_openapi::api::core::v1::PodSpec>,
}

enum Entry {
    Pod(Box<Sourced<Pod>>),
    Workload(Box<Workload>),
}

#[derive(Default)]
struct Collected {
    namespaces: Vec<Sourced<Namespace>>,
    entries: Vec<Entry>,
    policies: Vec<Sourced<NetworkPolicy>>,
    unsimulated: Vec<Unsimulated>,
}

/// A loaded world and the policy objects in it that it does not simulate.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The world.
    pub world: World,
    /// Policy objects of kinds the simulator does not evaluate, in input
    /// order: each a warning that verdicts may be wrong.
    pub unsimulated: Vec<Unsimulated>,
}

/// Loads a world from YAML files, with the policy objects it does not
/// simulate.
///
/// Namespaces that pods or policies use without declaring them are created;
/// every namespace gets the `kubernetes.io/metadata.name` label. Pods keep
/// `status.podIP` when it is there; the others get synthetic addresses from
/// 10.244.0.1 on, in world order. A leading byte-order mark is ignored.
///
/// # Errors
///
/// The first problem found: input over `yaml::MAX_INPUT_BYTES` in all,
/// YAML that does not parse or breaks a limit of `crate::yaml` (nesting,
/// aliases), a document that is not an object, an object of a known kind
/// with a field its schema does not have (outside `status`) or a value of
/// the wrong type, or one the API server would reject (an invalid name,
/// label or port name, an unknown selector operator, an invalid CIDR, a
/// duplicate name...). The error names the file, the document and the
/// object, and the field by its path.
pub fn read(documents: &[Document]) -> Result<Loaded, LoadError> {
    let total: usize = documents.iter().map(|document| document.text.len()).sum();
    if total > yaml::MAX_INPUT_BYTES {
        return Err(LoadError {
            file: None,
            document: None,
            item: None,
            object: None,
            message: yaml::too_large(),
        });
    }
    let mut collected = Collected::default();
    for document in documents {
        let fail = |error: yaml::ReadError| LoadError {
            file: Some(document.name.clone()),
            document: error.document,
            item: None,
            object: None,
            message: error.message,
        };
        for part in yaml::documents(&document.text).map_err(fail)? {
            let value = yaml::value(part.text).map_err(|error| {
                fail(yaml::ReadError {
                    document: Some(part.index),
                    ..error
                })
            })?;
            let origin = Origin {
                file: Some(document.name.clone()),
                document: Some(part.index),
                ..Origin::default()
            };
            read_value(value, origin, &mut collected)?;
        }
    }
    let pods = resolve_workloads(collected.entries);
    let world = World::build(collected.namespaces, pods, collected.policies)?;
    Ok(Loaded {
        world,
        unsimulated: collected.unsimulated,
    })
}

/// Loads a world from YAML files, as [`read`] does, for callers that have no
/// use for its warnings.
///
/// # Errors
///
/// As [`read`].
pub fn load(documents: &[Document]) -> Result<World, LoadError> {
    read(documents).map(|loaded| loaded.world)
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn plain_error(origin: &Origin, message: String) -> LoadError {
    LoadError {
        file: origin.file.clone(),
        document: origin.document,
        item: origin.item,
        object: None,
        message,
    }
}

fn metadata_string(value: &Value, field: &str) -> Option<String> {
    value
        .get("metadata")?
        .get(field)?
        .as_str()
        .map(str::to_owned)
}

/// Whether an object of this group and kind is a network policy of another
/// API than `networking.k8s.io/v1`: Cilium's, Calico's, Antrea's, the
/// upstream AdminNetworkPolicy and ClusterNetworkPolicy, Istio's
/// AuthorizationPolicy, OVN-Kubernetes' EgressFirewall. Calico's staged
/// policies are not enforced, so they are not among them.
fn is_foreign_policy(group: &str, kind: &str) -> bool {
    let named = kind.contains("NetworkPolicy") && !kind.starts_with("Staged");
    let other = matches!(kind, "AuthorizationPolicy" | "EgressFirewall");
    (named || other) && !(kind == "NetworkPolicy" && is_networking_group(group))
}

/// The groups whose `NetworkPolicy` is the one simulated (`extensions` is
/// its long-removed beta: reading it reports the wrong `apiVersion`).
fn is_networking_group(group: &str) -> bool {
    matches!(group, "networking.k8s.io" | "extensions" | "")
}

fn read_value(value: Value, origin: Origin, out: &mut Collected) -> Result<(), LoadError> {
    if value.is_null() {
        return Ok(());
    }
    if !value.is_object() {
        return Err(plain_error(
            &origin,
            format!(
                "expected a Kubernetes object (a mapping with `kind`), found {}",
                describe(&value)
            ),
        ));
    }
    let kind = match value.get("kind") {
        Some(Value::String(kind)) => kind.clone(),
        Some(other) => {
            return Err(plain_error(
                &origin,
                format!("`kind` is {}, not a string", describe(other)),
            ));
        }
        None => return Err(plain_error(&origin, "missing `kind`".to_owned())),
    };
    let object = ObjectRef {
        kind: kind.clone(),
        namespace: metadata_string(&value, "namespace"),
        name: metadata_string(&value, "name"),
    };
    if kind.ends_with("List") {
        return read_list(value, &origin, &object, out);
    }
    let api_version = value
        .get("apiVersion")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let group = api_version
        .as_deref()
        .and_then(|version| version.split_once('/'))
        .map_or("", |(group, _)| group);
    if is_foreign_policy(group, &kind) {
        out.unsimulated.push(Unsimulated {
            file: origin.file,
            document: origin.document,
            item: origin.item,
            api_version,
            object,
        });
        return Ok(());
    }
    match kind.as_str() {
        "Namespace" => {
            let namespace: Namespace = parse(value, &origin, &object)?;
            validate::metadata(&namespace.metadata, "metadata", NameRule::Label)
                .map_err(|message| origin.error(object.clone(), message))?;
            out.namespaces.push(Sourced {
                object: namespace,
                origin,
            });
        }
        "Pod" => {
            let pod: Pod = parse(value, &origin, &object)?;
            validate::metadata(&pod.metadata, "metadata", NameRule::Subdomain)
                .and_then(|()| {
                    pod.spec
                        .as_ref()
                        .map_or(Ok(()), |spec| validate::pod_spec(spec, "spec"))
                })
                .map_err(|message| origin.error(object.clone(), message))?;
            out.entries.push(Entry::Pod(Box::new(Sourced {
                object: pod,
                origin,
            })));
        }
        "NetworkPolicy" => {
            let policy: NetworkPolicy = parse(value, &origin, &object)?;
            validate::metadata(&policy.metadata, "metadata", NameRule::Subdomain)
                .and_then(|()| validate::network_policy(&policy))
                .map_err(|message| origin.error(object.clone(), message))?;
            out.policies.push(Sourced {
                object: policy,
                origin,
            });
        }
        kind if WORKLOADS.contains(&kind) => {
            let workload = read_workload(value, origin, &object)?;
            out.entries.push(Entry::Workload(Box::new(workload)));
        }
        _ => {}
    }
    Ok(())
}

fn read_list(
    value: Value,
    origin: &Origin,
    object: &ObjectRef,
    out: &mut Collected,
) -> Result<(), LoadError> {
    if origin.item.is_some() {
        return Err(origin.error(object.clone(), "a list inside a list is not supported"));
    }
    let items = match value.get("items") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(items)) => items.clone(),
        Some(other) => {
            return Err(origin.error(
                object.clone(),
                format!("`items` is {}, not a list", describe(other)),
            ));
        }
    };
    // The API server's typed lists (`PodList`...) leave `kind` and
    // `apiVersion` out of their items: they are the list's.
    let item_kind = object
        .kind
        .strip_suffix("List")
        .filter(|kind| !kind.is_empty())
        .map(|kind| Value::String(kind.to_owned()));
    let api_version = value.get("apiVersion").cloned();
    for (index, mut item) in items.into_iter().enumerate() {
        if let (Some(kind), Value::Object(fields)) = (&item_kind, &mut item) {
            if !fields.contains_key("kind") {
                fields.insert("kind".to_owned(), kind.clone());
                if let Some(api_version) = &api_version {
                    fields
                        .entry("apiVersion")
                        .or_insert_with(|| api_version.clone());
                }
            }
        }
        let origin = Origin {
            item: Some(index + 1),
            ..origin.clone()
        };
        read_value(item, origin, out)?;
    }
    Ok(())
}

/// Decodes an object strictly: a field its schema does not have is an
/// error, except under `status`, which the API server writes (never by hand,
/// so never a typo) and where newer Kubernetes versions add fields first.
fn parse<T: DeserializeOwned>(
    value: Value,
    origin: &Origin,
    object: &ObjectRef,
) -> Result<T, LoadError> {
    let decoded = yaml::decode(value).map_err(|error| {
        let message = if error.path.is_empty() {
            format!("does not match the Kubernetes schema: {}", error.message)
        } else {
            format!(
                "`{}` does not match the Kubernetes schema: {}",
                error.path, error.message
            )
        };
        origin.error(object.clone(), message)
    })?;
    let unknown: Vec<String> = decoded
        .unknown
        .iter()
        .filter(|path| {
            *path != "status" && !path.starts_with("status.") && !path.starts_with("status[")
        })
        .map(|path| format!("`{path}`"))
        .collect();
    match unknown.as_slice() {
        [] => Ok(decoded.value),
        [one] => Err(origin.error(
            object.clone(),
            format!("unknown field {one}: the API server rejects it (check the spelling)"),
        )),
        many => Err(origin.error(
            object.clone(),
            format!(
                "unknown fields {}: the API server rejects them (check the spelling)",
                many.join(", ")
            ),
        )),
    }
}

fn read_workload(value: Value, origin: Origin, object: &ObjectRef) -> Result<Workload, LoadError> {
    let (metadata, template, path): (ObjectMeta, Option<PodTemplateSpec>, &'static str) =
        match object.kind.as_str() {
            "Deployment" => {
                let it: Deployment = parse(value, &origin, object)?;
                (
                    it.metadata,
                    it.spec.map(|spec| spec.template),
                    "spec.template.",
                )
            }
            "StatefulSet" => {
                let it: StatefulSet = parse(value, &origin, object)?;
                (
                    it.metadata,
                    it.spec.map(|spec| spec.template),
                    "spec.template.",
                )
            }
            "DaemonSet" => {
                let it: DaemonSet = parse(value, &origin, object)?;
                (
                    it.metadata,
                    it.spec.map(|spec| spec.template),
                    "spec.template.",
                )
            }
            "ReplicaSet" => {
                let it: ReplicaSet = parse(value, &origin, object)?;
                (
                    it.metadata,
                    it.spec.and_then(|spec| spec.template),
                    "spec.template.",
                )
            }
            "ReplicationController" => {
                let it: ReplicationController = parse(value, &origin, object)?;
                (
                    it.metadata,
                    it.spec.and_then(|spec| spec.template),
                    "spec.template.",
                )
            }
            "Job" => {
                let it: Job = parse(value, &origin, object)?;
                (
                    it.metadata,
                    it.spec.map(|spec| spec.template),
                    "spec.template.",
                )
            }
            _ => {
                let it: CronJob = parse(value, &origin, object)?;
                (
                    it.metadata,
                    it.spec
                        .and_then(|spec| spec.job_template.spec)
                        .map(|spec| spec.template),
                    "spec.jobTemplate.spec.template.",
                )
            }
        };
    let namespace = metadata
        .namespace
        .clone()
        .filter(|namespace| !namespace.is_empty())
        .unwrap_or_else(|| "default".to_owned());
    let Some(name) = metadata.name.clone().filter(|name| !name.is_empty()) else {
        return Err(origin.error(object.clone(), "missing `metadata.name`"));
    };
    let Some(template) = template else {
        return Err(origin.error(
            object.clone(),
            format!("missing the pod template `{}`", path.trim_end_matches('.')),
        ));
    };
    validate::metadata(&metadata, "metadata", NameRule::Subdomain)
        .and_then(|()| {
            template.metadata.as_ref().map_or(Ok(()), |meta| {
                validate::metadata(meta, &format!("{path}metadata"), NameRule::Subdomain)
            })
        })
        .and_then(|()| {
            template.spec.as_ref().map_or(Ok(()), |spec| {
                validate::pod_spec(spec, &format!("{path}spec"))
            })
        })
        .map_err(|message| origin.error(object.clone(), message))?;
    let owner = workload_owner(metadata.owner_references.as_deref(), &namespace);
    Ok(Workload {
        origin: Origin {
            object: Some(ObjectRef {
                kind: object.kind.clone(),
                namespace: Some(namespace.clone()),
                name: Some(name.clone()),
            }),
            path,
            ..origin
        },
        key: (object.kind.clone(), namespace, name),
        owner,
        labels: template.metadata.and_then(|metadata| metadata.labels),
        spec: template.spec,
    })
}

/// The workload among `owners` (the first one, preferring the controller).
fn workload_owner(owners: Option<&[OwnerReference]>, namespace: &str) -> Option<WorkloadKey> {
    let owners = owners?;
    let workloads = || {
        owners
            .iter()
            .filter(|owner| WORKLOADS.contains(&owner.kind.as_str()))
    };
    let owner = workloads()
        .find(|owner| owner.controller == Some(true))
        .or_else(|| workloads().next())?;
    Some((owner.kind.clone(), namespace.to_owned(), owner.name.clone()))
}

/// The pods of the world, in input order: real pods, and one pod per
/// workload that neither real pods (through owner references, directly or
/// through an owned ReplicaSet or Job) nor an owning workload of the world
/// already stand for.
fn resolve_workloads(entries: Vec<Entry>) -> Vec<Sourced<Pod>> {
    let present: BTreeSet<&WorkloadKey> = entries
        .iter()
        .filter_map(|entry| match entry {
            Entry::Workload(workload) => Some(&workload.key),
            Entry::Pod(_) => None,
        })
        .collect();
    let mut represented: BTreeSet<WorkloadKey> = entries
        .iter()
        .filter_map(|entry| match entry {
            Entry::Pod(pod) => {
                let namespace = pod
                    .object
                    .metadata
                    .namespace
                    .as_deref()
                    .filter(|namespace| !namespace.is_empty())
                    .unwrap_or("default");
                workload_owner(pod.object.metadata.owner_references.as_deref(), namespace)
            }
            Entry::Workload(_) => None,
        })
        .collect();
    loop {
        let before = represented.len();
        for entry in &entries {
            if let Entry::Workload(workload) = entry {
                if let Some(owner) = &workload.owner {
                    if represented.contains(&workload.key) {
                        represented.insert(owner.clone());
                    }
                }
            }
        }
        if represented.len() == before {
            break;
        }
    }
    let skipped: BTreeSet<WorkloadKey> = entries
        .iter()
        .filter_map(|entry| match entry {
            Entry::Workload(workload)
                if represented.contains(&workload.key)
                    || workload
                        .owner
                        .as_ref()
                        .is_some_and(|owner| present.contains(owner)) =>
            {
                Some(workload.key.clone())
            }
            _ => None,
        })
        .collect();
    entries
        .into_iter()
        .filter_map(|entry| match entry {
            Entry::Pod(pod) => Some(*pod),
            Entry::Workload(workload) if skipped.contains(&workload.key) => None,
            Entry::Workload(workload) => {
                let Workload {
                    origin,
                    key: (_, namespace, name),
                    labels,
                    spec,
                    ..
                } = *workload;
                Some(Sourced {
                    origin,
                    object: Pod {
                        metadata: ObjectMeta {
                            name: Some(name),
                            namespace: Some(namespace),
                            labels,
                            ..ObjectMeta::default()
                        },
                        spec,
                        status: None,
                    },
                })
            }
        })
        .collect()
}
