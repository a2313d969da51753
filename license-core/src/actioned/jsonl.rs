//! Reading an inventory from JSON Lines: one [`CertificateRecord`] per line,
//! parsed on several threads over newline-aligned chunks and added in file
//! order, so that the result and the first bad line reported do not depend
//! on the threads.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::{mpsc, Mutex};

use super::columns::{available_threads, check_list, NAME_KINDS};
use super::idset::IdSet;
use super::intern::{ChunkNames, NameKey};
use super::inventory::secs_of;
use super::limits::InventoryLimits;
use super::read_options::ReadOptions;
use super::record::{check_name, MAX_NAMES_PER_RECORD};
use super::scan::{scan_line, Fields, Name};
use super::timeorder::TimesInOrder;
use super::{CertificateColumns, CertificateRecord, Inventory};
use crate::{Error, ErrorKind, Result};

/// Longest line accepted (a record lists at most 1,024 names a list; real
/// ones are a few hundred bytes).
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// Heap bytes per input byte in [`Inventory::jsonl_heap_bound`].
pub const JSONL_HEAP_PER_INPUT_BYTE: usize = 16;
/// Heap bytes per distinct name in [`Inventory::jsonl_heap_bound`].
pub const JSONL_HEAP_PER_NAME: usize = 768;
/// Fixed heap bytes in [`Inventory::jsonl_heap_bound`].
pub const JSONL_HEAP_BASE: usize = 1 << 20;
/// Bytes of input a chunk takes before it is cut at its last newline: big
/// enough that a thread's work outweighs handing it over, small enough that
/// the chunks in flight stay a few megabytes.
const CHUNK_BYTES: usize = 2 << 20;
/// The chunk of a file read by position ([`Inventory::from_jsonl_file`]):
/// larger than a reader's, as it is read through a small buffer and only
/// its columns are held; about 70,000 lines, so that most 2^16-id chunks of
/// a file sorted by id are built by one thread whole, not merged from four.
const FILE_CHUNK_BYTES: u64 = 8 << 20;

impl Inventory {
    /// Reads an inventory from JSON Lines (blank lines are skipped). A bad
    /// line is reported with its line number; nothing is returned then.
    /// Lines are parsed on every available core.
    pub fn from_jsonl(reader: impl BufRead) -> Result<Inventory> {
        Inventory::from_jsonl_with_progress(reader, &mut |_| {})
    }

    /// As [`Inventory::from_jsonl`], calling `progress` with the number of
    /// bytes read so far after each chunk of lines.
    pub fn from_jsonl_with_progress(
        reader: impl BufRead,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Inventory> {
        Inventory::from_jsonl_with_options(reader, &ReadOptions::default(), progress)
    }

    /// As [`Inventory::from_jsonl_with_progress`], with `limits` on the
    /// distinct names ([`ErrorKind::TooManyNames`] past them, naming the
    /// line). [`Inventory::from_jsonl`] applies the default limits.
    pub fn from_jsonl_with_limits(
        reader: impl BufRead,
        limits: &InventoryLimits,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Inventory> {
        let options = ReadOptions { limits: *limits, ..ReadOptions::default() };
        Inventory::from_jsonl_with_options(reader, &options, progress)
    }

    /// Reads JSON Lines with `options`: the input is cut into chunks at
    /// newlines, threads parse the chunks (a scanner for the record's keys,
    /// serde for any line outside its form) and build each chunk's sets,
    /// and the calling thread reads the next chunks and adds the parsed
    /// ones in file order. A failure is the first bad line in file order,
    /// whichever thread finds it first; nothing is returned then.
    pub fn from_jsonl_with_options(
        reader: impl BufRead,
        options: &ReadOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Inventory> {
        read(reader, options, CHUNK_BYTES, progress).map(Inventory::shrunk)
    }

    /// Reads JSON Lines from a regular file, as
    /// [`Inventory::from_jsonl_with_options`] reads them from a reader (the
    /// same records, limits, errors and line numbers), but each parsing
    /// thread reads its own chunk of the file with positional reads, so the
    /// copying out of the page cache is shared by the threads too. The
    /// file is read as long as it is when the read begins: one that ends
    /// earlier while it is read is [`ErrorKind::Io`]. `progress` is called
    /// with the bytes read so far after each chunk. A pipe or a terminal
    /// cannot be read by position: read those with
    /// [`Inventory::from_jsonl_with_options`].
    ///
    /// ```no_run
    /// use license_core::{actioned::ReadOptions, Inventory};
    /// let file = std::fs::File::open("inventory.jsonl")?;
    /// let inv = Inventory::from_jsonl_file(&file, &ReadOptions::default(), &mut |_| {})?;
    /// println!("{} certificates", inv.len());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[cfg(any(unix, windows))]
    pub fn from_jsonl_file(
        file: &std::fs::File,
        options: &ReadOptions,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Inventory> {
        read_file(file, options, FILE_CHUNK_BYTES, progress).map(Inventory::shrunk)
    }

    /// The most heap bytes [`Inventory::from_jsonl_with_limits`] holds at
    /// its peak for `input_len` input bytes under `limits`, the inventory
    /// included: `JSONL_HEAP_PER_INPUT_BYTE × input_len +
    /// JSONL_HEAP_PER_NAME × min(names, input_len / 4) + JSONL_HEAP_BASE`,
    /// where `names` is the sum of the three distinct-name limits (a name
    /// takes at least 4 input bytes, `"a",`). docs/FORMATS.md ("Memory
    /// bounds") derives the terms.
    pub fn jsonl_heap_bound(input_len: usize, limits: &InventoryLimits) -> usize {
        let names = limits.total_names().min(input_len / 4);
        input_len
            .saturating_mul(JSONL_HEAP_PER_INPUT_BYTE)
            .saturating_add(names.saturating_mul(JSONL_HEAP_PER_NAME))
            .saturating_add(JSONL_HEAP_BASE)
    }

    /// Adds every certificate of `other`; an id in both is an error and
    /// nothing is added then.
    pub fn merge(&mut self, other: Inventory) -> Result<()> {
        if let Some(id) = other.present.first_common(&self.present) {
            return Err(Error::new(
                ErrorKind::DuplicateCertificate,
                format!("certificate {id} is already present"),
            ));
        }
        if self.is_empty() {
            *self = other;
            return Ok(());
        }
        self.cache.clear();
        self.present.union_with(&other.present);
        self.enrolled.union_with(&other.enrolled);
        self.private_key.union_with(&other.private_key);
        self.ssl.union_with(&other.ssl);
        if self.ssl_extra.len() < other.ssl_extra.len() {
            self.ssl_extra.resize_with(other.ssl_extra.len(), super::IdSet::default);
        }
        for (mine, theirs) in self.ssl_extra.iter_mut().zip(other.ssl_extra) {
            mine.union_owned(theirs);
        }
        for (mine, theirs) in [
            (&mut self.stores, other.stores),
            (&mut self.metadata, other.metadata),
            (&mut self.collections, other.collections),
        ] {
            for (name, set) in theirs {
                mine.entry(name).or_default().union_with(&set);
            }
        }
        self.revocations.merge(other.revocations);
        self.expiries.merge(other.expiries);
        Ok(())
    }

    /// Reads JSON Lines into this inventory: every record, or (on a bad
    /// line or an id already present) none.
    pub fn extend_from_jsonl(&mut self, reader: impl BufRead) -> Result<()> {
        self.extend_from_jsonl_with_limits(reader, &InventoryLimits::default())
    }

    /// As [`Inventory::extend_from_jsonl`], with `limits` on the distinct
    /// names the file lists (as [`Inventory::from_jsonl_with_limits`]).
    pub fn extend_from_jsonl_with_limits(
        &mut self,
        reader: impl BufRead,
        limits: &InventoryLimits,
    ) -> Result<()> {
        let staged = Inventory::from_jsonl_with_limits(reader, limits, &mut |_| {})?;
        self.merge(staged)
    }
}

/// A piece of the input, cut by [`Chunker`].
enum Piece {
    /// Whole lines (the last one maybe without its newline, at the end).
    Lines(Vec<u8>),
    /// A line longer than [`MAX_LINE_BYTES`] starts here.
    Overlong,
}

/// Cuts the input into chunks of whole lines, reading at most a chunk
/// (or one longest line) ahead.
struct Chunker<R> {
    reader: R,
    chunk: usize,
    buf: Vec<u8>,
    /// The position of the last newline in `buf`, if any.
    last_newline: Option<usize>,
    /// Whether a chunk has filled up: the input is big, so buffers start
    /// at full size instead of growing.
    big: bool,
}

impl<R: BufRead> Chunker<R> {
    fn next(&mut self) -> Result<Option<Piece>> {
        loop {
            if self.buf.len() >= self.chunk {
                if let Some(i) = self.last_newline {
                    self.big = true;
                    let mut next = Vec::with_capacity(self.chunk + (self.buf.len() - i));
                    next.extend_from_slice(&self.buf[i + 1..]);
                    self.buf.truncate(i + 1);
                    self.last_newline = memchr::memrchr(b'\n', &next);
                    return Ok(Some(Piece::Lines(std::mem::replace(&mut self.buf, next))));
                }
                if self.buf.len() > MAX_LINE_BYTES {
                    return Ok(Some(Piece::Overlong));
                }
            }
            let got = self.reader.fill_buf()?;
            if got.is_empty() {
                self.last_newline = None;
                return Ok((!self.buf.is_empty()).then(|| Piece::Lines(std::mem::take(&mut self.buf))));
            }
            // Up to a chunk, then only up to the end of the line it cuts.
            let take = if self.buf.len() < self.chunk {
                got.len().min(self.chunk - self.buf.len())
            } else {
                memchr::memchr(b'\n', got).map_or(got.len(), |i| i + 1)
            };
            if self.buf.capacity() == 0 && self.big {
                self.buf.reserve(self.chunk);
            }
            let start = self.buf.len();
            self.buf.extend_from_slice(&got[..take]);
            self.reader.consume(take);
            if let Some(i) = memchr::memrchr(b'\n', &self.buf[start..]) {
                self.last_newline = Some(start + i);
            }
        }
    }
}

/// A chunk's lines as parsed by a worker: the valid lines before its first
/// bad one (all of them, usually) as an inventory, and that bad line.
struct Parsed {
    /// Input bytes of the chunk.
    bytes: u64,
    /// Lines in the chunk.
    lines: u64,
    /// The valid lines before the first bad one.
    part: Option<Part>,
    /// The chunk's first bad line (its 0-based line in the chunk, if the
    /// failure is about a line) and why.
    error: Option<(Option<u64>, Error)>,
}

/// The valid lines of a chunk.
struct Part {
    inventory: Inventory,
    /// The ids in line order.
    ids: Vec<u32>,
    /// The 0-based lines of the chunk that are blank, ascending.
    blanks: Vec<u64>,
    /// Per kind of name, the names in order of first appearance with the
    /// first id listing each.
    first_use: [Vec<(String, u32)>; 3],
    /// The (id, seconds) pairs of the revocations and the expiries, in
    /// line order.
    times: [Vec<(u32, i64)>; 2],
}

impl Part {
    /// The chunk's 0-based line of its `i`-th record.
    fn line_of(&self, i: usize) -> u64 {
        let mut line = i as u64;
        for &b in &self.blanks {
            if b <= line {
                line += 1;
            } else {
                break;
            }
        }
        line
    }
}

/// Lines of `data` parsed into columns, up to (not including) line `stop`.
struct Scanned {
    columns: CertificateColumns,
    blanks: Vec<u64>,
    lines: u64,
    error: Option<(u64, Error)>,
}

/// A chunk's columns while its lines are scanned: names interned per
/// chunk ([`ChunkNames`]), turned into [`CertificateColumns`] names at the
/// end, so a record that lists a known name costs a cache probe.
struct ChunkColumns<'a> {
    columns: CertificateColumns,
    names: [ChunkNames<'a>; 3],
    /// The index of each name the record being added lists, lists in
    /// turn, found again only for a record with a name new to the chunk
    /// or a refused one (rare) rather than kept for every record.
    found: Vec<u32>,
}

/// A listed name: a slice of the line (with the key the scanner took), or
/// a serde-parsed `String`. How the chunk keeps its copy of a name is the
/// caller's `keep`: borrowed from a chunk that outlives the columns, copied
/// from a buffer that is reused.
trait ListedName: AsRef<str> + PartialEq {
    fn key(&self) -> NameKey;
    /// The name's bytes (its text as UTF-8), which a cache hit needs
    /// rather than its text.
    fn bytes(&self) -> &[u8];
}

impl ListedName for Name<'_> {
    #[inline]
    fn key(&self) -> NameKey {
        self.key
    }

    #[inline]
    fn bytes(&self) -> &[u8] {
        self.bytes
    }
}

impl ListedName for String {
    fn key(&self) -> NameKey {
        NameKey::of(self.as_bytes())
    }

    fn bytes(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// Keeps a scanned name as a slice of the chunk it was read from.
fn borrow_name<'a>(name: &Name<'a>) -> Cow<'a, str> {
    Cow::Borrowed(name.text())
}

/// Keeps a scanned name as a copy (its buffer is about to be reused).
fn copy_name<'a>(name: &Name<'_>) -> Cow<'a, str> {
    Cow::Owned(name.text().to_owned())
}

impl<'a> ChunkColumns<'a> {
    /// Columns for about `lines` records.
    fn new(lines: usize) -> ChunkColumns<'a> {
        let mut columns = CertificateColumns::with_capacity(lines);
        // Growing the columns would copy them: most records have a time
        // and a flag or two.
        columns.expires.reserve(lines);
        columns.enrolled.reserve(lines);
        ChunkColumns { columns, names: Default::default(), found: Vec::new() }
    }

    /// Adds one record, checked as [`CertificateColumns::push`] checks it
    /// (times were checked by the caller): its lists, then each name listed
    /// for the first time in the chunk, then the limits on distinct names.
    /// A record refused for its lists or names adds nothing.
    #[allow(clippy::too_many_arguments)]
    fn add<S: ListedName>(
        &mut self,
        id: u32,
        enrolled: bool,
        private_key: bool,
        ssl_endpoints: u32,
        revoked: Option<i64>,
        expires: Option<i64>,
        lists: [&[S]; 3],
        keep: impl Fn(&S) -> Cow<'a, str>,
        limits: &InventoryLimits,
    ) -> Result<()> {
        // One pass a list: each name is looked up and `id` listed under it
        // at once (a refused record takes them back out below), and a list
        // that may repeat a name, or that is too long, is marked for
        // [`check_list`]. Indices past 63 are left to it too, in a list of
        // two names or more (one name cannot repeat): a word of bits is
        // cheaper than two, and a chunk lists a few dozen names of a kind.
        let (mut fresh, mut odd) = (false, [false; 3]);
        for ((names, list), odd) in self.names.iter_mut().zip(lists).zip(&mut odd) {
            let mut seen = 0u64;
            *odd = list.len() > MAX_NAMES_PER_RECORD;
            let many = list.len() > 1;
            for name in list {
                let (i, new) = names.index_of_key(name.bytes(), name.key(), || name.as_ref(), || keep(name));
                fresh |= new;
                let bit = 1u64.checked_shl(i).unwrap_or(0);
                *odd |= ((bit == 0) & many) | (seen & bit != 0);
                seen |= bit;
                names.push(i, id);
            }
        }
        if odd.contains(&true) || fresh {
            // The indexes of the record's names are needed only for a new
            // name's check or a refusal: found again then (every name is
            // known now, so finding one again adds nothing).
            let checked = check_odd_lists(id, lists, odd).and_then(|()| {
                if !fresh {
                    return Ok(());
                }
                self.find_again(lists, &keep);
                self.check_new_names(id, lists)
            });
            if let Err(e) = checked {
                // A refusal (rare): the indexes are found to take the id
                // back out (again, when a new name's check refused it).
                self.find_again(lists, &keep);
                for (names, listed) in self.names.iter_mut().zip(found_per_list(&self.found, lists)) {
                    for &i in listed {
                        names.pop(i);
                    }
                }
                return Err(e);
            }
        }
        self.columns.ids.push(id);
        self.columns.push_fields(id, enrolled, private_key, ssl_endpoints, revoked, expires);
        if fresh {
            // Bound the names a chunk holds: past the limit here, it is
            // past it in the file too.
            for (names, what) in self.names.iter().zip(NAME_KINDS) {
                let max = limits.max_names(what);
                if names.listed() > max {
                    return Err(too_many_names(id, what, max));
                }
            }
        }
        Ok(())
    }

    /// Sets `found` to the index of each name of `lists`, lists in turn
    /// (every name listed already: none is added).
    fn find_again<S: ListedName>(&mut self, lists: [&[S]; 3], keep: &impl Fn(&S) -> Cow<'a, str>) {
        self.found.clear();
        for (names, list) in self.names.iter_mut().zip(lists) {
            for name in list {
                let (i, _) = names.index_of_key(name.bytes(), name.key(), || name.as_ref(), || keep(name));
                self.found.push(i);
            }
        }
    }

    /// The check of a record whose names [`ChunkColumns::add`] has just
    /// listed (their indexes in `found`), one of them new to the chunk and
    /// its lists checked: each name listed for the first time by
    /// [`check_name`] (a name listed by a refused record only is not
    /// listed).
    fn check_new_names<S: ListedName>(&self, id: u32, lists: [&[S]; 3]) -> Result<()> {
        // The lists repeat no name now: a name first listed by this
        // record lists this id alone.
        let found = found_per_list(&self.found, lists);
        for ((names, listed), what) in self.names.iter().zip(found).zip(NAME_KINDS) {
            for &i in listed {
                if names.ids_of(i).len() == 1 {
                    check_name(names.name(i), what)
                        .map_err(|e| Error::new(e.kind(), format!("certificate {id}: {}", e.detail())))?;
                }
            }
        }
        Ok(())
    }

    /// Adds the record the scanner read, keeping new names with `keep`.
    /// Inlined into the line loop: called for every line.
    #[inline(always)]
    fn add_scanned<'d>(
        &mut self,
        f: &Fields<'d>,
        keep: impl Fn(&Name<'d>) -> Cow<'a, str>,
        limits: &InventoryLimits,
    ) -> Result<()> {
        let lists = [f.names[0].as_slice(), f.names[1].as_slice(), f.names[2].as_slice()];
        self.add(f.id, f.enrolled, f.private_key, f.ssl_endpoints, f.revoked, f.expires, lists, keep, limits)
    }

    /// The columns, names in order of first listing.
    fn finish(self) -> CertificateColumns {
        let mut columns = self.columns;
        for (target, names) in columns.names.iter_mut().zip(self.names) {
            for (name, ids) in names.into_columns() {
                // Checked when first listed: the check cannot fail here.
                if let Ok(slot) = target.slot(&name, |_| Ok(())) {
                    target.ids[slot] = ids;
                }
            }
        }
        columns
    }
}

/// [`check_list`] on each of `lists` marked `odd` (too long, or maybe
/// repeating a name).
fn check_odd_lists<S: ListedName>(id: u32, lists: [&[S]; 3], odd: [bool; 3]) -> Result<()> {
    for ((list, odd), what) in lists.iter().zip(odd).zip(NAME_KINDS) {
        if odd {
            check_list(list, id, what)?;
        }
    }
    Ok(())
}

/// `found` (the indexes of a record's names, lists in turn) cut into each
/// list's indexes.
fn found_per_list<'f, S>(found: &'f [u32], lists: [&[S]; 3]) -> [&'f [u32]; 3] {
    let (stores, rest) = found.split_at(lists[0].len().min(found.len()));
    let (metadata, collections) = rest.split_at(lists[1].len().min(rest.len()));
    [stores, metadata, collections]
}

fn scan_lines(data: &[u8], limits: &InventoryLimits, stop: Option<u64>) -> Scanned {
    // Lines are a hundred bytes or more, usually.
    let mut columns = ChunkColumns::new(data.len() / 96);
    let (mut blanks, mut lines) = (Vec::new(), 0u64);
    let error = scan_into(&mut columns, &mut blanks, &mut lines, data, borrow_name, limits, stop);
    Scanned { columns: columns.finish(), blanks, lines, error }
}

/// Adds the whole lines of `data` to `columns` (`lines` counts them,
/// `blanks` gets the blank ones), up to (not including) line `stop`; the
/// first bad line and why, if any.
fn scan_into<'a, 'd>(
    columns: &mut ChunkColumns<'a>,
    blanks: &mut Vec<u64>,
    lines: &mut u64,
    data: &'d [u8],
    keep: impl Fn(&Name<'d>) -> Cow<'a, str> + Copy,
    limits: &InventoryLimits,
    stop: Option<u64>,
) -> Option<(u64, Error)> {
    let mut fields = Fields::default();
    let mut error = None;
    let mut start = 0;
    // Not checked as UTF-8 here: the scanner checks the names, the only
    // place a line it takes may have a byte past ASCII, and serde checks
    // the lines it parses.
    while start < data.len() {
        if stop == Some(*lines) {
            break;
        }
        // The scanner finds the line's end itself; only lines outside its
        // form are cut with memchr (SIMD) and go to serde.
        if let Some(rest) = data.get(start..) {
            if let Some(n) = scan_line(rest, &mut fields) {
                let added = if n > MAX_LINE_BYTES {
                    Err(Error::new(ErrorKind::InputTooLarge, format!("over {MAX_LINE_BYTES} bytes")))
                } else {
                    columns.add_scanned(&fields, keep, limits)
                };
                if let Err(e) = added {
                    error = Some((*lines, e));
                    break;
                }
                start += n;
                *lines += 1;
                continue;
            }
        }
        let end = memchr::memchr(b'\n', &data[start..]).map_or(data.len(), |i| start + i + 1);
        let line = &data[start..end];
        start = end;
        if line.len() > MAX_LINE_BYTES {
            let e = Error::new(ErrorKind::InputTooLarge, format!("over {MAX_LINE_BYTES} bytes"));
            error = Some((*lines, e));
            break;
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            blanks.push(*lines);
        } else if let Err(e) = add_line(columns, line, limits) {
            error = Some((*lines, e));
            break;
        }
        *lines += 1;
    }
    error
}

/// Adds one non-blank line's record to `columns`, parsed by serde: a line
/// outside the scanner's form (the scanner has read the same bytes and
/// given up on them).
fn add_line<'a>(columns: &mut ChunkColumns<'a>, line: &[u8], limits: &InventoryLimits) -> Result<()> {
    let r = CertificateRecord::parse_unvalidated(line)?;
    let revoked = r.revoked_at.map(|t| secs_of(t, r.id, "revoked_at")).transpose()?;
    let expires = r.expires_at.map(|t| secs_of(t, r.id, "expires_at")).transpose()?;
    let lists = [r.stores.as_slice(), r.metadata.as_slice(), r.collections.as_slice()];
    let copy = |name: &String| Cow::Owned(name.clone());
    columns.add(r.id, r.enrolled, r.private_key, r.ssl_endpoints, revoked, expires, lists, copy, limits)
}

fn too_many_names(id: u32, what: &str, max: usize) -> Error {
    Error::new(ErrorKind::TooManyNames, format!("certificate {id}: {what}: more than {max} distinct names"))
}

/// The index of the first id that repeats an earlier one, if any.
fn first_repeat(ids: &[u32]) -> Option<usize> {
    if ids.windows(2).all(|w| w[0] < w[1]) {
        return None;
    }
    let mut seen = IdSet::new();
    ids.iter().position(|&id| !seen.insert(id))
}

/// Parses one chunk (the work of a parsing thread).
fn parse_chunk(data: &[u8], limits: &InventoryLimits) -> Parsed {
    let bytes = data.len() as u64;
    let mut scanned = scan_lines(data, limits, None);
    let lines = scanned.lines;
    if let Some(i) = first_repeat(&scanned.columns.ids) {
        // An id repeated within the chunk, before any other bad line:
        // keep the lines before it.
        let id = scanned.columns.ids[i];
        let line = Part {
            inventory: Inventory::new(),
            ids: Vec::new(),
            blanks: scanned.blanks.clone(),
            first_use: Default::default(),
            times: Default::default(),
        }
        .line_of(i);
        scanned = scan_lines(data, limits, Some(line));
        let e = Error::new(ErrorKind::DuplicateCertificate, format!("certificate {id} appears twice"));
        scanned.error = Some((line, e));
    }
    parsed_of(scanned, bytes, lines)
}

/// The lines of a file range read through a small buffer, kept in the
/// core's cache from the read to the scan (a buffer the size of the chunk
/// is written and read back through memory: the kernel's copy alone costs
/// about three times as much). Names are copied when first listed, as the
/// buffer is reused. `None` when the chunk needs the whole-chunk path
/// ([`parse_chunk`], which names its first bad line): a bad line, an id
/// repeated within the chunk, a line longer than the buffer, an I/O error.
#[cfg(any(unix, windows))]
fn stream_chunk(
    file: &std::fs::File,
    size: u64,
    (start, end): (u64, u64),
    block: &mut Vec<u8>,
    limits: &InventoryLimits,
) -> Option<Parsed> {
    let mut blocks =
        super::filerange::RangeBlocks::new(file, (start, end), size, block, super::filerange::BLOCK_BYTES);
    let mut columns = ChunkColumns::new(usize::try_from((end - start) / 96).ok()?);
    let (mut blanks, mut lines) = (Vec::new(), 0u64);
    while let Some(data) = blocks.next().ok()? {
        if scan_into(&mut columns, &mut blanks, &mut lines, data, copy_name, limits, None).is_some() {
            return None;
        }
    }
    let scanned = Scanned { columns: columns.finish(), blanks, lines, error: None };
    if first_repeat(&scanned.columns.ids).is_some() {
        return None;
    }
    Some(parsed_of(scanned, end - start, lines))
}

/// A chunk's scanned lines as the calling thread takes them.
fn parsed_of(scanned: Scanned, bytes: u64, lines: u64) -> Parsed {
    let Scanned { mut columns, blanks, error, .. } = scanned;
    let first_use = std::array::from_fn(|k| {
        let n = &columns.names[k];
        n.names.iter().cloned().zip(n.ids.iter().map(|ids| ids.first().copied().unwrap_or(0))).collect()
    });
    let ids = columns.ids.clone();
    // The times go to the calling thread's index as pairs, not as an index
    // of the chunk: merging indexes costs a lookup per pair.
    let times = [std::mem::take(&mut columns.revoked), std::mem::take(&mut columns.expires)];
    let mut inventory = Inventory::new();
    let part = match inventory.insert_columns_within(columns, &InventoryLimits::UNLIMITED, 1) {
        Ok(()) => Some(Part { inventory, ids, blanks, first_use, times }),
        // Every check passed above; were one to fail, it fails the read.
        Err(e) => return Parsed { bytes, lines, part: None, error: Some((None, e)) },
    };
    Parsed { bytes, lines, part, error: error.map(|(l, e)| (Some(l), e)) }
}

/// What the chunks added so far hold: their sets, and their times as
/// pairs (revocations, expiries) built into indexes in id order.
#[derive(Default)]
struct Staging {
    inventory: Inventory,
    times: [TimesInOrder; 2],
}

impl Staging {
    fn finish(self) -> Inventory {
        let mut inventory = self.inventory;
        inventory.cache.clear();
        let [revoked, expires] = self.times;
        inventory.revocations.merge(revoked.finish());
        inventory.expiries.merge(expires.finish());
        inventory
    }
}

/// The error at line `line` (1-based) of the file.
fn at_line(line: u64, e: &Error) -> Error {
    Error::new(e.kind(), format!("line {line}: {}", e.detail()))
}

/// Adds a parsed chunk to `staging` (whose lines end at `base`), or returns
/// the chunk's first bad line: one of its own, or a line that repeats an
/// id of an earlier chunk or names one name too many.
fn add_parsed(staging: &mut Staging, parsed: Parsed, base: u64, limits: &InventoryLimits) -> Result<()> {
    if let Some(part) = parsed.part {
        let times = &mut staging.times;
        let staging = &mut staging.inventory;
        // The earliest line that fails against what came before.
        let mut bad: Option<(u64, Error)> = None;
        let mut keep = |line: u64, e: Error| {
            if bad.as_ref().is_none_or(|(l, _)| line < *l) {
                bad = Some((line, e));
            }
        };
        if part.inventory.present.first_common(&staging.present).is_some() {
            if let Some(i) = part.ids.iter().position(|&id| staging.present.contains(id)) {
                let id = part.ids[i];
                // The words of a repeat within a chunk: where chunks are
                // cut must not show in the error.
                let e =
                    Error::new(ErrorKind::DuplicateCertificate, format!("certificate {id} appears twice"));
                keep(part.line_of(i), e);
            }
        }
        let known = [&staging.stores, &staging.metadata, &staging.collections];
        for ((names, known), what) in part.first_use.iter().zip(known).zip(NAME_KINDS) {
            let max = limits.max_names(what);
            if known.len() + names.len() <= max {
                continue;
            }
            let mut total = known.len();
            for (name, id) in names {
                total += usize::from(!known.contains_key(name));
                if total > max {
                    let i = part.ids.iter().position(|x| x == id).unwrap_or(0);
                    keep(part.line_of(i), too_many_names(*id, what, max));
                    break;
                }
            }
        }
        if let Some((line, e)) = bad {
            return Err(at_line(base + line + 1, &e));
        }
        staging.merge(part.inventory)?;
        for (index, pairs) in times.iter_mut().zip(&part.times) {
            index.add_all(pairs);
        }
    }
    match parsed.error {
        Some((Some(line), e)) => Err(at_line(base + line + 1, &e)),
        Some((None, e)) => Err(e),
        None => Ok(()),
    }
}

/// Work handed to a parsing thread.
enum Job {
    /// Lines read by the calling thread.
    Bytes(Vec<u8>),
    /// The lines that start in this byte range of the file, read by the
    /// parsing thread itself.
    Range(u64, u64),
}

/// What the calling thread hands out next.
enum Next {
    Job(Job),
    /// A line longer than [`MAX_LINE_BYTES`] starts here.
    Overlong,
    End,
    Failed(Error),
}

/// The reader behind every `from_jsonl*` on a reader, with the chunk size
/// a parameter so that tests can cut small inputs into many chunks.
pub(crate) fn read(
    reader: impl BufRead,
    options: &ReadOptions,
    chunk: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<Inventory> {
    let mut chunker = Chunker { reader, chunk, buf: Vec::new(), last_newline: None, big: false };
    let next = move || match chunker.next() {
        Ok(Some(Piece::Lines(data))) => Next::Job(Job::Bytes(data)),
        Ok(Some(Piece::Overlong)) => Next::Overlong,
        Ok(None) => Next::End,
        Err(e) => Next::Failed(e),
    };
    run(next, None, options, progress)
}

/// The reader behind [`Inventory::from_jsonl_file`], with the chunk size a
/// parameter (as [`read`]).
#[cfg(any(unix, windows))]
pub(crate) fn read_file(
    file: &std::fs::File,
    options: &ReadOptions,
    chunk: u64,
    progress: &mut dyn FnMut(u64),
) -> Result<Inventory> {
    let size = file.metadata()?.len();
    let chunk = chunk.max(1);
    let mut start = 0u64;
    let next = move || {
        if start >= size {
            return Next::End;
        }
        let end = start.saturating_add(chunk).min(size);
        let job = Job::Range(start, end);
        start = end;
        Next::Job(job)
    };
    run(next, Some((file, size)), options, progress)
}

/// Parses one job on a parsing thread: `block` is the thread's small
/// buffer a file range is streamed through, `buf` its buffer for a range
/// read whole (only when the range has a bad line or a very long one).
fn work(
    job: Job,
    file: Option<(&std::fs::File, u64)>,
    (block, buf): (&mut Vec<u8>, &mut Vec<u8>),
    limits: &InventoryLimits,
) -> Parsed {
    match job {
        Job::Bytes(data) => parse_chunk(&data, limits),
        Job::Range(start, end) => {
            #[cfg(any(unix, windows))]
            if let Some(parsed) =
                file.and_then(|(file, size)| stream_chunk(file, size, (start, end), block, limits))
            {
                return parsed;
            }
            #[cfg(not(any(unix, windows)))]
            let _ = &block;
            #[cfg(any(unix, windows))]
            let lines = match file {
                Some((file, size)) => super::filerange::read_lines(file, start, end, size, buf),
                None => Err(Error::new(ErrorKind::InvalidArgument, "a file range without a file")),
            };
            #[cfg(not(any(unix, windows)))]
            let lines: Result<std::ops::Range<usize>> = {
                let _ = (file, &buf);
                Err(Error::new(ErrorKind::InvalidArgument, "positional reads are not supported here"))
            };
            match lines {
                Ok(range) => Parsed { bytes: end - start, ..parse_chunk(&buf[range], limits) },
                Err(e) => Parsed { bytes: 0, lines: 0, part: None, error: Some((None, e)) },
            }
        }
    }
}

/// Runs the parsing threads over the jobs `next` hands out and adds the
/// parsed chunks in order on the calling thread.
fn run(
    mut next: impl FnMut() -> Next,
    file: Option<(&std::fs::File, u64)>,
    options: &ReadOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<Inventory> {
    let threads = if options.threads == 0 { available_threads() } else { options.threads };
    let limits = &options.limits;
    // Chunks read but not yet added: enough to keep every thread busy
    // while the calling thread adds one, few enough to bound memory.
    let in_flight = threads as u64 + 1;
    let (job_tx, job_rx) = mpsc::channel::<(u64, Job)>();
    let (done_tx, done_rx) = mpsc::channel::<(u64, Parsed)>();
    let job_rx = Mutex::new(job_rx);
    std::thread::scope(|s| {
        let mut workers = Vec::with_capacity(threads);
        for _ in 0..threads {
            let (job_rx, done_tx) = (&job_rx, done_tx.clone());
            workers.push(s.spawn(move || {
                let (mut block, mut buf) = (Vec::new(), Vec::new());
                loop {
                    // A poisoned lock means another worker panicked: stop.
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, job)) = job else { return };
                    let parsed = work(job, file, (&mut block, &mut buf), limits);
                    if done_tx.send((seq, parsed)).is_err() {
                        return;
                    }
                }
            }));
        }
        drop(done_tx);
        // The read runs in a closure that owns the job sender, so that any
        // way out of it (the end, an error) drops the sender and the
        // workers waiting for a job stop.
        let add_in_order = move || -> Result<Inventory> {
            let mut staging = Staging::default();
            let mut pending: BTreeMap<u64, Parsed> = BTreeMap::new();
            let (mut sent, mut added, mut eof) = (0u64, 0u64, false);
            let (mut base, mut bytes) = (0u64, 0u64);
            loop {
                while !eof && sent - added < in_flight {
                    match next() {
                        Next::Job(job) => {
                            if job_tx.send((sent, job)).is_err() {
                                break;
                            }
                        }
                        Next::Overlong => {
                            let e =
                                Error::new(ErrorKind::InputTooLarge, format!("over {MAX_LINE_BYTES} bytes"));
                            pending.insert(
                                sent,
                                Parsed { bytes: 0, lines: 0, part: None, error: Some((Some(0), e)) },
                            );
                            eof = true;
                        }
                        Next::End => {
                            eof = true;
                            break;
                        }
                        Next::Failed(e) => {
                            pending.insert(
                                sent,
                                Parsed { bytes: 0, lines: 0, part: None, error: Some((None, e)) },
                            );
                            eof = true;
                        }
                    }
                    sent += 1;
                }
                if added == sent {
                    break;
                }
                let parsed = loop {
                    if let Some(p) = pending.remove(&added) {
                        break p;
                    }
                    match done_rx.recv() {
                        Ok((seq, p)) => {
                            pending.insert(seq, p);
                        }
                        // Every worker is gone without this chunk: only a
                        // panic does that; raise it here.
                        Err(_) => {
                            drop(job_tx);
                            for w in workers {
                                if let Err(panic) = w.join() {
                                    std::panic::resume_unwind(panic);
                                }
                            }
                            return Err(Error::new(
                                ErrorKind::InvalidArgument,
                                "a JSON Lines worker stopped",
                            ));
                        }
                    }
                };
                let lines = parsed.lines;
                bytes += parsed.bytes;
                add_parsed(&mut staging, parsed, base, limits)?;
                base += lines;
                added += 1;
                progress(bytes);
            }
            Ok(staging.finish())
        };
        add_in_order()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_with(text: &str, threads: usize, chunk: usize, limits: InventoryLimits) -> Result<Inventory> {
        read(text.as_bytes(), &ReadOptions { limits, threads }, chunk, &mut |_| {})
    }

    /// Every thread count and chunk size reads the same inventory, or
    /// fails on the same line with the same error.
    fn same_everywhere(
        text: &str,
        limits: InventoryLimits,
    ) -> std::result::Result<Vec<u8>, (ErrorKind, String)> {
        let first = read_with(text, 1, 1 << 30, limits)
            .map(|i| i.to_snapshot())
            .map_err(|e| (e.kind(), e.detail().to_owned()));
        for threads in [1, 2, 3] {
            for chunk in [1, 7, 64, 1000] {
                let got = read_with(text, threads, chunk, limits)
                    .map(|i| i.to_snapshot())
                    .map_err(|e| (e.kind(), e.detail().to_owned()));
                assert_eq!(got, first, "threads {threads}, chunk {chunk}");
            }
        }
        first
    }

    /// A file holding `text`.
    fn file_of(text: &[u8]) -> std::fs::File {
        use std::io::{Seek, Write};
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(text).unwrap();
        file.rewind().unwrap();
        file
    }

    /// The file reader gives what the reader gives, for every thread count
    /// and chunk size (chunks cut lines at every place for small sizes).
    fn file_same_as_reader(text: &str, limits: InventoryLimits) {
        let want = read_with(text, 1, 1 << 30, limits)
            .map(|i| i.to_snapshot())
            .map_err(|e| (e.kind(), e.detail().to_owned()));
        let file = file_of(text.as_bytes());
        for threads in [1, 2, 3] {
            for chunk in [1, 2, 3, 7, 64, 1000, 1 << 30] {
                let mut last = 0;
                let got = read_file(&file, &ReadOptions { limits, threads }, chunk, &mut |b| last = b)
                    .map(|i| i.to_snapshot())
                    .map_err(|e| (e.kind(), e.detail().to_owned()));
                assert_eq!(got, want, "threads {threads}, chunk {chunk}");
                if got.is_ok() {
                    assert_eq!(last, text.len() as u64, "progress reaches the size");
                }
            }
        }
    }

    #[test]
    fn a_file_read_by_position_reads_as_a_reader() {
        let mut text = String::new();
        for id in 0..120u32 {
            let id = if id % 50 == 49 { 10_000 - id } else { id };
            text.push_str(&format!(
                "{{\"id\":{id},\"stores\":[\"s{}\"],\"metadata\":[\"m\\u00e9{}\"],\"expires_at\":\"2027-01-0{}T00:00:00Z\"}}\n",
                id % 3,
                id % 5,
                1 + id % 9,
            ));
            if id % 17 == 0 {
                text.push_str(" \n\n");
            }
        }
        let limits = InventoryLimits::default();
        file_same_as_reader(&text, limits);
        // Without the final newline, and with blank lines at either end.
        file_same_as_reader(text.trim_end(), limits);
        file_same_as_reader(&format!("\n\n{text}\n \n"), limits);
        file_same_as_reader("", limits);
        file_same_as_reader("\n", limits);
        file_same_as_reader("{\"id\":1}", limits);
        // Bad lines of each kind, each the first in file order.
        let good: String =
            (0..20u32).map(|id| format!("{{\"id\":{id},\"stores\":[\"s{}\"]}}\n", id % 4)).collect();
        let tight = InventoryLimits { max_stores: 4, ..InventoryLimits::default() };
        for bad in [
            "not json\n",
            "{\"id\": 3}\n",
            "{\"id\": 500, \"stores\": [\"new\"]}\n",
            "{\"id\":1,\"stores\":[\"a\",\"a\"]}\n",
        ] {
            let text = format!("{good}{bad}{good}x\n");
            file_same_as_reader(&text, tight);
        }
        // Not UTF-8: serde's error, on its line.
        let mut bytes = good.clone().into_bytes();
        bytes.extend_from_slice(b"{\"id\":99,\"stores\":[\"\xff\"]}\n");
        let err = read_file(&file_of(&bytes), &ReadOptions::default(), 16, &mut |_| {}).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRecord);
        assert!(err.detail().starts_with("line 21: "), "{err}");
    }

    #[test]
    fn a_file_with_an_overlong_line() {
        let limits = InventoryLimits::default();
        let x = "x".repeat(MAX_LINE_BYTES + 1);
        let pad = MAX_LINE_BYTES - "{\"id\":1,\"stores\":[\"\"]}\n".len();
        let exact = format!("{{\"id\":1,\"stores\":[\"{}\"]}}\n", "x".repeat(pad));
        for text in [
            format!("{{\"id\":1}}\n\n{x}\n{{\"id\":2}}\n"),
            format!("{{\"id\":1}}\nbad\n{x}\n"),
            format!("{{\"id\":1}}\n{x}"),
            exact.clone(),
            exact.trim_end().to_owned(),
        ] {
            let want = read_with(&text, 1, 1 << 30, limits).map(|i| i.len()).map_err(|e| e.to_string());
            let file = file_of(text.as_bytes());
            for chunk in [100, 4096, 1 << 20, 1 << 30] {
                let got = read_file(&file, &ReadOptions { limits, threads: 2 }, chunk, &mut |_| {})
                    .map(|i| i.len())
                    .map_err(|e| e.to_string());
                assert_eq!(got, want, "chunk {chunk}");
            }
        }
    }

    #[test]
    fn a_file_shorter_than_its_size_is_an_error() {
        let text = b"{\"id\":1}\n{\"id\":2}\n";
        let file = file_of(text);
        let mut buf = Vec::new();
        let n = text.len() as u64;
        assert_eq!(super::super::filerange::read_lines(&file, 0, n, n, &mut buf).unwrap(), 0..text.len());
        assert_eq!(&buf[..text.len()], text);
        // As if the file had shrunk since its size was taken.
        for (start, end) in [(0, n + 5), (3, n + 5), (n, n + 5)] {
            let err = super::super::filerange::read_lines(&file, start, end, n + 5, &mut buf).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Io, "{err}");
            assert!(err.detail().contains("changed while it was read"), "{err}");
        }
        // A chunk whose last line runs past its end, into the missing part.
        let err = super::super::filerange::read_lines(&file, 0, 4, n + 5, &mut buf).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    }

    #[test]
    fn chunks_and_threads_do_not_change_the_result() {
        let mut text = String::new();
        for id in 0..300u32 {
            let id = if id % 50 == 49 { 10_000 - id } else { id };
            text.push_str(&format!(
                "{{\"id\":{id},\"stores\":[\"s{}\"],\"metadata\":[\"m\\u00e9{}\"],\"expires_at\":\"2027-01-0{}T00:00:00Z\",\"ssl_endpoints\":{}}}\n",
                id % 3,
                id % 5,
                1 + id % 9,
                id % 4
            ));
            if id % 17 == 0 {
                text.push_str(" \n");
            }
        }
        let snapshot = same_everywhere(&text, InventoryLimits::default()).unwrap();
        // Small chunk sizes do cut the input into many chunks.
        let mut chunks = 0;
        read(text.as_bytes(), &ReadOptions { threads: 2, ..ReadOptions::default() }, 64, &mut |_| {
            chunks += 1
        })
        .unwrap();
        assert!(chunks > 100, "{chunks} chunks");
        let records: Vec<CertificateRecord> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| CertificateRecord::from_json(l).unwrap())
            .collect();
        assert_eq!(snapshot, Inventory::from_records(&records).unwrap().to_snapshot());
    }

    #[test]
    fn the_first_bad_line_in_file_order_is_reported() {
        let good: String =
            (0..40u32).map(|id| format!("{{\"id\":{id},\"stores\":[\"s{}\"]}}\n", id % 4)).collect();
        // A bad line late in the file, and an earlier one of each kind: the
        // earlier one wins whichever chunk a thread finishes first.
        let late = "{\"id\": 1000, \"colour\": 1}\n";
        for (early, kind) in [
            ("not json\n", ErrorKind::InvalidRecord),
            ("{\"id\": 3}\n", ErrorKind::DuplicateCertificate),
            ("{\"id\": 500, \"stores\": [\"new\"]}\n", ErrorKind::TooManyNames),
            ("{\"id\": 500, \"stores\": [\"\"]}\n", ErrorKind::InvalidRecord),
        ] {
            let text = format!("{good}{early}{good}{late}");
            let text =
                text.replacen("{\"id\":3,", "{\"id\":3000,", 2).replacen("{\"id\":3000,", "{\"id\":3,", 1);
            let limits = InventoryLimits { max_stores: 4, ..InventoryLimits::default() };
            let (k, detail) = same_everywhere(&text, limits).unwrap_err();
            assert_eq!(k, kind, "{early}: {detail}");
            assert!(detail.starts_with("line 41: "), "{early}: {detail}");
        }
        // A repeat inside one chunk before another bad line of that chunk.
        let text = "{\"id\":1}\n{\"id\":2}\n{\"id\":1}\nbad\n";
        let (k, detail) = same_everywhere(text, InventoryLimits::default()).unwrap_err();
        assert_eq!(
            (k, detail.as_str()),
            (ErrorKind::DuplicateCertificate, "line 3: certificate 1 appears twice")
        );
        // An overlong line after a bad one: the bad one is first.
        let text = format!("{{\"id\":1}}\nbad\n{}\n", "x".repeat(MAX_LINE_BYTES + 1));
        let err = read_with(&text, 2, 64, InventoryLimits::default()).unwrap_err();
        assert!(err.detail().starts_with("line 2: "), "{err}");
        let text = format!("{{\"id\":1}}\n\n{}\n", "x".repeat(MAX_LINE_BYTES + 1));
        let err = read_with(&text, 2, 64, InventoryLimits::default()).unwrap_err();
        assert_eq!((err.kind(), err.detail()), (ErrorKind::InputTooLarge, "line 3: over 1048576 bytes"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// The reader (scanner, names looked up and listed in one pass,
        /// chunks on threads) gives what serde and [`Inventory::insert`]
        /// give a record at a time: the same inventory, or a failure of
        /// the same kind on the same line (a list repeating a name, a bad
        /// name, a repeated id, one name past a limit).
        #[test]
        fn the_reader_agrees_with_records_inserted_one_at_a_time(
            lines in proptest::collection::vec(
                (0u32..40, proptest::collection::vec(0usize..6, 0..4), proptest::collection::vec(0usize..6, 0..3)),
                0..40,
            ),
            threads in 1usize..3,
            chunk in proptest::prop_oneof![proptest::strategy::Just(1usize << 30), 1usize..400],
        ) {
            const STORES: [&str; 6] = ["s0", "s1", "s2", "s3", "", "s1"];
            const FIELDS: [&str; 6] = ["Owner", "Notes", "Ticket", "a-long-field-name-past-16", "x", "y"];
            let limits = InventoryLimits { max_stores: 3, max_metadata_fields: 5, ..InventoryLimits::default() };
            let list = |pool: &[&str], picks: &[usize]| {
                picks.iter().map(|&i| format!("\"{}\"", pool[i])).collect::<Vec<_>>().join(",")
            };
            let text: String = lines
                .iter()
                .map(|(id, stores, fields)| {
                    format!("{{\"id\":{id},\"stores\":[{}],\"metadata\":[{}]}}\n", list(&STORES, stores), list(&FIELDS, fields))
                })
                .collect();
            let mut want = Inventory::new();
            let mut failed = None;
            for (i, line) in text.lines().enumerate() {
                let added = CertificateRecord::from_json(line).and_then(|r| want.insert(&r)).and_then(|()| {
                    if want.stores.len() > limits.max_stores || want.metadata.len() > limits.max_metadata_fields {
                        return Err(Error::new(ErrorKind::TooManyNames, "past a limit"));
                    }
                    Ok(())
                });
                if let Err(e) = added {
                    failed = Some((e.kind(), format!("line {}: ", i + 1)));
                    break;
                }
            }
            let got = read_with(&text, threads, chunk, limits);
            match (failed, got) {
                (None, Ok(inv)) => proptest::prop_assert_eq!(inv.to_snapshot(), want.to_snapshot()),
                (Some((kind, line)), Err(e)) => {
                    proptest::prop_assert_eq!(e.kind(), kind, "{}", e);
                    proptest::prop_assert!(e.detail().starts_with(&line), "{} ({})", e, line);
                }
                (want, got) => proptest::prop_assert!(false, "want {:?}, got {:?}", want, got.map(|i| i.len())),
            }
        }
    }

    /// Records inserted one at a time from `text`: the inventory, or the
    /// kind of the first failure and its line's prefix.
    fn inserted(text: &str) -> std::result::Result<Vec<u8>, (ErrorKind, String)> {
        let mut want = Inventory::new();
        for (i, line) in text.lines().enumerate() {
            CertificateRecord::from_json(line)
                .and_then(|r| want.insert(&r))
                .map_err(|e| (e.kind(), format!("line {}: ", i + 1)))?;
        }
        Ok(want.to_snapshot())
    }

    #[test]
    fn names_past_a_word_of_bits_are_checked() {
        // A chunk listing 150 stores: lists naming stores past index 63,
        // once, twice in one list, and beside others.
        let mut text: String =
            (0..150u32).map(|i| format!("{{\"id\":{i},\"stores\":[\"s{i}\"]}}\n")).collect();
        text.push_str(
            "{\"id\":200,\"stores\":[\"s80\",\"s90\",\"s3\"]}\n{\"id\":201,\"stores\":[\"s100\"]}\n",
        );
        let limits = InventoryLimits::default();
        let good = same_everywhere(&text, limits);
        assert_eq!(good.as_ref().map_err(|e| e.0), inserted(&text).as_ref().map_err(|e| e.0));
        for bad in ["[\"s120\",\"s120\"]", "[\"s70\",\"s3\",\"s70\"]", "[\"s3\",\"new\",\"s149\",\"new\"]"] {
            let text = format!("{text}{{\"id\":202,\"stores\":{bad}}}\n{{\"id\":203}}\n");
            let (kind, detail) = same_everywhere(&text, limits).unwrap_err();
            let (want_kind, line) = inserted(&text).unwrap_err();
            assert_eq!(kind, want_kind, "{bad}: {detail}");
            assert!(detail.starts_with(&line) && detail.contains("listed twice"), "{bad}: {detail}");
        }
    }

    #[test]
    fn a_line_of_exactly_the_limit_is_accepted() {
        let pad = MAX_LINE_BYTES - "{\"id\":1,\"stores\":[\"\"]}\n".len();
        let line = format!("{{\"id\":1,\"stores\":[\"{}\"]}}\n", "x".repeat(pad));
        assert_eq!(line.len(), MAX_LINE_BYTES);
        let err = read_with(&line, 2, 64, InventoryLimits::default()).unwrap_err();
        // The name is over the text limit, which is the record's error, not the line's length.
        assert_eq!(err.kind(), ErrorKind::InvalidRecord, "{err}");
        let longer = format!("{{\"id\":1,\"stores\":[\"{}\"]}}\n", "x".repeat(pad + 1));
        assert_eq!(
            read_with(&longer, 2, 64, InventoryLimits::default()).unwrap_err().kind(),
            ErrorKind::InputTooLarge
        );
    }
}
