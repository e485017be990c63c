//! The exact judge of NetworkPolicies: sets of connections as unions of
//! products of per-dimension constraints (label requirements per key,
//! address and port intervals, protocol sets), the sets the policies allow
//! and the program declares, and their comparison with a small concrete
//! counterexample per difference (decision 0017). Pure: no sampling, no IO.

pub mod declared;
mod index;
pub mod intervals;
pub mod judge;
pub mod labels;
pub mod policies;
pub mod region;
pub mod report;

pub use judge::{Counterexample, Kind, Verdict, allows, judge};
pub use policies::{Unreadable, allowed};
