//! The actioned-certificate count (the core's `actioned` module): the
//! certificate inventory, its bulk ingestion from id arrays, events, JSON
//! Lines and snapshots, and the count.

mod batch;

use license_core::{
    actioned::{Category, Event, InventoryLimits},
    license::ActionedLimit,
    ActionedCount, CountConfig, Inventory,
};

use self::batch::{Batch, BatchError, Flag, NameList, TimeField};
use crate::io::{arg, bytes_handle, core, free_handle, into_handle, lc_bytes, put, time_of, Handle};
use crate::panic::ffi_panic_boundary;
use crate::status::{fail, lc_status};

/// The certificate inventory, kept as compressed id sets.
#[allow(non_camel_case_types)]
pub struct lc_inventory {
    _private: [u8; 0],
}
impl Handle for lc_inventory {
    type Inner = Inventory;
}

/// Certificates being assembled column by column from id arrays, then
/// added to an inventory in one step (`lc_inventory_insert_batch`).
#[allow(non_camel_case_types)]
pub struct lc_certificate_batch {
    _private: [u8; 0],
}

impl Handle for lc_certificate_batch {
    type Inner = Batch;
}

/// The settings of a count: the licensed limit, excluded metadata fields,
/// referenced collections.
#[allow(non_camel_case_types)]
pub struct lc_count_config {
    _private: [u8; 0],
}
impl Handle for lc_count_config {
    type Inner = CountConfig;
}

/// The result of a count: the total, each category, the limit and alerts.
#[allow(non_camel_case_types)]
pub struct lc_count {
    _private: [u8; 0],
}
impl Handle for lc_count {
    type Inner = ActionedCount;
}

/// A reason a certificate counts as actioned, in the design table's order.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_category {
    /// Requested through the product.
    Enrolled = 0,
    /// Revoked within the previous week.
    RevokedRecently = 1,
    /// Has a value in a counted metadata field.
    Metadata = 2,
    /// Monitored by an SSL/TLS endpoint.
    SslEndpoint = 3,
    /// Found in a managed certificate store.
    CertStore = 4,
    /// Its private key is stored.
    PrivateKey = 5,
    /// In a referenced collection.
    Collection = 6,
}

/// A yes/no property set on certificates of a batch.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_certificate_flag {
    /// Requested through the product.
    Enrolled = 0,
    /// Its private key is stored.
    PrivateKey = 1,
    /// One more SSL/TLS endpoint monitors it.
    SslEndpoint = 2,
}

/// A time set on certificates of a batch.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_certificate_time {
    /// When it was revoked.
    RevokedAt = 0,
    /// When it expires.
    ExpiresAt = 1,
}

/// A list of names certificates can be in.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_name_list {
    /// Managed certificate stores.
    Store = 0,
    /// Metadata fields with a value.
    Metadata = 1,
    /// Collections.
    Collection = 2,
}

/// An event applied to many certificates at once (`lc_inventory_apply`).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lc_event {
    /// Requested through the product (adds unknown certificates).
    Enrolled = 0,
    /// Revoked at `at`.
    Revoked = 1,
    /// Expiry set to `at`.
    ExpirySet = 2,
    /// Expiry cleared.
    ExpiryCleared = 3,
    /// Added to store `name`.
    AddedToStore = 4,
    /// Removed from store `name`.
    RemovedFromStore = 5,
    /// Metadata field `name` got a value.
    MetadataSet = 6,
    /// Metadata field `name` was cleared.
    MetadataCleared = 7,
    /// Private key stored.
    PrivateKeyStored = 8,
    /// Private key deleted.
    PrivateKeyDeleted = 9,
    /// One more endpoint monitors it.
    EndpointMonitoringOn = 10,
    /// One endpoint stopped monitoring it.
    EndpointMonitoringOff = 11,
    /// Added to collection `name`.
    AddedToCollection = 12,
    /// Removed from collection `name`.
    RemovedFromCollection = 13,
    /// Deleted from the inventory.
    Deleted = 14,
}

fn bad_enum(what: &str, value: u32) -> lc_status {
    fail(lc_status::InvalidArgument, format!("`{what}`: {value} is not a valid value"))
}

/// Creates an empty inventory in `*out` (released with
/// `lc_inventory_free`). `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_inventory_new(out: *mut *mut lc_inventory) -> lc_status {
    ffi_panic_boundary! {
        arg!(out out);
        put!(out, into_handle(Inventory::new()));
        lc_status::Ok
    }
}

/// The number of certificates; 0 for NULL.
#[no_mangle]
pub extern "C" fn lc_inventory_len(inventory: *const lc_inventory) -> u64 {
    ffi_panic_boundary! {
        // SAFETY: inventory is NULL or a live lc_inventory.
        unsafe { crate::io::handle_ref(inventory) }.map_or(0, Inventory::len)
    }
}

/// Whether certificate `id` is in the inventory; false for NULL.
#[no_mangle]
pub extern "C" fn lc_inventory_contains(inventory: *const lc_inventory, id: u32) -> bool {
    ffi_panic_boundary! {
        // SAFETY: inventory is NULL or a live lc_inventory.
        unsafe { crate::io::handle_ref(inventory) }.is_some_and(|inv: &Inventory| inv.contains(id))
    }
}

/// Adds every certificate of `batch`: all of them, or (on the first
/// invalid record or an id already present) none, with the inventory
/// unchanged. The batch is not consumed. Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_inventory_insert_batch(
    inventory: *mut lc_inventory,
    batch: *const lc_certificate_batch,
) -> lc_status {
    ffi_panic_boundary! {
        let inventory = arg!(mut inventory);
        let batch = arg!(ref batch);
        let columns = core!(batch.to_columns());
        core!(inventory.insert_columns(columns, 0));
        lc_status::Ok
    }
}

/// Reads certificate records from JSON Lines (`data[0..len]`, one record
/// per line) into the inventory: all of them, or (on a bad line, named by
/// its number, or an id already present) none. `inventory` must not be
/// NULL; `data` may be NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_inventory_extend_jsonl(
    inventory: *mut lc_inventory,
    data: *const u8,
    len: usize,
) -> lc_status {
    ffi_panic_boundary! {
        let inventory = arg!(mut inventory);
        let data = arg!(slice data, len);
        core!(inventory.extend_from_jsonl(data));
        lc_status::Ok
    }
}

/// Bounds on the inventory readers: the most distinct store, metadata field
/// and collection names a JSON Lines file or a snapshot may list (past
/// them, `LC_STATUS_TOO_MANY_NAMES`). `lc_inventory_limits_default` gives
/// the defaults the functions without limits apply.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lc_inventory_limits {
    /// The most distinct certificate store names.
    pub max_stores: usize,
    /// The most distinct metadata field names.
    pub max_metadata_fields: usize,
    /// The most distinct collection names.
    pub max_collections: usize,
}

impl From<lc_inventory_limits> for InventoryLimits {
    fn from(l: lc_inventory_limits) -> InventoryLimits {
        InventoryLimits {
            max_stores: l.max_stores,
            max_metadata_fields: l.max_metadata_fields,
            max_collections: l.max_collections,
        }
    }
}

/// The default inventory limits (65,536 distinct names of each kind).
#[no_mangle]
pub extern "C" fn lc_inventory_limits_default() -> lc_inventory_limits {
    let d = InventoryLimits::default();
    lc_inventory_limits {
        max_stores: d.max_stores,
        max_metadata_fields: d.max_metadata_fields,
        max_collections: d.max_collections,
    }
}

/// As `lc_inventory_extend_jsonl`, with `limits` on the distinct names the
/// file lists (`LC_STATUS_TOO_MANY_NAMES` past them, naming the line).
/// `inventory` must not be NULL; `data` may be NULL only if `len` is 0.
#[no_mangle]
pub extern "C" fn lc_inventory_extend_jsonl_limited(
    inventory: *mut lc_inventory,
    data: *const u8,
    len: usize,
    limits: lc_inventory_limits,
) -> lc_status {
    ffi_panic_boundary! {
        let inventory = arg!(mut inventory);
        let data = arg!(slice data, len);
        core!(inventory.extend_from_jsonl_with_limits(data, &limits.into()));
        lc_status::Ok
    }
}

/// Applies one event to each certificate in `ids[0..count]`, in order: all
/// of them, or (if one fails) none. `name[0..name_len]` (UTF-8) is the
/// store, metadata field or collection for the events that take one and
/// is ignored otherwise; `at` (Unix seconds) is the time for REVOKED and
/// EXPIRY_SET. `event` is an `lc_event` value. `inventory` must not be
/// NULL; `ids` and `name` may be NULL only with length 0.
#[no_mangle]
pub extern "C" fn lc_inventory_apply(
    inventory: *mut lc_inventory,
    event: u32,
    ids: *const u32,
    count: usize,
    name: *const u8,
    name_len: usize,
    at: i64,
) -> lc_status {
    ffi_panic_boundary! {
        let inventory = arg!(mut inventory);
        let ids = arg!(slice ids, count);
        let name = arg!(str name, name_len);
        let needs_time = event == lc_event::Revoked as u32 || event == lc_event::ExpirySet as u32;
        let at = if needs_time { Some(arg!(time at)) } else { None };
        let n = || name.to_owned();
        let make: Box<dyn Fn(u32) -> Event> = match event {
            0 => Box::new(|id| Event::Enrolled { id }),
            1 => Box::new(|id| Event::Revoked { id, at: at.unwrap_or(time::OffsetDateTime::UNIX_EPOCH) }),
            2 => Box::new(|id| Event::ExpirySet { id, expires_at: at }),
            3 => Box::new(|id| Event::ExpirySet { id, expires_at: None }),
            4 => Box::new(move |id| Event::AddedToStore { id, store: n() }),
            5 => Box::new(move |id| Event::RemovedFromStore { id, store: n() }),
            6 => Box::new(move |id| Event::MetadataSet { id, field: n() }),
            7 => Box::new(move |id| Event::MetadataCleared { id, field: n() }),
            8 => Box::new(|id| Event::PrivateKeyStored { id }),
            9 => Box::new(|id| Event::PrivateKeyDeleted { id }),
            10 => Box::new(|id| Event::EndpointMonitoringOn { id }),
            11 => Box::new(|id| Event::EndpointMonitoringOff { id }),
            12 => Box::new(move |id| Event::AddedToCollection { id, collection: n() }),
            13 => Box::new(move |id| Event::RemovedFromCollection { id, collection: n() }),
            14 => Box::new(|id| Event::Deleted { id }),
            other => return bad_enum("event", other),
        };
        let events: Vec<Event> = ids.iter().map(|&id| make(id)).collect();
        core!(inventory.apply_all(&events));
        lc_status::Ok
    }
}

/// The inventory's snapshot bytes (versioned binary form) in new
/// `lc_bytes` (`*out`, released with `lc_bytes_free`). Neither pointer may
/// be NULL.
#[no_mangle]
pub extern "C" fn lc_inventory_to_snapshot(
    inventory: *const lc_inventory,
    out: *mut *mut lc_bytes,
) -> lc_status {
    ffi_panic_boundary! {
        let inventory = arg!(ref inventory);
        arg!(out out);
        put!(out, bytes_handle(inventory.to_snapshot()));
        lc_status::Ok
    }
}

/// Loads an inventory from snapshot bytes (`data[0..len]`); malformed
/// bytes are `LC_STATUS_SNAPSHOT_FORMAT` naming the offset. On success
/// `*out` receives a new inventory; on failure it is not written. `data`
/// may be NULL only if `len` is 0; `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_inventory_from_snapshot(
    data: *const u8,
    len: usize,
    out: *mut *mut lc_inventory,
) -> lc_status {
    ffi_panic_boundary! {
        let data = arg!(slice data, len);
        arg!(out out);
        put!(out, into_handle(core!(Inventory::from_snapshot(data))));
        lc_status::Ok
    }
}

/// As `lc_inventory_from_snapshot`, with `limits` on the distinct names
/// (`LC_STATUS_TOO_MANY_NAMES` past them). On success `*out` receives a new
/// inventory; on failure it is not written. `data` may be NULL only if
/// `len` is 0; `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_inventory_from_snapshot_limited(
    data: *const u8,
    len: usize,
    limits: lc_inventory_limits,
    out: *mut *mut lc_inventory,
) -> lc_status {
    ffi_panic_boundary! {
        let data = arg!(slice data, len);
        arg!(out out);
        put!(out, into_handle(core!(Inventory::from_snapshot_with_limits(data, &limits.into()))));
        lc_status::Ok
    }
}

/// Counts the actioned certificates at `at` (Unix seconds) under `config`.
/// On success `*out` receives a new count, released with `lc_count_free`.
/// No pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_inventory_count(
    inventory: *const lc_inventory,
    at: i64,
    config: *const lc_count_config,
    out: *mut *mut lc_count,
) -> lc_status {
    ffi_panic_boundary! {
        let inventory = arg!(ref inventory);
        let at = arg!(time at);
        let config = arg!(ref config);
        arg!(out out);
        put!(out, into_handle(inventory.count(at, config)));
        lc_status::Ok
    }
}

/// Releases an inventory. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_inventory_free(inventory: *mut lc_inventory) {
    ffi_panic_boundary! {
        // SAFETY: inventory is NULL or a live lc_inventory, freed once.
        unsafe { free_handle(inventory) }
    }
}

/// Creates an empty batch in `*out` (released with
/// `lc_certificate_batch_free`). `out` must not be NULL.
#[no_mangle]
pub extern "C" fn lc_certificate_batch_new(out: *mut *mut lc_certificate_batch) -> lc_status {
    ffi_panic_boundary! {
        arg!(out out);
        put!(out, into_handle(Batch::default()));
        lc_status::Ok
    }
}

/// Adds a certificate with no properties for each id of `ids[0..count]`.
/// Ids given in ascending order (across calls too) take the fast path:
/// the later column calls then find them by a merge walk.
/// An id given twice, or already in the batch, is
/// `LC_STATUS_DUPLICATE_CERTIFICATE` and nothing is added. `batch` must not
/// be NULL; `ids` may be NULL only if `count` is 0.
#[no_mangle]
pub extern "C" fn lc_certificate_batch_add_ids(
    batch: *mut lc_certificate_batch,
    ids: *const u32,
    count: usize,
) -> lc_status {
    ffi_panic_boundary! {
        let batch = arg!(mut batch);
        let ids = arg!(slice ids, count);
        if let Err(e) = batch.add_ids(ids) {
            return batch_error(e);
        }
        lc_status::Ok
    }
}

/// The status and message of a batch failure.
fn batch_error(e: BatchError) -> lc_status {
    match e {
        BatchError::Duplicate { at, id } => fail(
            lc_status::DuplicateCertificate,
            format!("`ids[{at}]`: certificate {id} is already in the batch"),
        ),
        BatchError::Unknown { at, id } => {
            fail(lc_status::UnknownCertificate, format!("`ids[{at}]`: certificate {id} is not in the batch"))
        }
    }
}

/// Sets a yes/no property (`flag`, an `lc_certificate_flag` value) on
/// each certificate of `ids[0..count]`; SSL_ENDPOINT adds one monitoring
/// endpoint per occurrence. An id not in the batch is
/// `LC_STATUS_UNKNOWN_CERTIFICATE` and nothing changes. `batch` must not
/// be NULL; `ids` may be NULL only if `count` is 0.
#[no_mangle]
pub extern "C" fn lc_certificate_batch_set_flag(
    batch: *mut lc_certificate_batch,
    flag: u32,
    ids: *const u32,
    count: usize,
) -> lc_status {
    ffi_panic_boundary! {
        let batch = arg!(mut batch);
        let ids = arg!(slice ids, count);
        if flag > lc_certificate_flag::SslEndpoint as u32 {
            return bad_enum("flag", flag);
        }
        let flag = match flag { 0 => Flag::Enrolled, 1 => Flag::PrivateKey, _ => Flag::SslEndpoint };
        match batch.set_flag(flag, ids) {
            Ok(()) => lc_status::Ok,
            Err(e) => batch_error(e),
        }
    }
}

/// Sets a time (`which`, an `lc_certificate_time` value) on each
/// certificate of `ids[0..count]`, `times[i]` (Unix seconds) for `ids[i]`.
/// An unknown id or an unrepresentable time changes nothing. `batch` must
/// not be NULL; `ids` and `times` may be NULL only if `count` is 0.
#[no_mangle]
pub extern "C" fn lc_certificate_batch_set_time(
    batch: *mut lc_certificate_batch,
    which: u32,
    ids: *const u32,
    times: *const i64,
    count: usize,
) -> lc_status {
    ffi_panic_boundary! {
        let batch = arg!(mut batch);
        let ids = arg!(slice ids, count);
        let times = arg!(slice times, count);
        if which > lc_certificate_time::ExpiresAt as u32 {
            return bad_enum("which", which);
        }
        let mut values = Vec::with_capacity(times.len());
        for (i, &t) in times.iter().enumerate() {
            match time::OffsetDateTime::from_unix_timestamp(t) {
                Ok(t) => values.push(t),
                // Named only on failure: formatting per element would cost
                // more than the rest of the call.
                Err(_) => return time_of(t, &format!("times[{i}]")).err().unwrap_or(lc_status::InvalidTime),
            }
        }
        let field = if which == 0 { TimeField::RevokedAt } else { TimeField::ExpiresAt };
        match batch.set_time(field, ids, values) {
            Ok(()) => lc_status::Ok,
            Err(e) => batch_error(e),
        }
    }
}

/// Puts each certificate of `ids[0..count]` in the store, metadata field
/// or collection (`list`, an `lc_name_list` value) named
/// `name[0..name_len]` (UTF-8; checked when the batch is inserted). An
/// unknown id changes nothing. `batch` and `name` must not be NULL; `ids`
/// may be NULL only if `count` is 0.
#[no_mangle]
pub extern "C" fn lc_certificate_batch_add_name(
    batch: *mut lc_certificate_batch,
    list: u32,
    name: *const u8,
    name_len: usize,
    ids: *const u32,
    count: usize,
) -> lc_status {
    ffi_panic_boundary! {
        let batch = arg!(mut batch);
        if name.is_null() {
            return crate::io::null_arg("name");
        }
        let name = arg!(str name, name_len);
        let ids = arg!(slice ids, count);
        if list > lc_name_list::Collection as u32 {
            return bad_enum("list", list);
        }
        let list = match list { 0 => NameList::Store, 1 => NameList::Metadata, _ => NameList::Collection };
        match batch.add_name(list, name, ids) {
            Ok(()) => lc_status::Ok,
            Err(e) => batch_error(e),
        }
    }
}

/// The number of certificates in the batch; 0 for NULL.
#[no_mangle]
pub extern "C" fn lc_certificate_batch_len(batch: *const lc_certificate_batch) -> usize {
    ffi_panic_boundary! {
        // SAFETY: batch is NULL or a live lc_certificate_batch.
        unsafe { crate::io::handle_ref(batch) }.map_or(0, Batch::len)
    }
}

/// Releases a batch. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_certificate_batch_free(batch: *mut lc_certificate_batch) {
    ffi_panic_boundary! {
        // SAFETY: batch is NULL or a live lc_certificate_batch, freed once.
        unsafe { free_handle(batch) }
    }
}

/// Creates a count configuration in `*out` (released with
/// `lc_count_config_free`): a site license (no limit) when `site_license`
/// is true, else a counted `limit` (0 is `LC_STATUS_INVALID_LIMIT`). Every
/// metadata field and collection counts until restricted. `out` must not
/// be NULL.
#[no_mangle]
pub extern "C" fn lc_count_config_new(
    site_license: bool,
    limit: u64,
    out: *mut *mut lc_count_config,
) -> lc_status {
    ffi_panic_boundary! {
        arg!(out out);
        let limit = if site_license {
            ActionedLimit::SiteLicense
        } else if limit == 0 {
            return fail(lc_status::InvalidLimit, "`limit`: a counted limit must be at least 1");
        } else {
            ActionedLimit::Counted(limit)
        };
        put!(out, into_handle(CountConfig::new(limit)));
        lc_status::Ok
    }
}

/// Makes metadata field `name[0..name_len]` (UTF-8) not count. Neither
/// pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_count_config_exclude_metadata(
    config: *mut lc_count_config,
    name: *const u8,
    name_len: usize,
) -> lc_status {
    ffi_panic_boundary! {
        let config = arg!(mut config);
        if name.is_null() {
            return crate::io::null_arg("name");
        }
        let name = arg!(str name, name_len);
        config.excluded_metadata.insert(name.to_owned());
        lc_status::Ok
    }
}

/// Makes collection `name[0..name_len]` (UTF-8) count; once one is named,
/// only the named collections count. Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_count_config_reference_collection(
    config: *mut lc_count_config,
    name: *const u8,
    name_len: usize,
) -> lc_status {
    ffi_panic_boundary! {
        let config = arg!(mut config);
        if name.is_null() {
            return crate::io::null_arg("name");
        }
        let name = arg!(str name, name_len);
        *config = std::mem::replace(config, CountConfig::new(ActionedLimit::SiteLicense))
            .reference_collection(name);
        lc_status::Ok
    }
}

/// Says that no collection is referenced (no alert or workflow names one):
/// collection membership then makes no certificate actioned. A later
/// `lc_count_config_reference_collection` adds to the empty set. `config`
/// may not be NULL.
#[no_mangle]
pub extern "C" fn lc_count_config_reference_no_collections(config: *mut lc_count_config) -> lc_status {
    ffi_panic_boundary! {
        let config = arg!(mut config);
        *config = std::mem::replace(config, CountConfig::new(ActionedLimit::SiteLicense))
            .reference_no_collections();
        lc_status::Ok
    }
}

/// Releases a count configuration. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_count_config_free(config: *mut lc_count_config) {
    ffi_panic_boundary! {
        // SAFETY: config is NULL or a live lc_count_config, freed once.
        unsafe { free_handle(config) }
    }
}

/// The number of actioned certificates (each counted once); 0 for NULL.
#[no_mangle]
pub extern "C" fn lc_count_total(count: *const lc_count) -> u64 {
    ffi_panic_boundary! {
        // SAFETY: count is NULL or a live lc_count.
        unsafe { crate::io::handle_ref(count) }.map_or(0, ActionedCount::total)
    }
}

/// The number of certificates in one category (`category`, an
/// `lc_category` value). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_count_category(count: *const lc_count, category: u32, out: *mut u64) -> lc_status {
    ffi_panic_boundary! {
        let count = arg!(ref count);
        arg!(out out);
        let Some(&category) = Category::ALL.get(category as usize) else {
            return bad_enum("category", category);
        };
        put!(out, count.category(category));
        lc_status::Ok
    }
}

/// When the count is over a counted limit: `*over = true` and `*by` the
/// excess; otherwise false and 0 (a site license is never over). The
/// count carries a warning alert then; nothing is ever blocked. No pointer
/// may be NULL.
#[no_mangle]
pub extern "C" fn lc_count_over_limit(count: *const lc_count, over: *mut bool, by: *mut u64) -> lc_status {
    ffi_panic_boundary! {
        let count = arg!(ref count);
        arg!(out over);
        arg!(out by);
        let excess = count.over_by();
        put!(over, excess.is_some());
        put!(by, excess.unwrap_or(0));
        lc_status::Ok
    }
}

/// The count as JSON (total, categories, limit, alerts) in new `lc_bytes`
/// (`*out`). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_count_to_json(count: *const lc_count, out: *mut *mut lc_bytes) -> lc_status {
    ffi_panic_boundary! {
        let count = arg!(ref count);
        arg!(out out);
        put!(out, bytes_handle(count.to_json().into_bytes()));
        lc_status::Ok
    }
}

/// The count as an aligned text table for people in new `lc_bytes`
/// (`*out`). Neither pointer may be NULL.
#[no_mangle]
pub extern "C" fn lc_count_to_table(count: *const lc_count, out: *mut *mut lc_bytes) -> lc_status {
    ffi_panic_boundary! {
        let count = arg!(ref count);
        arg!(out out);
        put!(out, bytes_handle(count.to_table().into_bytes()));
        lc_status::Ok
    }
}

/// Releases a count. NULL is fine; do not call it twice.
#[no_mangle]
pub extern "C" fn lc_count_free(count: *mut lc_count) {
    ffi_panic_boundary! {
        // SAFETY: count is NULL or a live lc_count, freed once.
        unsafe { free_handle(count) }
    }
}
