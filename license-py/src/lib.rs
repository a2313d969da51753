//! Python bindings of license-core: the native module `license_core._native`.
//!
//! The Python package `license_core` re-exports these classes and adds the
//! exception hierarchy (`license_core/_errors.py`). Each class is a thin
//! wrapper over the core type of the same name; times cross as aware
//! `datetime` objects, documents as `bytes`, and real work (signature
//! checks, counts, bulk loads, key generation) runs with the GIL released.

mod bench;
mod crypto;
mod errors;
mod ids;
mod instance;
mod interchange;
mod inventory;
mod keys;
mod license;
mod pytime;
mod store;
mod usage;
mod util;

use pyo3::prelude::*;

/// The native module.
#[pymodule(gil_used = false)]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", license_core::VERSION)?;
    m.add_function(wrap_pyfunction!(errors::error_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(interchange::count_sets, m)?)?;
    m.add_function(wrap_pyfunction!(keys::activate, m)?)?;
    m.add_function(wrap_pyfunction!(bench::_bench_rust_count, m)?)?;
    m.add_function(wrap_pyfunction!(bench::_bench_rust_add_ids, m)?)?;
    let categories: Vec<&str> = license_core::actioned::Category::ALL.iter().map(|c| c.name()).collect();
    m.add("CATEGORIES", categories)?;
    m.add_class::<crypto::PyKeyId>()?;
    m.add_class::<crypto::PySigningKey>()?;
    m.add_class::<crypto::PyPkcs11Signer>()?;
    m.add_class::<crypto::PyVerifyingKey>()?;
    m.add_class::<crypto::PyTrustedKeys>()?;
    m.add_class::<license::PyFeature>()?;
    m.add_class::<license::PyInstanceBinding>()?;
    m.add_class::<license::PyLicenseStatus>()?;
    m.add_class::<license::PyLicenseDiff>()?;
    m.add_class::<license::PyLicense>()?;
    m.add_class::<license::PyLicenseBuilder>()?;
    m.add_class::<store::PyLicenseStore>()?;
    m.add_class::<store::PyStagedReplacement>()?;
    m.add_class::<store::PyClockCheck>()?;
    m.add_class::<store::PyStoreWatch>()?;
    m.add_class::<inventory::PyCertificateRecord>()?;
    m.add_class::<inventory::PyEvent>()?;
    m.add_class::<inventory::PyAlert>()?;
    m.add_class::<inventory::PyActionedCount>()?;
    m.add_class::<inventory::PyInventory>()?;
    m.add_class::<inventory::PyCountSchedule>()?;
    m.add_class::<inventory::PyCountHistory>()?;
    m.add_class::<interchange::PyIdSet>()?;
    m.add_class::<interchange::PyExternalSets>()?;
    m.add_class::<usage::PyUsageInstance>()?;
    m.add_class::<usage::PyCountRecord>()?;
    m.add_class::<usage::PyUsageLog>()?;
    m.add_class::<usage::PyUsageLedger>()?;
    m.add_class::<keys::PyLicenseKey>()?;
    m.add_class::<keys::PyKeyRecord>()?;
    m.add_class::<keys::PyKeyBundle>()?;
    m.add_class::<keys::PyActivation>()?;
    m.add_class::<keys::PyInstance>()?;
    m.add_class::<keys::PyAccount>()?;
    m.add_class::<instance::PyHardwareProfile>()?;
    m.add_class::<instance::PyFingerprint>()?;
    m.add_class::<instance::PyMatchPolicy>()?;
    m.add_class::<instance::PyMatchReport>()?;
    Ok(())
}
