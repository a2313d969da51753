//! Bench-only reference functions (feature `bench`, left out of the
//! header): the same work done by plain Rust calls, so the C bench driver
//! (benches/c/ffi_bench.c) can time the ABI against Rust in one process on
//! one data set. They skip the panic boundary and argument checks on
//! purpose: they stand for what a Rust caller pays.

use license_core::{CertificateRecord, IdSet, Inventory};
use time::OffsetDateTime;

use crate::actioned::{lc_count_config, lc_inventory};
use crate::io::handle_ref;

/// `Inventory::count(at, config).total()` in Rust.
///
/// # Safety
/// `inventory` and `config` are live handles.
#[no_mangle]
pub unsafe extern "C" fn lc_bench_rust_count(
    inventory: *const lc_inventory,
    at: i64,
    config: *const lc_count_config,
) -> u64 {
    // SAFETY: per the contract, both handles are live.
    let (Some(inv), Some(config)) = (unsafe { handle_ref(inventory) }, unsafe { handle_ref(config) }) else {
        return 0;
    };
    let at = OffsetDateTime::from_unix_timestamp(at).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    inv.count(at, config).total()
}

/// The records the C driver builds through `lc_certificate_batch_*` for
/// `ids`, built directly as a Rust caller would, then added with
/// `Inventory::insert_records`. Rule per position `i`: enrolled when
/// `i % 3 == 0`; in store `store-{i % 4}` when `i % 5 < 2`; revoked at
/// `revoked_at` when
/// `i % 50 == 0`. Returns 0 on success, 1 on failure.
///
/// # Safety
/// `inventory` is a live handle; `ids` points to `count` ids.
#[no_mangle]
pub unsafe extern "C" fn lc_bench_rust_insert_records(
    inventory: *mut lc_inventory,
    ids: *const u32,
    count: usize,
    revoked_at: i64,
) -> u32 {
    // SAFETY: per the contract.
    let (Some(inv), ids) =
        (unsafe { crate::io::handle_mut(inventory) }, unsafe { std::slice::from_raw_parts(ids, count) })
    else {
        return 1;
    };
    let revoked = OffsetDateTime::from_unix_timestamp(revoked_at).ok();
    let stores: Vec<String> = (0..4).map(|k| format!("store-{k}")).collect();
    let records: Vec<CertificateRecord> = ids
        .iter()
        .enumerate()
        .map(|(i, &id)| CertificateRecord {
            id,
            enrolled: i % 3 == 0,
            revoked_at: if i % 50 == 0 { revoked } else { None },
            stores: if i % 5 < 2 { vec![stores[i % 4].clone()] } else { Vec::new() },
            ..CertificateRecord::default()
        })
        .collect();
    let inv: &mut Inventory = inv;
    u32::from(inv.insert_records(&records).is_err())
}

/// `ids.iter().copied().collect::<IdSet>().len()` in Rust.
///
/// # Safety
/// `ids` points to `count` ids.
#[no_mangle]
pub unsafe extern "C" fn lc_bench_rust_id_set(ids: *const u32, count: usize) -> u64 {
    // SAFETY: per the contract.
    let ids = unsafe { std::slice::from_raw_parts(ids, count) };
    ids.iter().copied().collect::<IdSet>().len()
}
