//! `Inventory::explain`: why one certificate is (or is not) actioned.

use std::fmt;

use time::OffsetDateTime;

use super::count::truncate;
use super::kernel::WEEK_SECS;
use super::{Category, CountConfig, Inventory};
use crate::{timefmt, Error, ErrorKind, Result};

/// Why one certificate is or is not actioned at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The certificate.
    pub id: u32,
    /// The instant explained.
    pub as_of: OffsetDateTime,
    /// When it was revoked, if it was.
    pub revoked_at: Option<OffsetDateTime>,
    /// When it expires, if known.
    pub expires_at: Option<OffsetDateTime>,
    /// Every category it belongs to, before the exclusion rules, with what
    /// put it there (store, field or collection names).
    pub memberships: Vec<(Category, Vec<String>)>,
    /// The categories that make it actioned (after the exclusion rules).
    pub counted: Vec<Category>,
}

impl Explanation {
    /// Whether it is actioned.
    pub fn actioned(&self) -> bool {
        !self.counted.is_empty()
    }

    /// Revoked at the instant explained.
    pub fn revoked(&self) -> bool {
        self.revoked_at.is_some_and(|r| r <= self.as_of)
    }

    /// Expired at the instant explained.
    pub fn expired(&self) -> bool {
        self.expires_at.is_some_and(|e| e <= self.as_of)
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.actioned() { "actioned" } else { "not actioned" };
        writeln!(f, "certificate {} as of {}: {verdict}", self.id, timefmt::format(self.as_of))?;
        if let Some(r) = self.revoked_at {
            writeln!(
                f,
                "  revoked at {}{}",
                timefmt::format(r),
                if self.revoked() { "" } else { " (later)" }
            )?;
        }
        if let Some(e) = self.expires_at {
            writeln!(
                f,
                "  expires at {}{}",
                timefmt::format(e),
                if self.expired() { " (expired)" } else { "" }
            )?;
        }
        for (category, why) in &self.memberships {
            let dead = match category {
                Category::RevokedRecently => self.expired(),
                _ => self.revoked() || self.expired(),
            };
            let state = if self.counted.contains(category) {
                "counts".to_owned()
            } else if dead {
                format!("excluded ({})", category.excluded_when())
            } else {
                "not counted (configuration)".to_owned()
            };
            let why = if why.is_empty() { String::new() } else { format!(" [{}]", why.join(", ")) };
            writeln!(f, "  {category}: {state}{why}")?;
        }
        Ok(())
    }
}

impl Inventory {
    /// Says which categories make certificate `id` actioned at `at` under
    /// `config`, and which it belongs to but that are excluded.
    pub fn explain(&self, id: u32, at: OffsetDateTime, config: &CountConfig) -> Result<Explanation> {
        if !self.present.contains(id) {
            return Err(Error::new(ErrorKind::UnknownCertificate, format!("certificate {id}")));
        }
        let as_of = truncate(at);
        let t = as_of.unix_timestamp();
        let revoked = self.revocations.get(id);
        let expires = self.expiries.get(id);
        let names = |sets: &super::inventory::NamedSets, counts: &dyn Fn(&str) -> bool| -> Vec<String> {
            sets.iter()
                .filter(|(_, s)| s.contains(id))
                .map(|(n, _)| if counts(n) { n.clone() } else { format!("{n} (not counted by config)") })
                .collect()
        };
        let mut memberships = Vec::new();
        let flag = |on: bool, what: Vec<String>| on.then_some(what);
        let ssl = self.ssl.contains(id).then(|| 1 + self.ssl_extra(id));
        let candidates: [(Category, Option<Vec<String>>); 7] = [
            (Category::Enrolled, flag(self.enrolled.contains(id), vec![])),
            (Category::RevokedRecently, flag(revoked.is_some_and(|r| t - WEEK_SECS < r && r <= t), vec![])),
            (Category::Metadata, Some(names(&self.metadata, &|n| config.counts_metadata(n)))),
            (Category::SslEndpoint, ssl.map(|n| vec![format!("{n} endpoint(s)")])),
            (Category::CertStore, Some(names(&self.stores, &|_| true))),
            (Category::PrivateKey, flag(self.private_key.contains(id), vec![])),
            (Category::Collection, Some(names(&self.collections, &|n| config.counts_collection(n)))),
        ];
        let is_revoked = revoked.is_some_and(|r| r <= t);
        let is_expired = expires.is_some_and(|e| e <= t);
        let mut counted = Vec::new();
        for (category, why) in candidates {
            let Some(why) = why else { continue };
            let configured_in = match category {
                Category::Metadata => {
                    self.metadata.iter().any(|(n, s)| config.counts_metadata(n) && s.contains(id))
                }
                Category::Collection => {
                    self.collections.iter().any(|(n, s)| config.counts_collection(n) && s.contains(id))
                }
                Category::CertStore => !why.is_empty(),
                _ => true,
            };
            if why.is_empty()
                && matches!(category, Category::Metadata | Category::Collection | Category::CertStore)
            {
                continue;
            }
            let excluded = match category {
                Category::RevokedRecently => is_expired,
                _ => is_revoked || is_expired,
            };
            if configured_in && !excluded {
                counted.push(category);
            }
            memberships.push((category, why));
        }
        let time = |s: Option<i64>| s.and_then(|s| OffsetDateTime::from_unix_timestamp(s).ok());
        Ok(Explanation {
            id,
            as_of,
            revoked_at: time(revoked),
            expires_at: time(expires),
            memberships,
            counted,
        })
    }
}
