//! The columns behind `lc_certificate_batch`, and handing them to the
//! core's column-wise insert.
//!
//! A C caller hands a batch its data a column at a time (ids, then the
//! enrolled ids, then each store's ids, …). The batch keeps those columns
//! compact (an id array, a flag byte and endpoint count per certificate,
//! sparse lists of times and name memberships) and turns them into
//! `CertificateColumns` when it is inserted: no `CertificateRecord` is
//! built, so the C path does less work than a Rust caller with records.
//!
//! Ids usually arrive in ascending order (that is how an inventory is read
//! out of a database), so finding a column's ids is a merge walk over the
//! compact id array; ids out of order switch to a sorted (id, position)
//! index.

use license_core::actioned::{CertificateColumns, IdGroup};
use time::OffsetDateTime;

const ENROLLED: u8 = 1;
const PRIVATE_KEY: u8 = 2;

/// The yes/no properties a batch sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flag {
    Enrolled,
    PrivateKey,
    /// One more monitoring endpoint (counted).
    SslEndpoint,
}

/// The times a batch sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeField {
    RevokedAt,
    ExpiresAt,
}

/// The name lists a batch adds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameList {
    Store,
    Metadata,
    Collection,
}

/// Certificates assembled column by column.
#[derive(Default)]
pub(crate) struct Batch {
    ids: Vec<u32>,
    /// Per position: ENROLLED | PRIVATE_KEY.
    flags: Vec<u8>,
    /// Per position: monitoring endpoints.
    ssl: Vec<u32>,
    /// (position, time) in the order set; a later entry wins.
    revoked: Vec<(usize, OffsetDateTime)>,
    expires: Vec<(usize, OffsetDateTime)>,
    /// The distinct (list, name) pairs used, and (position, name index)
    /// memberships.
    names: Vec<(NameList, String)>,
    members: Vec<(usize, usize)>,
    /// Whether the ids do not strictly ascend (then `index` is used).
    unordered: bool,
    /// (id, position) sorted by id, kept only while `unordered`.
    index: Vec<(u32, usize)>,
}

/// Why ids could not be added or found: the offending position in the
/// caller's array, and its id.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum BatchError {
    /// `ids[at]` is already in the batch or repeated in the array.
    Duplicate { at: usize, id: u32 },
    /// `ids[at]` is not in the batch.
    Unknown { at: usize, id: u32 },
}

fn ascending(ids: &[u32]) -> bool {
    ids.windows(2).all(|w| w[0] < w[1])
}

impl Batch {
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    fn find(&self, id: u32) -> Option<usize> {
        if self.unordered {
            self.index.binary_search_by_key(&id, |e| e.0).ok().map(|i| self.index[i].1)
        } else {
            self.ids.binary_search(&id).ok()
        }
    }

    /// Adds a certificate per id: all of them, or none when one is already
    /// present or repeated.
    pub(crate) fn add_ids(&mut self, ids: &[u32]) -> Result<(), BatchError> {
        let appends_in_order = !self.unordered
            && ascending(ids)
            && match (self.ids.last(), ids.first()) {
                (Some(&last), Some(&first)) => first > last,
                _ => true,
            };
        if !appends_in_order {
            let mut sorted: Vec<(u32, usize)> = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
            sorted.sort_unstable();
            if let Some(w) = sorted.windows(2).find(|w| w[0].0 == w[1].0) {
                return Err(BatchError::Duplicate { at: w[1].1, id: w[1].0 });
            }
            if let Some(&(id, at)) = sorted.iter().find(|(id, _)| self.find(*id).is_some()) {
                return Err(BatchError::Duplicate { at, id });
            }
        }
        let start = self.ids.len();
        self.ids.extend_from_slice(ids);
        self.flags.resize(self.ids.len(), 0);
        self.ssl.resize(self.ids.len(), 0);
        if !appends_in_order {
            if !self.unordered {
                self.index = self.ids[..start].iter().enumerate().map(|(i, &id)| (id, i)).collect();
                self.unordered = true;
            }
            self.index.extend(ids.iter().enumerate().map(|(i, &id)| (id, start + i)));
            self.index.sort_unstable();
        }
        Ok(())
    }

    /// The positions of `ids` (repeats allowed), or the first id that is
    /// not in the batch.
    fn positions(&self, ids: &[u32]) -> Result<Vec<usize>, BatchError> {
        let mut out = Vec::with_capacity(ids.len());
        if !self.unordered && ids.windows(2).all(|w| w[0] <= w[1]) {
            // Both ascending: one merge walk over the compact id array.
            let mut p = 0;
            for (at, &id) in ids.iter().enumerate() {
                // Exponential search from the last match: a few steps for
                // a dense column, a short binary search for a sparse one.
                let mut step = 1;
                while p + step < self.ids.len() && self.ids[p + step] < id {
                    step *= 2;
                }
                let end = (p + step + 1).min(self.ids.len());
                p += self.ids[p..end].partition_point(|&x| x < id);
                match self.ids.get(p) {
                    Some(&x) if x == id => out.push(p),
                    _ => return Err(BatchError::Unknown { at, id }),
                }
            }
            return Ok(out);
        }
        for (at, &id) in ids.iter().enumerate() {
            out.push(self.find(id).ok_or(BatchError::Unknown { at, id })?);
        }
        Ok(out)
    }

    /// Sets `flag` on each of `ids`; nothing changes when one is unknown.
    pub(crate) fn set_flag(&mut self, flag: Flag, ids: &[u32]) -> Result<(), BatchError> {
        for p in self.positions(ids)? {
            match flag {
                Flag::Enrolled => self.flags[p] |= ENROLLED,
                Flag::PrivateKey => self.flags[p] |= PRIVATE_KEY,
                Flag::SslEndpoint => self.ssl[p] = self.ssl[p].saturating_add(1),
            }
        }
        Ok(())
    }

    /// Sets `field` to `times[i]` on `ids[i]`; nothing changes when one is
    /// unknown.
    pub(crate) fn set_time(
        &mut self,
        field: TimeField,
        ids: &[u32],
        times: Vec<OffsetDateTime>,
    ) -> Result<(), BatchError> {
        let at = self.positions(ids)?;
        let column = match field {
            TimeField::RevokedAt => &mut self.revoked,
            TimeField::ExpiresAt => &mut self.expires,
        };
        column.extend(at.into_iter().zip(times));
        Ok(())
    }

    /// Puts each of `ids` in `list`'s `name`; nothing changes when one is
    /// unknown.
    pub(crate) fn add_name(&mut self, list: NameList, name: &str, ids: &[u32]) -> Result<(), BatchError> {
        let at = self.positions(ids)?;
        let n = match self.names.iter().position(|(l, s)| *l == list && s == name) {
            Some(n) => n,
            None => {
                self.names.push((list, name.to_owned()));
                self.names.len() - 1
            }
        };
        self.members.extend(at.into_iter().map(|p| (p, n)));
        Ok(())
    }

    /// The batch as columns for `Inventory::insert_columns`: no record is
    /// built, each column goes over once. A time out of range is the
    /// error, as inserting records would report it.
    pub(crate) fn to_columns(&self) -> license_core::Result<CertificateColumns> {
        let mut c = CertificateColumns::with_capacity(self.ids.len());
        c.add_ids(&self.ids);
        let flagged = |bit: u8| -> Vec<u32> {
            self.ids.iter().zip(&self.flags).filter(|(_, f)| *f & bit != 0).map(|(&id, _)| id).collect()
        };
        c.add_to_group(&IdGroup::Enrolled, &flagged(ENROLLED))?;
        c.add_to_group(&IdGroup::PrivateKey, &flagged(PRIVATE_KEY))?;
        for (&id, &n) in self.ids.iter().zip(&self.ssl).filter(|(_, n)| **n > 0) {
            c.set_ssl_endpoints(id, n);
        }
        for (column, revoked) in [(&self.revoked, true), (&self.expires, false)] {
            // Position order, stable: the last time set for a position wins.
            let mut column = column.clone();
            column.sort_by_key(|e| e.0);
            for (i, &(p, t)) in column.iter().enumerate() {
                if column.get(i + 1).is_some_and(|next| next.0 == p) {
                    continue;
                }
                if revoked {
                    c.set_revoked_at(self.ids[p], t)?;
                } else {
                    c.set_expires_at(self.ids[p], t)?;
                }
            }
        }
        // Each name's ids, in the order they were given.
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); self.names.len()];
        for &(p, n) in &self.members {
            members[n].push(self.ids[p]);
        }
        for ((list, name), ids) in self.names.iter().zip(members) {
            let group = match list {
                NameList::Store => IdGroup::Store(name.clone()),
                NameList::Metadata => IdGroup::Metadata(name.clone()),
                NameList::Collection => IdGroup::Collection(name.clone()),
            };
            c.add_to_group(&group, &ids)?;
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(secs).unwrap()
    }

    #[test]
    fn ascending_and_unordered_additions_find_the_same_certificates() {
        let mut b = Batch::default();
        b.add_ids(&[1, 5, 9]).unwrap();
        b.add_ids(&[10, 20]).unwrap();
        assert!(!b.unordered);
        b.add_ids(&[3, 2]).unwrap();
        assert!(b.unordered);
        assert_eq!(b.positions(&[2, 3, 20, 1, 1]).unwrap(), [6, 5, 4, 0, 0]);
        assert_eq!(b.positions(&[1, 4]), Err(BatchError::Unknown { at: 1, id: 4 }));
    }

    #[test]
    fn merge_walk_and_lookup_agree() {
        let mut b = Batch::default();
        b.add_ids(&(0..1000).map(|i| i * 3).collect::<Vec<_>>()).unwrap();
        assert_eq!(b.positions(&[0, 3, 3, 2997]).unwrap(), [0, 1, 1, 999]);
        assert_eq!(b.positions(&[2997, 0]).unwrap(), [999, 0]);
        assert_eq!(b.positions(&[0, 4]), Err(BatchError::Unknown { at: 1, id: 4 }));
        assert_eq!(b.positions(&[3000]), Err(BatchError::Unknown { at: 0, id: 3000 }));
    }

    #[test]
    fn duplicates_are_refused_and_change_nothing() {
        let mut b = Batch::default();
        b.add_ids(&[4, 8]).unwrap();
        assert_eq!(b.add_ids(&[9, 9]), Err(BatchError::Duplicate { at: 1, id: 9 }));
        assert_eq!(b.add_ids(&[1, 8]), Err(BatchError::Duplicate { at: 1, id: 8 }));
        assert_eq!(b.add_ids(&[8]), Err(BatchError::Duplicate { at: 0, id: 8 }));
        assert_eq!(b.len(), 2);
        assert!(!b.unordered);
        b.add_ids(&[2]).unwrap();
        assert_eq!(b.add_ids(&[4]), Err(BatchError::Duplicate { at: 0, id: 4 }));
        assert_eq!(b.len(), 3);
    }

    #[test]
    fn records_carry_every_column_and_a_failed_call_changes_nothing() {
        let mut b = Batch::default();
        b.add_ids(&[7, 3, 5]).unwrap();
        b.set_flag(Flag::Enrolled, &[5]).unwrap();
        b.set_flag(Flag::SslEndpoint, &[3, 3]).unwrap();
        b.set_flag(Flag::PrivateKey, &[7]).unwrap();
        b.set_time(TimeField::RevokedAt, &[5, 5], vec![t(10), t(20)]).unwrap();
        b.set_time(TimeField::ExpiresAt, &[3], vec![t(99)]).unwrap();
        b.add_name(NameList::Store, "s1", &[7, 3]).unwrap();
        b.add_name(NameList::Store, "s1", &[7]).unwrap();
        b.add_name(NameList::Collection, "c", &[7]).unwrap();
        assert_eq!(b.add_name(NameList::Metadata, "m", &[7, 8]), Err(BatchError::Unknown { at: 1, id: 8 }));
        assert_eq!(b.set_flag(Flag::Enrolled, &[8]), Err(BatchError::Unknown { at: 0, id: 8 }));
        let mut inv = license_core::Inventory::new();
        inv.insert_columns(b.to_columns().unwrap(), 1).unwrap();
        let r: Vec<_> = [7, 3, 5].iter().map(|&id| inv.record(id).unwrap()).collect();
        assert_eq!(inv.len(), 3);
        assert!(r[0].private_key && !r[0].enrolled && r[0].stores == ["s1"] && r[0].collections == ["c"]);
        assert!(r[0].metadata.is_empty(), "the failed call added nothing");
        assert_eq!((r[1].ssl_endpoints, r[1].expires_at, r[1].stores.len()), (2, Some(t(99)), 1));
        assert!(r[2].enrolled && r[2].revoked_at == Some(t(20)), "the later time wins");
    }
}
