//! The columns behind `lc_certificate_batch`, and turning them into
//! records in one pass.
//!
//! A C caller hands a batch its data a column at a time (ids, then the
//! enrolled ids, then each store's ids, …). The batch keeps those columns
//! compact (an id array, a flag byte and endpoint count per certificate,
//! sparse lists of times and name memberships) and builds every
//! `CertificateRecord` once, completely, when it is inserted: the same work
//! a Rust caller does when it builds its records directly.
//!
//! Ids usually arrive in ascending order (that is how an inventory is read
//! out of a database), so finding a column's ids is a merge walk over the
//! compact id array; ids out of order switch to a sorted (id, position)
//! index.

use license_core::CertificateRecord;
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

    /// Every certificate as a complete record, built in one pass.
    pub(crate) fn to_records(&self) -> Vec<CertificateRecord> {
        // Sparse columns in position order (stable: a later time wins).
        let mut revoked = self.revoked.clone();
        revoked.sort_by_key(|e| e.0);
        let mut expires = self.expires.clone();
        expires.sort_by_key(|e| e.0);
        // Each add_name call appended one ascending run; a stable sort
        // merges runs instead of sorting from scratch.
        let mut members = self.members.clone();
        members.sort();
        let (mut rv, mut ex, mut m) = (0, 0, 0);
        let mut records = Vec::with_capacity(self.ids.len());
        for (p, &id) in self.ids.iter().enumerate() {
            let mut r = CertificateRecord::new(id);
            r.enrolled = self.flags[p] & ENROLLED != 0;
            r.private_key = self.flags[p] & PRIVATE_KEY != 0;
            r.ssl_endpoints = self.ssl[p];
            while rv < revoked.len() && revoked[rv].0 == p {
                r.revoked_at = Some(revoked[rv].1);
                rv += 1;
            }
            while ex < expires.len() && expires[ex].0 == p {
                r.expires_at = Some(expires[ex].1);
                ex += 1;
            }
            while m < members.len() && members[m].0 == p {
                let (list, name) = &self.names[members[m].1];
                let names = match list {
                    NameList::Store => &mut r.stores,
                    NameList::Metadata => &mut r.metadata,
                    NameList::Collection => &mut r.collections,
                };
                // A repeated membership is one membership.
                if names.last() != Some(name) {
                    // Most certificates are in one store or collection:
                    // room for exactly one, as `vec![name]` would make.
                    if names.is_empty() {
                        names.reserve_exact(1);
                    }
                    names.push(name.clone());
                }
                m += 1;
            }
            records.push(r);
        }
        records
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
        let r = b.to_records();
        assert_eq!(r.iter().map(|r| r.id).collect::<Vec<_>>(), [7, 3, 5]);
        assert!(r[0].private_key && !r[0].enrolled && r[0].stores == ["s1"] && r[0].collections == ["c"]);
        assert!(r[0].metadata.is_empty(), "the failed call added nothing");
        assert_eq!((r[1].ssl_endpoints, r[1].expires_at, r[1].stores.len()), (2, Some(t(99)), 1));
        assert!(r[2].enrolled && r[2].revoked_at == Some(t(20)), "the later time wins");
    }
}
