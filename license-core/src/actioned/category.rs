//! The seven categories that make a certificate actioned (see the design's
//! table), in their fixed order.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Error, ErrorKind, Result};

/// A reason a certificate counts as actioned.
///
/// The order of the variants is the order of the design table and of every
/// serialised form; the names are the snake_case keys used in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Requested through the product (CSR or PFX enrollment).
    Enrolled,
    /// Revoked within the previous week, whoever revoked it.
    RevokedRecently,
    /// Has a value in at least one metadata field not marked excluded.
    Metadata,
    /// Monitored by an SSL/TLS endpoint.
    SslEndpoint,
    /// Found in at least one managed certificate store.
    CertStore,
    /// Its private key is stored.
    PrivateKey,
    /// In a collection referenced by an expiration alert or a workflow.
    Collection,
}

impl Category {
    /// Every category, in the design table's order.
    pub const ALL: [Category; 7] = [
        Category::Enrolled,
        Category::RevokedRecently,
        Category::Metadata,
        Category::SslEndpoint,
        Category::CertStore,
        Category::PrivateKey,
        Category::Collection,
    ];

    /// The six categories that exclude revoked certificates (all but
    /// [`Category::RevokedRecently`]), in table order.
    pub const LIVE: [Category; 6] = [
        Category::Enrolled,
        Category::Metadata,
        Category::SslEndpoint,
        Category::CertStore,
        Category::PrivateKey,
        Category::Collection,
    ];

    /// Its position in [`Category::ALL`].
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The snake_case key used in every serialised form.
    pub const fn name(self) -> &'static str {
        match self {
            Category::Enrolled => "enrolled",
            Category::RevokedRecently => "revoked_recently",
            Category::Metadata => "metadata",
            Category::SslEndpoint => "ssl_endpoint",
            Category::CertStore => "cert_store",
            Category::PrivateKey => "private_key",
            Category::Collection => "collection",
        }
    }

    /// A short description for people.
    pub const fn description(self) -> &'static str {
        match self {
            Category::Enrolled => "requested through the product",
            Category::RevokedRecently => "revoked within the previous week",
            Category::Metadata => "has a value in a counted metadata field",
            Category::SslEndpoint => "monitored by an SSL/TLS endpoint",
            Category::CertStore => "found in a managed certificate store",
            Category::PrivateKey => "private key stored",
            Category::Collection => "in a referenced collection",
        }
    }

    /// What excludes a certificate from this category.
    pub const fn excluded_when(self) -> &'static str {
        match self {
            Category::RevokedRecently => "expired",
            _ => "revoked or expired",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Category {
    type Err = Error;

    fn from_str(s: &str) -> Result<Category> {
        Category::ALL.into_iter().find(|c| c.name() == s).ok_or_else(|| {
            Error::new(ErrorKind::InvalidArgument, format!("`{}` is not a category", s.escape_debug()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_serde_and_order() {
        for (i, c) in Category::ALL.into_iter().enumerate() {
            assert_eq!(c.index(), i);
            assert_eq!(serde_json::to_string(&c).unwrap(), format!("\"{}\"", c.name()));
            assert_eq!(c.name().parse::<Category>().unwrap(), c);
        }
        assert!("nope".parse::<Category>().is_err());
        assert!(!Category::LIVE.contains(&Category::RevokedRecently));
    }
}
