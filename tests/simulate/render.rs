//! The renderers: JSON (exact shape, valid JSON, deterministic order) and
//! the per-probe tables, both snapshotted on a small world.

use std::net::{IpAddr, Ipv4Addr};
use ward::simulate::{
    Document, LoadError, Probe, Protocol, World, load, render_json, render_table,
};

fn sample() -> Result<World, LoadError> {
    load(&[Document::new(
        "sample.yaml",
        include_str!("data/26-both-sides-needed.yaml"),
    )])
}

fn probes() -> [Probe; 2] {
    [Probe::new(80, Protocol::Tcp), Probe::new(53, Protocol::Udp)]
}

#[test]
fn json_shape() -> Result<(), Box<dyn std::error::Error>> {
    let world = sample()?;
    let outside = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    let reach = world.reachability(&probes(), &[outside]);
    let json = render_json(&reach);
    let value: serde_json::Value = serde_json::from_str(&json)?;
    let connections = value
        .get("connections")
        .and_then(serde_json::Value::as_array)
        .ok_or("no connections array")?;
    // 5 endpoints, no external -> external: 24 pairs per probe.
    assert_eq!(connections.len(), 48);
    let first = connections.first().ok_or("empty")?;
    assert_eq!(
        first,
        &serde_json::json!({"src": "x/a", "dst": "x/a", "port": 80, "protocol": "TCP", "allowed": false})
    );
    let keys: Vec<&String> = first.as_object().ok_or("not an object")?.keys().collect();
    assert_eq!(keys, ["src", "dst", "port", "protocol", "allowed"]);
    let last = connections.last().ok_or("empty")?;
    assert_eq!(
        last,
        &serde_json::json!({"src": "192.0.2.1", "dst": "y/d", "port": 53, "protocol": "UDP", "allowed": true})
    );
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("render_json", render_json(&world.reachability(&probes()[..1], &[])));
    });
    Ok(())
}

#[test]
fn json_of_nothing() -> Result<(), LoadError> {
    let world = load(&[])?;
    assert_eq!(
        render_json(&world.reachability(&[], &[])),
        "{\"connections\": []}\n"
    );
    Ok(())
}

#[test]
fn table_layout() -> Result<(), LoadError> {
    let world = sample()?;
    let outside = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    let reach = world.reachability(&probes(), &[outside]);
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!("render_table", render_table(&reach));
    });
    Ok(())
}
