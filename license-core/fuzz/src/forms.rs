//! The small text forms and state files read from places an attacker can
//! write: fingerprint (`fp1`) and match policy (`mp1`) text, software
//! versions, key ids, and the JSON of an instance record, a count history
//! and a usage journal (the store's own files, which it cannot trust).

use std::fmt::{Debug, Display};
use std::str::FromStr;

use license_core::{
    actioned::CountHistory,
    instance::{MatchPolicy, SoftwareVersion},
    usage, Fingerprint, Instance, KeyId,
};

use crate::{bounds, heap};

/// The first byte picks the form, the rest is its text. What reads prints
/// (or writes) text that reads back to the same value and prints the same
/// text again.
pub fn text_forms(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    match which % 7 {
        0 => display_round_trip::<Fingerprint>(text),
        1 => display_round_trip::<MatchPolicy>(text),
        2 => display_round_trip::<SoftwareVersion>(text),
        3 => display_round_trip::<KeyId>(text),
        4 => json_round_trip(text, Instance::from_json, |i| i.to_json()),
        5 => json_round_trip(text, CountHistory::from_json, |h| h.to_json()),
        _ => json_round_trip(
            text,
            |t| serde_json::from_str::<usage::Journal>(t),
            |j| serde_json::to_string(j).expect("a journal serialises"),
        ),
    }
}

fn display_round_trip<T>(text: &str)
where
    T: FromStr + Display + PartialEq + Debug,
    T::Err: Display,
{
    let bound = bounds::JSON.at(text.len());
    let Ok(value) = heap::within(std::any::type_name::<T>(), text.len(), bound, || text.parse::<T>()) else {
        return;
    };
    let printed = value.to_string();
    let again: T = printed.parse().unwrap_or_else(|e| panic!("{printed:?} does not read back: {e}"));
    assert_eq!(again, value, "print then read changed the value");
    assert_eq!(again.to_string(), printed, "printing is not deterministic");
}

fn json_round_trip<T, E>(text: &str, read: impl Fn(&str) -> Result<T, E>, write: impl Fn(&T) -> String)
where
    T: PartialEq + Debug,
    E: Display,
{
    let bound = bounds::JSON.at(text.len());
    let Ok(value) = heap::within(std::any::type_name::<T>(), text.len(), bound, || read(text)) else {
        return;
    };
    let json = write(&value);
    let again = read(&json).unwrap_or_else(|e| panic!("the JSON we wrote does not read: {e}\n{json}"));
    assert_eq!(again, value, "write then read changed the value");
    assert_eq!(write(&again), json, "writing is not deterministic");
}
