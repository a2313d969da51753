//! `CertificateColumns`: certificates laid out as columns (the ids, then an
//! id list per flag, store, metadata field and collection, and the times as
//! (id, seconds) pairs), the form every bulk load is turned into before it
//! becomes id sets.
//!
//! Records, the C batch and the JSON Lines reader all fill columns, and
//! [`Inventory::insert_columns`] builds each set from its column in one
//! pass (ids in ascending order need no sort), on several threads when the
//! caller allows. Names are interned once per distinct name: a record that
//! lists a known store costs a lookup, not a string.

use std::collections::HashMap;

use time::OffsetDateTime;

use super::assemble::{set_from_pieces, times_from_pieces};
use super::bulk::IdGroup;
use super::idset::IdSet;
use super::inventory::{secs_of, NamedSets};
use super::limits::InventoryLimits;
use super::record::{check_name, MAX_NAMES_PER_RECORD};
use super::times::TimeIndex;
use super::{CertificateRecord, Inventory};
use crate::{Error, ErrorKind, Result};

/// A name list looked up linearly up to this many names (an inventory has
/// a handful of stores and fields; comparing a few short strings beats
/// hashing), through a hash map beyond.
const LINEAR_NAMES: usize = 16;
/// Batches smaller than this are built on the calling thread: spawning
/// costs more than it saves.
const PARALLEL_MIN: usize = 1 << 16;

/// The ids listed under each distinct name of one kind (stores, metadata
/// fields or collections), names in order of first appearance.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameColumns {
    pub(crate) names: Vec<String>,
    pub(crate) ids: Vec<Vec<u32>>,
    index: HashMap<String, usize>,
    /// The slot found last: consecutive records often list the same name.
    last: usize,
    /// Slots by a hash of the name's length and last bytes (a slot + 1; 0
    /// is none): a name seen before is then found with one compare, not
    /// one per name listed before it. A cache only: a miss or a collision
    /// takes the lookup below.
    recent: Option<Box<[u32; RECENT]>>,
    /// Slots of names of up to 16 bytes by their words ([`short_words`]),
    /// which identify such a name exactly: a hit is one compare of two
    /// words, no string compare. A cache only, as `recent`.
    short: Option<Box<[ShortEntry; RECENT]>>,
}

/// One [`NameColumns::short`] entry: a name's words and length, and its
/// slot + 1 (0: empty).
#[derive(Debug, Clone, Copy, Default)]
struct ShortEntry {
    words: (u64, u64),
    len: u32,
    slot: u32,
}

/// A name of at most 16 bytes as two words that, with its length, are
/// that name and no other (bytes at positions that cover every byte);
/// `None` for longer names.
#[inline]
fn short_words(name: &str) -> Option<(u64, u64)> {
    let b = name.as_bytes();
    let word = |at: usize| b.get(at..at + 8).and_then(|w| w.try_into().ok()).map(u64::from_le_bytes);
    let half = |at: usize| b.get(at..at + 4).and_then(|w| w.try_into().ok()).map(u32::from_le_bytes);
    let n = b.len();
    match n {
        0 => Some((0, 0)),
        1..=3 => Some((u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16, 0)),
        4..=7 => Some((u64::from(half(0)?) | u64::from(half(n - 4)?) << 32, 0)),
        8..=16 => Some((word(0)?, word(n - 8)?)),
        _ => None,
    }
}

/// The [`NameColumns::short`] entry of a name's words and length.
#[inline]
fn short_entry((a, b): (u64, u64), len: usize) -> usize {
    ((a ^ b.rotate_left(29) ^ len as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize
}

/// Entries of [`NameColumns::recent`].
const RECENT: usize = 256;

/// The [`NameColumns::recent`] entry of `name`: its length and up to its
/// last eight bytes, mixed.
fn recent_entry(name: &str) -> usize {
    let b = name.as_bytes();
    let tail = if b.len() >= 8 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[b.len() - 8..]);
        u64::from_le_bytes(w)
    } else {
        b.iter().fold(0u64, |h, &c| h << 8 | u64::from(c))
    };
    ((tail ^ b.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize
}

impl NameColumns {
    /// The slot of `name`, checking a name seen for the first time with
    /// `check` (which names the certificate in its error). Inlined: the
    /// cache hit is a few instructions, called per name of every record.
    #[inline]
    pub(crate) fn slot(&mut self, name: &str, check: impl FnOnce(&str) -> Result<()>) -> Result<usize> {
        let Some(words) = short_words(name) else {
            return self.slot_by_text(name, check);
        };
        let entry = short_entry(words, name.len());
        if let Some(short) = &self.short {
            let e = short[entry];
            if e.slot != 0 && e.words == words && e.len as usize == name.len() {
                return Ok(e.slot as usize - 1);
            }
        }
        let i = self.slot_by_text(name, check)?;
        if let Ok(slot) = u32::try_from(i + 1) {
            let len = name.len() as u32;
            self.short.get_or_insert_with(|| Box::new([ShortEntry::default(); RECENT]))[entry] =
                ShortEntry { words, len, slot };
        }
        Ok(i)
    }

    /// [`NameColumns::slot`] by comparing names as text.
    #[inline(never)]
    fn slot_by_text(&mut self, name: &str, check: impl FnOnce(&str) -> Result<()>) -> Result<usize> {
        if self.names.get(self.last).is_some_and(|n| n == name) {
            return Ok(self.last);
        }
        let entry = recent_entry(name);
        if let Some(recent) = &self.recent {
            let i = (recent[entry] as usize).wrapping_sub(1);
            if self.names.get(i).is_some_and(|n| n == name) {
                self.last = i;
                return Ok(i);
            }
        }
        let found = if self.names.len() <= LINEAR_NAMES {
            self.names.iter().position(|n| n == name)
        } else {
            self.index.get(name).copied()
        };
        let i = match found {
            Some(i) => i,
            None => {
                check(name)?;
                self.names.push(name.to_owned());
                self.ids.push(Vec::new());
                let i = self.names.len() - 1;
                if self.names.len() > LINEAR_NAMES {
                    if self.index.is_empty() {
                        self.index.extend(self.names.iter().cloned().zip(0..));
                    } else {
                        self.index.insert(name.to_owned(), i);
                    }
                }
                i
            }
        };
        if let Ok(slot) = u32::try_from(i + 1) {
            self.recent.get_or_insert_with(|| Box::new([0; RECENT]))[entry] = slot;
        }
        self.last = i;
        Ok(i)
    }
}

/// Certificates as columns, ready for [`Inventory::insert_columns`].
///
/// Fill it record by record ([`CertificateColumns::push`]) or column by
/// column ([`CertificateColumns::add_ids`], then
/// [`CertificateColumns::add_to_group`], [`CertificateColumns::set_ssl_endpoints`],
/// [`CertificateColumns::set_revoked_at`], [`CertificateColumns::set_expires_at`]
/// for ids added before). Each call checks what it can alone (names, times,
/// a record's lists); what needs every column (repeated ids, memberships of
/// ids never added, limits on names) is checked by the insert, which then
/// adds everything or nothing.
///
/// ```
/// use license_core::{actioned::{CertificateColumns, IdGroup}, Inventory};
/// let mut columns = CertificateColumns::new();
/// columns.add_ids(&[1, 2, 3]);
/// columns.add_to_group(&IdGroup::Enrolled, &[2])?;
/// columns.add_to_group(&"store:iis-prod-1".parse()?, &[1, 3])?;
/// columns.set_ssl_endpoints(3, 2);
/// let mut inv = Inventory::new();
/// inv.insert_columns(columns, 1)?;
/// assert_eq!(inv.len(), 3);
/// assert_eq!(inv.record(3).unwrap().ssl_endpoints, 2);
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct CertificateColumns {
    pub(crate) ids: Vec<u32>,
    pub(crate) enrolled: Vec<u32>,
    pub(crate) private_key: Vec<u32>,
    /// Ids with at least one endpoint.
    pub(crate) ssl: Vec<u32>,
    /// (id, endpoints beyond the first), for ids with two or more.
    pub(crate) ssl_extra: Vec<(u32, u32)>,
    pub(crate) revoked: Vec<(u32, i64)>,
    pub(crate) expires: Vec<(u32, i64)>,
    /// Stores, metadata fields, collections.
    pub(crate) names: [NameColumns; 3],
    /// Whether columns were filled by id (then memberships must be checked
    /// against the ids, and each id may be given one time and one count).
    by_id: bool,
}

/// Appends `id` to `ids` if `keep`: written either way, the length then
/// set, so that a flag that is random from record to record costs no
/// mispredicted branch.
#[inline(always)]
fn push_if(ids: &mut Vec<u32>, id: u32, keep: bool) {
    let len = ids.len();
    ids.push(id);
    ids.truncate(len + usize::from(keep));
}

/// What each of [`CertificateColumns::names`] lists, as record keys.
pub(crate) const NAME_KINDS: [&str; 3] = ["stores", "metadata", "collections"];

impl CertificateColumns {
    /// Empty columns.
    pub fn new() -> CertificateColumns {
        CertificateColumns::default()
    }

    /// Empty columns with room for `n` certificates.
    pub fn with_capacity(n: usize) -> CertificateColumns {
        CertificateColumns { ids: Vec::with_capacity(n), ..CertificateColumns::default() }
    }

    /// The number of certificates.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no certificates.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Adds one certificate as a record: its names are checked (the text
    /// rules, at most [`MAX_NAMES_PER_RECORD`] a list, no repeats) and its
    /// times (years 1970 to 9999), as [`Inventory::insert_records`] does.
    pub fn push(&mut self, r: &CertificateRecord) -> Result<()> {
        let id = r.id;
        let revoked = r.revoked_at.map(|t| secs_of(t, id, "revoked_at")).transpose()?;
        let expires = r.expires_at.map(|t| secs_of(t, id, "expires_at")).transpose()?;
        for (k, list) in [&r.stores, &r.metadata, &r.collections].into_iter().enumerate() {
            check_list(list, id, NAME_KINDS[k])?;
        }
        self.ids.push(id);
        self.push_fields(id, r.enrolled, r.private_key, r.ssl_endpoints, revoked, expires);
        for (k, list) in [&r.stores, &r.metadata, &r.collections].into_iter().enumerate() {
            for name in list {
                self.push_name(k, name, id)?;
            }
        }
        Ok(())
    }

    /// Columns of `records`, filled on up to `threads` threads (0 = every
    /// available core; small batches use one), each taking a range of the
    /// records; the error is that of the first invalid record.
    pub fn from_records(records: &[CertificateRecord], threads: usize) -> Result<CertificateColumns> {
        Ok(CertificateColumns::joined(CertificateColumns::parts_of(records, threads)?))
    }

    /// Columns of `records` as [`CertificateColumns::from_records`] fills
    /// them, one part per thread (in record order), not joined: the insert
    /// builds each set from the parts ([`Inventory::insert_parts_within`]).
    pub(crate) fn parts_of(records: &[CertificateRecord], threads: usize) -> Result<Vec<CertificateColumns>> {
        let threads = if threads == 0 { available_threads() } else { threads };
        let fill = |records: &[CertificateRecord]| -> Result<CertificateColumns> {
            let mut columns = CertificateColumns::with_capacity(records.len());
            for r in records {
                columns.push(r)?;
            }
            Ok(columns)
        };
        if threads <= 1 || records.len() < PARALLEL_MIN {
            return Ok(vec![fill(records)?]);
        }
        let per = records.len().div_ceil(threads);
        let parts: Vec<Result<CertificateColumns>> = std::thread::scope(|s| {
            let mut ranges = records.chunks(per);
            let own = ranges.next().unwrap_or_default();
            let handles: Vec<_> = ranges.map(|range| s.spawn(move || fill(range))).collect();
            let mut parts = vec![fill(own)];
            for h in handles {
                parts.push(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
            }
            parts
        });
        // The first invalid record's error.
        parts.into_iter().collect()
    }

    /// The parts as one set of columns, in order.
    fn joined(parts: Vec<CertificateColumns>) -> CertificateColumns {
        let mut parts = parts.into_iter();
        let mut all = parts.next().unwrap_or_default();
        for part in parts {
            all.append(part);
        }
        all
    }

    /// Appends the columns of `other` (whose names were checked when they
    /// were added there).
    fn append(&mut self, other: CertificateColumns) {
        self.ids.extend(other.ids);
        self.enrolled.extend(other.enrolled);
        self.private_key.extend(other.private_key);
        self.ssl.extend(other.ssl);
        self.ssl_extra.extend(other.ssl_extra);
        self.revoked.extend(other.revoked);
        self.expires.extend(other.expires);
        self.by_id |= other.by_id;
        for (mine, theirs) in self.names.iter_mut().zip(other.names) {
            for (name, ids) in theirs.names.into_iter().zip(theirs.ids) {
                // Checked already: the check cannot fail here.
                if let Ok(slot) = mine.slot(&name, |_| Ok(())) {
                    mine.ids[slot].extend(ids);
                }
            }
        }
    }

    /// Records the flags, count and times of certificate `id` (already in
    /// `ids`), times checked.
    #[inline(always)]
    pub(crate) fn push_fields(
        &mut self,
        id: u32,
        enrolled: bool,
        private_key: bool,
        ssl_endpoints: u32,
        revoked: Option<i64>,
        expires: Option<i64>,
    ) {
        // The flags vary from record to record: each id is written and
        // kept or not, with no branch on the flag to mispredict.
        push_if(&mut self.enrolled, id, enrolled);
        push_if(&mut self.private_key, id, private_key);
        push_if(&mut self.ssl, id, ssl_endpoints > 0);
        if ssl_endpoints > 1 {
            self.ssl_extra.push((id, ssl_endpoints - 1));
        }
        if let Some(secs) = revoked {
            self.revoked.push((id, secs));
        }
        if let Some(secs) = expires {
            self.expires.push((id, secs));
        }
    }

    /// Lists `id` under name `name` of kind `k` (0 stores, 1 metadata,
    /// 2 collections), checking a name seen for the first time.
    pub(crate) fn push_name(&mut self, k: usize, name: &str, id: u32) -> Result<()> {
        let what = NAME_KINDS[k];
        let slot = self.names[k].slot(name, |n| {
            check_name(n, what).map_err(|e| Error::new(e.kind(), format!("certificate {id}: {}", e.detail())))
        })?;
        self.names[k].ids[slot].push(id);
        Ok(())
    }

    /// Adds certificates with nothing set yet.
    pub fn add_ids(&mut self, ids: &[u32]) {
        self.by_id = true;
        self.ids.extend_from_slice(ids);
    }

    /// Puts each of `ids` (added before, by [`CertificateColumns::add_ids`])
    /// in a flag or named group; repeats are one membership. Endpoints are
    /// counted: [`IdGroup::SslEndpoint`] is refused
    /// ([`ErrorKind::InvalidArgument`]), use
    /// [`CertificateColumns::set_ssl_endpoints`].
    pub fn add_to_group(&mut self, group: &IdGroup, ids: &[u32]) -> Result<()> {
        self.by_id = true;
        let (k, name) = match group {
            IdGroup::Enrolled => {
                self.enrolled.extend_from_slice(ids);
                return Ok(());
            }
            IdGroup::PrivateKey => {
                self.private_key.extend_from_slice(ids);
                return Ok(());
            }
            IdGroup::SslEndpoint => {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "endpoints are counted: set them with set_ssl_endpoints",
                ))
            }
            IdGroup::Store(n) => (0, n),
            IdGroup::Metadata(n) => (1, n),
            IdGroup::Collection(n) => (2, n),
        };
        // Checked as a record's name would be, naming the first certificate.
        let (what, first) = (NAME_KINDS[k], ids.first().copied());
        let slot = self.names[k].slot(name, |n| {
            check_name(n, what).map_err(|e| match first {
                Some(id) => Error::new(e.kind(), format!("certificate {id}: {}", e.detail())),
                None => e,
            })
        })?;
        self.names[k].ids[slot].extend_from_slice(ids);
        Ok(())
    }

    /// Sets how many endpoints monitor certificate `id` (once per id; 0 is
    /// none).
    pub fn set_ssl_endpoints(&mut self, id: u32, endpoints: u32) {
        self.by_id = true;
        self.push_fields(id, false, false, endpoints, None, None);
    }

    /// Sets when certificate `id` was revoked (once per id); a time outside
    /// years 1970 to 9999 is [`ErrorKind::InvalidRecord`].
    pub fn set_revoked_at(&mut self, id: u32, at: OffsetDateTime) -> Result<()> {
        self.by_id = true;
        self.revoked.push((id, secs_of(at, id, "revoked_at")?));
        Ok(())
    }

    /// Sets when certificate `id` expires (once per id), as
    /// [`CertificateColumns::set_revoked_at`].
    pub fn set_expires_at(&mut self, id: u32, at: OffsetDateTime) -> Result<()> {
        self.by_id = true;
        self.expires.push((id, secs_of(at, id, "expires_at")?));
        Ok(())
    }
}

/// A record's name list: at most [`MAX_NAMES_PER_RECORD`], no repeats.
pub(crate) fn check_list<S: AsRef<str> + PartialEq>(list: &[S], id: u32, what: &str) -> Result<()> {
    if list.len() > MAX_NAMES_PER_RECORD {
        return Err(Error::new(
            ErrorKind::InvalidRecord,
            format!("certificate {id}: {what}: too many names"),
        ));
    }
    for (i, name) in list.iter().enumerate().skip(1) {
        if list[..i].contains(name) {
            return Err(Error::new(
                ErrorKind::InvalidRecord,
                format!("certificate {id}: {what}: `{}` is listed twice", name.as_ref().escape_debug()),
            ));
        }
    }
    Ok(())
}

/// The ids of a (id, value) column, ascending, or the first repeated id.
fn distinct_pairs<T>(pairs: &mut [(u32, T)]) -> std::result::Result<(), u32> {
    if pairs.windows(2).all(|w| w[0].0 < w[1].0) {
        return Ok(());
    }
    pairs.sort_by_key(|p| p.0);
    match pairs.windows(2).find(|w| w[0].0 == w[1].0) {
        Some(w) => Err(w[0].0),
        None => Ok(()),
    }
}

/// One column turned into its set or index.
enum Built {
    Set(IdSet),
    Times(TimeIndex),
}

/// A column waiting to be built, in pieces (one per part, in order), with
/// its size (to share out the work).
enum Job {
    Set(Vec<Vec<u32>>),
    Times(Vec<Vec<(u32, i64)>>),
}

impl Job {
    fn size(&self) -> usize {
        match self {
            Job::Set(v) => v.iter().map(Vec::len).sum(),
            Job::Times(v) => v.iter().map(Vec::len).sum::<usize>() * 2,
        }
    }

    fn run(self) -> Built {
        match self {
            Job::Set(pieces) => Built::Set(set_from_pieces(pieces)),
            Job::Times(pieces) => Built::Times(times_from_pieces(pieces)),
        }
    }
}

/// Builds every job, on up to `threads` threads, results in job order.
fn build_all(jobs: Vec<Job>, threads: usize) -> Vec<Built> {
    let total: usize = jobs.iter().map(Job::size).sum();
    let threads = threads.clamp(1, jobs.len().max(1));
    if threads == 1 || total < PARALLEL_MIN {
        return jobs.into_iter().map(Job::run).collect();
    }
    // Largest first onto the least loaded thread: a near-even split of a
    // few big columns (the ids, the times) and many small ones.
    let mut order: Vec<(usize, Job)> = jobs.into_iter().enumerate().collect();
    order.sort_by_key(|(_, j)| std::cmp::Reverse(j.size()));
    let mut bins: Vec<(usize, Vec<(usize, Job)>)> = (0..threads).map(|_| (0, Vec::new())).collect();
    for (i, job) in order {
        if let Some(bin) = bins.iter_mut().min_by_key(|b| b.0) {
            bin.0 += job.size();
            bin.1.push((i, job));
        }
    }
    let mut out: Vec<(usize, Built)> = std::thread::scope(|s| {
        let mut bins = bins.into_iter();
        // The calling thread takes the first bin itself.
        let own = bins.next().map(|b| b.1).unwrap_or_default();
        let handles: Vec<_> = bins
            .map(|(_, bin)| s.spawn(move || bin.into_iter().map(|(i, j)| (i, j.run())).collect::<Vec<_>>()))
            .collect();
        let mut out: Vec<(usize, Built)> = own.into_iter().map(|(i, j)| (i, j.run())).collect();
        for h in handles {
            // A build job does not panic; if one did, re-raise it here.
            out.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        out
    });
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, b)| b).collect()
}

/// The default thread count: every core this process may use.
pub(crate) fn available_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

impl Inventory {
    /// Adds every certificate of `columns`: all of them, or (on an id
    /// listed twice or already present, a membership or time of an id not
    /// listed, or a time or endpoint count given twice) none. Sets are
    /// built on up to `threads` threads (0 = every available core; small
    /// batches use one).
    pub fn insert_columns(&mut self, columns: CertificateColumns, threads: usize) -> Result<()> {
        self.insert_columns_within(columns, &InventoryLimits::UNLIMITED, threads)
    }

    /// As [`Inventory::insert_columns`], refusing more distinct names than
    /// `limits` allow (the inventory's own names included).
    pub(crate) fn insert_columns_within(
        &mut self,
        c: CertificateColumns,
        limits: &InventoryLimits,
        threads: usize,
    ) -> Result<()> {
        self.insert_parts_within(vec![c], limits, threads)
    }

    /// As [`Inventory::insert_columns_within`] for the columns `parts`
    /// would join into: each set is built from its parts' pieces when
    /// their ids ascend from one part to the next (no part filled by id),
    /// from the joined columns otherwise.
    pub(crate) fn insert_parts_within(
        &mut self,
        mut parts: Vec<CertificateColumns>,
        limits: &InventoryLimits,
        threads: usize,
    ) -> Result<()> {
        let threads = if threads == 0 { available_threads() } else { threads };
        if parts.len() > 1 && !parts_ascend(&parts) {
            parts = vec![CertificateColumns::joined(parts)];
        }
        // Names first: cheap, and a refusal here builds nothing.
        let mut names = [0, 1, 2].map(|k| merged_names(&mut parts, k));
        let known = [&self.stores, &self.metadata, &self.collections];
        for ((merged, known), what) in names.iter().zip(known).zip(NAME_KINDS) {
            over_limit(merged, known, limits.max_names(what), what)?;
        }
        let by_id = parts.iter().any(|p| p.by_id);
        if let [c] = parts.as_mut_slice() {
            if c.by_id {
                for (pairs, what) in [(&mut c.revoked, "revocation time"), (&mut c.expires, "expiry time")] {
                    distinct_pairs(pairs).map_err(|id| given_twice(id, what))?;
                }
                distinct_pairs(&mut c.ssl_extra).map_err(|id| given_twice(id, "endpoint count"))?;
            }
            if c.ids.windows(2).any(|w| w[0] >= w[1]) {
                let mut sorted = c.ids.clone();
                sorted.sort_unstable();
                if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                    return Err(Error::new(
                        ErrorKind::DuplicateCertificate,
                        format!("certificate {} appears twice", w[0]),
                    ));
                }
            }
        }
        let take = |parts: &mut [CertificateColumns], f: fn(&mut CertificateColumns) -> &mut Vec<u32>| {
            Job::Set(parts.iter_mut().map(|p| std::mem::take(f(p))).collect())
        };
        let take_times = |parts: &mut [CertificateColumns],
                          f: fn(&mut CertificateColumns) -> &mut Vec<(u32, i64)>| {
            Job::Times(parts.iter_mut().map(|p| std::mem::take(f(p))).collect())
        };
        let mut jobs = vec![
            take(&mut parts, |p| &mut p.ids),
            take(&mut parts, |p| &mut p.enrolled),
            take(&mut parts, |p| &mut p.private_key),
            take(&mut parts, |p| &mut p.ssl),
            take_times(&mut parts, |p| &mut p.revoked),
            take_times(&mut parts, |p| &mut p.expires),
        ];
        let slices = ssl_slices(parts.iter().flat_map(|p| &p.ssl_extra));
        let n_slices = slices.len();
        jobs.extend(slices.into_iter().map(|s| Job::Set(vec![s])));
        let names: Vec<Vec<String>> = names
            .iter_mut()
            .map(|merged| {
                jobs.extend(std::mem::take(&mut merged.pieces).into_iter().map(Job::Set));
                std::mem::take(&mut merged.names)
            })
            .collect();
        let mut built = build_all(jobs, threads).into_iter();
        let mut next_set = || match built.next() {
            Some(Built::Set(s)) => s,
            _ => IdSet::new(),
        };
        let present = next_set();
        let (enrolled, private_key, ssl) = (next_set(), next_set(), next_set());
        let mut next_times = || match built.next() {
            Some(Built::Times(t)) => t,
            _ => TimeIndex::default(),
        };
        let (revoked, expires) = (next_times(), next_times());
        let mut next_set = || match built.next() {
            Some(Built::Set(s)) => s,
            _ => IdSet::new(),
        };
        let extra: Vec<IdSet> = (0..n_slices).map(|_| next_set()).collect();
        let named: Vec<Vec<(String, IdSet)>> =
            names.into_iter().map(|list| list.into_iter().map(|name| (name, next_set())).collect()).collect();
        let built = BuiltSets { present, enrolled, private_key, ssl, extra, revoked, expires, named };
        self.commit_sets(built, by_id)
    }

    /// Adds sets built from a batch: refused (nothing changed) when an id
    /// is already present or, for columns filled by id, a membership or
    /// time belongs to an id the batch does not list.
    pub(crate) fn commit_sets(&mut self, built: BuiltSets, by_id: bool) -> Result<()> {
        let BuiltSets { present, enrolled, private_key, ssl, extra, revoked, expires, named } = built;
        if let Some(id) = present.first_common(&self.present) {
            return Err(Error::new(
                ErrorKind::DuplicateCertificate,
                format!("certificate {id} is already present"),
            ));
        }
        if by_id {
            // Every membership and time must belong to a listed certificate.
            let sets = [&enrolled, &private_key, &ssl].into_iter().chain(&extra);
            let sets = sets.chain(named.iter().flatten().map(|(_, s)| s));
            for set in sets {
                unlisted(set, &present)?;
            }
            for times in [&revoked, &expires] {
                if let Some((id, _)) = times.iter().find(|(id, _)| !present.contains(*id)) {
                    return Err(not_listed(id));
                }
            }
        }
        // Validated; from here nothing can fail.
        self.cache.clear();
        self.present.union_owned(present);
        self.enrolled.union_owned(enrolled);
        self.private_key.union_owned(private_key);
        self.ssl.union_owned(ssl);
        if self.ssl_extra.len() < extra.len() {
            self.ssl_extra.resize_with(extra.len(), IdSet::default);
        }
        for (slice, set) in self.ssl_extra.iter_mut().zip(extra) {
            slice.union_owned(set);
        }
        let targets = [&mut self.stores, &mut self.metadata, &mut self.collections];
        for (target, list) in targets.into_iter().zip(named) {
            for (name, set) in list {
                target.entry(name).or_default().union_owned(set);
            }
        }
        self.revocations.merge(revoked);
        self.expiries.merge(expires);
        Ok(())
    }
}

/// A batch's sets and time indexes, built, not yet added.
pub(crate) struct BuiltSets {
    pub(crate) present: IdSet,
    pub(crate) enrolled: IdSet,
    pub(crate) private_key: IdSet,
    pub(crate) ssl: IdSet,
    /// The bit slices of endpoint counts beyond the first.
    pub(crate) extra: Vec<IdSet>,
    pub(crate) revoked: TimeIndex,
    pub(crate) expires: TimeIndex,
    /// Stores, metadata fields, collections: names in order of first
    /// appearance.
    pub(crate) named: Vec<Vec<(String, IdSet)>>,
}

/// The bit-sliced columns of endpoint counts beyond the first: slice `k`
/// lists the ids whose extra count has bit `k` set.
fn ssl_slices<'a>(extra: impl Iterator<Item = &'a (u32, u32)>) -> Vec<Vec<u32>> {
    let mut slices: Vec<Vec<u32>> = Vec::new();
    for &(id, extra) in extra {
        for k in 0..(32 - extra.leading_zeros()) as usize {
            if extra >> k & 1 == 1 {
                if slices.len() <= k {
                    slices.resize_with(k + 1, Vec::new);
                }
                slices[k].push(id);
            }
        }
    }
    slices
}

/// One kind's names over every part, in order of first appearance, each
/// with its ids in pieces (one per part that lists it, in part order).
#[derive(Default)]
struct MergedNames {
    names: Vec<String>,
    pieces: Vec<Vec<Vec<u32>>>,
}

/// The names of kind `k` of `parts`, taken out of them.
fn merged_names(parts: &mut [CertificateColumns], k: usize) -> MergedNames {
    let mut merged = MergedNames::default();
    if let [only] = parts {
        let columns = &mut only.names[k];
        merged.names = std::mem::take(&mut columns.names);
        merged.pieces = std::mem::take(&mut columns.ids).into_iter().map(|ids| vec![ids]).collect();
        return merged;
    }
    let mut index: HashMap<String, usize> = HashMap::new();
    for part in parts {
        let columns = &mut part.names[k];
        for (name, ids) in
            std::mem::take(&mut columns.names).into_iter().zip(std::mem::take(&mut columns.ids))
        {
            match index.get(&name) {
                Some(&i) => merged.pieces[i].push(ids),
                None => {
                    index.insert(name.clone(), merged.names.len());
                    merged.names.push(name);
                    merged.pieces.push(vec![ids]);
                }
            }
        }
    }
    merged
}

/// Whether the ids of `parts` ascend strictly, within each part and from
/// one part to the next, and no part was filled by id: then no id repeats
/// and each column's pieces are in id order.
fn parts_ascend(parts: &[CertificateColumns]) -> bool {
    let mut last: Option<u32> = None;
    for part in parts {
        if part.by_id || part.ids.windows(2).any(|w| w[0] >= w[1]) {
            return false;
        }
        if let (Some(l), Some(&first)) = (last, part.ids.first()) {
            if first <= l {
                return false;
            }
        }
        last = part.ids.last().copied().or(last);
    }
    true
}

/// [`ErrorKind::TooManyNames`] naming the first certificate that lists a
/// name past `max` (names in order of first appearance), if any.
fn over_limit(merged: &MergedNames, known: &NamedSets, max: usize, what: &str) -> Result<()> {
    let first = |i: usize| merged.pieces[i].iter().find_map(|p| p.first()).copied();
    names_over_limit(&merged.names, first, known, max, what)
}

/// [`ErrorKind::TooManyNames`] naming the first certificate (`first` of
/// the name's position) that lists a name of `names` (in order of first
/// appearance) past `max`, if any.
pub(crate) fn names_over_limit<S: AsRef<str>>(
    names: &[S],
    first: impl Fn(usize) -> Option<u32>,
    known: &NamedSets,
    max: usize,
    what: &str,
) -> Result<()> {
    if known.len().saturating_add(names.len()) <= max {
        return Ok(());
    }
    let mut new = 0usize;
    for (i, name) in names.iter().enumerate() {
        if !known.contains_key(name.as_ref()) {
            new += 1;
            if known.len() + new > max {
                let id = first(i).unwrap_or(0);
                return Err(Error::new(
                    ErrorKind::TooManyNames,
                    format!("certificate {id}: {what}: more than {max} distinct names"),
                ));
            }
        }
    }
    Ok(())
}

fn given_twice(id: u32, what: &str) -> Error {
    Error::new(ErrorKind::InvalidArgument, format!("certificate {id}: {what} given twice"))
}

fn not_listed(id: u32) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("certificate {id} has a membership or time but was not added"),
    )
}

/// An error naming the first id of `set` that `present` lacks, if any.
fn unlisted(set: &IdSet, present: &IdSet) -> Result<()> {
    if set.is_subset(present) {
        return Ok(());
    }
    let id = set.iter().find(|&id| !present.contains(id)).unwrap_or(0);
    Err(not_listed(id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    fn record() -> impl Strategy<Value = CertificateRecord> {
        let name = prop_oneof![Just("a"), Just("b"), Just("ccc"), Just("d\u{7}"), Just("")];
        let names = proptest::collection::vec(name.prop_map(str::to_owned), 0..3);
        let at = prop_oneof![
            Just(None),
            (0i64..40).prop_map(|d| Some(datetime!(2026-11-01 0:00 UTC) + time::Duration::days(d))),
            Just(Some(datetime!(1969-12-31 23:00 UTC))),
        ];
        let id = prop_oneof![0u32..40, 65_530u32..65_545, Just(u32::MAX)];
        (id, any::<(bool, bool)>(), 0u32..4, names.clone(), names.clone(), names, at.clone(), at).prop_map(
            |(
                id,
                (enrolled, private_key),
                ssl_endpoints,
                stores,
                metadata,
                collections,
                revoked_at,
                expires_at,
            )| {
                CertificateRecord {
                    id,
                    enrolled,
                    private_key,
                    ssl_endpoints,
                    stores,
                    metadata,
                    collections,
                    revoked_at,
                    expires_at,
                }
            },
        )
    }

    fn outcome(
        inv: &mut Inventory,
        r: Result<()>,
    ) -> (std::result::Result<(), (ErrorKind, String)>, Vec<u8>) {
        (r.map_err(|e| (e.kind(), e.detail().to_owned())), inv.to_snapshot())
    }

    proptest! {
        /// Names of up to 16 bytes have the same words exactly when they
        /// are the same name (lengths being equal), so a word hit in the
        /// name cache is the name.
        #[test]
        fn short_words_are_the_name(a in "[ab\u{e9}]{0,9}", b in "[ab\u{e9}]{0,9}") {
            let (wa, wb) = (short_words(&a), short_words(&b));
            prop_assert_eq!(wa.is_some(), a.len() <= 16);
            if a.len() == b.len() && wa.is_some() {
                prop_assert_eq!(wa == wb, a == b);
            }
        }

        /// Building from parts (one per thread) gives what building from the
        /// joined columns gives: the same inventory, or the same error and
        /// nothing changed; ascending or not, with repeats, bad names and
        /// name limits.
        #[test]
        fn parts_build_what_joined_columns_build(
            mut records in proptest::collection::vec(record(), 0..40),
            cuts in proptest::collection::vec(0usize..40, 0..3),
            sorted in any::<bool>(),
            max_names in 1usize..4,
            existing in proptest::option::of(record()),
        ) {
            if sorted {
                records.sort_by_key(|r| r.id);
            }
            let mut cuts = cuts;
            cuts.push(records.len());
            cuts.sort_unstable();
            let mut parts = Vec::new();
            let mut start = 0;
            let mut fill_error = None;
            for cut in cuts {
                let cut = cut.min(records.len());
                match CertificateColumns::from_records(&records[start..cut], 1) {
                    Ok(p) => parts.push(p),
                    Err(e) => {
                        fill_error.get_or_insert((e.kind(), e.detail().to_owned()));
                    }
                }
                start = cut;
            }
            let joined = CertificateColumns::from_records(&records, 1);
            prop_assert_eq!(joined.as_ref().err().map(|e| (e.kind(), e.detail().to_owned())), fill_error);
            let Ok(joined) = joined else { return Ok(()) };
            let base = match existing {
                Some(r) => Inventory::from_records(&[r]).unwrap_or_default(),
                None => Inventory::new(),
            };
            let limits = InventoryLimits { max_stores: max_names, max_metadata_fields: max_names, max_collections: max_names };
            for threads in [1, 2] {
                let (mut a, mut b) = (base.clone(), base.clone());
                let ra = a.insert_parts_within(parts.clone(), &limits, threads);
                let rb = b.insert_columns_within(joined.clone(), &limits, 1);
                let (oa, ob) = (outcome(&mut a, ra), outcome(&mut b, rb));
                if oa.0.is_err() {
                    prop_assert_eq!(&oa.1, &base.to_snapshot());
                }
                prop_assert_eq!(oa, ob);
            }
        }
    }
}
