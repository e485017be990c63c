//! Pass 2: uses. The baseline, every flow and every `deny` are resolved
//! against the definitions of pass 1 and entered into the model.

use super::references::{endpoint_text, port_text};
use super::{Checker, FlowPlaces};
use crate::catalog;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Addresses, Citation, Deny, Endpoint, Flow, private_ranges};
use crate::source::Span;
use crate::syntax::ast::{self, Ident, Item};
use ipnet::IpNet;

impl Checker {
    /// Resolves every use of a definition in `ast`.
    pub(super) fn resolve_uses(&mut self, ast: &ast::Ast) {
        let mut baseline_seen = false;
        for item in &ast.items {
            match item {
                Item::Baseline(baseline) => {
                    baseline_seen = true;
                    let citations = self.citations(&baseline.controls);
                    self.model.baseline.extend(citations);
                }
                Item::Flow(flow) => self.flow(flow),
                Item::Deny(deny) => self.deny(deny),
                Item::System(_) | Item::Namespace(_) | Item::External(_) | Item::Control(_) => {}
            }
        }
        if !baseline_seen {
            let first_managed = self.model.managed_namespaces().next().map(|ns| ns.span);
            if let Some(span) = first_managed {
                self.report(
                    Diagnostic::new(
                        Code::W0007,
                        "the default-deny policies cite no control",
                        span,
                        "this namespace gets a default-deny policy",
                    )
                    .with_help("add `baseline controls CC6.1, CC6.6` so the matrix can trace the default deny"),
                );
            }
        }
    }

    fn citations(&mut self, ids: &[Ident]) -> Vec<Citation> {
        let mut citations: Vec<Citation> = Vec::new();
        for id in ids {
            if let Some(citation) = self.citation(id) {
                if !citations.iter().any(|c| c.id == citation.id) {
                    citations.push(citation);
                }
            }
        }
        citations
    }

    fn flow(&mut self, flow: &ast::Flow) {
        let src = self.endpoint(&flow.src);
        let dst = self.endpoint(&flow.dst);
        let ports = match &dst {
            Some(dst) => self.ports(dst, flow.dst.span, flow.port.as_ref(), true),
            None => None,
        };
        let citations = match &flow.controls {
            Some(ids) => self.citations(ids),
            None => {
                self.report(
                    Diagnostic::new(
                        Code::E0301,
                        "the flow cites no control",
                        flow.span,
                        "an undocumented connection",
                    )
                    .with_note("every allowed connection must trace to a SOC 2 criterion")
                    .with_help(
                        "add `controls CC6.1` (or the control it serves) and `because \"why\"`",
                    ),
                );
                Vec::new()
            }
        };
        let text = format!(
            "{} -> {}{}",
            endpoint_text(&flow.src),
            endpoint_text(&flow.dst),
            port_text(flow.port.as_ref())
        );
        if flow.because.is_none() {
            let end = flow
                .controls
                .as_ref()
                .and_then(|c| c.last())
                .map_or(flow.span, |c| c.span);
            self.report(
                Diagnostic::new(
                    Code::W0001,
                    format!("flow `{text}` has no justification"),
                    end,
                    "no `because`",
                )
                .with_help(
                    "add `because \"...\"`: the auditor reads it in the traceability matrix",
                ),
            );
        }
        let (Some(src), Some(dst), Some(ports)) = (src, dst, ports) else {
            return;
        };
        if !src.is_managed() && !dst.is_managed() {
            let why = match (&src, &dst) {
                (Endpoint::External { .. }, Endpoint::External { .. }) => "both ends are external",
                _ => "neither end is in a managed namespace",
            };
            self.report(
                Diagnostic::new(Code::E0403, format!("no policy can enforce `{text}`"), flow.span, why)
                    .with_help("one end of a flow must be in a namespace Ward manages; remove the flow or manage a namespace"),
            );
            return;
        }
        if let Endpoint::External { name, addresses } = &dst {
            self.check_egress_reach(&src, name, addresses, flow.dst.span);
        }
        let criteria: Vec<&catalog::Criterion> =
            citations.iter().flat_map(Citation::criteria).collect();
        if !criteria.is_empty() && !criteria.iter().any(|c| c.network_relevant) {
            let span = citations.first().map_or(flow.span, |c| c.span);
            self.report(
                Diagnostic::new(
                    Code::W0008,
                    format!("flow `{text}` cites no network-relevant criterion"),
                    span,
                    "not about network controls",
                )
                .with_help("flows usually serve CC6.1 (segmentation), CC6.6 (boundary protection) or CC6.7 (transmission)"),
            );
        }
        self.flow_places.push(FlowPlaces {
            src: flow.src.span,
            dst: flow.dst.span,
        });
        self.model.flows.push(Flow {
            index: self.model.flows.len(),
            text,
            src,
            dst,
            ports,
            citations,
            because: flow.because.as_ref().map(|b| b.value.clone()),
            span: flow.span,
        });
    }

    /// W0003: egress to the whole address space, or to addresses where
    /// clusters put pods and services (an `ipBlock` matches pods too, and
    /// Ward cannot carve out networks it is not told of: decision 0003).
    fn check_egress_reach(&mut self, src: &Endpoint, name: &str, set: &Addresses, span: Span) {
        let reached: Vec<IpNet> = private_ranges()
            .into_iter()
            .filter(|range| set.first_in(range).is_some())
            .collect();
        let everything = set.is_everything();
        if reached.is_empty() && !everything {
            return;
        }
        let list = |nets: &[IpNet]| {
            nets.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        // A range strictly inside a block can be excepted; a block inside a
        // range cannot, and only the cluster's networks would settle it.
        let (exceptable, inside): (Vec<IpNet>, Vec<IpNet>) = reached.iter().partition(|range| {
            set.blocks()
                .iter()
                .any(|block| block != *range && block.contains(*range))
        });
        let (message, label) = if everything {
            (
                format!("`{src}` may reach every address through `{name}`"),
                "the whole address space, no `except`".to_string(),
            )
        } else {
            (
                format!("`{src}` may reach cluster-private addresses through `{name}`"),
                format!("holds addresses in {}", list(&reached)),
            )
        };
        let mut help = Vec::new();
        if !exceptable.is_empty() {
            help.push(format!("add `except {}` to `{name}`", list(&exceptable)));
        }
        if !inside.is_empty() {
            let blocks: Vec<IpNet> = set
                .blocks()
                .iter()
                .filter(|block| inside.iter().any(|range| range.contains(*block)))
                .copied()
                .collect();
            help.push(format!(
                "check that {} is outside the cluster's pod and service networks",
                list(&blocks)
            ));
        }
        self.report(
            Diagnostic::new(Code::W0003, message, span, label)
                .with_note(format!(
                    "pods and services usually have addresses in {}, and an `ipBlock` matches pods too: this flow may open `{src}` to pods no flow names",
                    list(&reached)
                ))
                .with_help(format!("{}, or name narrower destinations", help.join("; "))),
        );
    }

    fn deny(&mut self, deny: &ast::Deny) {
        let src = self.endpoint(&deny.src);
        let dst = self.endpoint(&deny.dst);
        let ports = match &dst {
            Some(dst) => self.ports(dst, deny.dst.span, deny.port.as_ref(), false),
            None => None,
        };
        let (Some(src), Some(dst), Some(ports)) = (src, dst, ports) else {
            return;
        };
        self.deny_places.push(FlowPlaces {
            src: deny.src.span,
            dst: deny.dst.span,
        });
        self.model.denies.push(Deny {
            text: format!(
                "{} -> {}{}",
                endpoint_text(&deny.src),
                endpoint_text(&deny.dst),
                port_text(deny.port.as_ref())
            ),
            src,
            dst,
            ports,
            span: deny.span,
        });
    }
}
