//! How closely a machine must resemble the fingerprint it is bound to.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use super::fingerprint::ComponentKind;
use crate::{Error, ErrorKind, Result};

/// The version tag that starts a policy's text form.
const TAG: &str = "mp1";
/// The largest weight of one component.
pub(crate) const MAX_WEIGHT: u32 = 100;
/// The most sufficient sets a policy may name.
const MAX_SETS: usize = 16;
/// The longest text form accepted (the longest canonical one is far shorter).
const MAX_TEXT_LEN: usize = 2048;

/// A match policy: each [`ComponentKind`] has a weight, and a machine
/// matches when the weights of the components that agree reach the
/// threshold, or when every component of one of the *sufficient sets*
/// agrees.
///
/// The default policy weighs every kind 1 with threshold 3 (any three of
/// the six agree) and has one sufficient set, machine id + product UUID
/// (the OS installation and the motherboard both unchanged).
///
/// The canonical text form (what licenses and key bundles carry):
///
/// ```text
/// mp1;threshold=3;weights=machine-id:1,product-uuid:1,board-serial:1,mac:1,disk:1,cpu:1;sufficient=machine-id+product-uuid
/// ```
///
/// `weights` lists every kind in [`ComponentKind::ALL`] order; the
/// `sufficient` section is left out when there are no sets, and otherwise
/// lists the sets in ascending order, each set's kinds in canonical order
/// joined by `+`. [`FromStr`] accepts exactly that form.
///
/// ```
/// use license_core::{instance::{ComponentKind, MatchPolicy}};
/// let strict = MatchPolicy::new(
///     4,
///     &[(ComponentKind::MachineId, 2), (ComponentKind::ProductUuid, 2), (ComponentKind::Mac, 1)],
///     &[],
/// )?;
/// assert_eq!(strict.to_string().parse::<MatchPolicy>()?, strict);
/// assert_eq!(MatchPolicy::default().to_string().parse::<MatchPolicy>()?, MatchPolicy::default());
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MatchPolicy {
    threshold: u32,
    weights: BTreeMap<ComponentKind, u32>,
    sufficient: BTreeSet<BTreeSet<ComponentKind>>,
}

impl Default for MatchPolicy {
    fn default() -> MatchPolicy {
        MatchPolicy {
            threshold: 3,
            weights: ComponentKind::ALL.into_iter().map(|k| (k, 1)).collect(),
            sufficient: [[ComponentKind::MachineId, ComponentKind::ProductUuid].into_iter().collect()]
                .into_iter()
                .collect(),
        }
    }
}

impl MatchPolicy {
    /// A policy with `threshold`, the given weights (kinds not listed weigh
    /// 0) and sufficient sets. Fails with [`ErrorKind::InvalidMatchPolicy`]
    /// when a kind is weighed twice, a weight is over 100, the threshold is
    /// 0 or over the total weight (nothing could match), or a set is empty,
    /// repeated or there are more than 16.
    pub fn new(
        threshold: u32,
        weights: &[(ComponentKind, u32)],
        sufficient: &[&[ComponentKind]],
    ) -> Result<MatchPolicy> {
        let mut map: BTreeMap<ComponentKind, u32> = ComponentKind::ALL.into_iter().map(|k| (k, 0)).collect();
        let mut seen = BTreeSet::new();
        for &(kind, weight) in weights {
            if !seen.insert(kind) {
                return Err(invalid(format!("`{kind}` is weighed twice")));
            }
            map.insert(kind, weight);
        }
        let mut sets = BTreeSet::new();
        for set in sufficient {
            let kinds: BTreeSet<ComponentKind> = set.iter().copied().collect();
            if kinds.len() != set.len() {
                return Err(invalid(format!("sufficient set {} repeats a component", describe_set(&kinds))));
            }
            if !sets.insert(kinds) {
                return Err(invalid("a sufficient set appears twice"));
            }
        }
        MatchPolicy { threshold, weights: map, sufficient: sets }.checked()
    }

    fn checked(self) -> Result<MatchPolicy> {
        if let Some((kind, w)) = self.weights.iter().find(|(_, w)| **w > MAX_WEIGHT) {
            return Err(invalid(format!("weight {w} of `{kind}` is over {MAX_WEIGHT}")));
        }
        let total: u32 = self.weights.values().sum();
        if self.threshold == 0 {
            return Err(invalid("threshold 0 would match any machine"));
        }
        if self.threshold > total {
            return Err(invalid(format!(
                "threshold {} is over the total weight {total}: no machine could match",
                self.threshold
            )));
        }
        if self.sufficient.len() > MAX_SETS {
            return Err(invalid(format!("{} sufficient sets, more than {MAX_SETS}", self.sufficient.len())));
        }
        if self.sufficient.iter().any(BTreeSet::is_empty) {
            return Err(invalid("an empty sufficient set would match any machine"));
        }
        Ok(self)
    }

    /// The weight that agreeing components must reach.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// The weight of one kind.
    pub fn weight(&self, kind: ComponentKind) -> u32 {
        self.weights.get(&kind).copied().unwrap_or(0)
    }

    /// The sets of kinds that match on their own when all of them agree.
    pub fn sufficient_sets(&self) -> impl Iterator<Item = Vec<ComponentKind>> + '_ {
        self.sufficient.iter().map(|s| s.iter().copied().collect())
    }

    pub(crate) fn sets(&self) -> &BTreeSet<BTreeSet<ComponentKind>> {
        &self.sufficient
    }
}

/// `machine-id+product-uuid`.
pub(crate) fn describe_set(set: &BTreeSet<ComponentKind>) -> String {
    set.iter().map(|k| k.name()).collect::<Vec<_>>().join("+")
}

fn invalid(detail: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidMatchPolicy, detail)
}

impl fmt::Display for MatchPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{TAG};threshold={};weights=", self.threshold)?;
        let weights: Vec<String> = self.weights.iter().map(|(k, w)| format!("{k}:{w}")).collect();
        f.write_str(&weights.join(","))?;
        if !self.sufficient.is_empty() {
            let sets: Vec<String> = self.sufficient.iter().map(describe_set).collect();
            write!(f, ";sufficient={}", sets.join(","))?;
        }
        Ok(())
    }
}

impl FromStr for MatchPolicy {
    type Err = Error;

    /// Parses the canonical text form; anything else is
    /// [`ErrorKind::InvalidMatchPolicy`] naming the part (another version is
    /// [`ErrorKind::UnsupportedVersion`]).
    fn from_str(text: &str) -> Result<MatchPolicy> {
        if text.len() > MAX_TEXT_LEN {
            return Err(Error::new(
                ErrorKind::InputTooLarge,
                format!("match policy text is {} bytes, over the limit of {MAX_TEXT_LEN}", text.len()),
            ));
        }
        let sections: Vec<&str> = text.split(';').collect();
        match sections[0] {
            TAG => {}
            tag if super::fingerprint::is_version_tag(tag, "mp") => {
                return Err(Error::new(
                    ErrorKind::UnsupportedVersion,
                    format!("match policy version `{}` (expected `{TAG}`)", tag.escape_debug()),
                ))
            }
            _ => return Err(invalid(format!("does not start with `{TAG}`"))),
        }
        if !(3..=4).contains(&sections.len()) {
            return Err(invalid(format!(
                "{} sections; expected threshold, weights and optionally sufficient",
                sections.len() - 1
            )));
        }
        let threshold = section(sections[1], "threshold")?;
        let threshold =
            number(threshold).ok_or_else(|| invalid(format!("threshold `{}`", threshold.escape_debug())))?;

        let mut weights = BTreeMap::new();
        let list = section(sections[2], "weights")?;
        let items: Vec<&str> = list.split(',').collect();
        if items.len() != ComponentKind::ALL.len() {
            return Err(invalid(format!(
                "weights lists {} components; every one of the {} is listed",
                items.len(),
                ComponentKind::ALL.len()
            )));
        }
        for (item, expected) in items.iter().zip(ComponentKind::ALL) {
            let (name, weight) = item
                .split_once(':')
                .ok_or_else(|| invalid(format!("weight `{}` has no `:`", item.escape_debug())))?;
            if name != expected.name() {
                return Err(invalid(format!(
                    "weights: found `{}` where `{expected}` belongs (every kind, in order)",
                    name.escape_debug()
                )));
            }
            let w = number(weight)
                .ok_or_else(|| invalid(format!("weight of `{expected}`: `{}`", weight.escape_debug())))?;
            weights.insert(expected, w);
        }

        let mut sufficient = BTreeSet::new();
        if let Some(s) = sections.get(3) {
            let list = section(s, "sufficient")?;
            let mut previous: Option<BTreeSet<ComponentKind>> = None;
            for (i, set_text) in list.split(',').enumerate() {
                if i >= MAX_SETS {
                    return Err(invalid(format!("more than {MAX_SETS} sufficient sets")));
                }
                let mut set = BTreeSet::new();
                let mut last: Option<ComponentKind> = None;
                for name in set_text.split('+') {
                    let kind = ComponentKind::from_name(name).ok_or_else(|| {
                        invalid(format!(
                            "sufficient set {}: unknown component `{}`",
                            i + 1,
                            name.escape_debug()
                        ))
                    })?;
                    if last.is_some_and(|l| l >= kind) {
                        return Err(invalid(format!(
                            "sufficient set {}: components repeated or not in canonical order",
                            i + 1
                        )));
                    }
                    last = Some(kind);
                    set.insert(kind);
                }
                if previous.as_ref().is_some_and(|p| *p >= set) {
                    return Err(invalid("sufficient sets are repeated or not in ascending order"));
                }
                previous = Some(set.clone());
                sufficient.insert(set);
            }
        }
        MatchPolicy { threshold, weights, sufficient }.checked()
    }
}

fn section<'a>(text: &'a str, name: &str) -> Result<&'a str> {
    text.strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('='))
        .ok_or_else(|| invalid(format!("expected section `{name}=`, found `{}`", text.escape_debug())))
}

/// A decimal number in canonical form: digits only, no leading zero.
fn number(text: &str) -> Option<u32> {
    let canonical = !text.is_empty()
        && text.len() <= 9
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULT_TEXT: &str =
        "mp1;threshold=3;weights=machine-id:1,product-uuid:1,board-serial:1,mac:1,disk:1,cpu:1;sufficient=machine-id+product-uuid";

    #[test]
    fn default_text_form() {
        assert_eq!(MatchPolicy::default().to_string(), DEFAULT_TEXT);
        assert_eq!(DEFAULT_TEXT.parse::<MatchPolicy>().unwrap(), MatchPolicy::default());
    }

    #[test]
    fn built_policies_round_trip() {
        let p = MatchPolicy::new(
            5,
            &[(ComponentKind::Cpu, 1), (ComponentKind::MachineId, 3), (ComponentKind::Disk, 2)],
            &[&[ComponentKind::Disk, ComponentKind::MachineId], &[ComponentKind::BoardSerial]],
        )
        .unwrap();
        let text = p.to_string();
        assert_eq!(
            text,
            "mp1;threshold=5;weights=machine-id:3,product-uuid:0,board-serial:0,mac:0,disk:2,cpu:1;\
             sufficient=machine-id+disk,board-serial"
        );
        assert_eq!(text.parse::<MatchPolicy>().unwrap(), p);
        let none = MatchPolicy::new(1, &[(ComponentKind::Mac, 1)], &[]).unwrap();
        assert!(!none.to_string().contains("sufficient"));
        assert_eq!(none.to_string().parse::<MatchPolicy>().unwrap(), none);
    }

    #[test]
    fn invalid_construction_is_refused() {
        use ComponentKind::*;
        let cases: Vec<(Result<MatchPolicy>, &str)> = vec![
            (MatchPolicy::new(0, &[(Mac, 1)], &[]), "threshold 0"),
            (MatchPolicy::new(3, &[(Mac, 1), (Cpu, 1)], &[]), "over the total weight 2"),
            (MatchPolicy::new(1, &[(Mac, 101)], &[]), "over 100"),
            (MatchPolicy::new(1, &[(Mac, 1), (Mac, 2)], &[]), "weighed twice"),
            (MatchPolicy::new(1, &[(Mac, 1)], &[&[]]), "empty sufficient set"),
            (MatchPolicy::new(1, &[(Mac, 1)], &[&[Mac, Mac]]), "repeats"),
            (MatchPolicy::new(1, &[(Mac, 1)], &[&[Mac, Cpu], &[Cpu, Mac]]), "appears twice"),
        ];
        for (result, detail) in cases {
            let err = result.expect_err(detail);
            assert_eq!(err.kind(), ErrorKind::InvalidMatchPolicy);
            assert!(err.detail().contains(detail), "{err}");
        }
    }

    #[test]
    fn malformed_text_gets_typed_errors() {
        let w = "weights=machine-id:1,product-uuid:1,board-serial:1,mac:1,disk:1,cpu:1";
        let cases: Vec<(String, ErrorKind, &str)> = vec![
            ("".into(), ErrorKind::InvalidMatchPolicy, "does not start"),
            (format!("mp2;threshold=3;{w}"), ErrorKind::UnsupportedVersion, "mp2"),
            ("mp1;threshold=3".into(), ErrorKind::InvalidMatchPolicy, "1 sections"),
            (format!("mp1x;threshold=3;{w}"), ErrorKind::InvalidMatchPolicy, "does not start"),
            (format!("mp1;threshold=03;{w}"), ErrorKind::InvalidMatchPolicy, "threshold `03`"),
            (format!("mp1;threshold=+3;{w}"), ErrorKind::InvalidMatchPolicy, "threshold `+3`"),
            (format!("mp1;threshold=99999999999;{w}"), ErrorKind::InvalidMatchPolicy, "threshold"),
            (format!("mp1;threshold=7;{w}"), ErrorKind::InvalidMatchPolicy, "over the total weight 6"),
            (format!("mp1;{w};threshold=3"), ErrorKind::InvalidMatchPolicy, "expected section `threshold=`"),
            (
                "mp1;threshold=1;weights=mac:1,machine-id:1,product-uuid:1,board-serial:1,disk:1,cpu:1"
                    .into(),
                ErrorKind::InvalidMatchPolicy,
                "found `mac` where `machine-id` belongs",
            ),
            (
                "mp1;threshold=1;weights=machine-id:1".into(),
                ErrorKind::InvalidMatchPolicy,
                "lists 1 components",
            ),
            (
                format!("mp1;threshold=3;{w};sufficient=cpu+mac"),
                ErrorKind::InvalidMatchPolicy,
                "canonical order",
            ),
            (
                format!("mp1;threshold=3;{w};sufficient=mac+cpu,mac"),
                ErrorKind::InvalidMatchPolicy,
                "ascending",
            ),
            (format!("mp1;threshold=3;{w};sufficient=mac,mac"), ErrorKind::InvalidMatchPolicy, "ascending"),
            (
                format!("mp1;threshold=3;{w};sufficient="),
                ErrorKind::InvalidMatchPolicy,
                "unknown component ``",
            ),
            (format!("mp1;threshold=3;{w};sufficient=gpu"), ErrorKind::InvalidMatchPolicy, "`gpu`"),
            (format!("mp1;threshold=3;{w};sufficient=mac;x=1"), ErrorKind::InvalidMatchPolicy, "4 sections"),
            (format!("{DEFAULT_TEXT} "), ErrorKind::InvalidMatchPolicy, "unknown component"),
            ("mp1;".to_owned() + &"x".repeat(MAX_TEXT_LEN), ErrorKind::InputTooLarge, "over the limit"),
        ];
        for (text, kind, detail) in cases {
            let err = text.parse::<MatchPolicy>().expect_err(&text);
            assert_eq!(err.kind(), kind, "{text}: {err}");
            assert!(err.detail().contains(detail), "{text}: {err}");
        }
    }
}
