"""Round trip through the C ABI (license-ffi, loaded with ctypes): a license
signed in Python verifies through C and one signed through C verifies here;
exception codes are the C ABI's status numbers."""

from __future__ import annotations

import ctypes
import json
import os
from pathlib import Path

import pytest

import license_core as lc
from conftest import TARGET, VECTORS

P = ctypes.POINTER


def library() -> ctypes.CDLL:
    for profile in ("debug", "release"):
        so = TARGET / profile / "liblicense_core_ffi.so"
        if so.exists():
            lib = ctypes.CDLL(str(so))
            lib.lc_status_name.restype = ctypes.c_char_p
            lib.lc_status_name.argtypes = [ctypes.c_uint32]
            lib.lc_bytes_data.restype = P(ctypes.c_uint8)
            lib.lc_bytes_data.argtypes = [ctypes.c_void_p]
            lib.lc_bytes_len.restype = ctypes.c_size_t
            lib.lc_bytes_len.argtypes = [ctypes.c_void_p]
            lib.lc_bytes_free.argtypes = [ctypes.c_void_p]
            lib.lc_license_free.argtypes = [ctypes.c_void_p]
            lib.lc_trusted_keys_free.argtypes = [ctypes.c_void_p]
            lib.lc_signing_key_free.argtypes = [ctypes.c_void_p]
            for name in ("lc_trusted_keys_new", "lc_trusted_keys_add", "lc_license_verify", "lc_license_to_json",
                         "lc_license_from_json", "lc_signing_key_from_bytes", "lc_license_sign"):
                getattr(lib, name).restype = ctypes.c_uint32
            lib.lc_trusted_keys_add.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
            lib.lc_license_verify.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p, P(ctypes.c_void_p)]
            lib.lc_license_to_json.argtypes = [ctypes.c_void_p, P(ctypes.c_void_p)]
            lib.lc_license_from_json.argtypes = [ctypes.c_char_p, ctypes.c_size_t, P(ctypes.c_void_p)]
            lib.lc_signing_key_from_bytes.argtypes = [ctypes.c_char_p, ctypes.c_size_t, P(ctypes.c_void_p)]
            lib.lc_license_sign.argtypes = [ctypes.c_void_p, ctypes.c_void_p, P(ctypes.c_void_p)]
            return lib
    if os.environ.get("LC_REQUIRE_PEERS") == "1":
        pytest.fail("liblicense_core_ffi.so is required (LC_REQUIRE_PEERS=1); scripts/test builds it")
    pytest.skip("license-ffi not built (cargo build -p license-ffi)")


def take_bytes(lib: ctypes.CDLL, handle: ctypes.c_void_p) -> bytes:
    data = ctypes.string_at(lib.lc_bytes_data(handle), lib.lc_bytes_len(handle))
    lib.lc_bytes_free(handle)
    return data


def trusted_c(lib: ctypes.CDLL) -> ctypes.c_void_p:
    keys = ctypes.c_void_p()
    assert lib.lc_trusted_keys_new(ctypes.byref(keys)) == 0
    pem = (VECTORS / "keys" / "vendor-2048.pub.pem").read_bytes()
    assert lib.lc_trusted_keys_add(keys, pem, len(pem)) == 0
    return keys


def test_status_codes_are_the_exception_codes() -> None:
    lib = library()
    for code, kind in lc.ERROR_KINDS.items():
        name = lib.lc_status_name(code)
        assert name == f"LC_STATUS_{kind.name.upper()}".encode(), (code, name)


def test_python_signed_verifies_through_c(license_: lc.License, vendor_key: lc.SigningKey) -> None:
    lib = library()
    keys = trusted_c(lib)
    try:
        xml = license_.sign(vendor_key)
        out = ctypes.c_void_p()
        assert lib.lc_license_verify(xml, len(xml), keys, ctypes.byref(out)) == 0
        js = ctypes.c_void_p()
        assert lib.lc_license_to_json(out, ctypes.byref(js)) == 0
        lib.lc_license_free(out)
        assert json.loads(take_bytes(lib, js)) == json.loads(license_.to_json())
        tampered = xml.replace(b"Example Ltd", b"Example Plc")
        status = lib.lc_license_verify(tampered, len(tampered), keys, ctypes.byref(out))
        with pytest.raises(lc.SignatureError) as e:
            lc.License.from_signed_xml(tampered, lc.TrustedKeys([vendor_key.verifying_key]))
        assert status == e.value.code == 308
    finally:
        lib.lc_trusted_keys_free(keys)


def test_c_signed_verifies_in_python(license_: lc.License, trusted: lc.TrustedKeys, vendor_key: lc.SigningKey) -> None:
    lib = library()
    text = license_.to_json().encode()
    lic, key, signed = ctypes.c_void_p(), ctypes.c_void_p(), ctypes.c_void_p()
    assert lib.lc_license_from_json(text, len(text), ctypes.byref(lic)) == 0
    pem = Path(VECTORS / "keys" / "vendor-2048.key.pem").read_bytes()
    assert lib.lc_signing_key_from_bytes(pem, len(pem), ctypes.byref(key)) == 0
    assert lib.lc_license_sign(lic, key, ctypes.byref(signed)) == 0
    lib.lc_license_free(lic)
    lib.lc_signing_key_free(key)
    xml = take_bytes(lib, signed)
    assert lc.License.from_signed_xml(xml, trusted) == license_
    assert xml == license_.sign(vendor_key), "every surface signs the same bytes"
