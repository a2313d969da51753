//! Certificate id sets and their interchange formats (Roaring portable,
//! ClickHouse `groupBitmap` states, Spark bitmap aggregates in Parquet), and
//! counting from the id sets a data platform computed.

use std::str::FromStr;

use license_core::{
    interchange::{
        read_id_set, write_clickhouse_state32, write_portable32, DecodedSet, ExternalSets, IdSetFormat,
        IdWidth, InterchangeLimits, SetName,
    },
    IdSet,
};

use crate::actioned::{lc_count, lc_count_config};
use crate::io::{arg, bytes_handle, core, free_handle, into_handle, lc_bytes, put, Handle};
use crate::panic::ffi_panic_boundary;
use crate::status::{fail, lc_status};

/// A set of 32-bit certificate ids.
#[allow(non_camel_case_types)]
pub struct lc_id_set {
    _private: [u8; 0],
}
impl Handle for lc_id_set {
    type Inner = IdSet;
}

/// The nine named id sets (each possibly in several shards) a data
/// platform computed, to count from.
#[allow(non_camel_case_types)]
pub struct lc_external_sets {
    _private: [u8; 0],
}
impl Handle for lc_external_sets {
    type Inner = ExternalSets;
}

/// The encoding of an id-set file.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_id_set_format {
    /// Bare Roaring portable bytes (32-bit).
    Portable = 0,
    /// A ClickHouse `groupBitmap(UInt32)` aggregate state.
    Clickhouse = 1,
}

/// Creates an empty id set in `*out` (released with `lc_id_set_free`).
/// `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_id_set_new(out: *mut *mut lc_id_set) -> lc_status {
    ffi_panic_boundary! {
        arg!(out out);
        put!(out, into_handle(IdSet::new()));
        lc_status::Ok
    }
}

/// Adds every id of `ids[0..count]` (any order, repeats allowed). `set`
/// must not be NULL; `ids` may be NULL only if `count` is 0.
#[no_mangle]
pub extern "C" fn lc_id_set_add_ids(set: *mut lc_id_set, ids: *const u32, count: usize) -> lc_status {
    ffi_panic_boundary! {
        let set = arg!(mut set);
        let ids = arg!(slice ids, count);
        let added: IdSet = ids.iter().copied().collect();
        if set.is_empty() {
            *set = added;
        } else {
            set.union_with(&added);
        }
        lc_status::Ok
    }
}

/// The number of ids; 0 for NULL.
#[no_mangle]
pub extern "C" fn lc_id_set_len(set: *const lc_id_set) -> u64 {
    ffi_panic_boundary! {
        // SAFETY: set is NULL or a live lc_id_set.
        unsafe { crate::io::handle_ref(set) }.map_or(0, IdSet::len)
    }
}

/// Whether `id` is in the set; false for NULL.
#[no_mangle]
pub extern "C" fn lc_id_set_contains(set: *const lc_id_set, id: u32) -> bool {
    ffi_panic_boundary! {
        // SAFETY: set is NULL or a live lc_id_set.
        unsafe { crate::io::handle_ref(set) }.is_some_and(|s: &IdSet| s.contains(id))
    }
}

/// Copies the ids in ascending order into `buf[0..len]`. On success
/// `*written` is the number of ids; on `LC_STATUS_BUFFER_TOO_SMALL` it is
/// the number of slots needed and `buf` is untouched. `set` and `written`
/// must not be NULL; `buf` may be NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_id_set_to_array(
    set: *const lc_id_set,
    buf: *mut u32,
    len: usize,
    written: *mut usize,
) -> lc_status {
    ffi_panic_boundary! {
        let set = arg!(ref set);
        arg!(out written);
        if buf.is_null() && len > 0 {
            return crate::io::null_arg("buf");
        }
        let needed = usize::try_from(set.len()).unwrap_or(usize::MAX);
        if len < needed {
            put!(written, needed);
            return fail(lc_status::BufferTooSmall, format!("the buffer has {len} slots; {needed} are needed"));
        }
        for (i, id) in set.iter().enumerate() {
            // SAFETY: i < needed <= len, and buf is valid for len writes.
            unsafe { buf.add(i).write(id) };
        }
        put!(written, needed);
        lc_status::Ok
    }
}

/// Reads a 32-bit id set from `data[0..len]`, detecting the format
/// (Roaring portable or a ClickHouse `groupBitmap` state); every byte must
/// be used and declared sizes are checked before allocating. On success
/// `*out` receives a new set and `*format` its `lc_id_set_format`; on
/// failure neither is written. `data` may be NULL only if `len` is 0;
/// `out` and `format` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_id_set_read(
    data: *const u8,
    len: usize,
    out: *mut *mut lc_id_set,
    format: *mut u32,
) -> lc_status {
    ffi_panic_boundary! {
        let data = arg!(slice data, len);
        arg!(out out);
        arg!(out format);
        let (decoded, found) = core!(read_id_set(data, Some(IdWidth::U32), &InterchangeLimits::default()));
        let DecodedSet::U32(bitmap) = decoded else {
            return fail(lc_status::WidthMismatch, "a 64-bit id set where 32-bit ids were asked for");
        };
        let code = match found {
            IdSetFormat::Portable => lc_id_set_format::Portable,
            IdSetFormat::ClickHouse => lc_id_set_format::Clickhouse,
        };
        put!(out, into_handle(IdSet::from(&bitmap)));
        put!(format, code as u32);
        lc_status::Ok
    }
}

/// Encodes the set in `format` (an `lc_id_set_format` value) into new
/// `lc_bytes` (`*out`). The same set always gives the same bytes. Neither
/// pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_id_set_write(set: *const lc_id_set, format: u32, out: *mut *mut lc_bytes) -> lc_status {
    ffi_panic_boundary! {
        let set = arg!(ref set);
        arg!(out out);
        let bitmap = set.to_roaring();
        let bytes = match format {
            0 => write_portable32(&bitmap),
            1 => write_clickhouse_state32(&bitmap),
            other => return fail(lc_status::InvalidArgument, format!("`format`: {other} is not an lc_id_set_format")),
        };
        put!(out, bytes_handle(bytes));
        lc_status::Ok
    }
}

/// Releases an id set. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_id_set_free(set: *mut lc_id_set) {
    ffi_panic_boundary! {
        // SAFETY: set is NULL or a live lc_id_set, freed once.
        unsafe { free_handle(set) }
    }
}

/// Creates an empty collection of external sets in `*out` (released with
/// `lc_external_sets_free`). `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_external_sets_new(out: *mut *mut lc_external_sets) -> lc_status {
    ffi_panic_boundary! {
        arg!(out out);
        put!(out, into_handle(ExternalSets::new()));
        lc_status::Ok
    }
}

/// Reads one shard (`data[0..len]`: Roaring portable 32/64-bit or a
/// ClickHouse state, detected) of the set named `name[0..name_len]`
/// (`enrolled`, `revoked_recently`, `metadata`, `ssl_endpoint`,
/// `cert_store`, `private_key`, `collection`, `revoked`, `expired`) and
/// adds it; shards of one name are unioned exactly. On failure nothing is
/// added. `sets` and `name` must not be NULL; `data` may be NULL only if
/// `len` is 0.
#[no_mangle]
pub extern "C" fn lc_external_sets_add(
    sets: *mut lc_external_sets,
    name: *const u8,
    name_len: usize,
    data: *const u8,
    len: usize,
) -> lc_status {
    add_shard(sets, name, name_len, data, len, |sets, set_name, data| {
        let (decoded, _) = read_id_set(data, None, &InterchangeLimits::default())?;
        sets.add(set_name, decoded);
        Ok(())
    })
}

/// Reads one shard (`data[0..len]`: one Parquet file of Spark bitmap rows,
/// `bucket` BIGINT and `bitmap` BINARY as `bitmap_construct_agg` writes
/// them; docs/FORMATS.md) of the set named `name[0..name_len]` (the names
/// of `lc_external_sets_add`) and adds it; shards of one name are unioned
/// exactly. On failure nothing is added. `sets` and `name` must not be
/// NULL; `data` may be NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_external_sets_add_spark(
    sets: *mut lc_external_sets,
    name: *const u8,
    name_len: usize,
    data: *const u8,
    len: usize,
) -> lc_status {
    add_shard(sets, name, name_len, data, len, |sets, set_name, data| {
        sets.add_spark_parquet(set_name, data, &InterchangeLimits::default())
    })
}

/// The body of the `lc_external_sets_add*` functions: checks the arguments
/// and the set name, then `add` reads the shard into `sets`, or fails
/// having added nothing.
fn add_shard(
    sets: *mut lc_external_sets,
    name: *const u8,
    name_len: usize,
    data: *const u8,
    len: usize,
    add: impl FnOnce(&mut ExternalSets, SetName, &[u8]) -> license_core::Result<()>,
) -> lc_status {
    ffi_panic_boundary! {
        let sets = arg!(mut sets);
        if name.is_null() {
            return crate::io::null_arg("name");
        }
        let name = arg!(str name, name_len);
        let data = arg!(slice data, len);
        let set_name = core!(SetName::from_str(name));
        core!(add(sets, set_name, data));
        lc_status::Ok
    }
}

/// Counts from the external sets as of `at` (Unix seconds; the revoked and
/// expired sets must have been computed for that instant) against
/// `config`'s limit. On success `*out` receives a new count (released with
/// `lc_count_free`). No pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_external_sets_count(
    sets: *const lc_external_sets,
    at: i64,
    config: *const lc_count_config,
    out: *mut *mut lc_count,
) -> lc_status {
    ffi_panic_boundary! {
        let sets = arg!(ref sets);
        let at = arg!(time at);
        let config = arg!(ref config);
        arg!(out out);
        put!(out, into_handle(sets.count(at, config.limit)));
        lc_status::Ok
    }
}

/// Releases external sets. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_external_sets_free(sets: *mut lc_external_sets) {
    ffi_panic_boundary! {
        // SAFETY: sets is NULL or a live lc_external_sets, freed once.
        unsafe { free_handle(sets) }
    }
}
