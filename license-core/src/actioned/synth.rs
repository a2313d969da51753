//! A synthetic, realistic inventory for demos, tests and benchmarks, the
//! same from the same seed on every platform.

use time::OffsetDateTime;

use super::CertificateRecord;

/// The managed stores, most used first.
pub const SYNTHETIC_STORES: [&str; 12] = [
    "iis-prod-1",
    "iis-prod-2",
    "f5-edge",
    "java-keystore-app",
    "windows-ca-pki",
    "azure-keyvault",
    "aws-acm-eu",
    "aws-acm-us",
    "k8s-ingress",
    "nginx-dmz",
    "citrix-adc",
    "legacy-pem",
];
/// Metadata fields and the share of certificates with a value in each.
pub const SYNTHETIC_METADATA: [(&str, f64); 6] = [
    ("Owner", 0.50),
    ("CostCenter", 0.30),
    ("Application", 0.25),
    ("Environment", 0.20),
    ("Notes", 0.10),
    ("Ticket", 0.05),
];
/// Collections and the share of certificates in each.
pub const SYNTHETIC_COLLECTIONS: [(&str, f64); 6] = [
    ("prod-web", 0.15),
    ("team-a", 0.10),
    ("team-b", 0.10),
    ("expiring-soon", 0.08),
    ("pci-scope", 0.05),
    ("legacy-sha1", 0.02),
];

/// SplitMix64: tiny, fast and fully specified, so a seed means the same
/// inventory everywhere (this is test data, not cryptography).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

/// `count` certificates with realistic shares, relative to `now`, in
/// ascending id order (ids from 1, with about one in twenty skipped, as
/// deleted certificates leave gaps).
///
/// Default densities: 55% enrolled, 35% with a stored private key, 20%
/// monitored by SSL endpoints (a quarter of those by two or three), 45% in
/// managed stores (one in five of those in two), metadata and collections
/// as in [`SYNTHETIC_METADATA`] and [`SYNTHETIC_COLLECTIONS`]; 97% have an
/// expiry (issued over the last three years for 90 days, one or two years),
/// 4% are revoked between issue and expiry (or now).
///
/// ```
/// use license_core::actioned::synthetic_records;
/// use time::macros::datetime;
/// let a: Vec<_> = synthetic_records(1000, 7, datetime!(2026-11-23 2:00 UTC)).collect();
/// let b: Vec<_> = synthetic_records(1000, 7, datetime!(2026-11-23 2:00 UTC)).collect();
/// assert_eq!(a, b);
/// assert!(a.windows(2).all(|w| w[0].id < w[1].id));
/// ```
pub fn synthetic_records(
    count: u32,
    seed: u64,
    now: OffsetDateTime,
) -> impl Iterator<Item = CertificateRecord> {
    let mut rng = SplitMix(seed ^ 0x6C69_6365_6E73_6521);
    let now = now.unix_timestamp().max(3 * 365 * 86_400);
    let mut id = 0u32;
    (0..count).map_while(move |_| {
        id = id.checked_add(if rng.chance(0.05) { 2 } else { 1 })?;
        let mut r = CertificateRecord::new(id);
        r.enrolled = rng.chance(0.55);
        r.private_key = rng.chance(0.35);
        if rng.chance(0.20) {
            r.ssl_endpoints = if rng.chance(0.25) { 2 + rng.below(2) as u32 } else { 1 };
        }
        if rng.chance(0.45) {
            let n = if rng.chance(0.2) { 2 } else { 1 };
            while r.stores.len() < n {
                // Skewed towards the first stores: the square of a uniform.
                let u = rng.unit();
                let name = SYNTHETIC_STORES[(u * u * SYNTHETIC_STORES.len() as f64) as usize];
                if !r.stores.iter().any(|s| s == name) {
                    r.stores.push(name.to_owned());
                }
            }
        }
        for (name, p) in SYNTHETIC_METADATA {
            if rng.chance(p) {
                r.metadata.push(name.to_owned());
            }
        }
        for (name, p) in SYNTHETIC_COLLECTIONS {
            if rng.chance(p) {
                r.collections.push(name.to_owned());
            }
        }
        let issued = now - rng.below(3 * 365 * 86_400) as i64;
        let validity = match rng.below(10) {
            0..=2 => 90,
            3..=7 => 365,
            _ => 730,
        } * 86_400;
        if rng.chance(0.97) {
            r.expires_at = OffsetDateTime::from_unix_timestamp(issued + validity).ok();
        }
        if rng.chance(0.04) {
            let end = (issued + validity).min(now).max(issued + 1);
            r.revoked_at =
                OffsetDateTime::from_unix_timestamp(issued + rng.below((end - issued) as u64) as i64).ok();
        }
        Some(r)
    })
}
