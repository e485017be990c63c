//! Hover text: what a name stands for, in Markdown. A criterion shows its
//! series and description; a control its statement and the criteria it
//! maps; a service its selector, ports and the flows into and out of it; a
//! port its number; an external its blocks and holes; a namespace its
//! services. Read from the AST, so that it works while the program has
//! errors. A flow shows the NetworkPolicy rules it compiles to, from the
//! compiler's plan, which exists only for a program without errors.

use super::Program;
use super::index::{Symbol, connection_text, covers, services};
use crate::source::{FileId, Span};
use crate::syntax::ast::Item;

/// The hover text for `symbol`, or `None` when nothing declares it.
pub fn hover(program: &Program, symbol: &Symbol) -> Option<String> {
    match symbol {
        Symbol::Criterion(id) => criterion(id),
        Symbol::Control(id) => control(program, id),
        Symbol::Namespace(ns) => namespace(program, ns),
        Symbol::Service(ns, svc) => service(program, ns, svc),
        Symbol::Port(ns, svc, port) => port_text(program, ns, svc, port),
        Symbol::External(name) => external(program, name),
    }
}

fn criterion(id: &str) -> Option<String> {
    let found = crate::catalog::criterion(id)?;
    Some(format!(
        "**{}** ({} criterion, series {}: {})\n\n{}",
        found.id,
        found.category.name(),
        found.series,
        found.series_title,
        found.description
    ))
}

fn control(program: &Program, id: &str) -> Option<String> {
    let control = program.ast.items.iter().find_map(|item| match item {
        Item::Control(control) if control.id.text == id => Some(control),
        _ => None,
    })?;
    let mut text = format!("**control {id}**\n\n{}", control.title.value);
    let maps = control.maps.iter().flatten().collect::<Vec<_>>();
    if !maps.is_empty() {
        text.push_str("\n\nmaps:");
        for criterion in maps {
            let description = crate::catalog::criterion(&criterion.text)
                .map_or(String::new(), |c| format!(": {}", c.description));
            text.push_str(&format!("\n- `{}`{description}", criterion.text));
        }
    }
    Some(text)
}

fn namespace(program: &Program, name: &str) -> Option<String> {
    let namespaces: Vec<_> = program
        .ast
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Namespace(ns) if ns.name.text == name => Some(ns),
            _ => None,
        })
        .collect();
    let first = namespaces.first()?;
    let managed = if first.unmanaged.is_some() {
        " (unmanaged: Ward writes no policy for it)"
    } else {
        ""
    };
    let mut text = format!("**namespace {name}**{managed}");
    let names: Vec<String> = namespaces
        .iter()
        .flat_map(|ns| &ns.services)
        .map(|s| format!("`{}`", s.name.text))
        .collect();
    if !names.is_empty() {
        text.push_str(&format!("\n\nservices: {}", names.join(", ")));
    }
    Some(text)
}

fn service(program: &Program, ns: &str, svc: &str) -> Option<String> {
    let (_, service) = services(&program.ast)
        .find(|(namespace, service)| namespace.name.text == ns && service.name.text == svc)?;
    let mut text = format!("**service {ns}.{svc}**");
    match &service.pods {
        Some(pods) => {
            let terms: Vec<&str> = pods
                .terms
                .iter()
                .map(|term| program.sources.slice(term.span))
                .collect();
            text.push_str(&format!("\n\npods: `{}`", terms.join(", ")));
        }
        None => text.push_str("\n\npods: every pod of the namespace"),
    }
    if !service.ports.is_empty() {
        let ports: Vec<String> = service
            .ports
            .iter()
            .map(|p| format!("`{} {}`", p.name.text, p.spec.text()))
            .collect();
        text.push_str(&format!("\n\nports: {}", ports.join(", ")));
    }
    let mut into = Vec::new();
    let mut out_of = Vec::new();
    for item in &program.ast.items {
        if let Item::Flow(flow) = item {
            let line = format!(
                "- `{}`",
                connection_text(&flow.src, &flow.dst, flow.port.as_ref())
            );
            if covers(&flow.dst, ns, svc) {
                into.push(line.clone());
            }
            if covers(&flow.src, ns, svc) {
                out_of.push(line);
            }
        }
    }
    for (title, flows) in [("flows in", into), ("flows out", out_of)] {
        if !flows.is_empty() {
            text.push_str(&format!("\n\n{title}:\n{}", flows.join("\n")));
        }
    }
    Some(text)
}

fn port_text(program: &Program, ns: &str, svc: &str, port: &str) -> Option<String> {
    let (_, service) = services(&program.ast)
        .find(|(namespace, service)| namespace.name.text == ns && service.name.text == svc)?;
    let declared = service.ports.iter().find(|p| p.name.text == port)?;
    Some(format!(
        "**port {port}** of `{ns}.{svc}`: `{}`",
        declared.spec.text()
    ))
}

fn external(program: &Program, name: &str) -> Option<String> {
    let external = program.ast.items.iter().find_map(|item| match item {
        Item::External(external) if external.name.text == name => Some(external),
        _ => None,
    })?;
    let list = |blocks: &[crate::syntax::ast::Ident]| {
        blocks
            .iter()
            .map(|b| format!("`{}`", b.text))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut text = format!("**external {name}**\n\nblocks: {}", list(&external.cidrs));
    if !external.except.is_empty() {
        text.push_str(&format!("\n\nholes (except): {}", list(&external.except)));
    }
    Some(text)
}

/// The hover over the flow statement at byte `offset` of `file` (where no
/// name is): its span and the rules of the policies it compiles to, each
/// policy by namespace and name, each rule by its place in the policy and
/// its ports, as `ward build` writes them.
pub fn flow(program: &Program, file: FileId, offset: usize) -> Option<(String, Span)> {
    let flow = program.ast.items.iter().find_map(|item| match item {
        Item::Flow(flow)
            if flow.span.file == file && flow.span.start <= offset && offset <= flow.span.end =>
        {
            Some(flow)
        }
        _ => None,
    })?;
    let mut text = format!(
        "**flow** `{}`",
        connection_text(&flow.src, &flow.dst, flow.port.as_ref())
    );
    let Some(model) = &program.model else {
        text.push_str(
            "\n\nthe program has errors: fix them to see the policies this flow compiles to",
        );
        return Some((text, flow.span));
    };
    let Some(checked) = model.flows.iter().find(|f| f.span == flow.span) else {
        crate::error::never!("a flow of a program without errors is in its model");
        return None;
    };
    let plan = crate::plan::plan(model);
    let mut lines = Vec::new();
    for place in plan.rules_of_flow(checked.index) {
        let rule = plan
            .policies
            .iter()
            .find(|p| p.namespace == place.namespace && p.name == place.policy)
            .and_then(|p| p.rules(place.direction).get(place.index));
        let ports = rule.map_or(String::new(), |r| format!(": {}", r.ports));
        lines.push(format!(
            "- NetworkPolicy `{}/{}` `spec.{}[{}]`{ports}",
            place.namespace,
            place.policy,
            place.direction.as_str(),
            place.index
        ));
    }
    if lines.is_empty() {
        text.push_str("\n\ncompiles to no NetworkPolicy rule");
    } else {
        text.push_str(&format!("\n\ncompiles to:\n{}", lines.join("\n")));
    }
    Some((text, flow.span))
}
