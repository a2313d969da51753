//! The vendor's account registry: one customer's server instances and the
//! license keys sold to them, kept in a JSON file written atomically.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::bundle::{BundleAlgorithm, KeyBundle};
use super::key::{KeyKind, LicenseKey};
use super::record::{KeyRecord, KeyStatus};
use crate::table::Table;
use crate::{
    crypto::Signer,
    instance::{Location, MatchPolicy},
    timefmt, Error, ErrorKind, Instance, Result,
};

/// The largest account file read, in bytes (64 MiB).
pub const MAX_ACCOUNT_BYTES: u64 = 64 << 20;

/// The account file format version.
pub const ACCOUNT_VERSION: u32 = 1;

/// One customer's instances and key records, with the rules that keep them
/// consistent: every key is on at most one instance, an instance has at
/// most one master key, an add-on is only on an instance that holds its
/// master, and `last_updated` never moves back.
///
/// Every mutation takes the time of the change, checks everything first
/// and changes nothing when it fails; each kind of refusal has its own
/// [`ErrorKind`]. [`Account::update_file`] applies one mutation to a file
/// and writes it back atomically only when the mutation succeeded, so a
/// failed operation leaves the file byte-identical.
///
/// ```
/// use license_core::instance::Location;
/// use license_core::keys::{KeyKind, KeyRecord, KeyStatus};
/// use license_core::{Account, ErrorKind, HardwareProfile, Instance, LicenseKey};
/// use time::macros::datetime;
/// let t = datetime!(2026-11-23 0:00 UTC);
/// let mut account = Account::new("Example Ltd", t)?;
/// let profile = HardwareProfile { machine_id: Some("3d1219c7c4c5404aaa1f6d2a48adfda4".into()), ..Default::default() };
/// let server = Instance::new("srv-1", "Primary", Location::new("Slough", Some("GB"), None)?, "4.2.0".parse()?, profile, t)?;
/// account.add_instance(server, t)?;
/// let master = LicenseKey::new(KeyKind::Master, "CRT".parse()?, 1)?;
/// account.add_key(KeyRecord::builder(master, t).status(KeyStatus::Active).build()?, t)?;
/// account.assign(master, "srv-1", t)?;
/// assert_eq!(account.keys_of("srv-1", true)?.len(), 1);
/// let addon = LicenseKey::new(KeyKind::Addon, "CRT".parse()?, 2)?;
/// account.add_key(KeyRecord::builder(addon, t).parent(master).build()?, t)?;
/// account.unassign(master, t)?;
/// // The add-on cannot go where its master is not.
/// assert_eq!(account.assign(addon, "srv-1", t).unwrap_err().kind(), ErrorKind::AddonWithoutMaster);
/// # Ok::<(), license_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    customer: String,
    instances: BTreeMap<String, Instance>,
    keys: BTreeMap<LicenseKey, KeyRecord>,
    last_updated: OffsetDateTime,
}

/// The account file's serde form.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFile {
    version: u32,
    customer: String,
    #[serde(with = "timefmt::rfc3339")]
    last_updated: OffsetDateTime,
    instances: Vec<Instance>,
    keys: Vec<KeyRecord>,
}

/// A key with what a person asks about it: the record, and the name of the
/// instance it is on.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyDetails<'a> {
    /// The key's record (status, last updated, features, …).
    pub record: &'a KeyRecord,
    /// The name of the instance the key is assigned to.
    pub instance_name: Option<&'a str>,
}

impl KeyDetails<'_> {
    /// The details as an aligned table.
    pub fn to_table(&self) -> String {
        let mut t = Table::new();
        for (field, value) in self.record.display_rows() {
            let is_instance = field == "instance";
            t.row([field, value]);
            if let (Some(name), true) = (self.instance_name, is_instance) {
                t.row(["instance name", name]);
            }
        }
        t.render()
    }
}

impl Account {
    /// An empty account for `customer`, created at `now`.
    pub fn new(customer: impl Into<String>, now: OffsetDateTime) -> Result<Account> {
        let customer = customer.into();
        check_customer(&customer)?;
        Ok(Account {
            customer,
            instances: BTreeMap::new(),
            keys: BTreeMap::new(),
            last_updated: timefmt::normalize(now, "account time")?,
        })
    }

    /// The customer's name.
    pub fn customer(&self) -> &str {
        &self.customer
    }

    /// When the account last changed.
    pub fn last_updated(&self) -> OffsetDateTime {
        self.last_updated
    }

    /// Every instance, in id order.
    pub fn instances(&self) -> impl ExactSizeIterator<Item = &Instance> + '_ {
        self.instances.values()
    }

    /// The instance with this id ([`ErrorKind::UnknownInstance`] if none).
    pub fn instance(&self, id: &str) -> Result<&Instance> {
        self.instances.get(id).ok_or_else(|| unknown_instance(id))
    }

    /// Every key record, in key order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &KeyRecord> + '_ {
        self.keys.values()
    }

    /// A key's record and the name of the instance it is on
    /// ([`ErrorKind::UnknownKey`] if the account has no such key).
    pub fn key(&self, key: LicenseKey) -> Result<KeyDetails<'_>> {
        let record = self.keys.get(&key).ok_or_else(|| unknown_key(key))?;
        let instance_name = record.instance().and_then(|i| self.instances.get(i)).map(Instance::name);
        Ok(KeyDetails { record, instance_name })
    }

    /// The keys assigned to an instance: its master first, then (with
    /// `show_addons`) its add-ons in key order.
    pub fn keys_of(&self, instance_id: &str, show_addons: bool) -> Result<Vec<&KeyRecord>> {
        self.instance(instance_id)?;
        let mut out: Vec<&KeyRecord> =
            self.assigned(instance_id).filter(|r| r.kind() == KeyKind::Master).collect();
        if show_addons {
            out.extend(self.assigned(instance_id).filter(|r| r.kind() == KeyKind::Addon));
        }
        Ok(out)
    }

    fn assigned(&self, instance_id: &str) -> impl Iterator<Item = &KeyRecord> + '_ {
        let id = instance_id.to_owned();
        self.keys.values().filter(move |r| r.instance() == Some(id.as_str()))
    }

    /// The master key on an instance, if one is assigned.
    pub fn master_of(&self, instance_id: &str) -> Option<&KeyRecord> {
        self.assigned(instance_id).find(|r| r.kind() == KeyKind::Master)
    }

    /// Checks the time of a change: not before the last one.
    fn stamp(&self, now: OffsetDateTime) -> Result<OffsetDateTime> {
        let now = timefmt::normalize(now, "change time")?;
        if now < self.last_updated {
            return Err(Error::new(
                ErrorKind::UpdateOutOfOrder,
                format!(
                    "change at {} is before the last update at {}",
                    timefmt::format(now),
                    timefmt::format(self.last_updated)
                ),
            ));
        }
        Ok(now)
    }

    /// Adds an instance ([`ErrorKind::DuplicateInstance`] if its id is taken).
    pub fn add_instance(&mut self, instance: Instance, now: OffsetDateTime) -> Result<()> {
        let now = self.stamp(now)?;
        if self.instances.contains_key(instance.id()) {
            return Err(Error::new(
                ErrorKind::DuplicateInstance,
                format!("instance `{}` is already in the account", instance.id()),
            ));
        }
        self.instances.insert(instance.id().to_owned(), instance);
        self.last_updated = now;
        Ok(())
    }

    /// Renames an instance.
    pub fn rename(&mut self, instance_id: &str, name: &str, now: OffsetDateTime) -> Result<()> {
        let now = self.stamp(now)?;
        let mut instance = self.instance(instance_id)?.clone();
        instance.rename(name, now)?;
        self.instances.insert(instance_id.to_owned(), instance);
        self.last_updated = now;
        Ok(())
    }

    /// Moves an instance to another location.
    pub fn relocate(&mut self, instance_id: &str, location: Location, now: OffsetDateTime) -> Result<()> {
        let now = self.stamp(now)?;
        let mut instance = self.instance(instance_id)?.clone();
        instance.relocate(location, now)?;
        self.instances.insert(instance_id.to_owned(), instance);
        self.last_updated = now;
        Ok(())
    }

    /// Adds a key record. Refused: a key already in the account
    /// ([`ErrorKind::DuplicateKey`]), an add-on whose master is not in the
    /// account ([`ErrorKind::ParentKeyMissing`]), and a record assigned to
    /// an instance in a way [`Self::assign`] would refuse.
    pub fn add_key(&mut self, record: KeyRecord, now: OffsetDateTime) -> Result<()> {
        let now = self.stamp(now)?;
        let key = record.key();
        if self.keys.contains_key(&key) {
            return Err(Error::new(ErrorKind::DuplicateKey, format!("key {key} is already in the account")));
        }
        if let Some(parent) = record.parent() {
            if !self.keys.contains_key(&parent) {
                return Err(Error::new(
                    ErrorKind::ParentKeyMissing,
                    format!("add-on key {key}'s master {parent} is not in the account"),
                ));
            }
        }
        if let Some(instance) = record.instance() {
            self.check_assign(&record, instance)?;
        }
        self.keys.insert(key, record);
        self.last_updated = now;
        Ok(())
    }

    /// Whether `record` may be on `instance_id` (ignoring where it is now).
    fn check_assign(&self, record: &KeyRecord, instance_id: &str) -> Result<()> {
        self.instance(instance_id)?;
        let key = record.key();
        match record.kind() {
            KeyKind::Master => {
                if let Some(other) = self.master_of(instance_id).filter(|m| m.key() != key) {
                    return Err(Error::new(
                        ErrorKind::InstanceHasMaster,
                        format!("instance `{instance_id}` already has master key {}", other.key()),
                    ));
                }
            }
            KeyKind::Addon => {
                let parent = record.parent().ok_or_else(|| {
                    Error::new(ErrorKind::ParentKeyMissing, format!("add-on key {key} names no master"))
                })?;
                let there = self.keys.get(&parent).and_then(KeyRecord::instance) == Some(instance_id);
                if !there {
                    return Err(Error::new(
                        ErrorKind::AddonWithoutMaster,
                        format!("add-on key {key}'s master {parent} is not on instance `{instance_id}`"),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Assigns a key to an instance. Refused, each with its own kind: an
    /// unknown key or instance, a key already on another instance
    /// ([`ErrorKind::KeyAssignedElsewhere`]; unassign it first), a second
    /// master for an instance ([`ErrorKind::InstanceHasMaster`]), an add-on
    /// whose master is not on that instance
    /// ([`ErrorKind::AddonWithoutMaster`]). Assigning a key where it already
    /// is changes nothing.
    pub fn assign(&mut self, key: LicenseKey, instance_id: &str, now: OffsetDateTime) -> Result<()> {
        let now = self.stamp(now)?;
        let record = self.keys.get(&key).ok_or_else(|| unknown_key(key))?;
        self.instance(instance_id)?;
        match record.instance() {
            Some(current) if current == instance_id => return Ok(()),
            Some(current) => {
                return Err(Error::new(
                    ErrorKind::KeyAssignedElsewhere,
                    format!("key {key} is on instance `{current}`; unassign it first"),
                ))
            }
            None => {}
        }
        self.check_assign(record, instance_id)?;
        let mut record = record.clone();
        record.set_instance(Some(instance_id.to_owned()), now);
        self.keys.insert(key, record);
        self.last_updated = now;
        Ok(())
    }

    /// Takes a key off its instance. A master cannot leave while add-ons
    /// that need it are still there ([`ErrorKind::AddonWithoutMaster`]).
    /// Unassigning a key that is on no instance changes nothing.
    pub fn unassign(&mut self, key: LicenseKey, now: OffsetDateTime) -> Result<()> {
        let now = self.stamp(now)?;
        let record = self.keys.get(&key).ok_or_else(|| unknown_key(key))?;
        let Some(instance_id) = record.instance() else { return Ok(()) };
        if record.kind() == KeyKind::Master {
            if let Some(addon) = self.assigned(instance_id).find(|r| r.parent() == Some(key)) {
                return Err(Error::new(
                    ErrorKind::AddonWithoutMaster,
                    format!(
                        "add-on key {} on instance `{instance_id}` needs master {key}; unassign it first",
                        addon.key()
                    ),
                ));
            }
        }
        let mut record = record.clone();
        record.set_instance(None, now);
        self.keys.insert(key, record);
        self.last_updated = now;
        Ok(())
    }

    /// Changes a key's status.
    pub fn set_status(&mut self, key: LicenseKey, status: KeyStatus, now: OffsetDateTime) -> Result<()> {
        let now = self.stamp(now)?;
        let mut record = self.keys.get(&key).ok_or_else(|| unknown_key(key))?.clone();
        record.set_status(status, now);
        self.keys.insert(key, record);
        self.last_updated = now;
        Ok(())
    }

    /// The key bundle of an instance: its fingerprint, its master key and
    /// every add-on assigned to it, issued at `now`
    /// ([`ErrorKind::NoMasterKey`] when no master is assigned).
    pub fn bundle(
        &self,
        instance_id: &str,
        policy: Option<&MatchPolicy>,
        expires_at: Option<OffsetDateTime>,
        now: OffsetDateTime,
    ) -> Result<KeyBundle> {
        let instance = self.instance(instance_id)?;
        let master = self.master_of(instance_id).ok_or_else(|| {
            Error::new(ErrorKind::NoMasterKey, format!("instance `{instance_id}` has no master key assigned"))
        })?;
        let mut builder = KeyBundle::builder(instance_id, instance.fingerprint(), now, master.clone());
        if let Some(p) = policy {
            builder = builder.policy(p);
        }
        if let Some(e) = expires_at {
            builder = builder.expires_at(e);
        }
        for addon in self.assigned(instance_id).filter(|r| r.kind() == KeyKind::Addon) {
            builder = builder.addon(addon.clone());
        }
        builder.build()
    }

    /// The instance's signed `.bin` (see [`Self::bundle`] and
    /// [`KeyBundle::to_bin`]).
    pub fn bundle_for(
        &self,
        instance_id: &str,
        signer: &dyn Signer,
        algorithm: BundleAlgorithm,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>> {
        self.bundle(instance_id, None, None, now)?.to_bin(signer, algorithm)
    }

    /// The instances as a table: id, name, location, master key, number of
    /// add-ons, last updated.
    pub fn instances_table(&self) -> String {
        let mut t = Table::new().header(["id", "name", "location", "master key", "add-ons", "updated"]);
        for i in self.instances.values() {
            let addons = self.assigned(i.id()).filter(|r| r.kind() == KeyKind::Addon).count();
            t.row([
                i.id().to_owned(),
                i.name().to_owned(),
                i.location().to_string(),
                self.master_of(i.id()).map_or_else(|| "-".to_owned(), |m| m.key().to_string()),
                addons.to_string(),
                timefmt::format(i.updated_at()),
            ]);
        }
        t.render()
    }

    /// Key records as a table: key, kind, status, instance, last updated.
    pub fn keys_table<'a>(records: impl IntoIterator<Item = &'a KeyRecord>) -> String {
        let mut t = Table::new().header(["key", "kind", "status", "instance", "expires", "updated"]);
        for r in records {
            t.row([
                r.key().to_string(),
                r.kind().to_string(),
                r.status().to_string(),
                r.instance().unwrap_or("-").to_owned(),
                r.expires_at().map_or_else(|| "never".to_owned(), timefmt::format),
                timefmt::format(r.updated_at()),
            ]);
        }
        t.render()
    }

    /// Checks the rules every account keeps (used when reading a file).
    pub(crate) fn check_invariants(&self) -> Result<()> {
        let mut masters: BTreeMap<&str, LicenseKey> = BTreeMap::new();
        for r in self.keys.values() {
            if let Some(parent) = r.parent() {
                if !self.keys.contains_key(&parent) {
                    return Err(Error::new(
                        ErrorKind::ParentKeyMissing,
                        format!("add-on key {}'s master {parent} is not in the account", r.key()),
                    ));
                }
            }
            let Some(instance) = r.instance() else { continue };
            self.instance(instance)?;
            if r.kind() == KeyKind::Master {
                if let Some(other) = masters.insert(instance, r.key()) {
                    return Err(Error::new(
                        ErrorKind::InstanceHasMaster,
                        format!("instance `{instance}` has masters {other} and {}", r.key()),
                    ));
                }
            }
        }
        for r in self.keys.values().filter(|r| r.kind() == KeyKind::Addon) {
            if let Some(instance) = r.instance() {
                if r.parent().is_none_or(|p| masters.get(instance) != Some(&p)) {
                    return Err(Error::new(
                        ErrorKind::AddonWithoutMaster,
                        format!("add-on key {} is on `{instance}` without its master", r.key()),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The account's JSON form: pretty-printed, instances and keys in id
    /// order, so the same account always gives the same bytes.
    pub fn to_json(&self) -> String {
        let file = AccountFile {
            version: ACCOUNT_VERSION,
            customer: self.customer.clone(),
            last_updated: self.last_updated,
            instances: self.instances.values().cloned().collect(),
            keys: self.keys.values().cloned().collect(),
        };
        // Plain data: serialising cannot fail.
        let mut json = serde_json::to_string_pretty(&file).unwrap_or_default();
        json.push('\n');
        json
    }

    /// Reads the JSON form, checking every record and every rule: a
    /// repeated instance id or key is refused, not silently merged.
    pub fn from_json(json: &str) -> Result<Account> {
        let file: AccountFile = serde_json::from_str(json).map_err(|e| {
            Error::new(
                ErrorKind::InvalidJson,
                format!("account JSON at line {} column {}: {e}", e.line(), e.column()),
            )
        })?;
        if file.version != ACCOUNT_VERSION {
            return Err(Error::new(
                ErrorKind::UnsupportedVersion,
                format!("account file version {} (this library reads {ACCOUNT_VERSION})", file.version),
            ));
        }
        check_customer(&file.customer)?;
        let mut account = Account {
            customer: file.customer,
            instances: BTreeMap::new(),
            keys: BTreeMap::new(),
            last_updated: timefmt::normalize(file.last_updated, "last_updated")?,
        };
        for i in file.instances {
            let id = i.id().to_owned();
            if account.instances.insert(id.clone(), i).is_some() {
                return Err(Error::new(
                    ErrorKind::DuplicateInstance,
                    format!("instance `{id}` appears twice"),
                ));
            }
        }
        for r in file.keys {
            let key = r.key();
            if account.keys.insert(key, r).is_some() {
                return Err(Error::new(ErrorKind::DuplicateKey, format!("key {key} appears twice")));
            }
        }
        account.check_invariants()?;
        Ok(account)
    }

    /// Reads an account file (at most [`MAX_ACCOUNT_BYTES`]).
    pub fn load(path: &Path) -> Result<Account> {
        let file = std::fs::File::open(path).map_err(|e| io_error(e, "cannot open", path))?;
        let len = file.metadata().map_err(|e| io_error(e, "cannot stat", path))?.len();
        if len > MAX_ACCOUNT_BYTES {
            return Err(Error::new(
                ErrorKind::InputTooLarge,
                format!("{} is {len} bytes, over the limit of {MAX_ACCOUNT_BYTES}", path.display()),
            ));
        }
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::Read::take(file, MAX_ACCOUNT_BYTES + 1), &mut text)
            .map_err(|e| io_error(e, "cannot read", path))?;
        Account::from_json(&text)
    }

    /// Writes the account to `path` atomically: a temporary file in the
    /// same directory, flushed to disk, then renamed over `path` (and the
    /// directory synced), so a reader sees the old file or the new one,
    /// never a mix.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::fsutil::atomic_write(path, self.to_json().as_bytes())
    }

    /// Loads `path`, applies `change` and saves the result only if it
    /// succeeded; on failure the file is left exactly as it was.
    pub fn update_file<T>(path: &Path, change: impl FnOnce(&mut Account) -> Result<T>) -> Result<T> {
        let mut account = Account::load(path)?;
        let out = change(&mut account)?;
        account.save(path)?;
        Ok(out)
    }
}

fn check_customer(customer: &str) -> Result<()> {
    if customer.trim().is_empty() {
        return Err(Error::new(ErrorKind::EmptyLicensee, "the account's customer name is empty"));
    }
    crate::text::check_text(customer, "customer")
}

fn unknown_instance(id: &str) -> Error {
    Error::new(ErrorKind::UnknownInstance, format!("instance `{}`", id.escape_debug()))
}

fn unknown_key(key: LicenseKey) -> Error {
    Error::new(ErrorKind::UnknownKey, format!("key {key}"))
}

fn io_error(e: std::io::Error, what: &str, path: &Path) -> Error {
    Error::new(ErrorKind::Io, format!("{what} {}: {e}", path.display())).with_source(e)
}

#[cfg(test)]
#[path = "account_tests.rs"]
mod tests;
