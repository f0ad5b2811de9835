//! The advisor: ranks scenarios against an organisation's goals and constraints.

use serde::{Deserialize, Serialize};

/// The organisation being planned for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Organisation {}

/// Goals with weights.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Goals {}

/// Hard constraints.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Constraints {}
