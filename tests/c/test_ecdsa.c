/* ECDSA P-256 keys through the C ABI: generating, loading (PKCS#8 and
 * SEC1), the key type, signing a license (XML-DSig ecdsa-sha256) and a
 * bundle (COSE ES256) and verifying both with the EC public key; other
 * curves and cross-kind use refused, each with its status. */
#include <stdlib.h>
#include <string.h>

#include "testsupport.h"

static lc_signing_key *load(const char *name) {
  size_t n;
  uint8_t *pem = read_vector(name, &n);
  lc_signing_key *key = NULL;
  CHECK_OK(lc_signing_key_from_bytes(pem, n, &key));
  free(pem);
  return key;
}

static void key_id(const lc_signing_key *key, char buf[64]) {
  size_t w = 0;
  CHECK_OK(lc_signing_key_id(key, buf, 64, &w));
  CHECK(w == 43);
}

static lc_trusted_keys *trust(const lc_signing_key *key) {
  lc_bytes *pem = NULL;
  lc_trusted_keys *tk = NULL;
  CHECK_OK(lc_signing_key_public_pem(key, &pem));
  CHECK_OK(lc_trusted_keys_new(&tk));
  CHECK_OK(lc_trusted_keys_add(tk, lc_bytes_data(pem), lc_bytes_len(pem)));
  lc_bytes_free(pem);
  return tk;
}

static void test_keys(void) {
  lc_signing_key *pkcs8 = load("keys/vendor-p256.key.pem");
  lc_signing_key *sec1 = load("keys/vendor-p256.sec1.pem");
  char a[64], b[64];
  key_id(pkcs8, a);
  key_id(sec1, b);
  CHECK(strcmp(a, b) == 0);
  lc_key_type type = LC_KEY_TYPE_RSA;
  CHECK_OK(lc_signing_key_type(sec1, &type));
  CHECK(type == LC_KEY_TYPE_P256);

  /* A fresh key survives a PKCS#8 round trip with its id. */
  lc_signing_key *fresh = NULL, *again = NULL;
  CHECK_OK(lc_signing_key_generate_p256(&fresh));
  lc_bytes *pem = NULL;
  CHECK_OK(lc_signing_key_pkcs8_pem(fresh, &pem));
  CHECK_OK(lc_signing_key_from_bytes(lc_bytes_data(pem), lc_bytes_len(pem), &again));
  key_id(fresh, a);
  key_id(again, b);
  CHECK(strcmp(a, b) == 0);
  lc_bytes_free(pem);

  /* RSA keys say so. */
  lc_signing_key *rsa = load("keys/vendor-2048.key.pem");
  CHECK_OK(lc_signing_key_type(rsa, &type));
  CHECK(type == LC_KEY_TYPE_RSA);

  /* P-384 is refused as a private and as a public key. */
  size_t n;
  uint8_t *p384 = read_vector("keys/p384.key.pem", &n);
  lc_signing_key *none = NULL;
  CHECK_STATUS(LC_STATUS_UNSUPPORTED_CURVE, lc_signing_key_from_bytes(p384, n, &none));
  CHECK(none == NULL);
  free(p384);
  p384 = read_vector("keys/p384.pub.pem", &n);
  lc_trusted_keys *tk = NULL;
  CHECK_OK(lc_trusted_keys_new(&tk));
  CHECK_STATUS(LC_STATUS_UNSUPPORTED_CURVE, lc_trusted_keys_add(tk, p384, n));
  CHECK(lc_trusted_keys_len(tk) == 0);
  free(p384);

  CHECK_NULL_PARAM(lc_signing_key_generate_p256(NULL));
  CHECK_NULL_PARAM(lc_signing_key_type(NULL, &type));
  CHECK_NULL_PARAM(lc_signing_key_pkcs8_pem(fresh, NULL));

  lc_trusted_keys_free(tk);
  lc_signing_key_free(rsa);
  lc_signing_key_free(again);
  lc_signing_key_free(fresh);
  lc_signing_key_free(sec1);
  lc_signing_key_free(pkcs8);
}

static void test_license_and_bundle(void) {
  lc_signing_key *ec = load("keys/vendor-p256.key.pem");
  lc_signing_key *rsa = load("keys/vendor-2048.key.pem");
  lc_trusted_keys *ec_only = trust(ec);
  lc_trusted_keys *rsa_only = trust(rsa);
  size_t n;

  /* A license signed with the EC key verifies with its public key only. */
  uint8_t *json = read_vector("licenses/certmgr-2026.json", &n);
  lc_license *lic = NULL, *verified = NULL;
  CHECK_OK(lc_license_from_json(json, n, &lic));
  free(json);
  lc_bytes *xml = NULL;
  CHECK_OK(lc_license_sign(lic, ec, &xml));
  CHECK(strstr((const char *)lc_bytes_data(xml), "xmldsig-more#ecdsa-sha256") != NULL);
  CHECK_OK(lc_license_verify(lc_bytes_data(xml), lc_bytes_len(xml), ec_only, &verified));
  lc_license_free(verified);
  verified = NULL;
  CHECK_STATUS(LC_STATUS_UNKNOWN_KEY_ID, lc_license_verify(lc_bytes_data(xml), lc_bytes_len(xml), rsa_only, &verified));
  CHECK(verified == NULL);

  /* A bundle: ES256 with the EC key; RS256 and PS256 need an RSA key. */
  json = read_vector("bundles/bundle.json", &n);
  lc_key_bundle *bundle = NULL, *read = NULL;
  CHECK_OK(lc_key_bundle_from_json(json, n, &bundle));
  free(json);
  lc_bytes *bin = NULL;
  CHECK_OK(lc_key_bundle_sign(bundle, ec, LC_BUNDLE_ALGORITHM_ES256, &bin));
  CHECK_OK(lc_key_bundle_verify(lc_bytes_data(bin), lc_bytes_len(bin), ec_only, &read));
  lc_key_bundle_free(read);
  lc_bytes *none = NULL;
  CHECK_STATUS(LC_STATUS_UNSUPPORTED_ALGORITHM, lc_key_bundle_sign(bundle, ec, LC_BUNDLE_ALGORITHM_RS256, &none));
  CHECK_STATUS(LC_STATUS_UNSUPPORTED_ALGORITHM, lc_key_bundle_sign(bundle, ec, LC_BUNDLE_ALGORITHM_PS256, &none));
  CHECK(none == NULL);

  lc_bytes_free(bin);
  lc_key_bundle_free(bundle);
  lc_bytes_free(xml);
  lc_license_free(lic);
  lc_trusted_keys_free(rsa_only);
  lc_trusted_keys_free(ec_only);
  lc_signing_key_free(rsa);
  lc_signing_key_free(ec);
}

int main(void) {
  test_keys();
  test_license_and_bundle();
  return test_summary("test_ecdsa");
}
