//! The usage log as a signed XML document (schema in docs/FORMATS.md).

use time::OffsetDateTime;

use super::entry::{check_chain, CountRecord, Entry};
use super::{Instance, License, UsageLog, VerifiedUsageLog};
use crate::digest::{hex, parse_sha256_hex};
use crate::license::{features_element, read_feature_list};
use crate::xml::schema::{
    check_attributes, child_path, no_content, number, required_attr, text, time, Children,
};
use crate::xml::{self, Element, XmlLimits};
use crate::{
    actioned::Category,
    crypto::Signer,
    license::{ActionedLimit, FeatureSet},
    timefmt, Error, ErrorKind, Result, TrustedKeys,
};

/// The namespace of usage-log documents.
pub const USAGE_LOG_NAMESPACE: &str = "urn:license-core:usage-log";
/// The version of the usage-log document this library writes and reads.
pub const USAGE_LOG_VERSION: &str = "1";
const ROOT: &str = "UsageLog";
const NS: &str = USAGE_LOG_NAMESPACE;

fn el(local: &str) -> Element {
    Element::new(NS, local)
}

impl UsageLog {
    /// The log as a signed XML document, signed with the installation's
    /// key (XML-DSig enveloped, RSA-SHA256, exclusive C14N: the license
    /// profile) through any [`Signer`], a
    /// [`SigningKey`](crate::SigningKey) for one. Deterministic.
    pub fn sign(&self, signer: &dyn Signer) -> Result<Vec<u8>> {
        check_chain(
            self.entries.first().map_or(0, |e| e.sequence.saturating_sub(1)),
            self.chain_start,
            &self.entries,
        )?;
        xml::sign(&self.to_element(), signer)
    }

    /// Verifies a signed usage log against the installation keys in
    /// `trusted`, reads it and checks its internal chain.
    pub fn from_signed_xml(bytes: &[u8], trusted: &TrustedKeys) -> Result<VerifiedUsageLog> {
        let verified = xml::verify(bytes, (NS, ROOT), trusted, &XmlLimits::default())?;
        let log = UsageLog::from_element(&verified.root)?;
        check_chain(
            log.entries.first().map_or(0, |e| e.sequence.saturating_sub(1)),
            log.chain_start,
            &log.entries,
        )?;
        Ok(VerifiedUsageLog { log, key_id: verified.key_id, sha256: verified.sha256 })
    }

    fn to_element(&self) -> Element {
        let i = &self.instance;
        let instance = el("Instance")
            .with_attr("id", &i.id)
            .with_text_child("Name", &i.name)
            .with_text_child("Location", &i.location)
            .with_text_child("SoftwareVersion", &i.software_version)
            .with_text_child("Fingerprint", &i.fingerprint);
        let l = &self.license;
        let mut license = el("License")
            .with_attr("id", &l.id)
            .with_attr("sha256", hex(&l.sha256))
            .with_text_child("Product", &l.product)
            .with_text_child("Licensee", &l.licensee);
        if let Some(e) = l.expires_at {
            license = license.with_text_child("ExpiresAt", timefmt::format(e));
        }
        if !l.features.is_empty() {
            license = license.with_child(features_element(NS, &l.features));
        }
        let mut history = el("History").with_attr("chainStart", hex(&self.chain_start));
        for e in &self.entries {
            history = history.with_child(
                count_element("Entry", &e.count)
                    .with_attr("sequence", e.sequence.to_string())
                    .with_attr("previous", hex(&e.previous)),
            );
        }
        let mut root = el(ROOT)
            .with_attr("version", USAGE_LOG_VERSION)
            .with_text_child("GeneratedAt", timefmt::format(self.generated_at))
            .with_child(instance)
            .with_child(license)
            .with_child(count_element("LatestCount", &self.latest))
            .with_child(history);
        xml::indent(&mut root, 0);
        root
    }

    fn from_element(root: &Element) -> Result<UsageLog> {
        let path = "/UsageLog";
        check_attributes(root, &["version"], path)?;
        let version = required_attr(root, "version", path)?;
        if version != USAGE_LOG_VERSION {
            return Err(Error::new(
                ErrorKind::UnsupportedVersion,
                format!("{path}/@version `{}`", version.escape_debug()),
            ));
        }
        let mut kids = Children::of(root, NS, path)?;
        let generated_at = time(kids.required("GeneratedAt")?, path)?;

        let i = kids.required("Instance")?;
        let ipath = child_path(path, i);
        check_attributes(i, &["id"], &ipath)?;
        let mut ik = Children::of(i, NS, &ipath)?;
        let instance = Instance {
            id: required_attr(i, "id", &ipath)?.to_owned(),
            name: text(ik.required("Name")?, &ipath)?,
            location: text(ik.required("Location")?, &ipath)?,
            software_version: text(ik.required("SoftwareVersion")?, &ipath)?,
            fingerprint: text(ik.required("Fingerprint")?, &ipath)?,
        };
        ik.finish()?;

        let l = kids.required("License")?;
        let lpath = child_path(path, l);
        check_attributes(l, &["id", "sha256"], &lpath)?;
        let mut lk = Children::of(l, NS, &lpath)?;
        let product = text(lk.required("Product")?, &lpath)?;
        let licensee = text(lk.required("Licensee")?, &lpath)?;
        let expires_at = lk.optional("ExpiresAt").map(|e| time(e, &lpath)).transpose()?;
        let mut features = FeatureSet::new();
        if let Some(f) = lk.optional("Features") {
            for (name, feature) in read_feature_list(f, NS, &lpath)? {
                features.insert(&name, feature)?;
            }
        }
        lk.finish()?;
        let license = License {
            id: required_attr(l, "id", &lpath)?.to_owned(),
            product,
            licensee,
            expires_at,
            sha256: parse_sha256_hex(required_attr(l, "sha256", &lpath)?, &format!("{lpath}/@sha256"))?,
            features,
        };

        let latest = read_count(kids.required("LatestCount")?, path, &[])?;
        let h = kids.required("History")?;
        let hpath = child_path(path, h);
        check_attributes(h, &["chainStart"], &hpath)?;
        let chain_start =
            parse_sha256_hex(required_attr(h, "chainStart", &hpath)?, &format!("{hpath}/@chainStart"))?;
        let mut hk = Children::of(h, NS, &hpath)?;
        let mut entries = Vec::new();
        for e in hk.repeated("Entry") {
            let epath = child_path(&hpath, e);
            let count = read_count(e, &hpath, &["sequence", "previous"])?;
            entries.push(Entry {
                sequence: number(required_attr(e, "sequence", &epath)?, &format!("{epath}/@sequence"))?,
                previous: parse_sha256_hex(
                    required_attr(e, "previous", &epath)?,
                    &format!("{epath}/@previous"),
                )?,
                count,
            });
        }
        hk.finish()?;
        kids.finish()?;
        Ok(UsageLog { generated_at, instance, license, latest, chain_start, entries })
    }
}

/// `<NAME asOf total limit><Category name count/>×7</NAME>`.
fn count_element(name: &str, c: &CountRecord) -> Element {
    let mut e = el(name)
        .with_attr("asOf", timefmt::format(c.as_of))
        .with_attr("total", c.total.to_string())
        .with_attr("limit", limit_text(c.limit));
    for (cat, n) in Category::ALL.iter().zip(c.categories) {
        e = e.with_child(el("Category").with_attr("name", cat.name()).with_attr("count", n.to_string()));
    }
    e
}

fn limit_text(limit: ActionedLimit) -> String {
    match limit {
        ActionedLimit::Counted(n) => n.to_string(),
        ActionedLimit::SiteLicense => "site".to_owned(),
    }
}

fn read_count(e: &Element, parent: &str, extra_attrs: &[&str]) -> Result<CountRecord> {
    let path = child_path(parent, e);
    let mut allowed = vec!["asOf", "total", "limit"];
    allowed.extend_from_slice(extra_attrs);
    check_attributes(e, &allowed, &path)?;
    let as_of: OffsetDateTime =
        crate::xml::schema::canonical_time(required_attr(e, "asOf", &path)?, &format!("{path}/@asOf"))?;
    let total = number(required_attr(e, "total", &path)?, &format!("{path}/@total"))?;
    let limit = match required_attr(e, "limit", &path)? {
        "site" => ActionedLimit::SiteLicense,
        n => ActionedLimit::Counted(number(n, &format!("{path}/@limit"))?),
    };
    let mut kids = Children::of(e, NS, &path)?;
    let list = kids.repeated("Category");
    kids.finish()?;
    if list.len() != Category::ALL.len() {
        return Err(Error::new(
            ErrorKind::InvalidValue,
            format!("{path} has {} Category elements, expected {}", list.len(), Category::ALL.len()),
        ));
    }
    let mut categories = [0u64; 7];
    for ((slot, cat), c) in categories.iter_mut().zip(Category::ALL).zip(list) {
        let cpath = child_path(&path, c);
        check_attributes(c, &["name", "count"], &cpath)?;
        no_content(c, &cpath)?;
        let name = required_attr(c, "name", &cpath)?;
        if name != cat.name() {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("{cpath} `{}` where `{}` belongs", name.escape_debug(), cat.name()),
            ));
        }
        *slot = number(required_attr(c, "count", &cpath)?, &format!("{cpath}/@count"))?;
    }
    Ok(CountRecord { as_of, total, categories, limit })
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
