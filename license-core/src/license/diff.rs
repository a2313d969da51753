//! The side-by-side comparison a person reads before replacing a license.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::{ActionedLimit, Feature, License};
use crate::table::Table;
use crate::timefmt;

/// One plain field that differs (licensee, product, attributes, …), as text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's label, e.g. `licensee` or `attribute po`.
    pub field: String,
    /// Its value in the installed license (`None` if absent there).
    pub installed: Option<String>,
    /// Its value in the candidate (`None` if absent there).
    pub candidate: Option<String>,
}

/// One feature that was added, removed or changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeatureChange {
    /// The feature's name.
    pub name: String,
    /// The installed terms (`None`: the candidate adds the feature).
    pub installed: Option<Feature>,
    /// The candidate's terms (`None`: the candidate removes the feature).
    pub candidate: Option<Feature>,
}

/// How the actioned-certificate limit changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum LimitChange {
    /// A higher counted limit.
    Raised {
        /// The installed limit.
        from: u64,
        /// The candidate's limit.
        to: u64,
    },
    /// A lower counted limit.
    Lowered {
        /// The installed limit.
        from: u64,
        /// The candidate's limit.
        to: u64,
    },
    /// A counted limit becomes a site license.
    CountedToSite {
        /// The installed limit.
        from: u64,
    },
    /// A site license becomes a counted limit.
    SiteToCounted {
        /// The candidate's limit.
        to: u64,
    },
}

/// How the license's expiry moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ExpiryChange {
    /// The candidate expires later.
    Later {
        /// The installed expiry.
        #[serde(with = "timefmt::rfc3339")]
        from: OffsetDateTime,
        /// The candidate's expiry.
        #[serde(with = "timefmt::rfc3339")]
        to: OffsetDateTime,
    },
    /// The candidate expires earlier.
    Earlier {
        /// The installed expiry.
        #[serde(with = "timefmt::rfc3339")]
        from: OffsetDateTime,
        /// The candidate's expiry.
        #[serde(with = "timefmt::rfc3339")]
        to: OffsetDateTime,
    },
    /// The candidate is perpetual; the installed license expires.
    BecomesPerpetual {
        /// The installed expiry.
        #[serde(with = "timefmt::rfc3339")]
        from: OffsetDateTime,
    },
    /// The installed license is perpetual; the candidate expires.
    GainsExpiry {
        /// The candidate's expiry.
        #[serde(with = "timefmt::rfc3339")]
        to: OffsetDateTime,
    },
}

/// Something the replacement would take away from the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "loss", rename_all = "snake_case")]
pub enum Loss {
    /// A feature is gone.
    FeatureRemoved {
        /// The feature.
        name: String,
    },
    /// A feature is switched off.
    FeatureDisabled {
        /// The feature.
        name: String,
    },
    /// A feature's quantity goes down or becomes limited.
    QuantityLowered {
        /// The feature.
        name: String,
        /// The installed quantity (`None`: uncounted).
        from: Option<u64>,
        /// The candidate's quantity.
        to: u64,
    },
    /// A feature ends sooner.
    FeatureEndsSooner {
        /// The feature.
        name: String,
    },
    /// Fewer actioned certificates are licensed.
    LimitLowered {
        /// The installed limit (`None`: site license).
        from: Option<u64>,
        /// The candidate's limit.
        to: u64,
    },
    /// The license ends sooner (or stops being perpetual).
    ExpiresSooner,
    /// A shorter grace period.
    GraceShortened {
        /// Installed grace, in days.
        from: u32,
        /// Candidate's grace, in days.
        to: u32,
    },
    /// The candidate is bound to an instance (or hardware) the installed
    /// license was not bound to: it may stop working on this server.
    Rebound {
        /// The installed license's instance (`None`: not bound).
        from: Option<String>,
        /// The candidate's instance.
        to: String,
    },
}

impl fmt::Display for Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Loss::FeatureRemoved { name } => write!(f, "feature `{name}` is removed"),
            Loss::FeatureDisabled { name } => write!(f, "feature `{name}` is disabled"),
            Loss::QuantityLowered { name, from: Some(from), to } => {
                write!(f, "feature `{name}` quantity drops from {from} to {to}")
            }
            Loss::QuantityLowered { name, from: None, to } => {
                write!(f, "feature `{name}` becomes limited to {to}")
            }
            Loss::FeatureEndsSooner { name } => write!(f, "feature `{name}` ends sooner"),
            Loss::LimitLowered { from: Some(from), to } => {
                write!(f, "actioned limit drops from {from} to {to}")
            }
            Loss::LimitLowered { from: None, to } => {
                write!(f, "site license becomes a limit of {to} actioned certificates")
            }
            Loss::ExpiresSooner => f.write_str("the license expires sooner"),
            Loss::GraceShortened { from, to } => {
                write!(f, "grace period shortens from {from} to {to} days")
            }
            Loss::Rebound { from: None, to } => {
                write!(f, "the license becomes bound to instance `{}`", to.escape_debug())
            }
            Loss::Rebound { from: Some(from), to } if from == to => {
                write!(f, "instance `{}` is bound to other hardware", to.escape_debug())
            }
            Loss::Rebound { from: Some(from), to } => write!(
                f,
                "the binding moves from instance `{}` to `{}`",
                from.escape_debug(),
                to.escape_debug()
            ),
        }
    }
}

/// Everything that differs between an installed license and a candidate,
/// and what the replacement would take away.
///
/// `Display` renders the aligned side-by-side table.
///
/// ```
/// use license_core::{Feature, License, license::{LicenseDiff, Loss}};
/// use time::macros::datetime;
/// let old = License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
///     .licensee("Example Ltd")
///     .feature("api", Feature::enabled())
///     .build()?;
/// let new = old.to_builder().without_feature("api").build()?;
/// let diff = LicenseDiff::between(&old, &new);
/// assert_eq!(diff.losses, [Loss::FeatureRemoved { name: "api".into() }]);
/// assert!(LicenseDiff::between(&old, &old).is_empty());
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenseDiff {
    /// Plain fields that differ, in display order.
    pub fields: Vec<FieldChange>,
    /// Features added, removed or changed, in name order.
    pub features: Vec<FeatureChange>,
    /// The actioned limit's change, if it changes.
    pub limit: Option<LimitChange>,
    /// The expiry's change, if it moves.
    pub expiry: Option<ExpiryChange>,
    /// The verdict: what the replacement would take away (empty: nothing).
    pub losses: Vec<Loss>,
}

impl LicenseDiff {
    /// Compares the installed license with a candidate replacement.
    pub fn between(installed: &License, candidate: &License) -> LicenseDiff {
        let fields = field_changes(installed, candidate);
        let features = feature_changes(installed, candidate);
        let limit = limit_change(installed.actioned_limit(), candidate.actioned_limit());
        let expiry = expiry_change(installed.expires_at(), candidate.expires_at());
        let losses = losses(installed, candidate, &features, limit, expiry);
        LicenseDiff { fields, features, limit, expiry, losses }
    }

    /// Whether the two licenses are the same in every field.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.features.is_empty() && self.limit.is_none() && self.expiry.is_none()
    }

    /// Whether the replacement takes nothing away.
    pub fn takes_nothing_away(&self) -> bool {
        self.losses.is_empty()
    }
}

/// The plain fields: everything but features, limit and expiry, which have
/// structured changes of their own.
fn field_changes(a: &License, b: &License) -> Vec<FieldChange> {
    let structured =
        |label: &str| label.starts_with("feature ") || label == "actioned limit" || label == "expires";
    let before: Vec<_> = a.display_fields().into_iter().filter(|(l, _)| !structured(l)).collect();
    let after: Vec<_> = b.display_fields().into_iter().filter(|(l, _)| !structured(l)).collect();
    // Labels in first-seen order, so optional rows keep their place.
    let mut labels: Vec<&String> = Vec::new();
    for (label, _) in before.iter().chain(after.iter()) {
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    let value = |rows: &[(String, String)], label: &str| {
        rows.iter().find(|(l, _)| l == label).map(|(_, v)| v.clone())
    };
    labels
        .into_iter()
        .filter_map(|label| {
            let installed = value(&before, label);
            let candidate = value(&after, label);
            (installed != candidate).then(|| FieldChange { field: label.clone(), installed, candidate })
        })
        .collect()
}

fn feature_changes(a: &License, b: &License) -> Vec<FeatureChange> {
    let names: BTreeSet<&str> = a.features().iter().chain(b.features().iter()).map(|(n, _)| n).collect();
    names
        .into_iter()
        .filter_map(|name| {
            let installed = a.features().get(name).copied();
            let candidate = b.features().get(name).copied();
            (installed != candidate).then(|| FeatureChange { name: name.to_owned(), installed, candidate })
        })
        .collect()
}

fn limit_change(a: ActionedLimit, b: ActionedLimit) -> Option<LimitChange> {
    use ActionedLimit::{Counted, SiteLicense};
    match (a, b) {
        (Counted(from), Counted(to)) if to > from => Some(LimitChange::Raised { from, to }),
        (Counted(from), Counted(to)) if to < from => Some(LimitChange::Lowered { from, to }),
        (Counted(from), SiteLicense) => Some(LimitChange::CountedToSite { from }),
        (SiteLicense, Counted(to)) => Some(LimitChange::SiteToCounted { to }),
        _ => None,
    }
}

fn expiry_change(a: Option<OffsetDateTime>, b: Option<OffsetDateTime>) -> Option<ExpiryChange> {
    match (a, b) {
        (Some(from), Some(to)) if to > from => Some(ExpiryChange::Later { from, to }),
        (Some(from), Some(to)) if to < from => Some(ExpiryChange::Earlier { from, to }),
        (Some(from), None) => Some(ExpiryChange::BecomesPerpetual { from }),
        (None, Some(to)) => Some(ExpiryChange::GainsExpiry { to }),
        _ => None,
    }
}

fn losses(
    a: &License,
    b: &License,
    features: &[FeatureChange],
    limit: Option<LimitChange>,
    expiry: Option<ExpiryChange>,
) -> Vec<Loss> {
    let mut out = Vec::new();
    for change in features {
        let name = change.name.clone();
        match (change.installed, change.candidate) {
            (Some(old), None) if old.enabled => out.push(Loss::FeatureRemoved { name }),
            (Some(old), Some(new)) if old.enabled => {
                if !new.enabled {
                    out.push(Loss::FeatureDisabled { name });
                    continue;
                }
                if let Some(to) = new.quantity {
                    if old.quantity.is_none_or(|from| to < from) {
                        out.push(Loss::QuantityLowered { name: name.clone(), from: old.quantity, to });
                    }
                }
                if ends_sooner(old.expires_at, new.expires_at) {
                    out.push(Loss::FeatureEndsSooner { name });
                }
            }
            _ => {}
        }
    }
    match limit {
        Some(LimitChange::Lowered { from, to }) => out.push(Loss::LimitLowered { from: Some(from), to }),
        Some(LimitChange::SiteToCounted { to }) => out.push(Loss::LimitLowered { from: None, to }),
        _ => {}
    }
    if matches!(expiry, Some(ExpiryChange::Earlier { .. } | ExpiryChange::GainsExpiry { .. })) {
        out.push(Loss::ExpiresSooner);
    }
    let (from, to) = (a.expiry_policy().grace_days, b.expiry_policy().grace_days);
    if to < from {
        out.push(Loss::GraceShortened { from, to });
    }
    // A binding the installed license did not have (another instance, or
    // the same instance on other hardware) restricts where it runs.
    if let Some(new) = b.binding() {
        let same = a
            .binding()
            .is_some_and(|old| old.instance_id == new.instance_id && old.fingerprint == new.fingerprint);
        if !same {
            out.push(Loss::Rebound {
                from: a.binding().map(|old| old.instance_id.clone()),
                to: new.instance_id.clone(),
            });
        }
    }
    out
}

/// Whether an end moves earlier (`None` is "never").
fn ends_sooner(old: Option<OffsetDateTime>, new: Option<OffsetDateTime>) -> bool {
    match (old, new) {
        (None, Some(_)) => true,
        (Some(old), Some(new)) => new < old,
        _ => false,
    }
}

fn describe_feature(f: Option<Feature>) -> String {
    f.map_or_else(|| "-".to_owned(), |f| f.describe())
}

fn describe_limit(limit: ActionedLimit) -> String {
    limit.to_string()
}

fn describe_expiry(e: Option<OffsetDateTime>) -> String {
    e.map_or_else(|| "never (perpetual)".to_owned(), timefmt::format)
}

impl fmt::Display for LicenseDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("no differences: the candidate is identical to the installed license\n");
        }
        let mut t = Table::new().header(["", "installed", "candidate"]);
        for c in &self.fields {
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
            t.row([c.field.clone(), show(&c.installed), show(&c.candidate)]);
        }
        if let Some(change) = self.expiry {
            let (from, to) = match change {
                ExpiryChange::Later { from, to } | ExpiryChange::Earlier { from, to } => {
                    (Some(from), Some(to))
                }
                ExpiryChange::BecomesPerpetual { from } => (Some(from), None),
                ExpiryChange::GainsExpiry { to } => (None, Some(to)),
            };
            t.row(["expires".to_owned(), describe_expiry(from), describe_expiry(to)]);
        }
        if let Some(change) = self.limit {
            let (from, to) = match change {
                LimitChange::Raised { from, to } | LimitChange::Lowered { from, to } => {
                    (ActionedLimit::Counted(from), ActionedLimit::Counted(to))
                }
                LimitChange::CountedToSite { from } => {
                    (ActionedLimit::Counted(from), ActionedLimit::SiteLicense)
                }
                LimitChange::SiteToCounted { to } => (ActionedLimit::SiteLicense, ActionedLimit::Counted(to)),
            };
            t.row(["actioned limit".to_owned(), describe_limit(from), describe_limit(to)]);
        }
        for c in &self.features {
            t.row([
                format!("feature {}", c.name),
                describe_feature(c.installed),
                describe_feature(c.candidate),
            ]);
        }
        f.write_str(&t.render())?;
        if self.losses.is_empty() {
            f.write_str("\nverdict: the replacement takes nothing away\n")
        } else {
            f.write_str("\nverdict: the replacement takes away:\n")?;
            for loss in &self.losses {
                writeln!(f, "  - {loss}")?;
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn installed() -> License {
        License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
            .licensee("Example Ltd")
            .expires_at(datetime!(2027-01-01 0:00 UTC))
            .grace_days(14)
            .feature("api", Feature::enabled().with_quantity(10))
            .feature("reports", Feature::enabled())
            .feature("sso", Feature::enabled())
            .actioned_limit(ActionedLimit::Counted(5000))
            .build()
            .unwrap()
    }

    #[test]
    fn every_kind_of_change_is_seen() {
        let old = installed();
        let new = old
            .to_builder()
            .licensee("Example Group")
            .expires_at(datetime!(2026-12-01 0:00 UTC))
            .grace_days(7)
            .without_feature("api")
            .feature("api", Feature::enabled().with_quantity(5))
            .without_feature("reports")
            .without_feature("sso")
            .feature("sso", Feature::disabled())
            .feature("audit", Feature::enabled())
            .actioned_limit(ActionedLimit::Counted(4000))
            .build()
            .unwrap();
        let diff = LicenseDiff::between(&old, &new);
        let fields: Vec<_> = diff.fields.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["licensee", "grace period"]);
        let names: Vec<_> = diff.features.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["api", "audit", "reports", "sso"]);
        assert_eq!(diff.limit, Some(LimitChange::Lowered { from: 5000, to: 4000 }));
        assert!(matches!(diff.expiry, Some(ExpiryChange::Earlier { .. })));
        assert_eq!(
            diff.losses,
            [
                Loss::QuantityLowered { name: "api".into(), from: Some(10), to: 5 },
                Loss::FeatureRemoved { name: "reports".into() },
                Loss::FeatureDisabled { name: "sso".into() },
                Loss::LimitLowered { from: Some(5000), to: 4000 },
                Loss::ExpiresSooner,
                Loss::GraceShortened { from: 14, to: 7 },
            ]
        );
        let table = diff.to_string();
        assert!(table.contains("feature reports  enabled"), "{table}");
        assert!(table.contains("  - feature `reports` is removed"), "{table}");
        // Serde form round-trips.
        let json = serde_json::to_string(&diff).unwrap();
        assert_eq!(serde_json::from_str::<LicenseDiff>(&json).unwrap(), diff);
    }

    #[test]
    fn a_pure_upgrade_takes_nothing_away() {
        let old = installed();
        let new = old
            .to_builder()
            .perpetual()
            .feature("audit", Feature::enabled())
            .actioned_limit(ActionedLimit::SiteLicense)
            .build()
            .unwrap();
        let diff = LicenseDiff::between(&old, &new);
        assert!(diff.takes_nothing_away(), "{diff}");
        assert_eq!(diff.limit, Some(LimitChange::CountedToSite { from: 5000 }));
        assert!(diff.to_string().contains("takes nothing away"));
    }

    #[test]
    fn a_new_or_moved_binding_is_a_loss_and_dropping_one_is_not() {
        let bind = |instance: &str, fingerprint: &str| {
            installed()
                .to_builder()
                .binding(crate::license::InstanceBinding {
                    instance_id: instance.into(),
                    fingerprint: fingerprint.into(),
                    policy: None,
                })
                .build()
                .unwrap()
        };
        let unbound = installed();
        // Two well-formed fingerprints (the builder parses them).
        let (fp1, fp2) = (format!("fp1;machine-id={:032x}", 1), format!("fp1;machine-id={:032x}", 2));
        let (a, b, a_elsewhere) = (bind("inst-a", &fp1), bind("inst-b", &fp1), bind("inst-a", &fp2));
        let rebound =
            |from: Option<&str>, to: &str| Loss::Rebound { from: from.map(str::to_owned), to: to.into() };
        assert_eq!(LicenseDiff::between(&unbound, &a).losses, [rebound(None, "inst-a")]);
        assert_eq!(LicenseDiff::between(&a, &b).losses, [rebound(Some("inst-a"), "inst-b")]);
        assert_eq!(LicenseDiff::between(&a, &a_elsewhere).losses, [rebound(Some("inst-a"), "inst-a")]);
        assert!(LicenseDiff::between(&a, &unbound).takes_nothing_away());
        assert!(LicenseDiff::between(&a, &a).takes_nothing_away());
        assert_eq!(
            rebound(Some("inst-a"), "inst-b").to_string(),
            "the binding moves from instance `inst-a` to `inst-b`"
        );
        assert_eq!(
            rebound(Some("inst-a"), "inst-a").to_string(),
            "instance `inst-a` is bound to other hardware"
        );
        assert_eq!(rebound(None, "inst-a").to_string(), "the license becomes bound to instance `inst-a`");
    }
}
