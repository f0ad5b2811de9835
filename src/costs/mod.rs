//! Cost model and price books.

pub mod lines;

pub use lines::{CostLine, CostRole, SeatBasis};
use serde::{Deserialize, Serialize};

/// The cost inputs of a plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CostInputs {}
