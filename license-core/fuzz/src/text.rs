//! The JSON documents: license, account registry, usage ledger.

use license_core::{usage, Account, License};

use crate::{bounds, check, heap};

/// License JSON: what reads writes JSON that reads back to the same
/// license and writes the same text.
pub fn license_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let bound = bounds::JSON.at(data.len());
    let Ok(license) = check::parse("License::from_json", data.len(), bound, || License::from_json(text))
    else {
        return;
    };
    let json = license.to_json();
    let again =
        License::from_json(&json).unwrap_or_else(|e| panic!("the JSON we wrote does not read: {e}\n{json}"));
    assert_eq!(again, license, "write then read changed the license");
    assert_eq!(again.to_json(), json, "writing is not deterministic");
}

/// Account JSON: what reads writes JSON that reads back to the same
/// account and writes the same text.
pub fn account_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let bound = bounds::JSON.at(data.len());
    let Ok(account) = check::parse("Account::from_json", data.len(), bound, || Account::from_json(text))
    else {
        return;
    };
    let json = account.to_json();
    let again =
        Account::from_json(&json).unwrap_or_else(|e| panic!("the JSON we wrote does not read: {e}\n{json}"));
    assert_eq!(again, account, "write then read changed the account");
    assert_eq!(again.to_json(), json, "writing is not deterministic");
}

/// Usage ledger JSON (the vendor's per-instance chain state): what reads
/// writes JSON that reads back to the same ledger and writes the same text.
pub fn ledger_json(data: &[u8]) {
    let bound = bounds::JSON.at(data.len());
    let read = heap::within("usage::Ledger (serde_json)", data.len(), bound, || {
        serde_json::from_slice::<usage::Ledger>(data)
    });
    let Ok(ledger) = read else { return };
    let json = serde_json::to_string(&ledger).expect("a ledger serialises");
    let again: usage::Ledger = serde_json::from_str(&json)
        .unwrap_or_else(|e| panic!("the JSON we wrote does not read: {e}\n{json}"));
    assert_eq!(again, ledger, "write then read changed the ledger");
    assert_eq!(serde_json::to_string(&again).expect("serialises"), json, "writing is not deterministic");
}
