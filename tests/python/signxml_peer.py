"""A second XML-DSig peer for tests/xml_interop.rs: Python's signxml.

    signxml_peer.py verify LICENSE.xml KEY.pem   exit 0 if signxml verifies it
    signxml_peer.py sign UNSIGNED.xml OUT.xml KEY.pem KEY_ID

signxml trusts keys through X.509 certificates, so the verifier wraps the
test key's public half in a throwaway self-signed certificate: the check is
the signature over our canonical form, not a certificate chain.
"""

import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import SignatureConfiguration, XMLSigner, XMLVerifier

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"
DS = "http://www.w3.org/2000/09/xmldsig#"


def self_signed(key_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(key_pem, password=None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "license-core test vendor")])
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=3650))
        .not_valid_after(now + datetime.timedelta(days=36500))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def verify(path: str, key_path: str) -> None:
    data = open(path, "rb").read()
    cert = self_signed(open(key_path, "rb").read())
    config = SignatureConfiguration(require_x509=False, expect_references=1)
    XMLVerifier().verify(data, x509_cert=cert.decode(), expect_config=config)
    print("signxml: OK")


def sign(path: str, out: str, key_path: str, key_id: str) -> None:
    root = etree.parse(path).getroot()
    key_info = etree.Element(f"{{{DS}}}KeyInfo", nsmap={"ds": DS})
    etree.SubElement(key_info, f"{{{DS}}}KeyName").text = key_id
    signer = XMLSigner(c14n_algorithm=EXC_C14N)
    signed = signer.sign(root, key=open(key_path, "rb").read(), key_info=key_info)
    open(out, "wb").write(etree.tostring(signed, xml_declaration=True, encoding="UTF-8"))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"verify": verify, "sign": sign}[command](*args)
