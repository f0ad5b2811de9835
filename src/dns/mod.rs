//! DNS look-ups for mail: MX, SRV, TXT security records (hickory-resolver).
