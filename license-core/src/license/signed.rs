//! The license as a signed XML document.
//!
//! ```xml
//! <License xmlns="urn:license-core:license" version="1">
//!   <Id>…</Id> <Product>…</Product> <Licensee>…</Licensee> <IssuedAt>…</IssuedAt> …
//!   <ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">…</ds:Signature>
//! </License>
//! ```
//!
//! docs/FORMATS.md specifies the schema element by element. Reading is
//! strict: elements in schema order, unknown elements or attributes and
//! unknown versions are errors naming them, numbers and times must be in
//! their one canonical spelling, so one license has exactly one document.

use std::fmt;

use sha2::{Digest, Sha256};

use super::{ActionedLimit, ExpiryPolicy, Feature, FeatureSet, InstanceBinding, License, LicenseBuilder};
use crate::crypto::Signer;
use crate::digest::hex;
use crate::xml::schema::{
    boolean, canonical_time, check_attributes, child_path, no_content, number, required_attr, text,
    text_only, time, Children,
};
use crate::xml::{self, Element, XmlLimits, DSIG_NAMESPACE};
use crate::{timefmt, Error, ErrorKind, KeyId, Result, TrustedKeys};

/// The namespace of license documents.
pub const LICENSE_NAMESPACE: &str = "urn:license-core:license";

/// The version of the license document this library writes and reads.
pub const LICENSE_XML_VERSION: &str = "1";

const ROOT: &str = "License";

/// A license read from a signed XML document whose signature verified
/// against a trusted key. The license, the key id and the digest all come
/// from the one parse that was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLicense {
    license: License,
    key_id: KeyId,
    sha256: [u8; 32],
}

impl VerifiedLicense {
    /// The verified license.
    pub fn license(&self) -> &License {
        &self.license
    }

    /// The verified license, by value.
    pub fn into_license(self) -> License {
        self.license
    }

    /// The id of the trusted key that signed it.
    pub fn key_id(&self) -> KeyId {
        self.key_id
    }

    /// SHA-256 of the signed document's bytes, exactly as given; usage logs
    /// and proof-of-purchase certificates cite the license by it.
    pub fn signed_sha256(&self) -> [u8; 32] {
        self.sha256
    }

    /// [`Self::signed_sha256`] as 64 lowercase hex digits.
    pub fn signed_sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

impl VerifiedLicense {
    /// The Display table as it stands at `at` (see [`License::to_table_at`]):
    /// the license's status then, and features whose own expiry has passed
    /// marked expired.
    pub fn to_table_at(&self, at: time::OffsetDateTime) -> String {
        let mut t = crate::table::Table::new();
        for (field, value) in self.license.display_fields_at(at) {
            t.row([field, value]);
        }
        t.row(["signed by key".to_owned(), self.key_id.to_string()]);
        t.row(["document sha256".to_owned(), self.signed_sha256_hex()]);
        t.render()
    }
}

impl fmt::Display for VerifiedLicense {
    /// The license's table, then the key and digest it was verified with.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut t = crate::table::Table::new();
        for (field, value) in self.license.display_fields() {
            t.row([field, value]);
        }
        t.row(["signed by key".to_owned(), self.key_id.to_string()]);
        t.row(["document sha256".to_owned(), self.signed_sha256_hex()]);
        f.write_str(&t.render())
    }
}

impl License {
    /// The license as a signed XML document (XML-DSig, RSA-SHA256,
    /// exclusive C14N), which xmlsec1 and other XML-DSig tools verify.
    /// Signed through any [`Signer`]: a [`SigningKey`](crate::SigningKey),
    /// or a key in a hardware token.
    /// Deterministic: the same license and key give the same bytes.
    ///
    /// ```
    /// use license_core::{License, SigningKey, TrustedKeys};
    /// use time::macros::datetime;
    /// # let pem = include_str!("../../../tests/vectors/keys/vendor-2048.key.pem");
    /// let key = SigningKey::from_pkcs8_pem(pem)?;
    /// let license = License::builder("LIC-1", "certmgr", datetime!(2026-01-01 0:00 UTC))
    ///     .licensee("Example Ltd")
    ///     .build()?;
    /// let xml = license.sign(&key)?;
    ///
    /// let trusted = TrustedKeys::from(key.verifying_key().clone());
    /// let verified = License::from_signed_xml(&xml, &trusted)?;
    /// assert_eq!(verified.license(), &license);
    /// assert_eq!(verified.key_id(), key.key_id());
    /// # Ok::<(), license_core::Error>(())
    /// ```
    pub fn sign(&self, signer: &dyn Signer) -> Result<Vec<u8>> {
        xml::sign(&self.to_xml_element(), signer)
    }

    /// Verifies a signed license document against `trusted` and reads it,
    /// with the default [`XmlLimits`] (1 MiB).
    pub fn from_signed_xml(bytes: &[u8], trusted: &TrustedKeys) -> Result<VerifiedLicense> {
        License::from_signed_xml_with_limits(bytes, trusted, &XmlLimits::default())
    }

    /// [`License::from_signed_xml`] with explicit reader limits.
    pub fn from_signed_xml_with_limits(
        bytes: &[u8],
        trusted: &TrustedKeys,
        limits: &XmlLimits,
    ) -> Result<VerifiedLicense> {
        let verified = xml::verify(bytes, (LICENSE_NAMESPACE, ROOT), trusted, limits)?;
        let license = License::from_xml_element(&verified.root)?;
        Ok(VerifiedLicense { license, key_id: verified.key_id, sha256: verified.sha256 })
    }

    /// Reads a license document WITHOUT checking its signature, for display
    /// only (`licensectl show`). Nothing read this way may be trusted: use
    /// [`License::from_signed_xml`] for anything that matters. The document
    /// must still be well-formed and valid against the schema.
    pub fn inspect_unverified(bytes: &[u8]) -> Result<UnverifiedLicense> {
        let mut root = xml::parse(bytes, &XmlLimits::default())?;
        check_root(&root)?;
        let signature = root
            .children
            .iter()
            .position(|n| matches!(n, xml::Node::Element(e) if e.is(DSIG_NAMESPACE, "Signature")));
        let key_name = signature.and_then(|i| match &root.children[i] {
            xml::Node::Element(sig) => claimed_key_name(sig),
            xml::Node::Text(_) => None,
        });
        if let Some(i) = signature {
            root.children.remove(i);
        }
        let license = License::from_xml_element(&root)?;
        Ok(UnverifiedLicense {
            license,
            signed: signature.is_some(),
            claimed_key_name: key_name,
            sha256: Sha256::digest(bytes).into(),
        })
    }

    /// The unsigned `<License>` element, indented.
    fn to_xml_element(&self) -> Element {
        let ns = LICENSE_NAMESPACE;
        let el = |local: &str| Element::new(ns, local);
        let mut root = el(ROOT)
            .with_attr("version", LICENSE_XML_VERSION)
            .with_text_child("Id", &self.id)
            .with_text_child("Product", &self.product);
        let mut licensee = el("Licensee").with_text_child("Name", &self.licensee.name);
        if let Some(org) = &self.licensee.organisation {
            licensee = licensee.with_text_child("Organisation", org);
        }
        if let Some(email) = &self.licensee.email {
            licensee = licensee.with_text_child("Email", email);
        }
        root = root.with_child(licensee).with_text_child("IssuedAt", timefmt::format(self.issued_at));
        if let Some(e) = self.expires_at {
            root = root.with_text_child("ExpiresAt", timefmt::format(e));
        }
        let mut policy = el("ExpiryPolicy").with_attr("graceDays", self.expiry_policy.grace_days.to_string());
        for d in &self.expiry_policy.warning_days {
            policy = policy.with_child(el("Warning").with_attr("days", d.to_string()));
        }
        root = root.with_child(policy);
        if !self.features.is_empty() {
            root = root.with_child(features_element(ns, &self.features));
        }
        root = root.with_child(match self.actioned_limit {
            ActionedLimit::Counted(n) => {
                el("ActionedLimit").with_attr("kind", "counted").with_attr("count", n.to_string())
            }
            ActionedLimit::SiteLicense => el("ActionedLimit").with_attr("kind", "site"),
        });
        if let Some(b) = &self.binding {
            let mut binding = el("Binding")
                .with_text_child("InstanceId", &b.instance_id)
                .with_text_child("Fingerprint", &b.fingerprint);
            if let Some(p) = &b.policy {
                binding = binding.with_text_child("Policy", p);
            }
            root = root.with_child(binding);
        }
        if !self.attributes.is_empty() {
            let mut attributes = el("Attributes");
            for (name, value) in &self.attributes {
                attributes = attributes.with_child(el("Attribute").with_attr("name", name).with_text(value));
            }
            root = root.with_child(attributes);
        }
        xml::indent(&mut root, 0);
        root
    }

    /// Reads the `<License>` element (signature already removed) strictly,
    /// then checks the values as the builder does.
    fn from_xml_element(root: &Element) -> Result<License> {
        check_root(root)?;
        let path = "/License";
        let ns = LICENSE_NAMESPACE;
        let mut kids = Children::of(root, ns, path)?;
        let id = text(kids.required("Id")?, path)?;
        let product = text(kids.required("Product")?, path)?;

        let licensee_el = kids.required("Licensee")?;
        let lpath = child_path(path, licensee_el);
        check_attributes(licensee_el, &[], &lpath)?;
        let mut lk = Children::of(licensee_el, ns, &lpath)?;
        let name = text(lk.required("Name")?, &lpath)?;
        let organisation = lk.optional("Organisation").map(|e| text(e, &lpath)).transpose()?;
        let email = lk.optional("Email").map(|e| text(e, &lpath)).transpose()?;
        lk.finish()?;

        let issued_at = time(kids.required("IssuedAt")?, path)?;
        let expires_at = kids.optional("ExpiresAt").map(|e| time(e, path)).transpose()?;

        let policy_el = kids.required("ExpiryPolicy")?;
        let ppath = child_path(path, policy_el);
        check_attributes(policy_el, &["graceDays"], &ppath)?;
        let grace_days =
            number::<u32>(required_attr(policy_el, "graceDays", &ppath)?, &format!("{ppath}/@graceDays"))?;
        let mut pk = Children::of(policy_el, ns, &ppath)?;
        let mut warning_days: Vec<u32> = Vec::new();
        for w in pk.repeated("Warning") {
            let wpath = child_path(&ppath, w);
            check_attributes(w, &["days"], &wpath)?;
            no_content(w, &wpath)?;
            let days = number::<u32>(required_attr(w, "days", &wpath)?, &format!("{wpath}/@days"))?;
            // Thresholds are written largest first; a repeat is the
            // builder's error, an inversion is a second spelling.
            if warning_days.last().is_some_and(|&last| last < days) {
                return Err(Error::new(
                    ErrorKind::InvalidValue,
                    format!("{wpath} {days} days is out of order (largest first)"),
                ));
            }
            warning_days.push(days);
        }
        pk.finish()?;

        let mut builder = License::builder(id, product, issued_at)
            .licensee(name)
            .expiry_policy(ExpiryPolicy { warning_days, grace_days });
        if let Some(org) = organisation {
            builder = builder.organisation(org);
        }
        if let Some(email) = email {
            builder = builder.email(email);
        }
        if let Some(e) = expires_at {
            builder = builder.expires_at(e);
        }

        if let Some(features_el) = kids.optional("Features") {
            builder = read_features(builder, features_el, path)?;
        }

        let limit_el = kids.required("ActionedLimit")?;
        builder = builder.actioned_limit(read_limit(limit_el, path)?);

        if let Some(binding_el) = kids.optional("Binding") {
            let bpath = child_path(path, binding_el);
            check_attributes(binding_el, &[], &bpath)?;
            let mut bk = Children::of(binding_el, ns, &bpath)?;
            let instance_id = text(bk.required("InstanceId")?, &bpath)?;
            let fingerprint = text(bk.required("Fingerprint")?, &bpath)?;
            let policy = bk.optional("Policy").map(|e| text(e, &bpath)).transpose()?;
            bk.finish()?;
            builder = builder.binding(InstanceBinding { instance_id, fingerprint, policy });
        }

        if let Some(attrs_el) = kids.optional("Attributes") {
            builder = read_attributes(builder, attrs_el, path)?;
        }
        kids.finish()?;
        builder.build()
    }
}

/// A license read without verifying its signature: for display only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnverifiedLicense {
    license: License,
    signed: bool,
    claimed_key_name: Option<String>,
    sha256: [u8; 32],
}

impl UnverifiedLicense {
    /// The license as the document states it. NOT verified.
    pub fn license(&self) -> &License {
        &self.license
    }

    /// Whether the document carries a `ds:Signature` at all (unchecked).
    pub fn has_signature(&self) -> bool {
        self.signed
    }

    /// The `KeyName` the signature claims, if any (unchecked).
    pub fn claimed_key_name(&self) -> Option<&str> {
        self.claimed_key_name.as_deref()
    }

    /// SHA-256 of the document's bytes.
    pub fn sha256_hex(&self) -> String {
        hex(&self.sha256)
    }
}

fn claimed_key_name(signature: &Element) -> Option<String> {
    let key_info = signature.child_elements().find(|e| e.is(DSIG_NAMESPACE, "KeyInfo"))?;
    let name = key_info.child_elements().find(|e| e.is(DSIG_NAMESPACE, "KeyName"))?;
    Some(name.text().trim().chars().take(128).collect())
}

fn check_root(root: &Element) -> Result<()> {
    if !root.is(LICENSE_NAMESPACE, ROOT) {
        return Err(Error::new(
            ErrorKind::WrongDocumentType,
            format!(
                "the root element is {{{}}}{}; expected {{{LICENSE_NAMESPACE}}}{ROOT}",
                root.namespace(),
                root.local
            ),
        ));
    }
    check_attributes(root, &["version"], "/License")?;
    let version = required_attr(root, "version", "/License")?;
    if version != LICENSE_XML_VERSION {
        return Err(Error::new(
            ErrorKind::UnsupportedVersion,
            format!(
                "/License/@version `{}`; this library reads version {LICENSE_XML_VERSION}",
                version.escape_debug()
            ),
        ));
    }
    Ok(())
}

fn read_features(mut builder: LicenseBuilder, features_el: &Element, parent: &str) -> Result<LicenseBuilder> {
    for (name, feature) in read_feature_list(features_el, LICENSE_NAMESPACE, parent)? {
        builder = builder.feature(&name, feature);
    }
    Ok(builder)
}

/// The `<Features>` element of a feature set, in namespace `ns`: one empty
/// `<Feature name enabled [quantity] [expiresAt]/>` per feature, in name
/// order. Shared by every document that carries features.
pub(crate) fn features_element(ns: &str, features: &FeatureSet) -> Element {
    let mut out = Element::new(ns, "Features");
    for (name, f) in features.iter() {
        let mut fe =
            Element::new(ns, "Feature").with_attr("name", name).with_attr("enabled", f.enabled.to_string());
        if let Some(q) = f.quantity {
            fe = fe.with_attr("quantity", q.to_string());
        }
        if let Some(e) = f.expires_at {
            fe = fe.with_attr("expiresAt", timefmt::format(e));
        }
        out = out.with_child(fe);
    }
    out
}

/// Reads a `<Features>` element written by [`features_element`], strictly:
/// at least one feature, in name order, no repeats.
pub(crate) fn read_feature_list(
    features_el: &Element,
    ns: &str,
    parent: &str,
) -> Result<Vec<(String, Feature)>> {
    let path = child_path(parent, features_el);
    check_attributes(features_el, &[], &path)?;
    let mut kids = Children::of(features_el, ns, &path)?;
    let list = kids.repeated("Feature");
    kids.finish()?;
    if list.is_empty() {
        // The writer leaves the element out rather than write it empty.
        return Err(Error::new(ErrorKind::MissingElement, format!("{path}/Feature")));
    }
    let mut out: Vec<(String, Feature)> = Vec::with_capacity(list.len());
    for f in list {
        let fpath = child_path(&path, f);
        check_attributes(f, &["name", "enabled", "quantity", "expiresAt"], &fpath)?;
        no_content(f, &fpath)?;
        let name = required_attr(f, "name", &fpath)?;
        in_name_order(out.last().map(|(n, _)| n.as_str()), name, ErrorKind::DuplicateFeature, &fpath)?;
        let mut feature = if boolean(required_attr(f, "enabled", &fpath)?, &format!("{fpath}/@enabled"))? {
            Feature::enabled()
        } else {
            Feature::disabled()
        };
        if let Some(q) = f.attr("quantity") {
            feature = feature.with_quantity(number(q, &format!("{fpath}/@quantity"))?);
        }
        if let Some(e) = f.attr("expiresAt") {
            feature = feature.with_expiry(canonical_time(e, &format!("{fpath}/@expiresAt"))?);
        }
        out.push((name.to_owned(), feature));
    }
    Ok(out)
}

/// Named entries are written in name order; reading insists on it, so a
/// license has one document and a repeat is caught where it occurs.
fn in_name_order(previous: Option<&str>, name: &str, repeat: ErrorKind, path: &str) -> Result<()> {
    match previous {
        Some(p) if p == name => {
            Err(Error::new(repeat, format!("{path} `{}` appears twice", name.escape_debug())))
        }
        Some(p) if p > name => Err(Error::new(
            ErrorKind::InvalidValue,
            format!("{path} `{}` is out of name order (after `{}`)", name.escape_debug(), p.escape_debug()),
        )),
        _ => Ok(()),
    }
}

fn read_limit(e: &Element, parent: &str) -> Result<ActionedLimit> {
    let path = child_path(parent, e);
    no_content(e, &path)?;
    match required_attr(e, "kind", &path)? {
        "counted" => {
            check_attributes(e, &["kind", "count"], &path)?;
            let count = required_attr(e, "count", &path)?;
            Ok(ActionedLimit::Counted(number(count, &format!("{path}/@count"))?))
        }
        "site" => {
            check_attributes(e, &["kind"], &path)?;
            Ok(ActionedLimit::SiteLicense)
        }
        other => Err(Error::new(
            ErrorKind::InvalidValue,
            format!("{path}/@kind `{}` is not `counted` or `site`", other.escape_debug()),
        )),
    }
}

fn read_attributes(mut builder: LicenseBuilder, attrs_el: &Element, parent: &str) -> Result<LicenseBuilder> {
    let path = child_path(parent, attrs_el);
    check_attributes(attrs_el, &[], &path)?;
    let mut kids = Children::of(attrs_el, LICENSE_NAMESPACE, &path)?;
    let list = kids.repeated("Attribute");
    kids.finish()?;
    if list.is_empty() {
        return Err(Error::new(ErrorKind::MissingElement, format!("{path}/Attribute")));
    }
    let mut previous: Option<&str> = None;
    for a in list {
        let apath = child_path(&path, a);
        check_attributes(a, &["name"], &apath)?;
        let name = required_attr(a, "name", &apath)?;
        in_name_order(previous, name, ErrorKind::DuplicateElement, &apath)?;
        previous = Some(name);
        builder = builder.attribute(name, text_only(a, &apath)?);
    }
    Ok(builder)
}

#[cfg(test)]
#[path = "signed_tests.rs"]
mod tests;
