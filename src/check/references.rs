//! Resolving references: endpoints to pods or addresses, port references to
//! port ranges, cited ids to criteria and controls. Each resolver reports
//! what it cannot resolve and returns `None`.

use super::Checker;
use crate::catalog::{self, Criterion};
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Citation, CitationTarget, Endpoint, NamedPort, PortRange, Ports, Protocol};
use crate::suggest;
use crate::syntax::ast::{self, Ident, Part, PortRef};

/// Parses a port spec (`8080`, `8000-8080/udp`), reporting what is wrong.
pub(super) fn port_range(checker: &mut Checker, spec: &ast::PortSpec) -> Option<PortRange> {
    let first = port_number(checker, &spec.first);
    let last = match &spec.last {
        Some(last) => port_number(checker, last),
        None => first,
    };
    let protocol = match &spec.protocol {
        None => Some(Protocol::Tcp),
        Some(protocol) => {
            let parsed = Protocol::parse(&protocol.text);
            if parsed.is_none() {
                let help =
                    suggest::closest(&protocol.text.to_lowercase(), crate::protocol::KEYWORDS)
                        .map_or_else(
                            || "use `tcp` (the default), `udp` or `sctp`".to_string(),
                            |p| format!("did you mean `{p}`?"),
                        );
                checker.report(
                    Diagnostic::new(
                        Code::E0207,
                        format!("unknown protocol `{}`", protocol.text),
                        protocol.span,
                        "not a NetworkPolicy protocol",
                    )
                    .with_help(help),
                );
            }
            parsed
        }
    };
    let (first, last, protocol) = (first?, last?, protocol?);
    if last < first {
        checker.report(
            Diagnostic::new(
                Code::E0206,
                format!("port range `{first}-{last}` ends before it starts"),
                spec.span,
                "inverted range",
            )
            .with_help(format!("write `{last}-{first}`")),
        );
        return None;
    }
    Some(PortRange {
        protocol,
        first,
        last,
    })
}

fn port_number(checker: &mut Checker, digits: &Ident) -> Option<u16> {
    match digits.text.parse::<u16>() {
        Ok(port) if port > 0 => Some(port),
        _ => {
            checker.report(
                Diagnostic::new(
                    Code::E0205,
                    format!("port `{}` is out of range", digits.text),
                    digits.span,
                    "not between 1 and 65535",
                )
                .with_help("ports are numbers from 1 to 65535"),
            );
            None
        }
    }
}

/// What a cited id is, before the caller decides whether that is allowed.
enum Resolved {
    Criterion(&'static Criterion),
    Control,
}

impl Checker {
    /// Resolves an id cited by a flow or the baseline: a criterion or a
    /// custom control.
    pub(super) fn citation(&mut self, id: &Ident) -> Option<Citation> {
        let target = match self.resolve_id(id, true)? {
            Resolved::Criterion(criterion) => CitationTarget::Criterion(criterion),
            Resolved::Control => {
                super::mark(&mut self.used_controls, &id.text);
                let criteria = self
                    .model
                    .controls
                    .get(&id.text)
                    .map(|c| c.maps.clone())
                    .unwrap_or_default();
                CitationTarget::Control {
                    id: id.text.clone(),
                    criteria,
                }
            }
        };
        Some(Citation {
            id: id.text.clone(),
            span: id.span,
            target,
        })
    }

    /// Resolves an id in a control's `maps`: criteria only.
    pub(super) fn criterion_for_mapping(&mut self, id: &Ident) -> Option<&'static Criterion> {
        match self.resolve_id(id, false)? {
            Resolved::Criterion(criterion) => Some(criterion),
            Resolved::Control => {
                let first = self.model.controls.get(&id.text).map(|c| c.span);
                let mut diagnostic = Diagnostic::new(
                    Code::E0306,
                    format!("`{}` is a control, not a criterion", id.text),
                    id.span,
                    "controls map to criteria only",
                )
                .with_help(format!(
                    "list the criteria that `{}` maps to instead",
                    id.text
                ));
                if let Some(first) = first {
                    diagnostic = diagnostic.with_secondary(first, "the control is defined here");
                }
                self.report(diagnostic);
                None
            }
        }
    }

    fn resolve_id(&mut self, id: &Ident, controls_allowed: bool) -> Option<Resolved> {
        let text = id.text.as_str();
        if let Some((framework, _)) = text.split_once(':') {
            if framework != catalog::FRAMEWORK_PREFIX {
                self.report(
                    Diagnostic::new(
                        Code::E0307,
                        format!("unknown framework `{framework}`"),
                        id.span,
                        "Ward has no catalog for this framework",
                    )
                    .with_help("cite SOC 2 criteria (`soc2:CC6.6` or `CC6.6`), or declare a control that names the other framework and maps to SOC 2"),
                );
                return None;
            }
        }
        if let Some(criterion) = catalog::criterion(text) {
            return Some(Resolved::Criterion(criterion));
        }
        if self.model.controls.contains_key(text) {
            return Some(Resolved::Control);
        }
        if let Some(parent) = catalog::point_of_focus_parent(text) {
            self.report(
                Diagnostic::new(
                    Code::E0303,
                    format!("`{text}` is a point of focus, not a criterion"),
                    id.span,
                    format!("a point of focus of {}", parent.id),
                )
                .with_help(format!("cite `{}`", parent.id)),
            );
            return None;
        }
        if catalog::looks_like_criterion(text) {
            let help = match catalog::suggest(text) {
                Some(close) => format!("did you mean `{}`? ({})", close.id, close.description),
                None => "see the catalog with `ward explain E0302`".to_string(),
            };
            self.report(
                Diagnostic::new(
                    Code::E0302,
                    format!("unknown criterion `{text}`"),
                    id.span,
                    "not in the SOC 2 2017 catalog",
                )
                .with_help(help),
            );
            return None;
        }
        let controls: Vec<String> = self.model.controls.keys().cloned().collect();
        let help = match (
            suggest::closest(text, controls.iter().map(String::as_str)),
            catalog::suggest(text),
        ) {
            (Some(control), _) => format!("did you mean `{control}`?"),
            (None, Some(criterion)) => format!("did you mean `{}`?", criterion.id),
            (None, None) if controls_allowed => {
                format!("declare it: `control {text} \"what it does\" maps CC6.1`")
            }
            (None, None) => "`maps` lists SOC 2 criteria such as `CC6.1`".to_string(),
        };
        self.report(
            Diagnostic::new(
                Code::E0304,
                format!("unknown control `{text}`"),
                id.span,
                "neither a criterion nor a declared control",
            )
            .with_help(help),
        );
        None
    }

    /// Resolves an endpoint to pods or addresses.
    pub(super) fn endpoint(&mut self, endpoint: &ast::Endpoint) -> Option<Endpoint> {
        match (&endpoint.first, &endpoint.second) {
            (Part::Wildcard(_), Some(Part::Wildcard(_))) => Some(Endpoint::AllManaged),
            (Part::Name(name), None) => self.external_endpoint(name),
            (Part::Name(namespace), Some(second)) => {
                let Some((namespace_index, _, ns)) =
                    self.model.namespaces.get_full(&namespace.text)
                else {
                    let known: Vec<String> = self.model.namespaces.keys().cloned().collect();
                    let mut diagnostic = Diagnostic::new(
                        Code::E0102,
                        format!("unknown namespace `{}`", namespace.text),
                        namespace.span,
                        "no namespace has this name",
                    )
                    .with_help(suggest::help(
                        "namespace",
                        &namespace.text,
                        known.iter().map(String::as_str),
                    ));
                    if second == &Part::Wildcard(second.span())
                        && self.model.externals.contains_key(&namespace.text)
                    {
                        diagnostic = diagnostic.with_note(format!(
                            "`{}` is an external: write it without `.*`",
                            namespace.text
                        ));
                    }
                    self.report(diagnostic);
                    return None;
                };
                let managed = ns.managed;
                // The service, found in the same lookup of the namespace.
                let found = match second {
                    Part::Name(service) => ns
                        .services
                        .get_full(&service.text)
                        .map(|(index, _, s)| (index, s.selector.clone())),
                    Part::Wildcard(_) => None,
                };
                match second {
                    Part::Wildcard(_) => {
                        super::mark(&mut self.used_namespaces, &namespace.text);
                        Some(Endpoint::Namespace {
                            namespace: namespace.text.clone(),
                            managed,
                        })
                    }
                    Part::Name(service) => {
                        match found {
                            Some((service_index, selector)) => {
                                self.used_services.insert((namespace_index, service_index));
                                Some(Endpoint::Service {
                                    namespace: namespace.text.clone(),
                                    managed,
                                    service: service.text.clone(),
                                    selector,
                                })
                            }
                            None => {
                                // The names for a suggestion, gathered only
                                // on this error path.
                                let services: Vec<String> = self
                                    .model
                                    .namespaces
                                    .get(&namespace.text)
                                    .map(|ns| ns.services.keys().cloned().collect())
                                    .unwrap_or_default();
                                self.report(
                                    Diagnostic::new(
                                        Code::E0103,
                                        format!(
                                            "namespace `{}` has no service `{}`",
                                            namespace.text, service.text
                                        ),
                                        service.span,
                                        "unknown service",
                                    )
                                    .with_help(suggest::help(
                                        "service",
                                        &service.text,
                                        services.iter().map(String::as_str),
                                    )),
                                );
                                None
                            }
                        }
                    }
                }
            }
            (Part::Wildcard(_), _) => {
                self.report(
                    Diagnostic::new(
                        Code::E0108,
                        format!("`{}` is not an endpoint", endpoint_text(endpoint)),
                        endpoint.span,
                        "a wildcard namespace needs a wildcard service",
                    )
                    .with_help("write `*.*` for every pod of every managed namespace, or name the namespace: `ns.svc`"),
                );
                None
            }
        }
    }

    fn external_endpoint(&mut self, name: &Ident) -> Option<Endpoint> {
        if let Some(external) = self.model.externals.get(&name.text) {
            let endpoint = Endpoint::External {
                name: external.name.clone(),
                addresses: external.addresses.clone(),
            };
            super::mark(&mut self.used_externals, &name.text);
            return Some(endpoint);
        }
        let externals: Vec<String> = self.model.externals.keys().cloned().collect();
        let mut diagnostic = Diagnostic::new(
            Code::E0104,
            format!("unknown external `{}`", name.text),
            name.span,
            "no external has this name",
        );
        diagnostic = match self.model.namespaces.get(&name.text) {
            Some(_) => diagnostic.with_help(format!(
                "`{}` is a namespace: write `{}.*` for all its pods or `{}.SERVICE`",
                name.text, name.text, name.text
            )),
            None if externals.is_empty() => diagnostic.with_help(format!(
                "declare it (`external {} = 203.0.113.0/24`) or write `namespace.service`",
                name.text
            )),
            None => diagnostic.with_help(suggest::help(
                "external",
                &name.text,
                externals.iter().map(String::as_str),
            )),
        };
        self.report(diagnostic);
        None
    }

    /// Resolves the ports of a flow or `deny` towards `dst`. `None` written
    /// means every declared port for a flow (`for_flow`) and every port for a
    /// `deny`.
    pub(super) fn ports(
        &mut self,
        dst: &Endpoint,
        dst_span: crate::source::Span,
        port: Option<&PortRef>,
        for_flow: bool,
    ) -> Option<Ports> {
        match port {
            None if !for_flow => Some(Ports::Any),
            None => {
                let mut ranges: Vec<PortRange> = self
                    .declared_ports(dst)
                    .into_iter()
                    .map(|(_, r)| r)
                    .collect();
                if ranges.is_empty() && self.ports_reported_invalid(dst) {
                    return None;
                }
                if ranges.is_empty() {
                    self.report(
                        Diagnostic::new(
                            Code::E0401,
                            format!("`{dst}` declares no ports, and the flow names none"),
                            dst_span,
                            "no port to allow",
                        )
                        .with_help(format!("name the port the flow needs, like `{dst}:443/tcp`, or write `{dst}:*` for every port")),
                    );
                    return None;
                }
                ranges.sort();
                ranges.dedup();
                Some(Ports::Ranges(ranges))
            }
            Some(PortRef::Any(span)) => {
                if for_flow {
                    self.report(
                        Diagnostic::new(
                            Code::W0002,
                            format!("the flow allows every port of `{dst}`"),
                            *span,
                            "every port",
                        )
                        .with_help("name the ports the flow needs: least privilege"),
                    );
                }
                Some(Ports::Any)
            }
            Some(PortRef::Spec(spec)) => {
                let range = port_range(self, spec)?;
                if for_flow {
                    self.warn_undeclared(dst, range, spec.span);
                }
                Some(Ports::Ranges(vec![range]))
            }
            Some(PortRef::Named(name)) => self.named_port(dst, name),
        }
    }

    fn named_port(&mut self, dst: &Endpoint, name: &Ident) -> Option<Ports> {
        if let Endpoint::External { .. } = dst {
            self.report(
                Diagnostic::new(
                    Code::E0404,
                    format!("external `{dst}` has no port named `{}`", name.text),
                    name.span,
                    "externals declare no ports",
                )
                .with_help("write a literal port, like `:443/tcp`"),
            );
            return None;
        }
        let declared = self.declared_ports(dst);
        let mut ranges: Vec<PortRange> = declared
            .iter()
            .filter(|(port_name, _)| *port_name == name.text)
            .map(|(_, range)| *range)
            .collect();
        if ranges.is_empty() {
            let mut names: Vec<&str> = declared.iter().map(|(n, _)| *n).collect();
            names.dedup();
            let help = if names.is_empty() {
                format!("`{dst}` declares no ports; write a literal port like `:443/tcp`")
            } else {
                suggest::help("port", &name.text, names.iter().copied())
            };
            self.report(
                Diagnostic::new(
                    Code::E0105,
                    format!("`{dst}` has no port named `{}`", name.text),
                    name.span,
                    "unknown port",
                )
                .with_help(help),
            );
            return None;
        }
        ranges.sort();
        ranges.dedup();
        // On many services' pods, the name is resolved on each pod, so a pod
        // gets its own port of that name, not every number the name has
        // anywhere (decision 0007). A container port is one number: a name
        // declared as a range is opened by number.
        let many = matches!(dst, Endpoint::Namespace { .. } | Endpoint::AllManaged);
        if many && ranges.iter().all(|r| r.first == r.last) {
            return Some(Ports::Named(NamedPort {
                name: name.text.clone(),
                declared: ranges,
            }));
        }
        Some(Ports::Ranges(ranges))
    }

    /// The named ports of the services an endpoint covers.
    /// W0011 when `dst` is a service that declares ports, none of which
    /// holds all of `range`.
    fn warn_undeclared(&mut self, dst: &Endpoint, range: PortRange, span: crate::source::Span) {
        if !matches!(dst, Endpoint::Service { .. }) {
            return;
        }
        let declared = self.declared_ports(dst);
        let covered = declared.iter().any(|(_, port)| {
            port.protocol == range.protocol && port.first <= range.first && range.last <= port.last
        });
        if declared.is_empty() || covered {
            return;
        }
        let listed: Vec<String> = declared
            .iter()
            .map(|(name, port)| format!("{name} {port}"))
            .collect();
        let diagnostic = Diagnostic::new(
            Code::W0011,
            format!("`{dst}` declares no port {range}"),
            span,
            "not a port of the destination",
        )
        .with_note(format!("`{dst}` declares: {}", listed.join(", ")))
        .with_help("name one of the declared ports, or declare this one on the service");
        self.report(diagnostic);
    }

    /// Whether a port the destination service declares was already reported
    /// as invalid (one error per cause).
    fn ports_reported_invalid(&self, endpoint: &Endpoint) -> bool {
        match endpoint {
            Endpoint::Service {
                namespace, service, ..
            } => self
                .invalid_ports
                .contains(&(namespace.clone(), service.clone())),
            _ => false,
        }
    }

    fn declared_ports(&self, endpoint: &Endpoint) -> Vec<(&str, PortRange)> {
        let services: Vec<&crate::model::Service> = match endpoint {
            Endpoint::Service {
                namespace, service, ..
            } => self
                .model
                .namespaces
                .get(namespace)
                .and_then(|ns| ns.services.get(service))
                .into_iter()
                .collect(),
            Endpoint::Namespace { namespace, .. } => self
                .model
                .namespaces
                .get(namespace)
                .into_iter()
                .flat_map(|ns| ns.services.values())
                .collect(),
            Endpoint::AllManaged => self
                .model
                .managed_namespaces()
                .flat_map(|ns| ns.services.values())
                .collect(),
            Endpoint::External { .. } => Vec::new(),
        };
        services
            .iter()
            .flat_map(|s| s.ports.values().map(|p| (p.name.as_str(), p.range)))
            .collect()
    }
}

/// An endpoint as written, for messages.
pub(crate) fn endpoint_text(endpoint: &ast::Endpoint) -> String {
    let part = |p: &Part| match p {
        Part::Name(ident) => ident.text.clone(),
        Part::Wildcard(_) => "*".to_string(),
    };
    match &endpoint.second {
        Some(second) => format!("{}.{}", part(&endpoint.first), part(second)),
        None => part(&endpoint.first),
    }
}

/// A port reference as written, `:https`, or nothing.
pub(crate) fn port_text(port: Option<&PortRef>) -> String {
    match port {
        None => String::new(),
        Some(PortRef::Any(_)) => ":*".to_string(),
        Some(PortRef::Named(name)) => format!(":{}", name.text),
        Some(PortRef::Spec(spec)) => format!(":{}", spec.text()),
    }
}
