//! The hardware profile as an XML document (schema in docs/FORMATS.md),
//! read with the project's strict XML reader and written deterministically.

use super::profile::{check_text, MAX_DISKS, MAX_HINTS, MAX_INTERFACES};
use super::{Disk, EnvironmentHint, HardwareProfile, HintKind, NetworkInterface};
use crate::xml::schema::{check_attributes, child_path, required_attr, text_only, Children};
use crate::xml::{indent, parse, write_document, Element};
use crate::{Error, ErrorKind, Result, XmlLimits};

/// The namespace of the profile document.
pub const PROFILE_NAMESPACE: &str = "urn:license-core:hardware-profile:1";
/// The root element's name.
const ROOT: &str = "HardwareProfile";
/// The schema version this code reads and writes.
const VERSION: &str = "1";
/// The reader's bounds: 1 MiB, and a nesting depth with room to spare over
/// the schema's three levels.
const LIMITS: XmlLimits =
    XmlLimits { max_bytes: 1024 * 1024, max_depth: 8, max_attributes: 16, max_elements: 20_000 };

impl HardwareProfile {
    /// The profile as an XML document: UTF-8, two-space indentation, fields
    /// in schema order, lists in the profile's order; the same profile
    /// always gives the same bytes. Fails with [`ErrorKind::InvalidProfile`]
    /// when a value breaks the rules of [`HardwareProfile::validate`].
    ///
    /// ```
    /// use license_core::HardwareProfile;
    /// let profile = HardwareProfile { hostname: Some("db-7".into()), ..HardwareProfile::default() };
    /// let xml = profile.to_xml()?;
    /// assert!(xml.contains("<Hostname>db-7</Hostname>"));
    /// assert_eq!(HardwareProfile::from_xml(xml.as_bytes())?, profile);
    /// # Ok::<(), license_core::Error>(())
    /// ```
    pub fn to_xml(&self) -> Result<String> {
        self.validate()?;
        let ns = PROFILE_NAMESPACE;
        let mut root = Element::new(ns, ROOT).with_attr("version", VERSION);
        let text = |root: Element, local: &str, value: &Option<String>| match value {
            Some(v) => root.with_text_child(local, v.clone()),
            None => root,
        };
        root = text(root, "Hostname", &self.hostname);
        if self.os_name.is_some() || self.os_version.is_some() {
            let mut os = Element::new(ns, "OperatingSystem");
            os = with_opt(os, "name", self.os_name.clone());
            os = with_opt(os, "version", self.os_version.clone());
            root = root.with_child(os);
        }
        root = text(root, "Kernel", &self.kernel);
        root = text(root, "Architecture", &self.architecture);
        if self.cpu_model.is_some() || self.physical_cores.is_some() || self.logical_cores.is_some() {
            let mut cpu = Element::new(ns, "Cpu");
            cpu = with_opt(cpu, "model", self.cpu_model.clone());
            cpu = with_opt(cpu, "physicalCores", self.physical_cores.map(|n| n.to_string()));
            cpu = with_opt(cpu, "logicalCores", self.logical_cores.map(|n| n.to_string()));
            root = root.with_child(cpu);
        }
        if let Some(bytes) = self.memory_bytes {
            root = root.with_child(Element::new(ns, "Memory").with_attr("bytes", bytes.to_string()));
        }
        root = text(root, "MachineId", &self.machine_id);
        root = text(root, "ProductUuid", &self.product_uuid);
        root = text(root, "BoardSerial", &self.board_serial);
        if !self.disks.is_empty() {
            let mut list = Element::new(ns, "Disks");
            for d in &self.disks {
                let mut disk = Element::new(ns, "Disk").with_attr("name", d.name.clone());
                disk = with_opt(disk, "model", d.model.clone());
                disk = with_opt(disk, "serial", d.serial.clone());
                disk = with_opt(disk, "bytes", d.size_bytes.map(|n| n.to_string()));
                list = list.with_child(disk);
            }
            root = root.with_child(list);
        }
        if !self.interfaces.is_empty() {
            let mut list = Element::new(ns, "NetworkInterfaces");
            for n in &self.interfaces {
                let mut nic = Element::new(ns, "Interface").with_attr("name", n.name.clone());
                nic = with_opt(nic, "mac", n.mac.clone());
                nic = nic.with_attr("physical", if n.physical { "true" } else { "false" });
                list = list.with_child(nic);
            }
            root = root.with_child(list);
        }
        if !self.environment.is_empty() {
            let mut list = Element::new(ns, "Environment");
            for h in &self.environment {
                list = list.with_child(
                    Element::new(ns, "Hint")
                        .with_attr("kind", h.kind.name())
                        .with_attr("name", h.name.clone()),
                );
            }
            root = root.with_child(list);
        }
        indent(&mut root, 0);
        let bytes = write_document(&root)?;
        // The writer produces UTF-8 from `String`s; this cannot fail.
        String::from_utf8(bytes).map_err(|e| Error::new(ErrorKind::Render, e.to_string()))
    }

    /// Reads a profile document. Strict: no DTD, entities beyond the five
    /// predefined, comments or processing instructions; at most 1 MiB and 8
    /// levels deep; the root must be `HardwareProfile` in
    /// [`PROFILE_NAMESPACE`] with `version="1"`; an unknown, repeated or
    /// misplaced element or an unknown attribute is an error naming it and
    /// its path; values must pass [`HardwareProfile::validate`].
    pub fn from_xml(input: &[u8]) -> Result<HardwareProfile> {
        let root = parse(input, &LIMITS)?;
        if !root.is(PROFILE_NAMESPACE, ROOT) {
            return Err(Error::new(
                ErrorKind::WrongDocumentType,
                format!(
                    "root <{}> in namespace `{}`; expected <{ROOT}> in `{PROFILE_NAMESPACE}`",
                    root.qname(),
                    root.namespace()
                ),
            ));
        }
        let path = format!("/{ROOT}");
        check_attributes(&root, &["version"], &path)?;
        let version = required_attr(&root, "version", &path)?;
        if version != VERSION {
            return Err(Error::new(
                ErrorKind::UnsupportedVersion,
                format!("{path} version `{}` (this reader knows `{VERSION}`)", version.escape_debug()),
            ));
        }
        let mut kids = Children::of(&root, PROFILE_NAMESPACE, &path)?;
        let mut p =
            HardwareProfile { hostname: text_child(&mut kids, "Hostname")?, ..HardwareProfile::default() };
        if let Some(os) = kids.optional("OperatingSystem") {
            let at = child_path(&path, os);
            leaf(os, &["name", "version"], &at)?;
            p.os_name = attr_text(os, "name", &at)?;
            p.os_version = attr_text(os, "version", &at)?;
        }
        p.kernel = text_child(&mut kids, "Kernel")?;
        p.architecture = text_child(&mut kids, "Architecture")?;
        if let Some(cpu) = kids.optional("Cpu") {
            let at = child_path(&path, cpu);
            leaf(cpu, &["model", "physicalCores", "logicalCores"], &at)?;
            p.cpu_model = attr_text(cpu, "model", &at)?;
            p.physical_cores = attr_number(cpu, "physicalCores", &at)?;
            p.logical_cores = attr_number(cpu, "logicalCores", &at)?;
        }
        if let Some(memory) = kids.optional("Memory") {
            let at = child_path(&path, memory);
            leaf(memory, &["bytes"], &at)?;
            p.memory_bytes = Some(number(required_attr(memory, "bytes", &at)?, "bytes", &at)?);
        }
        p.machine_id = text_child(&mut kids, "MachineId")?;
        p.product_uuid = text_child(&mut kids, "ProductUuid")?;
        p.board_serial = text_child(&mut kids, "BoardSerial")?;
        if let Some(list) = kids.optional("Disks") {
            p.disks = read_list(list, &path, "Disk", MAX_DISKS, |d, at| {
                leaf(d, &["name", "model", "serial", "bytes"], at)?;
                Ok(Disk {
                    name: required_text(d, "name", at)?,
                    model: attr_text(d, "model", at)?,
                    serial: attr_text(d, "serial", at)?,
                    size_bytes: attr_number(d, "bytes", at)?,
                })
            })?;
        }
        if let Some(list) = kids.optional("NetworkInterfaces") {
            p.interfaces = read_list(list, &path, "Interface", MAX_INTERFACES, |n, at| {
                leaf(n, &["name", "mac", "physical"], at)?;
                let physical = match required_attr(n, "physical", at)? {
                    "true" => true,
                    "false" => false,
                    other => return Err(bad_value(at, "physical", other, "`true` or `false`")),
                };
                Ok(NetworkInterface {
                    name: required_text(n, "name", at)?,
                    mac: attr_text(n, "mac", at)?,
                    physical,
                })
            })?;
        }
        if let Some(list) = kids.optional("Environment") {
            p.environment = read_list(list, &path, "Hint", MAX_HINTS, |h, at| {
                leaf(h, &["kind", "name"], at)?;
                let kind = required_attr(h, "kind", at)?;
                let kind = HintKind::from_name(kind)
                    .ok_or_else(|| bad_value(at, "kind", kind, "`virtualisation`, `container` or `cloud`"))?;
                Ok(EnvironmentHint { kind, name: required_attr(h, "name", at)?.to_owned() })
            })?;
        }
        kids.finish()?;
        p.validate()?;
        Ok(p)
    }
}

fn with_opt(e: Element, name: &str, value: Option<String>) -> Element {
    match value {
        Some(v) => e.with_attr(name, v),
        None => e,
    }
}

/// An element that carries only the attributes `allowed` and no content.
fn leaf(e: &Element, allowed: &[&str], at: &str) -> Result<()> {
    check_attributes(e, allowed, at)?;
    if let Some(child) = e.child_elements().next() {
        return Err(Error::new(ErrorKind::UnknownElement, format!("{at}/{}", child.qname())));
    }
    if !e.text().is_empty() {
        return Err(Error::new(ErrorKind::InvalidValue, format!("{at} has text; it takes attributes only")));
    }
    Ok(())
}

/// The next child `local`, if present, holding only profile text.
fn text_child(kids: &mut Children<'_>, local: &'static str) -> Result<Option<String>> {
    let Some(e) = kids.optional(local) else { return Ok(None) };
    let at = child_path(&format!("/{ROOT}"), e);
    check_attributes(e, &[], &at)?;
    let value = text_only(e, &at)?;
    check_text(&value, &at)?;
    Ok(Some(value))
}

fn attr_text(e: &Element, name: &str, at: &str) -> Result<Option<String>> {
    e.attr(name)
        .map(|v| check_text(v, &format!("attribute `{name}` of {at}")).map(|()| v.to_owned()))
        .transpose()
}

fn required_text(e: &Element, name: &str, at: &str) -> Result<String> {
    let v = required_attr(e, name, at)?;
    check_text(v, &format!("attribute `{name}` of {at}"))?;
    Ok(v.to_owned())
}

fn attr_number<T: TryFrom<u64>>(e: &Element, name: &str, at: &str) -> Result<Option<T>> {
    let Some(v) = e.attr(name) else { return Ok(None) };
    let n = number(v, name, at)?;
    T::try_from(n).map(Some).map_err(|_| bad_value(at, name, v, "a number in range"))
}

/// A positive decimal number in canonical form (no sign, spaces or leading
/// zeros), so that reading and writing give back the same bytes.
fn number(v: &str, name: &str, at: &str) -> Result<u64> {
    let canonical = !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) && !v.starts_with('0');
    canonical
        .then(|| v.parse::<u64>().ok())
        .flatten()
        .ok_or_else(|| bad_value(at, name, v, "a positive decimal number without leading zeros"))
}

fn bad_value(at: &str, name: &str, value: &str, expected: &str) -> Error {
    let shown: String = value.chars().take(40).collect();
    Error::new(
        ErrorKind::InvalidValue,
        format!("attribute `{name}` of {at} is `{}`; expected {expected}", shown.escape_debug()),
    )
}

/// The children of a list element: only `item` elements, at most `max`,
/// each read by `read` with its path (`/HardwareProfile/Disks/Disk[2]`).
fn read_list<T>(
    list: &Element,
    parent: &str,
    item: &'static str,
    max: usize,
    read: impl Fn(&Element, &str) -> Result<T>,
) -> Result<Vec<T>> {
    let path = child_path(parent, list);
    check_attributes(list, &[], &path)?;
    let mut kids = Children::of(list, PROFILE_NAMESPACE, &path)?;
    let items = kids.repeated(item);
    kids.finish()?;
    if items.len() > max {
        return Err(Error::new(
            ErrorKind::InvalidProfile,
            format!("{path} has {} <{item}> elements, more than the limit of {max}", items.len()),
        ));
    }
    items.iter().enumerate().map(|(i, e)| read(e, &format!("{path}/{item}[{}]", i + 1))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instance::fixtures::sample;

    #[test]
    fn the_document_is_deterministic_and_round_trips() {
        let p = sample();
        let xml = p.to_xml().unwrap();
        assert_eq!(xml, p.to_xml().unwrap());
        let expected_start = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
            <HardwareProfile xmlns=\"urn:license-core:hardware-profile:1\" version=\"1\">\n  \
            <Hostname>build-01</Hostname>\n  \
            <OperatingSystem name=\"Debian GNU/Linux\" version=\"12\"></OperatingSystem>\n";
        assert!(xml.starts_with(expected_start), "{xml}");
        assert!(xml.ends_with("</HardwareProfile>\n"), "{xml}");
        let back = HardwareProfile::from_xml(xml.as_bytes()).unwrap();
        assert_eq!(back, p);
        assert_eq!(back.to_xml().unwrap(), xml);
        let empty = HardwareProfile::default();
        assert_eq!(HardwareProfile::from_xml(empty.to_xml().unwrap().as_bytes()).unwrap(), empty);
    }

    #[test]
    fn special_characters_survive() {
        let mut p = sample();
        p.hostname = Some("a&b<c>\"d'é".into());
        p.disks[0].model = Some("Model \"X\" & <Y>".into());
        let xml = p.to_xml().unwrap();
        assert_eq!(HardwareProfile::from_xml(xml.as_bytes()).unwrap(), p);
    }

    #[test]
    fn invalid_profiles_are_not_written() {
        let mut p = sample();
        p.hostname = Some("a\u{1}".into());
        assert_eq!(p.to_xml().unwrap_err().kind(), ErrorKind::InvalidProfile);
    }

    fn doc(body: &str) -> String {
        format!("<HardwareProfile xmlns=\"{PROFILE_NAMESPACE}\" version=\"1\">{body}</HardwareProfile>")
    }

    #[test]
    fn bad_documents_get_typed_errors_naming_the_place() {
        let ns = PROFILE_NAMESPACE;
        let cases: Vec<(String, ErrorKind, &str)> = vec![
            ("<Other/>".into(), ErrorKind::WrongDocumentType, "root <Other>"),
            ("<HardwareProfile version=\"1\"/>".into(), ErrorKind::WrongDocumentType, "namespace ``"),
            (format!("<HardwareProfile xmlns=\"{ns}\"/>"), ErrorKind::MissingAttribute, "version"),
            (format!("<HardwareProfile xmlns=\"{ns}\" version=\"2\"/>"), ErrorKind::UnsupportedVersion, "`2`"),
            (format!("<HardwareProfile xmlns=\"{ns}\" version=\"1\" x=\"1\"/>"), ErrorKind::UnknownAttribute, "`x`"),
            (doc("<Gpu/>"), ErrorKind::UnknownElement, "/HardwareProfile/Gpu"),
            (doc("<Hostname>a</Hostname><Hostname>b</Hostname>"), ErrorKind::DuplicateElement, "Hostname"),
            (doc("<Kernel>k</Kernel><Hostname>h</Hostname>"), ErrorKind::UnknownElement, "out of order"),
            (doc("<Hostname a=\"1\">h</Hostname>"), ErrorKind::UnknownAttribute, "/HardwareProfile/Hostname"),
            (doc("<Hostname><b/></Hostname>"), ErrorKind::UnknownElement, "b inside"),
            (doc("<Hostname> h</Hostname>"), ErrorKind::InvalidProfile, "/HardwareProfile/Hostname has leading"),
            (doc("<Hostname></Hostname>"), ErrorKind::InvalidProfile, "is empty"),
            (doc("<Cpu physicalCores=\"02\"/>"), ErrorKind::InvalidValue, "physicalCores"),
            (doc("<Cpu logicalCores=\"0\"/>"), ErrorKind::InvalidValue, "logicalCores"),
            (doc("<Cpu logicalCores=\"4294967296\"/>"), ErrorKind::InvalidValue, "in range"),
            (doc("<Cpu model=\"x\">text</Cpu>"), ErrorKind::InvalidValue, "attributes only"),
            (doc("<Memory/>"), ErrorKind::MissingAttribute, "bytes"),
            (doc("<Memory bytes=\"-1\"/>"), ErrorKind::InvalidValue, "bytes"),
            (doc("<Memory bytes=\"99999999999999999999\"/>"), ErrorKind::InvalidValue, "bytes"),
            (doc("<Disks><Disk/></Disks>"), ErrorKind::MissingAttribute, "Disk[1]"),
            (doc("<Disks><Disk name=\"a\"/><Interface name=\"b\" physical=\"true\"/></Disks>"), ErrorKind::UnknownElement, "Interface"),
            (doc("<Disks><Disk name=\"a\"/><Disk name=\"a\"/></Disks>"), ErrorKind::InvalidProfile, "appears twice"),
            (
                doc("<NetworkInterfaces><Interface name=\"e\" physical=\"yes\"/></NetworkInterfaces>"),
                ErrorKind::InvalidValue,
                "Interface[1]",
            ),
            (
                doc("<NetworkInterfaces><Interface name=\"e\" mac=\"AA:BB:CC:DD:EE:FF\" physical=\"true\"/></NetworkInterfaces>"),
                ErrorKind::InvalidProfile,
                "lowercase",
            ),
            (doc("<Environment><Hint kind=\"planet\" name=\"x\"/></Environment>"), ErrorKind::InvalidValue, "kind"),
            (doc("stray text"), ErrorKind::InvalidValue, "text `stray text`"),
            (format!("<!DOCTYPE x [<!ENTITY e \"x\">]>{}", doc("")), ErrorKind::DoctypeForbidden, "DOCTYPE"),
            (doc("<Hostname>&e;</Hostname>"), ErrorKind::EntityForbidden, ""),
            (doc("<!-- hi -->"), ErrorKind::CommentForbidden, "comment"),
            (doc("<?pi x?>"), ErrorKind::ProcessingInstructionForbidden, "pi"),
            (format!("{}{}", doc(""), doc("")), ErrorKind::TrailingContent, ""),
            (doc("<Hostname>h"), ErrorKind::XmlSyntax, ""),
            (doc(&"<a>".repeat(20)), ErrorKind::NestingTooDeep, ""),
            (format!("{}{}", doc(""), " ".repeat(1024 * 1024)), ErrorKind::InputTooLarge, "1048576"),
        ];
        for (xml, kind, detail) in cases {
            let err = HardwareProfile::from_xml(xml.as_bytes()).expect_err(&xml);
            assert_eq!(err.kind(), kind, "{xml:.200}: {err}");
            assert!(err.detail().contains(detail), "{xml:.200}: {err}");
        }
    }

    #[test]
    fn too_many_list_items_are_refused() {
        let disks: String = (0..=MAX_DISKS).map(|i| format!("<Disk name=\"d{i}\"/>")).collect();
        let err = HardwareProfile::from_xml(doc(&format!("<Disks>{disks}</Disks>")).as_bytes()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidProfile);
        assert!(err.detail().contains("257 <Disk> elements"), "{err}");
    }
}
