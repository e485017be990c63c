//! A simulator of Kubernetes NetworkPolicy v1 semantics (work in progress).
