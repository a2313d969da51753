"""The independent COSE peer for tests/keys_interop.rs (pycose + cbor2).

  cose_peer.py verify PUB.pem BUNDLE.bin
      Verifies a COSE_Sign1 key bundle with pycose; prints a JSON summary
      (algorithm, kid as hex, content type, instance_id, master key) and
      exits 0, or prints the reason and exits 1.
  cose_peer.py sign KEY.pem ALG BUNDLE.json OUT.bin
      (ALG: PS256 or RS256 with an RSA key, ES256 with a P-256 key)
      Encodes BUNDLE.json as CBOR (cbor2, canonical) and signs it as a tagged
      COSE_Sign1 with pycose, kid = SHA-256 of the public key's SPKI DER.
"""
import hashlib
import json
import sys

import cbor2
from cryptography.hazmat.primitives import serialization
from pycose.algorithms import Es256, Ps256, RsaPkcs1Sha256
from pycose.headers import KID, Algorithm, ContentType
from pycose.keys import CoseKey
from pycose.messages import Sign1Message

CONTENT_TYPE = "application/vnd.license-core.key-bundle+cbor"


def verify(pub_path, bin_path):
    with open(pub_path) as f:
        key = CoseKey.from_pem_public_key(f.read())
    with open(bin_path, "rb") as f:
        data = f.read()
    outer = cbor2.loads(data)
    if not isinstance(outer, cbor2.CBORTag) or outer.tag != 18:
        print("not a tagged COSE_Sign1 (tag 18)")
        return 1
    msg = Sign1Message.decode(data)
    msg.key = key
    try:
        ok = msg.verify_signature()
    except Exception as e:  # pycose raises on malformed signatures
        print(f"verification error: {e!r}")
        return 1
    if not ok:
        print("signature does not verify")
        return 1
    payload = cbor2.loads(msg.payload)
    alg = msg.phdr.get(Algorithm)
    print(json.dumps({
        "alg": alg.fullname,
        "kid": msg.phdr.get(KID, b"").hex(),
        "content_type": msg.phdr.get(ContentType),
        "unprotected": len(msg.uhdr),
        "instance_id": payload["instance_id"],
        "master": payload["master"]["key"],
        "addons": [a["key"] for a in payload["addons"]],
    }))
    return 0


def sign(key_path, alg_name, json_path, out_path):
    with open(key_path) as f:
        pem = f.read()
    key = CoseKey.from_pem_private_key(pem)
    private = serialization.load_pem_private_key(pem.encode(), None)
    spki = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    kid = hashlib.sha256(spki).digest()
    alg = {"PS256": Ps256, "RS256": RsaPkcs1Sha256, "ES256": Es256}[alg_name]
    with open(json_path) as f:
        bundle = json.load(f)
    payload = cbor2.dumps(bundle, canonical=True)
    msg = Sign1Message(phdr={Algorithm: alg, ContentType: CONTENT_TYPE, KID: kid}, payload=payload)
    msg.key = key
    with open(out_path, "wb") as f:
        f.write(msg.encode(tag=True))
    return 0


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    sys.exit({"verify": verify, "sign": sign}[cmd](*args))
