//! Domain diagnosis: MX and provider, settings discovery, then concurrent checks.
