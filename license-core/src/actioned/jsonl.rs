//! Reading an inventory from JSON Lines: one [`CertificateRecord`] per line.

use std::collections::BTreeSet;
use std::io::{BufRead, Read};

use super::limits::InventoryLimits;
use super::{CertificateRecord, Inventory};
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
/// Records parsed before they are added to the staging inventory.
const BATCH: usize = 1 << 16;

impl Inventory {
    /// Reads an inventory from JSON Lines (blank lines are skipped). A bad
    /// line is reported with its line number; nothing is returned then.
    pub fn from_jsonl(reader: impl BufRead) -> Result<Inventory> {
        Inventory::from_jsonl_with_progress(reader, &mut |_| {})
    }

    /// As [`Inventory::from_jsonl`], calling `progress` with the number of
    /// bytes read so far after each batch of lines.
    pub fn from_jsonl_with_progress(
        reader: impl BufRead,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Inventory> {
        Inventory::from_jsonl_with_limits(reader, &InventoryLimits::default(), progress)
    }

    /// As [`Inventory::from_jsonl_with_progress`], with `limits` on the
    /// distinct names ([`ErrorKind::TooManyNames`] past them, naming the
    /// line). [`Inventory::from_jsonl`] applies the default limits.
    pub fn from_jsonl_with_limits(
        mut reader: impl BufRead,
        limits: &InventoryLimits,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Inventory> {
        let mut staging = Inventory::new();
        // Grown, not reserved: a short input costs what it holds.
        let mut batch: Vec<CertificateRecord> = Vec::new();
        let mut line_no = 0u64;
        let mut bytes_read = 0u64;
        let mut line = Vec::new();
        let mut batch_lines: Vec<u64> = Vec::new();
        loop {
            line.clear();
            let n = (&mut reader).take(MAX_LINE_BYTES as u64 + 1).read_until(b'\n', &mut line)?;
            if n == 0 {
                break;
            }
            line_no += 1;
            bytes_read += n as u64;
            if line.len() > MAX_LINE_BYTES {
                return Err(Error::new(
                    ErrorKind::InputTooLarge,
                    format!("line {line_no}: over {MAX_LINE_BYTES} bytes"),
                ));
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let record = CertificateRecord::parse_unvalidated(&line)
                .map_err(|e| Error::new(e.kind(), format!("line {line_no}: {}", e.detail())))?;
            if batch.is_empty() {
                batch_lines.clear();
            }
            batch_lines.push(line_no);
            batch.push(record);
            if batch.len() == BATCH {
                flush_lines(&mut staging, &mut batch, &batch_lines, limits)?;
                progress(bytes_read);
            }
        }
        flush_lines(&mut staging, &mut batch, &batch_lines, limits)?;
        progress(bytes_read);
        Ok(staging)
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

/// Adds a batch to the staging inventory, naming the line of a failing
/// record (batch-level checks such as duplicates find the certificate id).
fn flush_lines(
    staging: &mut Inventory,
    batch: &mut Vec<CertificateRecord>,
    lines: &[u64],
    limits: &InventoryLimits,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    if let Err(e) = staging.insert_records_within(batch, limits) {
        // Find the first record that fails on its own or repeats an id, to
        // report its line.
        let line = if e.kind() == ErrorKind::TooManyNames {
            line_over_names(staging, batch, lines, limits)
        } else {
            let mut seen = super::IdSet::new();
            batch.iter().zip(lines).find_map(|(r, &line)| {
                let bad = !seen.insert(r.id) || staging.contains(r.id) || Inventory::new().insert(r).is_err();
                bad.then_some(line)
            })
        };
        let at = line.map_or(String::new(), |l| format!("line {l}: "));
        return Err(Error::new(e.kind(), format!("{at}{}", e.detail())));
    }
    batch.clear();
    Ok(())
}

/// The line of the first record that brings a kind of name over its limit
/// (the records before it being valid, as the failed insert found).
fn line_over_names(
    staging: &Inventory,
    batch: &[CertificateRecord],
    lines: &[u64],
    limits: &InventoryLimits,
) -> Option<u64> {
    let mut seen: [BTreeSet<&str>; 3] = Default::default();
    for (r, &line) in batch.iter().zip(lines) {
        let kinds = [
            (&r.stores, &staging.stores, "stores"),
            (&r.metadata, &staging.metadata, "metadata"),
            (&r.collections, &staging.collections, "collections"),
        ];
        for (new, (list, known, what)) in seen.iter_mut().zip(kinds) {
            new.extend(list.iter().map(String::as_str).filter(|n| !known.contains_key(*n)));
            if known.len() + new.len() > limits.max_names(what) {
                return Some(line);
            }
        }
    }
    None
}
