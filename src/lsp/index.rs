//! The names of a program and every place each is written: definitions and
//! references of namespaces, services, ports, externals, controls and the
//! criteria cited. Built from the AST, so that it works on a program with
//! errors (every statement that parsed is indexed).

use crate::check::{endpoint_text, port_text};
use crate::source::{FileId, Span};
use crate::syntax::ast::{self, Ast, Endpoint, Ident, Item, Part, PortRef};
use indexmap::IndexSet;

/// A thing a name stands for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// A namespace, by name.
    Namespace(String),
    /// A service: namespace and service names.
    Service(String, String),
    /// A named port: namespace, service and port names.
    Port(String, String, String),
    /// An external address set, by name.
    External(String),
    /// A team control, by id.
    Control(String),
    /// A Trust Services criterion, by id as cited.
    Criterion(String),
}

impl Symbol {
    /// The name as written at each occurrence (the last part).
    pub fn name(&self) -> &str {
        match self {
            Symbol::Namespace(name)
            | Symbol::Service(_, name)
            | Symbol::Port(_, _, name)
            | Symbol::External(name)
            | Symbol::Control(name)
            | Symbol::Criterion(name) => name,
        }
    }
}

/// One place a symbol is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// What is named.
    pub symbol: Symbol,
    /// The name's span.
    pub span: Span,
    /// True where the symbol is declared.
    pub definition: bool,
}

/// Every occurrence of every symbol, in source order.
#[derive(Debug, Clone, Default)]
pub struct Index {
    occurrences: Vec<Occurrence>,
}

impl Index {
    /// Indexes a (possibly partial) program.
    pub fn new(ast: &Ast) -> Self {
        let controls: IndexSet<&str> = ast
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Control(control) => Some(control.id.text.as_str()),
                _ => None,
            })
            .collect();
        let mut index = Index::default();
        for item in &ast.items {
            index.item(item, &controls);
        }
        index.occurrences.sort_by_key(|o| o.span);
        index
    }

    fn add(&mut self, symbol: Symbol, ident: &Ident, definition: bool) {
        self.occurrences.push(Occurrence {
            symbol,
            span: ident.span,
            definition,
        });
    }

    fn item(&mut self, item: &Item, controls: &IndexSet<&str>) {
        match item {
            Item::System(_) => {}
            Item::Baseline(baseline) => self.citations(&baseline.controls, controls),
            Item::Namespace(namespace) => {
                let ns = &namespace.name.text;
                self.add(Symbol::Namespace(ns.clone()), &namespace.name, true);
                for service in &namespace.services {
                    let svc = &service.name.text;
                    self.add(
                        Symbol::Service(ns.clone(), svc.clone()),
                        &service.name,
                        true,
                    );
                    for port in &service.ports {
                        let symbol = Symbol::Port(ns.clone(), svc.clone(), port.name.text.clone());
                        self.add(symbol, &port.name, true);
                    }
                }
            }
            Item::External(external) => {
                self.add(
                    Symbol::External(external.name.text.clone()),
                    &external.name,
                    true,
                );
            }
            Item::Control(control) => {
                self.add(Symbol::Control(control.id.text.clone()), &control.id, true);
                for criterion in control.maps.iter().flatten() {
                    self.add(Symbol::Criterion(criterion.text.clone()), criterion, false);
                }
            }
            Item::Flow(flow) => {
                self.connection(&flow.src, &flow.dst, flow.port.as_ref());
                self.citations(flow.controls.iter().flatten(), controls);
            }
            Item::Deny(deny) => self.connection(&deny.src, &deny.dst, deny.port.as_ref()),
        }
    }

    fn citations<'a>(
        &mut self,
        cited: impl IntoIterator<Item = &'a Ident>,
        controls: &IndexSet<&str>,
    ) {
        for id in cited {
            let symbol = if controls.contains(id.text.as_str()) {
                Symbol::Control(id.text.clone())
            } else {
                Symbol::Criterion(id.text.clone())
            };
            self.add(symbol, id, false);
        }
    }

    fn connection(&mut self, src: &Endpoint, dst: &Endpoint, port: Option<&PortRef>) {
        self.endpoint(src);
        let service = self.endpoint(dst);
        if let (Some((ns, svc)), Some(PortRef::Named(name))) = (service, port) {
            self.add(Symbol::Port(ns, svc, name.text.clone()), name, false);
        }
    }

    /// Indexes an endpoint's names; returns the service it names, if one.
    fn endpoint(&mut self, endpoint: &Endpoint) -> Option<(String, String)> {
        let Part::Name(first) = &endpoint.first else {
            return None;
        };
        match &endpoint.second {
            None => {
                self.add(Symbol::External(first.text.clone()), first, false);
                None
            }
            Some(second) => {
                self.add(Symbol::Namespace(first.text.clone()), first, false);
                let Part::Name(service) = second else {
                    return None;
                };
                let names = (first.text.clone(), service.text.clone());
                self.add(
                    Symbol::Service(names.0.clone(), names.1.clone()),
                    service,
                    false,
                );
                Some(names)
            }
        }
    }

    /// The occurrence at byte `offset` of `file` (its end included, so that
    /// a cursor just after a name finds it).
    pub fn at(&self, file: FileId, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .find(|o| o.span.file == file && o.span.start <= offset && offset <= o.span.end)
    }

    /// Every occurrence of `symbol`, definitions included, in source order.
    pub fn occurrences<'a>(&'a self, symbol: &'a Symbol) -> impl Iterator<Item = &'a Occurrence> {
        self.occurrences.iter().filter(move |o| &o.symbol == symbol)
    }

    /// Where `symbol` is declared (several places when declared twice).
    pub fn definitions<'a>(&'a self, symbol: &'a Symbol) -> impl Iterator<Item = &'a Occurrence> {
        self.occurrences(symbol).filter(|o| o.definition)
    }

    /// Every occurrence, in source order.
    pub fn all(&self) -> &[Occurrence] {
        &self.occurrences
    }
}

/// The text of a flow or `deny` as written, without its clauses:
/// `a.web -> b.db:5432`.
pub fn connection_text(src: &Endpoint, dst: &Endpoint, port: Option<&PortRef>) -> String {
    format!(
        "{} -> {}{}",
        endpoint_text(src),
        endpoint_text(dst),
        port_text(port)
    )
}

/// Whether `endpoint` names the service `ns.svc`, or all pods of `ns`, or
/// every pod.
pub fn covers(endpoint: &Endpoint, ns: &str, svc: &str) -> bool {
    let is = |part: &Part, name: &str| match part {
        Part::Name(ident) => ident.text == name,
        Part::Wildcard(_) => true,
    };
    matches!(&endpoint.second, Some(second) if is(&endpoint.first, ns) && is(second, svc))
}

/// The service statements of a program, with their namespace.
pub fn services(ast: &Ast) -> impl Iterator<Item = (&ast::Namespace, &ast::Service)> {
    ast.items.iter().flat_map(|item| match item {
        Item::Namespace(ns) => ns.services.iter().map(|s| (ns, s)).collect(),
        _ => Vec::new(),
    })
}
