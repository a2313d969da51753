//! The outcome of comparing two fingerprints: matched or not, and what
//! drifted.

use std::fmt;

use super::fingerprint::{ComponentKind, Fingerprint};
use super::policy::{describe_set, MatchPolicy};
use crate::table::Table;

/// How one component compares between the bound fingerprint and the
/// current machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentState {
    /// Present on both sides with the same values.
    Unchanged,
    /// Some values are on both sides, some were added or are gone (a disk
    /// replaced, a NIC added); the component still agrees.
    PartlyChanged,
    /// Present on both sides, with no value in common.
    Changed,
    /// In the bound fingerprint, but not readable on this machine.
    Lost,
    /// Readable on this machine, but not in the bound fingerprint.
    New,
}

impl ComponentState {
    /// Whether the component agrees (counts toward the match).
    pub fn agrees(self) -> bool {
        matches!(self, ComponentState::Unchanged | ComponentState::PartlyChanged)
    }

    /// Whether anything about the component differs.
    pub fn drifted(self) -> bool {
        self != ComponentState::Unchanged
    }

    fn label(self) -> &'static str {
        match self {
            ComponentState::Unchanged => "agrees",
            ComponentState::PartlyChanged => "agrees, changed",
            ComponentState::Changed => "drifted",
            ComponentState::Lost => "lost",
            ComponentState::New => "new",
        }
    }
}

/// One component's line of a [`MatchReport`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ComponentReport {
    /// Which component.
    pub kind: ComponentKind,
    /// Its weight under the policy.
    pub weight: u32,
    /// Values present on both sides.
    pub kept: usize,
    /// Values in the bound fingerprint only.
    pub gone: usize,
    /// Values on this machine only.
    pub added: usize,
}

impl ComponentReport {
    /// How the component compares.
    pub fn state(&self) -> ComponentState {
        match (self.kept, self.gone, self.added) {
            (k, 0, 0) if k > 0 => ComponentState::Unchanged,
            (k, _, _) if k > 0 => ComponentState::PartlyChanged,
            (_, g, a) if g > 0 && a > 0 => ComponentState::Changed,
            (_, g, _) if g > 0 => ComponentState::Lost,
            _ => ComponentState::New,
        }
    }

    fn detail(&self) -> String {
        if self.kind.is_multi_valued() {
            let mut parts = Vec::new();
            for (n, what) in [(self.kept, "kept"), (self.gone, "gone"), (self.added, "new")] {
                if n > 0 {
                    parts.push(format!("{n} {what}"));
                }
            }
            return parts.join(", ");
        }
        match self.state() {
            ComponentState::Unchanged | ComponentState::PartlyChanged => "unchanged",
            ComponentState::Changed => "a different value",
            ComponentState::Lost => "not readable on this machine",
            ComponentState::New => "not in the bound fingerprint",
        }
        .to_owned()
    }
}

/// Which rule of the policy made a match.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MatchRule {
    /// The agreeing components' weights reached the threshold.
    Threshold,
    /// Every component of this sufficient set agreed.
    SufficientSet(Vec<ComponentKind>),
}

/// The result of [`Fingerprint::matches`]: whether the machine matches, by
/// which rule, and every component's comparison, drifted ones named.
///
/// Its `Display` is a summary line and an aligned table, deterministic.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MatchReport {
    score: u32,
    threshold: u32,
    rule: Option<MatchRule>,
    components: Vec<ComponentReport>,
}

impl MatchReport {
    pub(crate) fn compare(bound: &Fingerprint, current: &Fingerprint, policy: &MatchPolicy) -> MatchReport {
        let mut components = Vec::new();
        for kind in ComponentKind::ALL {
            let (b, c) = (bound.values(kind), current.values(kind));
            if b.is_none() && c.is_none() {
                continue;
            }
            let kept = match (b, c) {
                (Some(b), Some(c)) => b.intersection(c).count(),
                _ => 0,
            };
            components.push(ComponentReport {
                kind,
                weight: policy.weight(kind),
                kept,
                gone: b.map_or(0, |b| b.len()) - kept,
                added: c.map_or(0, |c| c.len()) - kept,
            });
        }
        let agrees = |kind: &ComponentKind| components.iter().any(|r| r.kind == *kind && r.state().agrees());
        let score = components.iter().filter(|r| r.state().agrees()).map(|r| r.weight).sum();
        let rule = if score >= policy.threshold() {
            Some(MatchRule::Threshold)
        } else {
            policy
                .sets()
                .iter()
                .find(|set| set.iter().all(agrees))
                .map(|set| MatchRule::SufficientSet(set.iter().copied().collect()))
        };
        MatchReport { score, threshold: policy.threshold(), rule, components }
    }

    /// Whether the machine matches the bound fingerprint.
    pub fn is_match(&self) -> bool {
        self.rule.is_some()
    }

    /// The rule that made the match, if it matched.
    pub fn rule(&self) -> Option<&MatchRule> {
        self.rule.as_ref()
    }

    /// The total weight of the agreeing components.
    pub fn score(&self) -> u32 {
        self.score
    }

    /// The policy's threshold.
    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    /// Every component present on either side, in canonical order.
    pub fn components(&self) -> &[ComponentReport] {
        &self.components
    }

    /// The components that differ in any way, in canonical order.
    pub fn drifted(&self) -> impl Iterator<Item = &ComponentReport> {
        self.components.iter().filter(|c| c.state().drifted())
    }

    /// One line: the verdict, the score and the drifted components.
    pub fn summary(&self) -> String {
        let verdict = match &self.rule {
            Some(MatchRule::Threshold) => {
                format!("match: agreeing weight {} reaches the threshold {}", self.score, self.threshold)
            }
            Some(MatchRule::SufficientSet(set)) => format!(
                "match: {} all agree (a sufficient set); agreeing weight {} of threshold {}",
                describe_set(&set.iter().copied().collect()),
                self.score,
                self.threshold
            ),
            None => format!(
                "no match: agreeing weight {} is under the threshold {} and no sufficient set agrees",
                self.score, self.threshold
            ),
        };
        let drifted: Vec<&str> = self.drifted().map(|c| c.kind.name()).collect();
        if drifted.is_empty() {
            format!("{verdict}; nothing drifted")
        } else {
            format!("{verdict}; drifted: {}", drifted.join(", "))
        }
    }
}

impl fmt::Display for MatchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary())?;
        let mut t = Table::new().header(["component", "weight", "result", "detail"]);
        for c in &self.components {
            t.row([c.kind.name().to_owned(), c.weight.to_string(), c.state().label().to_owned(), c.detail()]);
        }
        f.write_str(&t.render())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::fixtures::sample;
    use crate::instance::{Disk, HardwareProfile};

    #[test]
    fn identical_profiles_match_with_nothing_drifted() {
        let fp = Fingerprint::from_profile(&sample());
        let report = fp.matches(&fp, &MatchPolicy::default());
        assert!(report.is_match());
        assert_eq!(report.rule(), Some(&MatchRule::Threshold));
        assert_eq!(report.score(), 6);
        assert_eq!(report.drifted().count(), 0);
        assert!(report.summary().ends_with("nothing drifted"), "{report}");
    }

    #[test]
    fn states_count_values_on_each_side() {
        let bound = sample();
        let mut current = bound.clone();
        current.disks.push(Disk {
            name: "sdb".into(),
            model: None,
            serial: Some("WD-WX12345678".into()),
            size_bytes: None,
        });
        current.interfaces[0].mac = Some("b0:83:fe:99:99:99".into());
        current.board_serial = None;
        current.cpu_model = Some("AMD EPYC 9554".into());
        current.product_uuid = None;
        let report = Fingerprint::from_profile(&bound)
            .matches(&Fingerprint::from_profile(&current), &MatchPolicy::default());
        let state = |k: ComponentKind| report.components().iter().find(|c| c.kind == k).unwrap().state();
        assert_eq!(state(ComponentKind::MachineId), ComponentState::Unchanged);
        assert_eq!(state(ComponentKind::ProductUuid), ComponentState::Lost);
        assert_eq!(state(ComponentKind::BoardSerial), ComponentState::Lost);
        assert_eq!(state(ComponentKind::Mac), ComponentState::Changed);
        assert_eq!(state(ComponentKind::Disk), ComponentState::PartlyChanged);
        assert_eq!(state(ComponentKind::Cpu), ComponentState::Changed);
        assert_eq!(report.score(), 2);
        assert!(!report.is_match());
        let text = report.to_string();
        assert!(text.starts_with("no match: agreeing weight 2 is under the threshold 3"), "{text}");
        assert!(text.contains("drifted: product-uuid, board-serial, mac, disk, cpu"), "{text}");
        assert!(text.contains("disk          1       agrees, changed  1 kept, 1 new"), "{text}");
        assert!(
            text.contains("board-serial  1       lost             not readable on this machine"),
            "{text}"
        );

        // The reverse direction: what this machine has that the bound one
        // lacks is "new".
        let back = Fingerprint::from_profile(&current)
            .matches(&Fingerprint::from_profile(&bound), &MatchPolicy::default());
        let state = |k: ComponentKind| back.components().iter().find(|c| c.kind == k).unwrap().state();
        assert_eq!(state(ComponentKind::ProductUuid), ComponentState::New);
    }

    #[test]
    fn a_sufficient_set_matches_below_the_threshold() {
        let bound = sample();
        let current = HardwareProfile {
            machine_id: bound.machine_id.clone(),
            product_uuid: bound.product_uuid.clone(),
            ..HardwareProfile::default()
        };
        let report = Fingerprint::from_profile(&bound)
            .matches(&Fingerprint::from_profile(&current), &MatchPolicy::default());
        assert_eq!(report.score(), 2);
        assert_eq!(
            report.rule(),
            Some(&MatchRule::SufficientSet(vec![ComponentKind::MachineId, ComponentKind::ProductUuid]))
        );
        assert!(report.summary().starts_with("match: machine-id+product-uuid all agree"), "{report}");
    }
}
