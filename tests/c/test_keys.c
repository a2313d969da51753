/* License keys, key bundles, offline activation and the vendor account,
 * on the committed bundle vectors (tests/vectors/bundles/README.md). */
#include <stdlib.h>

#include "testsupport.h"

#define T_ISSUED 1795392000    /* 2026-11-23 */
#define T_2027 1798761600      /* 2027-01-01 */
#define T_2037 2114380800      /* 2037-01-01, after the bundle's expiry */

static lc_trusted_keys *vendor_keys(const char *pub) {
  size_t n;
  uint8_t *pem = read_vector(pub, &n);
  lc_trusted_keys *tk = NULL;
  CHECK_OK(lc_trusted_keys_new(&tk));
  CHECK_OK(lc_trusted_keys_add(tk, pem, n));
  free(pem);
  return tk;
}

static lc_hardware_profile *profile(const char *name) {
  size_t n;
  uint8_t *xml = read_vector(name, &n);
  lc_hardware_profile *p = NULL;
  CHECK_OK(lc_hardware_profile_from_xml(xml, n, &p));
  free(xml);
  return p;
}

static void test_license_keys(void) {
  lc_license_key *key = NULL, *none = NULL;
  CHECK_OK(lc_license_key_parse(S("MCRT-0MM9-38NK-RT5C"), &key));
  char buf[32];
  size_t n = 0;
  CHECK_OK(lc_license_key_text(key, buf, sizeof buf, &n));
  CHECK_TEXT(buf, n, "MCRT-0MM9-38NK-RT5C");
  CHECK_STATUS(LC_STATUS_BUFFER_TOO_SMALL, lc_license_key_text(key, buf, 19, &n));
  CHECK(n == 20);
  uint32_t kind = 9;
  uint64_t serial = 0;
  CHECK_OK(lc_license_key_info(key, &kind, &serial));
  CHECK(kind == LC_KEY_KIND_MASTER);
  lc_license_key_free(key);

  /* Case and separators do not matter. */
  CHECK_OK(lc_license_key_parse(S("mcrt 0mm9 38nk rt5c"), &key));
  lc_license_key_free(key);

  /* A typo: the check value catches it and the detail proposes the repair. */
  CHECK_STATUS(LC_STATUS_KEY_CHECKSUM, lc_license_key_parse(S("MCRT-0MM9-38NK-RT6C"), &none));
  CHECK_DETAIL("MCRT-0MM9-38NK-RT5C");
  CHECK_STATUS(LC_STATUS_KEY_LENGTH, lc_license_key_parse(S("MCRT-0MM9"), &none));
  CHECK_STATUS(LC_STATUS_KEY_CHARACTER, lc_license_key_parse(S("MCRT-0MM9-38NK-RT5!"), &none));
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_license_key_parse(S("MCRT-0MM9-38NK-RT5\xc3"), &none));
  CHECK(none == NULL);

  /* Making keys. */
  CHECK_OK(lc_license_key_new(LC_KEY_KIND_ADDON, S("CRT"), 42, &key));
  CHECK_OK(lc_license_key_info(key, &kind, &serial));
  CHECK(kind == LC_KEY_KIND_ADDON && serial == 42);
  CHECK_OK(lc_license_key_text(key, buf, sizeof buf, &n));
  lc_license_key *back = NULL;
  CHECK_OK(lc_license_key_parse((const uint8_t *)buf, n, &back));
  CHECK_OK(lc_license_key_info(back, &kind, &serial));
  CHECK(kind == LC_KEY_KIND_ADDON && serial == 42);
  lc_license_key_free(back);
  lc_license_key_free(key);
  CHECK_STATUS(LC_STATUS_INVALID_ARGUMENT, lc_license_key_new(7, S("CRT"), 1, &none));
  CHECK(lc_license_key_new(LC_KEY_KIND_MASTER, S("C!"), 1, &none) != LC_STATUS_OK);
  CHECK(lc_license_key_new(LC_KEY_KIND_MASTER, S("CRT"), (uint64_t)1 << 45, &none) != LC_STATUS_OK);
  CHECK(none == NULL);
}

static void test_bundles(void) {
  lc_trusted_keys *tk = vendor_keys("keys/vendor-2048.pub.pem");
  size_t n, jn;
  uint8_t *bin = read_vector("bundles/bundle-rs256.bin", &n);
  uint8_t *json = read_vector("bundles/bundle.json", &jn);
  lc_key_bundle *bundle = NULL, *none = NULL;
  CHECK_OK(lc_key_bundle_verify(bin, n, tk, &bundle));
  lc_bytes *out = NULL;
  CHECK_OK(lc_key_bundle_to_table(bundle, &out));
  CHECK(strstr((const char *)lc_bytes_data(out), "srv-eu-01") != NULL);
  lc_bytes_free(out);
  CHECK_OK(lc_key_bundle_to_json(bundle, &out));
  CHECK(strstr((const char *)lc_bytes_data(out), "ACRT-0PT3-PAGS-1FA8") != NULL);
  lc_bytes_free(out);

  /* The independent implementation's PS256 signature verifies too. */
  size_t pn;
  uint8_t *ps = read_vector("bundles/bundle-pycose-ps256.bin", &pn);
  lc_key_bundle *ps_bundle = NULL;
  CHECK_OK(lc_key_bundle_verify(ps, pn, tk, &ps_bundle));
  lc_key_bundle_free(ps_bundle);
  free(ps);

  /* Vendor side: JSON -> RS256 gives the committed bytes; PS256 verifies. */
  size_t kn;
  uint8_t *keypem = read_vector("keys/vendor-2048.key.pem", &kn);
  lc_signing_key *sk = NULL;
  CHECK_OK(lc_signing_key_from_bytes(keypem, kn, &sk));
  lc_key_bundle *from_json = NULL;
  CHECK_OK(lc_key_bundle_from_json(json, jn, &from_json));
  CHECK_OK(lc_key_bundle_sign(from_json, sk, LC_BUNDLE_ALGORITHM_RS256, &out));
  CHECK(lc_bytes_len(out) == n && memcmp(lc_bytes_data(out), bin, n) == 0);
  lc_bytes_free(out);
  CHECK_OK(lc_key_bundle_sign(from_json, sk, LC_BUNDLE_ALGORITHM_PS256, &out));
  CHECK_OK(lc_key_bundle_verify(lc_bytes_data(out), lc_bytes_len(out), tk, &ps_bundle));
  lc_key_bundle_free(ps_bundle);
  lc_bytes_free(out);
  out = NULL;
  CHECK_STATUS(LC_STATUS_INVALID_ARGUMENT, lc_key_bundle_sign(from_json, sk, 3, &out));
  /* ES256 needs a P-256 key. */
  CHECK_STATUS(LC_STATUS_UNSUPPORTED_ALGORITHM, lc_key_bundle_sign(from_json, sk, LC_BUNDLE_ALGORITHM_ES256, &out));
  CHECK(out == NULL);
  CHECK_STATUS(LC_STATUS_INVALID_JSON, lc_key_bundle_from_json(S("{\"version\": 1}"), &none));

  /* Corrupt bundles, each with its own status. */
  CHECK_STATUS(LC_STATUS_TRUNCATED, lc_key_bundle_verify(bin, n - 1, tk, &none));
  uint8_t *longer = malloc(n + 1);
  memcpy(longer, bin, n);
  longer[n] = 0;
  CHECK_STATUS(LC_STATUS_TRAILING_BYTES, lc_key_bundle_verify(longer, n + 1, tk, &none));
  longer[n - 1] ^= 1; /* the last byte of the signature */
  CHECK_STATUS(LC_STATUS_SIGNATURE_MISMATCH, lc_key_bundle_verify(longer, n, tk, &none));
  free(longer);
  CHECK(lc_key_bundle_verify(NULL, 0, tk, &none) != LC_STATUS_OK);
  CHECK(lc_key_bundle_verify(S("\xd2\x84\x40"), tk, &none) != LC_STATUS_OK);
  lc_trusted_keys *other = vendor_keys("keys/vendor-3072.pub.pem");
  CHECK_STATUS(LC_STATUS_UNKNOWN_KEY_ID, lc_key_bundle_verify(bin, n, other, &none));
  CHECK(none == NULL);

  /* Offline activation. */
  lc_hardware_profile *here = profile("bundles/profile.xml"), *elsewhere = profile("bundles/other-profile.xml");
  lc_activation *act = NULL, *no_act = NULL;
  CHECK_OK(lc_activate(bin, n, tk, here, T_2027, &act));
  bool on = false, has = false;
  uint64_t q = 0;
  CHECK_OK(lc_activation_feature_quantity(act, S("api"), &has, &q));
  CHECK(has && q == 15);
  CHECK_OK(lc_activation_feature_enabled(act, S("sso"), T_2027, &on));
  CHECK(on);
  CHECK_OK(lc_activation_feature_enabled(act, S("reports"), T_2027, &on));
  CHECK(on);
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_activation_feature_enabled(act, S("\xff"), T_2027, &on));
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_activation_feature_quantity(act, S("\xff"), &has, &q));
  size_t counted = 9, skipped = 9;
  CHECK_OK(lc_activation_addons(act, &counted, &skipped));
  CHECK(counted == 1 && skipped == 0);
  CHECK_OK(lc_activation_to_text(act, &out));
  CHECK(strstr((const char *)lc_bytes_data(out), "srv-eu-01") != NULL);
  lc_bytes_free(out);
  CHECK_STATUS(LC_STATUS_FINGERPRINT_MISMATCH, lc_activate(bin, n, tk, elsewhere, T_2027, &no_act));
  CHECK_DETAIL("machine-id");
  CHECK_STATUS(LC_STATUS_KEY_EXPIRED, lc_activate(bin, n, tk, here, T_2037, &no_act));
  CHECK_STATUS(LC_STATUS_UNKNOWN_KEY_ID, lc_activate(bin, n, other, here, T_2027, &no_act));
  CHECK_STATUS(LC_STATUS_INVALID_TIME, lc_activate(bin, n, tk, here, INT64_MIN, &no_act));
  CHECK(no_act == NULL);

  lc_activation_free(act);
  lc_hardware_profile_free(here);
  lc_hardware_profile_free(elsewhere);
  lc_key_bundle_free(from_json);
  lc_key_bundle_free(bundle);
  lc_signing_key_free(sk);
  lc_trusted_keys_free(other);
  lc_trusted_keys_free(tk);
  free(keypem);
  free(bin);
  free(json);
}

static const char INSTANCE[] =
    "{\"id\": \"srv-eu-01\", \"name\": \"EU server\", \"location\": {\"place\": \"Frankfurt\", \"country\": \"DE\"},"
    " \"software_version\": \"4.2.0\", \"profile\": {\"hostname\": \"srv-eu-01\","
    " \"machine_id\": \"3d1219c7c4c5404aaa1f6d2a48adfda4\", \"product_uuid\": \"4c4c4544-0042-3510-8052-b3c04f4e4e32\","
    " \"interfaces\": [{\"name\": \"eno1\", \"mac\": \"b0:83:fe:11:22:33\", \"physical\": true}]},"
    " \"fingerprint\": \"fp1;machine-id=83af5b93f5eb2760c38bab9e9fce14d8;product-uuid=14d1f9d4b9bd1911039f75523d4f96e1;"
    "mac=4c542e9efe8d109b3239b7add120f0ed\","
    " \"created_at\": \"2026-11-23T00:00:00Z\", \"updated_at\": \"2026-11-23T00:00:00Z\"}";
static const char MASTER[] =
    "{\"key\": \"MCRT-0MM9-38NK-RT5C\", \"kind\": \"master\", \"features\": [{\"name\": \"api\", \"enabled\": true,"
    " \"quantity\": 10}], \"status\": \"active\", \"updated_at\": \"2026-11-23T00:00:00Z\"}";
static const char ADDON[] =
    "{\"key\": \"ACRT-0PT3-PAGS-1FA8\", \"kind\": \"addon\", \"parent\": \"MCRT-0MM9-38NK-RT5C\", \"features\":"
    " [{\"name\": \"api\", \"enabled\": true, \"quantity\": 5}], \"status\": \"active\","
    " \"updated_at\": \"2026-11-23T00:00:00Z\"}";

static uint64_t api_after_activation(lc_account *acc, lc_signing_key *sk, lc_trusted_keys *tk,
                                     lc_hardware_profile *here) {
  lc_bytes *bin = NULL;
  lc_activation *act = NULL;
  bool has = false;
  uint64_t q = 0;
  CHECK_OK(lc_account_bundle(acc, S("srv-eu-01"), sk, LC_BUNDLE_ALGORITHM_RS256, T_ISSUED + 60, &bin));
  CHECK_OK(lc_activate(lc_bytes_data(bin), lc_bytes_len(bin), tk, here, T_2027, &act));
  CHECK_OK(lc_activation_feature_quantity(act, S("api"), &has, &q));
  lc_activation_free(act);
  lc_bytes_free(bin);
  return q;
}

static void test_account(void) {
  size_t kn;
  uint8_t *keypem = read_vector("keys/vendor-2048.key.pem", &kn);
  lc_signing_key *sk = NULL;
  CHECK_OK(lc_signing_key_from_bytes(keypem, kn, &sk));
  lc_trusted_keys *tk = vendor_keys("keys/vendor-2048.pub.pem");
  lc_hardware_profile *here = profile("bundles/profile.xml");

  lc_account *acc = NULL, *none = NULL;
  CHECK_OK(lc_account_new(S("Example GmbH"), T_ISSUED, &acc));
  CHECK(lc_account_new(S(""), T_ISSUED, &none) != LC_STATUS_OK);
  CHECK_OK(lc_account_add_instance(acc, S(INSTANCE), T_ISSUED));
  CHECK_STATUS(LC_STATUS_DUPLICATE_INSTANCE, lc_account_add_instance(acc, S(INSTANCE), T_ISSUED));
  CHECK_STATUS(LC_STATUS_INVALID_JSON, lc_account_add_instance(acc, S("{}"), T_ISSUED));
  CHECK_OK(lc_account_add_key(acc, S(MASTER), T_ISSUED));
  CHECK_OK(lc_account_add_key(acc, S(ADDON), T_ISSUED));
  CHECK_STATUS(LC_STATUS_INVALID_JSON, lc_account_add_key(acc, S("{\"key\": 1}"), T_ISSUED));

  lc_bytes *bin = NULL;
  CHECK_STATUS(LC_STATUS_NO_MASTER_KEY,
               lc_account_bundle(acc, S("srv-eu-01"), sk, LC_BUNDLE_ALGORITHM_RS256, T_ISSUED, &bin));
  CHECK_STATUS(LC_STATUS_INVALID_ARGUMENT, lc_account_bundle(acc, S("srv-eu-01"), sk, 5, T_ISSUED, &bin));
  CHECK(bin == NULL);

  lc_license_key *master = NULL, *addon = NULL;
  CHECK_OK(lc_license_key_parse(S("MCRT-0MM9-38NK-RT5C"), &master));
  CHECK_OK(lc_license_key_parse(S("ACRT-0PT3-PAGS-1FA8"), &addon));
  CHECK_STATUS(LC_STATUS_ADDON_WITHOUT_MASTER, lc_account_assign(acc, addon, S("srv-eu-01"), T_ISSUED + 1));
  CHECK_STATUS(LC_STATUS_UNKNOWN_INSTANCE, lc_account_assign(acc, master, S("srv-xx"), T_ISSUED + 1));
  CHECK_OK(lc_account_assign(acc, master, S("srv-eu-01"), T_ISSUED + 1));
  CHECK(api_after_activation(acc, sk, tk, here) == 10);
  CHECK_OK(lc_account_assign(acc, addon, S("srv-eu-01"), T_ISSUED + 2));
  CHECK(api_after_activation(acc, sk, tk, here) == 15);
  CHECK_OK(lc_account_unassign(acc, addon, T_ISSUED + 3));
  CHECK(api_after_activation(acc, sk, tk, here) == 10);
  CHECK_STATUS(LC_STATUS_UPDATE_OUT_OF_ORDER, lc_account_unassign(acc, master, T_ISSUED));

  /* JSON round trip. */
  lc_bytes *json = NULL, *again = NULL;
  lc_account *copy = NULL;
  CHECK_OK(lc_account_to_json(acc, &json));
  CHECK_OK(lc_account_from_json(lc_bytes_data(json), lc_bytes_len(json), &copy));
  CHECK_OK(lc_account_to_json(copy, &again));
  CHECK(lc_bytes_len(json) == lc_bytes_len(again) &&
        memcmp(lc_bytes_data(json), lc_bytes_data(again), lc_bytes_len(json)) == 0);
  CHECK(lc_account_from_json(lc_bytes_data(json), lc_bytes_len(json) / 2, &none) != LC_STATUS_OK);
  CHECK(none == NULL);

  lc_bytes_free(json);
  lc_bytes_free(again);
  lc_account_free(copy);
  lc_license_key_free(master);
  lc_license_key_free(addon);
  lc_account_free(acc);
  lc_hardware_profile_free(here);
  lc_trusted_keys_free(tk);
  lc_signing_key_free(sk);
  free(keypem);
}

int main(void) {
  test_license_keys();
  test_bundles();
  test_account();
  return test_summary("test_keys");
}
