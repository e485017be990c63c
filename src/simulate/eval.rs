//! The evaluation of one connection: [`World::verdict`] and
//! [`World::explain`].
//!
//! A connection from `src` to `dst` is allowed iff egress is allowed at the
//! source (when it is a pod) and ingress at the destination (when it is a
//! pod). A side is allowed iff no policy selects the pod for that direction,
//! or some rule of a policy that does matches the other end (its peers) and
//! the probe (its ports, named ports resolved on the destination pod). This
//! module owns that definition for single pairs; `reach` computes the same
//! thing for all pairs at once and must agree with it.

use super::endpoint::{Endpoint, PodRef};
use super::error::QueryError;
use super::explain::{Explanation, PolicyRef, RuleRef, Side};
use super::policy::{ContainerPort, ports_match};
use super::probe::Probe;
use super::world::{Class, Policy, Rule, World};
use crate::error::never;
use std::net::IpAddr;

/// A traffic direction, as seen from the pod whose policies decide it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    /// The policies (indices) that select `class` for this direction.
    pub(crate) fn policies(self, class: &Class) -> &[usize] {
        match self {
            Self::Ingress => &class.ingress,
            Self::Egress => &class.egress,
        }
    }

    /// A policy's rules for this direction.
    pub(crate) fn rules(self, policy: &Policy) -> &[Rule] {
        match self {
            Self::Ingress => &policy.ingress,
            Self::Egress => &policy.egress,
        }
    }
}

/// One end of a connection, resolved.
#[derive(Clone, Copy, Debug)]
enum End {
    Pod(usize),
    External(IpAddr),
}

impl World {
    fn end(&self, endpoint: &Endpoint) -> Result<End, QueryError> {
        match endpoint {
            Endpoint::Pod(pod) => self
                .class_of(pod)
                .map(End::Pod)
                .ok_or_else(|| QueryError::UnknownPod(pod.clone())),
            Endpoint::External(ip) => Ok(End::External(*ip)),
        }
    }

    fn ports_of(&self, end: End) -> Option<&[ContainerPort]> {
        match end {
            End::Pod(class) => self.classes.get(class).map(|class| class.ports.as_slice()),
            End::External(_) => None,
        }
    }

    fn rule_allows(&self, rule: &Rule, peer: End, probe: Probe, destination: End) -> bool {
        let peer_matches = rule.peers.all
            || match peer {
                End::Pod(class) => rule.peers.classes.contains(class),
                End::External(ip) => rule.peers.blocks.iter().any(|block| {
                    self.blocks
                        .get(*block)
                        .is_some_and(|block| block.contains(&ip))
                }),
            };
        peer_matches && ports_match(rule.ports.as_deref(), probe, self.ports_of(destination))
    }

    /// The policies selecting `class` for `direction` and the rules of
    /// theirs (policy index, rule index) that let the connection through.
    fn side(
        &self,
        class: usize,
        direction: Direction,
        peer: End,
        probe: Probe,
        destination: End,
    ) -> (Vec<usize>, Vec<(usize, usize)>) {
        let policies = self
            .classes
            .get(class)
            .map(|class| direction.policies(class).to_vec())
            .unwrap_or_default();
        let mut allowing = Vec::new();
        for index in &policies {
            let Some(policy) = self.policies.get(*index) else {
                never!("a class lists policy {index}, which the world does not hold");
                continue;
            };
            for (rule_index, rule) in direction.rules(policy).iter().enumerate() {
                if self.rule_allows(rule, peer, probe, destination) {
                    allowing.push((*index, rule_index));
                }
            }
        }
        (policies, allowing)
    }

    fn side_allows(
        &self,
        class: usize,
        direction: Direction,
        peer: End,
        probe: Probe,
        destination: End,
    ) -> bool {
        let Some(class) = self.classes.get(class) else {
            return true;
        };
        let policies = direction.policies(class);
        policies.is_empty()
            || policies.iter().any(|index| {
                self.policies.get(*index).is_some_and(|policy| {
                    direction
                        .rules(policy)
                        .iter()
                        .any(|rule| self.rule_allows(rule, peer, probe, destination))
                })
            })
    }

    /// Whether `src` may open a connection to `dst` on `probe`: egress
    /// allowed at the source if it is a pod, and ingress allowed at the
    /// destination if it is a pod. Between two external addresses no policy
    /// applies, so the answer is `true`.
    ///
    /// # Errors
    ///
    /// [`QueryError::UnknownPod`] when an endpoint names a pod the world does
    /// not have.
    pub fn verdict(
        &self,
        src: &Endpoint,
        dst: &Endpoint,
        probe: Probe,
    ) -> Result<bool, QueryError> {
        let (from, to) = (self.end(src)?, self.end(dst)?);
        let egress = match from {
            End::Pod(class) => self.side_allows(class, Direction::Egress, to, probe, to),
            End::External(_) => true,
        };
        let ingress = match to {
            End::Pod(class) => self.side_allows(class, Direction::Ingress, from, probe, to),
            End::External(_) => true,
        };
        Ok(egress && ingress)
    }

    /// Why `src` may or may not open a connection to `dst` on `probe`: for
    /// each side, the policies that isolate the pod and the rules that allow
    /// the connection. `explain(..).allowed` always equals [`World::verdict`].
    ///
    /// # Errors
    ///
    /// [`QueryError::UnknownPod`] when an endpoint names a pod the world does
    /// not have.
    pub fn explain(
        &self,
        src: &Endpoint,
        dst: &Endpoint,
        probe: Probe,
    ) -> Result<Explanation, QueryError> {
        let (from, to) = (self.end(src)?, self.end(dst)?);
        let egress = match (src, from) {
            (Endpoint::Pod(pod), End::Pod(class)) => {
                Some(self.explain_side(pod, class, Direction::Egress, to, probe, to))
            }
            _ => None,
        };
        let ingress = match (dst, to) {
            (Endpoint::Pod(pod), End::Pod(class)) => {
                Some(self.explain_side(pod, class, Direction::Ingress, from, probe, to))
            }
            _ => None,
        };
        let allowed = [&egress, &ingress]
            .into_iter()
            .flatten()
            .all(|side| side.allowed);
        Ok(Explanation {
            allowed,
            egress,
            ingress,
        })
    }

    /// The rules that let `src -> dst` on `probe` through, as
    /// (policy, rule index): ingress at the destination, then egress at the
    /// source, each in world order. What [`World::explain`] lists as
    /// `allowed_by`, without copying a name: for callers that ask of many
    /// connections.
    ///
    /// # Errors
    ///
    /// [`QueryError::UnknownPod`] when an endpoint names a pod the world does
    /// not have.
    #[expect(
        clippy::type_complexity,
        reason = "two lists of the same pairs, one per direction"
    )]
    pub fn allowed_by(
        &self,
        src: &Endpoint,
        dst: &Endpoint,
        probe: Probe,
    ) -> Result<(Vec<(&PolicyRef, usize)>, Vec<(&PolicyRef, usize)>), QueryError> {
        let (from, to) = (self.end(src)?, self.end(dst)?);
        let rules = |end: End, direction: Direction, peer: End| {
            let End::Pod(class) = end else {
                return Vec::new();
            };
            let Some(class) = self.classes.get(class) else {
                return Vec::new();
            };
            let mut found = Vec::new();
            for policy in direction
                .policies(class)
                .iter()
                .filter_map(|i| self.policies.get(*i))
            {
                for (index, rule) in direction.rules(policy).iter().enumerate() {
                    if self.rule_allows(rule, peer, probe, to) {
                        found.push((&policy.id, index));
                    }
                }
            }
            found
        };
        Ok((
            rules(to, Direction::Ingress, from),
            rules(from, Direction::Egress, to),
        ))
    }

    fn explain_side(
        &self,
        pod: &PodRef,
        class: usize,
        direction: Direction,
        peer: End,
        probe: Probe,
        destination: End,
    ) -> Side {
        let (policies, allowing) = self.side(class, direction, peer, probe, destination);
        let policy_ref = |index: usize| self.policies.get(index).map(|policy| policy.id.clone());
        let isolated = !policies.is_empty();
        let allowed_by: Vec<RuleRef> = allowing
            .into_iter()
            .filter_map(|(policy, index)| {
                Some(RuleRef {
                    policy: policy_ref(policy)?,
                    index,
                })
            })
            .collect();
        Side {
            pod: pod.clone(),
            isolated,
            policies: policies.into_iter().filter_map(policy_ref).collect(),
            allowed: !isolated || !allowed_by.is_empty(),
            allowed_by,
        }
    }
}
