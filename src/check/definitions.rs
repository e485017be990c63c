//! Pass 1: definitions. Namespaces with their services and ports, externals
//! and custom controls are validated and entered into the model, so that the
//! uses in pass 2 can be resolved whatever their order in the source.

use super::{Checker, names, references, selector};
use crate::catalog::Criterion;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{
    Addresses, Control, Expression, External, Namespace, Operator, Port, Selector, Service,
};
use crate::source::Span;
use crate::syntax::ast::{self, Ident, Item, SelectorKind};
use indexmap::IndexMap;
use ipnet::IpNet;
use std::rc::Rc;

impl Checker {
    /// Enters every definition of `ast` into the model.
    pub(super) fn define(&mut self, ast: &ast::Ast) {
        for item in &ast.items {
            match item {
                Item::System(system) => self.define_system(system),
                Item::Namespace(namespace) => self.define_namespace(namespace),
                Item::External(external) => self.define_external(external),
                Item::Control(control) => self.define_control(control),
                Item::Baseline(_) | Item::Flow(_) | Item::Deny(_) => {}
            }
        }
        // Controls map to criteria only; resolved once all are known so that a
        // mapping to another custom control is recognized as such.
        for item in &ast.items {
            if let Item::Control(control) = item {
                self.map_control(control);
            }
        }
    }

    fn define_system(&mut self, system: &ast::System) {
        match self.system_span {
            Some(first) => {
                let diagnostic = Diagnostic::new(
                    Code::E0106,
                    "the system is named twice",
                    system.span,
                    "second name",
                )
                .with_secondary(first, "first named here");
                // Two files naming a system each are most often two programs
                // read together (`ward check examples/`).
                self.report(if first.file == system.span.file {
                    diagnostic.with_help("keep one `system` statement for the whole program")
                } else {
                    diagnostic
                        .with_note(
                            "every file given, and every `.ward` file below a directory given \
                             (recursively), is part of one program",
                        )
                        .with_help(
                            "if these files are separate programs, check each on its own; \
                             otherwise keep one `system` statement",
                        )
                });
            }
            None => {
                self.system_span = Some(system.span);
                self.model.system = Some(system.name.value.clone());
            }
        }
    }

    fn define_namespace(&mut self, namespace: &ast::Namespace) {
        let name = &namespace.name;
        self.check_dns_label(name, "namespace");
        let mut services: IndexMap<String, Service> = IndexMap::new();
        for service in &namespace.services {
            self.check_dns_label(&service.name, "service");
            if let Some(first) = services.get(&service.name.text) {
                let first = first.span;
                self.report_duplicate("service", &service.name, first);
                continue;
            }
            let ports = self.declare_ports(&service.ports);
            if ports.len() < service.ports.len() {
                self.invalid_ports
                    .insert((name.text.clone(), service.name.text.clone()));
            }
            let defined = Service {
                name: service.name.text.clone(),
                namespace: name.text.clone(),
                selector: Rc::new(self.selector(service)),
                ports,
                span: service.name.span,
            };
            services.insert(service.name.text.clone(), defined);
        }
        if let Some(first) = self.model.namespaces.get(&name.text) {
            let first = first.span;
            self.report_duplicate("namespace", name, first);
            return;
        }
        self.model.namespaces.insert(
            name.text.clone(),
            Namespace {
                name: name.text.clone(),
                managed: namespace.unmanaged.is_none(),
                services,
                span: name.span,
            },
        );
    }

    fn check_dns_label(&mut self, name: &Ident, what: &str) {
        if let Err(why) = names::dns_label(&name.text) {
            let mut diagnostic = Diagnostic::new(
                Code::E0201,
                format!("invalid {what} name `{}`", name.text),
                name.span,
                format!("{what} name {why}"),
            )
            .with_note(format!(
                "{what} names are DNS-1123 labels: at most 63 lowercase letters, digits and `-`"
            ));
            diagnostic = match names::suggest_dns_label(&name.text) {
                Some(fixed) => diagnostic.with_help(format!("write `{fixed}`")),
                None => diagnostic.with_help("use lowercase letters, digits and `-`"),
            };
            self.report(diagnostic);
        }
    }

    pub(super) fn report_duplicate(&mut self, what: &str, name: &Ident, first: Span) {
        self.report(
            Diagnostic::new(
                Code::E0101,
                format!("{what} `{}` is defined twice", name.text),
                name.span,
                "defined again here",
            )
            .with_secondary(first, "first defined here")
            .with_help(format!("rename one {what} or merge the two definitions")),
        );
    }

    fn selector(&mut self, service: &ast::Service) -> Selector {
        let Some(pods) = &service.pods else {
            self.report(
                Diagnostic::new(
                    Code::E0107,
                    format!(
                        "service `{}` does not say which pods it is",
                        service.name.text
                    ),
                    service.name.span,
                    "no `pods` selector",
                )
                .with_help(format!(
                    "add a selector: `service {} {{ pods app={} }}`",
                    service.name.text, service.name.text
                )),
            );
            return Selector::default();
        };
        let mut equals = Vec::new();
        let mut expressions = Vec::new();
        for term in &pods.terms {
            match &term.kind {
                SelectorKind::Equals { key, value } => {
                    self.check_label_key(key);
                    self.check_label_value(value);
                    equals.push((key.text.clone(), value.text.clone()));
                }
                SelectorKind::In { key, values } | SelectorKind::NotIn { key, values } => {
                    self.check_label_key(key);
                    values.iter().for_each(|v| self.check_label_value(v));
                    let (operator, word) = match term.kind {
                        SelectorKind::In { .. } => (Operator::In, "in"),
                        _ => (Operator::NotIn, "notin"),
                    };
                    // `()` reads as one empty value (label values may be
                    // empty), which is never what `k in ()` means.
                    if values.iter().all(|v| v.text.is_empty()) {
                        self.report_empty_values(key, word, term.span);
                        continue;
                    }
                    expressions.push(Expression {
                        key: key.text.clone(),
                        operator,
                        values: values.iter().map(|v| v.text.clone()).collect(),
                    });
                }
                SelectorKind::Exists { key } | SelectorKind::Absent { key } => {
                    self.check_label_key(key);
                    let operator = match term.kind {
                        SelectorKind::Exists { .. } => Operator::Exists,
                        _ => Operator::DoesNotExist,
                    };
                    expressions.push(Expression {
                        key: key.text.clone(),
                        operator,
                        values: Default::default(),
                    });
                }
            }
        }
        let normalized = selector::normalize(equals, expressions);
        if !selector::satisfiable(&[&normalized]) {
            self.report(
                Diagnostic::new(
                    Code::E0212,
                    format!("the selector of `{}` matches no pod", service.name.text),
                    pods.span,
                    "these terms contradict each other",
                )
                .with_help("a key can have one value; `has k, !k` and `k in (a), k notin (a)` match nothing"),
            );
        }
        normalized
    }

    /// E0213: `k in ()` or `k notin ()`, which Kubernetes rejects and which
    /// reads as a contradiction or as nothing.
    fn report_empty_values(&mut self, key: &Ident, word: &str, span: Span) {
        let k = &key.text;
        self.report(
            Diagnostic::new(
                Code::E0213,
                format!("`{k} {word} ()` lists no value"),
                span,
                "empty value set",
            )
            .with_note("Kubernetes rejects `In` and `NotIn` without values")
            .with_help(format!(
                "list the values (`{k} {word} (a, b)`), or write `!{k}` (label absent) or `has {k}` (label present)"
            )),
        );
    }

    fn check_label_key(&mut self, key: &Ident) {
        if let Err(why) = names::label_key(&key.text) {
            self.report(
                Diagnostic::new(Code::E0202, format!("invalid label key `{}`", key.text), key.span, why)
                    .with_help("label keys are `[prefix/]name`: a DNS subdomain prefix and a name of at most 63 letters, digits, `-`, `_`, `.`"),
            );
        }
    }

    fn check_label_value(&mut self, value: &Ident) {
        if let Err(why) = names::label_value(&value.text) {
            self.report(
                Diagnostic::new(Code::E0203, format!("invalid label value `{}`", value.text), value.span, why)
                    .with_help("label values are at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit"),
            );
        }
    }

    fn declare_ports(&mut self, declared: &[ast::PortDecl]) -> IndexMap<String, Port> {
        let mut ports: IndexMap<String, Port> = IndexMap::new();
        for port in declared {
            if let Err(why) = names::port_name(&port.name.text) {
                self.report(
                    Diagnostic::new(Code::E0204, format!("invalid port name `{}`", port.name.text), port.name.span, format!("a port name {why}"))
                        .with_help("port names are at most 15 lowercase letters, digits and `-`, with at least one letter"),
                );
            }
            let range = references::port_range(self, &port.spec);
            if let Some(first) = ports.get(&port.name.text) {
                let first = first.span;
                self.report_duplicate("port", &port.name, first);
                continue;
            }
            if let Some(range) = range {
                ports.insert(
                    port.name.text.clone(),
                    Port {
                        name: port.name.text.clone(),
                        range,
                        span: port.span,
                    },
                );
            }
        }
        ports
    }

    fn define_external(&mut self, external: &ast::External) {
        let blocks: Vec<(IpNet, Span)> =
            external.cidrs.iter().filter_map(|c| self.cidr(c)).collect();
        let holes: Vec<(IpNet, Span)> = external
            .except
            .iter()
            .filter_map(|c| self.cidr(c))
            .collect();
        let mut families = blocks.iter().chain(&holes);
        if let Some((first, first_span)) = families.next() {
            if let Some((other, other_span)) = families.find(|(net, _)| is_v6(net) != is_v6(first))
            {
                self.report(
                    Diagnostic::new(
                        Code::E0211,
                        format!("external `{}` mixes IPv4 and IPv6", external.name.text),
                        *other_span,
                        format!("{} block", family(other)),
                    )
                    .with_secondary(*first_span, format!("{} block", family(first)))
                    .with_help("declare one external per address family"),
                );
            }
        }
        // A hole belongs to the whole set; it must cut into some block, so
        // that it removes something and no outermost block lies inside it.
        for (hole, span) in &holes {
            let inside = blocks
                .iter()
                .any(|(block, _)| block != hole && block.contains(hole));
            if !inside {
                self.report(
                    Diagnostic::new(
                        Code::E0210,
                        format!("`except {hole}` is not strictly inside a block of `{}`", external.name.text),
                        *span,
                        "outside every block",
                    )
                    .with_help("an `except` block must lie strictly inside one of the set's blocks; fix the range or remove it"),
                );
            }
        }
        let addresses = Addresses::new(
            blocks.iter().map(|(net, _)| *net).collect(),
            holes.iter().map(|(net, _)| *net).collect(),
        );
        if let Some(first) = self.model.externals.get(&external.name.text) {
            let first = first.span;
            self.report_duplicate("external", &external.name, first);
            return;
        }
        self.model.externals.insert(
            external.name.text.clone(),
            External {
                name: external.name.text.clone(),
                addresses: Rc::new(addresses),
                span: external.name.span,
            },
        );
    }

    fn cidr(&mut self, cidr: &Ident) -> Option<(IpNet, Span)> {
        let text = &cidr.text;
        match text.parse::<IpNet>() {
            Ok(net) if net.trunc() != net => {
                self.report(
                    Diagnostic::new(
                        Code::E0209,
                        format!("`{text}` has host bits set"),
                        cidr.span,
                        "bits set past the prefix",
                    )
                    .with_help(format!(
                        "write the network `{}`, or the host `{}/{}`",
                        net.trunc(),
                        net.addr(),
                        net.max_prefix_len()
                    )),
                );
                None
            }
            Ok(net) => Some((net, cidr.span)),
            Err(_) => {
                let help = match text.parse::<std::net::IpAddr>() {
                    Ok(addr) => format!("add a prefix length: `{text}/{}`", if addr.is_ipv4() { 32 } else { 128 }),
                    Err(_) => "write an address, `/` and a prefix length, like `10.0.0.0/8` or `2001:db8::/32`".to_string(),
                };
                self.report(
                    Diagnostic::new(
                        Code::E0208,
                        format!("`{text}` is not a CIDR block"),
                        cidr.span,
                        "malformed CIDR",
                    )
                    .with_help(help),
                );
                None
            }
        }
    }

    fn define_control(&mut self, control: &ast::Control) {
        if let Some(first) = self.model.controls.get(&control.id.text) {
            let first = first.span;
            self.report_duplicate("control", &control.id, first);
            return;
        }
        self.model.controls.insert(
            control.id.text.clone(),
            Control {
                id: control.id.text.clone(),
                title: control.title.value.clone(),
                maps: Vec::new(),
                span: control.id.span,
            },
        );
    }

    fn map_control(&mut self, control: &ast::Control) {
        let maps = control.maps.as_deref().unwrap_or_default();
        if maps.is_empty() {
            self.report(
                Diagnostic::new(
                    Code::E0305,
                    format!("control `{}` maps to no criterion", control.id.text),
                    control.id.span,
                    "no `maps` clause",
                )
                .with_help(format!(
                    "say which criteria it implements: `control {} \"{}\" maps CC6.1`",
                    control.id.text, control.title.value
                )),
            );
            return;
        }
        let mut criteria: Vec<&'static Criterion> = Vec::new();
        for id in maps {
            if let Some(criterion) = self.criterion_for_mapping(id) {
                if !criteria.contains(&criterion) {
                    criteria.push(criterion);
                }
            }
        }
        // Only the first definition of a duplicated id is in the model.
        if let Some(defined) = self.model.controls.get_mut(&control.id.text) {
            if defined.span == control.id.span {
                defined.maps = criteria;
            }
        }
    }
}

fn is_v6(net: &IpNet) -> bool {
    matches!(net, IpNet::V6(_))
}

fn family(net: &IpNet) -> &'static str {
    if is_v6(net) { "IPv6" } else { "IPv4" }
}
