//! Deployment scenarios: loading, validation and the built-in set from `scenarios/*.ron`.
