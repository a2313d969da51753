/* Keys and licenses: load keys, verify the committed signed licenses and
 * the whole attack corpus, read every field, status over time, features,
 * sign deterministically, compare, and every failure path's status. */
#include <dirent.h>
#include <stdlib.h>

#include "testsupport.h"

#define T_2026_01_01 1767225600
#define T_2026_06_01 1780272000
#define T_2026_08_01 1785542400
#define T_2026_12_01 1796083200
#define T_2027_01_01 1798761600
#define T_2027_01_05 1799107200
#define T_2027_02_01 1801440000

static lc_trusted_keys *trusted(void) {
  size_t n;
  uint8_t *pem = read_vector("keys/vendor-2048.pub.pem", &n);
  lc_trusted_keys *tk = NULL;
  CHECK_OK(lc_trusted_keys_new(&tk));
  CHECK_OK(lc_trusted_keys_add(tk, pem, n));
  free(pem);
  return tk;
}

static lc_license *verify_vector(lc_trusted_keys *tk, const char *name) {
  size_t n;
  uint8_t *xml = read_vector(name, &n);
  lc_license *lic = NULL;
  CHECK_OK(lc_license_verify(xml, n, tk, &lic));
  free(xml);
  return lic;
}

static void test_keys(void) {
  size_t n, written = 0;
  uint8_t *key = read_vector("keys/vendor-2048.key.pem", &n);
  lc_signing_key *sk = NULL;
  CHECK_OK(lc_signing_key_from_bytes(key, n, &sk));

  /* Corrupt key bytes: a typed failure, out untouched. */
  lc_signing_key *none = NULL;
  key[40] ^= 0x55;
  CHECK_STATUS(LC_STATUS_KEY_FORMAT, lc_signing_key_from_bytes(key, n, &none));
  CHECK(none == NULL);
  CHECK_STATUS(LC_STATUS_KEY_FORMAT, lc_signing_key_from_bytes(key, 0, &none));
  free(key);

  /* Key id into a too-small buffer: the size needed, buffer untouched. */
  char small[8];
  memset(small, 'x', sizeof small);
  CHECK_STATUS(LC_STATUS_BUFFER_TOO_SMALL, lc_signing_key_id(sk, small, sizeof small, &written));
  CHECK(written == 44); /* 43 characters and the NUL */
  CHECK(small[0] == 'x');
  char id[44];
  CHECK_OK(lc_signing_key_id(sk, id, sizeof id, &written));
  CHECK(written == 43 && strlen(id) == 43);
  CHECK_TEXT(id, written, "Yo4O8I8WeLrEcYUg92YW8oEbMjTGwYA-JBFtnWjmfRM");

  /* The public half loads into a trusted set. */
  lc_bytes *pub = NULL;
  CHECK_OK(lc_signing_key_public_pem(sk, &pub));
  CHECK(strstr((const char *)lc_bytes_data(pub), "BEGIN PUBLIC KEY") != NULL);
  lc_trusted_keys *tk = NULL;
  CHECK_OK(lc_trusted_keys_new(&tk));
  CHECK(lc_trusted_keys_len(tk) == 0);
  CHECK_OK(lc_trusted_keys_add(tk, lc_bytes_data(pub), lc_bytes_len(pub)));
  CHECK(lc_trusted_keys_len(tk) == 1);

  /* A weak key is refused and the set is unchanged; so is garbage. */
  uint8_t *weak = read_vector("keys/weak-1024.pub.pem", &n);
  CHECK_STATUS(LC_STATUS_KEY_TOO_SMALL, lc_trusted_keys_add(tk, weak, n));
  CHECK_STATUS(LC_STATUS_KEY_FORMAT, lc_trusted_keys_add(tk, S("-----BEGIN PUBLIC KEY-----\nAAAA\n")));
  CHECK(lc_trusted_keys_len(tk) == 1);
  free(weak);
  lc_bytes_free(pub);
  lc_trusted_keys_free(tk);
  lc_signing_key_free(sk);
}

static void test_read_license(void) {
  lc_trusted_keys *tk = trusted();
  lc_license *lic = verify_vector(tk, "licenses/certmgr-2026.xml");
  char buf[128];
  size_t n = 0;
  CHECK_OK(lc_license_text(lic, LC_LICENSE_FIELD_ID, buf, sizeof buf, &n));
  CHECK_TEXT(buf, n, "LIC-2026-0001");
  CHECK_OK(lc_license_text(lic, LC_LICENSE_FIELD_PRODUCT, buf, sizeof buf, &n));
  CHECK_TEXT(buf, n, "certmgr");
  CHECK_OK(lc_license_text(lic, LC_LICENSE_FIELD_LICENSEE, buf, sizeof buf, &n));
  CHECK_TEXT(buf, n, "Example Ltd");
  CHECK_OK(lc_license_text(lic, LC_LICENSE_FIELD_ORGANISATION, buf, sizeof buf, &n));
  CHECK(n == 0 && buf[0] == '\0');
  CHECK_OK(lc_license_text(lic, LC_LICENSE_FIELD_EMAIL, buf, sizeof buf, &n));
  CHECK_TEXT(buf, n, "it@example.com");
  CHECK_OK(lc_license_text(lic, LC_LICENSE_FIELD_SIGNER_KEY_ID, buf, sizeof buf, &n));
  CHECK_TEXT(buf, n, "Yo4O8I8WeLrEcYUg92YW8oEbMjTGwYA-JBFtnWjmfRM");
  CHECK_OK(lc_license_text(lic, LC_LICENSE_FIELD_INSTANCE_ID, buf, sizeof buf, &n));
  CHECK(n == 0);
  CHECK_STATUS(LC_STATUS_INVALID_ARGUMENT, lc_license_text(lic, 99, buf, sizeof buf, &n));

  /* Exactly the text plus NUL fits; one byte less does not. */
  char exact[14];
  CHECK_OK(lc_license_text(lic, LC_LICENSE_FIELD_ID, exact, sizeof exact, &n));
  CHECK(n == 13);
  size_t need = 0;
  CHECK_STATUS(LC_STATUS_BUFFER_TOO_SMALL, lc_license_text(lic, LC_LICENSE_FIELD_ID, exact, 13, &need));
  CHECK(need == 14);
  CHECK_STATUS(LC_STATUS_BUFFER_TOO_SMALL, lc_license_text(lic, LC_LICENSE_FIELD_ID, NULL, 0, &need));
  CHECK(need == 14);

  int64_t issued = 0, expires = 0;
  bool has_expiry = false, site = true;
  uint64_t limit = 0;
  CHECK_OK(lc_license_times(lic, &issued, &has_expiry, &expires));
  CHECK(issued == T_2026_01_01 && has_expiry && expires == T_2027_01_01);
  CHECK_OK(lc_license_actioned_limit(lic, &site, &limit));
  CHECK(!site && limit == 5);

  /* Status over the license's life. */
  lc_license_status_info s;
  CHECK_OK(lc_license_status(lic, T_2026_06_01, &s));
  CHECK(s.state == LC_LICENSE_STATE_VALID && s.usable && s.has_days_left && s.days_left == 214);
  CHECK_OK(lc_license_status(lic, T_2026_12_01, &s));
  CHECK(s.state == LC_LICENSE_STATE_EXPIRING_SOON && s.days_left == 31 && s.threshold_days == 60);
  CHECK_OK(lc_license_status(lic, T_2027_01_05, &s));
  CHECK(s.state == LC_LICENSE_STATE_IN_GRACE && s.usable && s.days_left == 10 &&
        s.until == T_2027_01_01 + 14 * 86400);
  CHECK_OK(lc_license_status(lic, T_2027_02_01, &s));
  CHECK(s.state == LC_LICENSE_STATE_EXPIRED && !s.usable && !s.has_days_left && s.until == T_2027_01_01);
  CHECK_STATUS(LC_STATUS_INVALID_TIME, lc_license_status(lic, INT64_MAX, &s));
  CHECK(s.state == LC_LICENSE_STATE_EXPIRED && s.until == T_2027_01_01); /* untouched */
  CHECK_DETAIL("now");

  /* Features. */
  bool on = false, has = false;
  uint64_t q = 0;
  CHECK_OK(lc_license_feature_enabled(lic, S("api"), T_2026_06_01, &on));
  CHECK(on);
  CHECK_OK(lc_license_feature_enabled(lic, S("reports"), T_2026_06_01, &on));
  CHECK(on);
  CHECK_OK(lc_license_feature_enabled(lic, S("reports"), T_2026_08_01, &on));
  CHECK(!on);
  CHECK_OK(lc_license_feature_enabled(lic, S("sso"), T_2026_06_01, &on));
  CHECK(!on);
  CHECK_OK(lc_license_feature_enabled(lic, S("nonexistent"), T_2026_06_01, &on));
  CHECK(!on);
  CHECK_OK(lc_license_feature_quantity(lic, S("api"), &has, &q));
  CHECK(has && q == 10);
  CHECK_OK(lc_license_feature_quantity(lic, S("sso"), &has, &q));
  CHECK(!has && q == 0);
  /* Invalid UTF-8 in a name. */
  on = true;
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_license_feature_enabled(lic, S("ap\xff"), T_2026_06_01, &on));
  CHECK(on);
  CHECK_DETAIL("UTF-8");
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_license_feature_quantity(lic, S("\xc3\x28"), &has, &q));

  lc_bytes *table = NULL;
  CHECK_OK(lc_license_to_table(lic, &table));
  CHECK(strstr((const char *)lc_bytes_data(table), "LIC-2026-0001") != NULL);
  lc_bytes_free(table);

  lc_license_free(lic);
  lc_trusted_keys_free(tk);
}

static void test_sign_and_json(void) {
  size_t n, jn, xn;
  uint8_t *key = read_vector("keys/vendor-2048.key.pem", &n);
  uint8_t *json = read_vector("licenses/certmgr-2026.json", &jn);
  uint8_t *xml = read_vector("licenses/certmgr-2026.xml", &xn);
  lc_signing_key *sk = NULL;
  lc_license *lic = NULL;
  CHECK_OK(lc_signing_key_from_bytes(key, n, &sk));
  CHECK_OK(lc_license_from_json(json, jn, &lic));

  /* Signing is deterministic: the committed vector, byte for byte. */
  lc_bytes *signed_xml = NULL;
  CHECK_OK(lc_license_sign(lic, sk, &signed_xml));
  CHECK(lc_bytes_len(signed_xml) == xn && memcmp(lc_bytes_data(signed_xml), xml, xn) == 0);

  /* A license read from JSON has no signer. */
  char buf[64];
  size_t w = 0;
  CHECK_STATUS(LC_STATUS_SIGNATURE_MISSING, lc_license_text(lic, LC_LICENSE_FIELD_SIGNER_KEY_ID, buf, sizeof buf, &w));

  /* JSON round trip. */
  lc_bytes *out = NULL, *again = NULL;
  lc_license *copy = NULL;
  CHECK_OK(lc_license_to_json(lic, &out));
  CHECK_OK(lc_license_from_json(lc_bytes_data(out), lc_bytes_len(out), &copy));
  CHECK_OK(lc_license_to_json(copy, &again));
  CHECK(lc_bytes_len(out) == lc_bytes_len(again) &&
        memcmp(lc_bytes_data(out), lc_bytes_data(again), lc_bytes_len(out)) == 0);

  /* Corrupt JSON: wrong shape, invalid values, not UTF-8. */
  lc_license *bad = NULL;
  CHECK_STATUS(LC_STATUS_INVALID_JSON, lc_license_from_json(S("{\"id\": 1}"), &bad));
  CHECK_STATUS(LC_STATUS_INVALID_JSON, lc_license_from_json(json, jn / 2, &bad));
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_license_from_json(S("{\"id\": \"\xff\"}"), &bad));
  CHECK(bad == NULL);

  /* The last error message: too small a buffer reports the size needed. */
  CHECK_STATUS(LC_STATUS_INVALID_JSON, lc_license_from_json(S("[]"), &bad));
  size_t need = 0, got = 0;
  char tiny[4] = "abc";
  CHECK_STATUS(LC_STATUS_BUFFER_TOO_SMALL, lc_last_error_message(tiny, sizeof tiny, &need));
  CHECK(need > sizeof tiny && strcmp(tiny, "abc") == 0);
  char *full = malloc(need);
  CHECK_OK(lc_last_error_message(full, need, &got));
  CHECK(got == need - 1 && strlen(full) == got);
  CHECK(strstr(full, "JSON") != NULL);
  free(full);

  lc_bytes_free(out);
  lc_bytes_free(again);
  lc_bytes_free(signed_xml);
  lc_license_free(copy);
  lc_license_free(lic);
  lc_signing_key_free(sk);
  free(key);
  free(json);
  free(xml);
}

static void test_tampering_and_attacks(void) {
  lc_trusted_keys *tk = trusted();
  size_t n;
  uint8_t *xml = read_vector("licenses/certmgr-2026.xml", &n);
  lc_license *lic = NULL;
  char *q = strstr((char *)xml, "quantity=\"10\"");
  CHECK(q != NULL);
  if (q) q[10] = '9';
  CHECK_STATUS(LC_STATUS_DIGEST_MISMATCH, lc_license_verify(xml, n, tk, &lic));
  CHECK(lic == NULL);
  CHECK_STATUS(LC_STATUS_XML_SYNTAX, lc_license_verify(xml, n / 2, tk, &lic));
  CHECK(lic == NULL);
  CHECK(lc_license_verify(S(""), tk, &lic) != LC_STATUS_OK);
  free(xml);

  /* An empty trusted set verifies nothing. */
  lc_trusted_keys *empty = NULL;
  CHECK_OK(lc_trusted_keys_new(&empty));
  xml = read_vector("licenses/certmgr-2026.xml", &n);
  CHECK(lc_license_verify(xml, n, empty, &lic) != LC_STATUS_OK);
  CHECK(lic == NULL);
  free(xml);
  lc_trusted_keys_free(empty);

  /* The attack corpus: each file fails with the kind its name starts with. */
  char dirpath[1024];
  snprintf(dirpath, sizeof dirpath, "%s/../attacks", LC_VECTORS);
  DIR *dir = opendir(dirpath);
  CHECK(dir != NULL);
  int seen = 0;
  struct dirent *e;
  while (dir && (e = readdir(dir)) != NULL) {
    const char *dash = strstr(e->d_name, "--");
    size_t len = strlen(e->d_name);
    if (!dash || len < 4 || strcmp(e->d_name + len - 4, ".xml") != 0) continue;
    char expected[128] = "LC_STATUS_";
    size_t k = strlen(expected);
    for (const char *c = e->d_name; c < dash && k + 1 < sizeof expected; c++) {
      expected[k++] = (*c >= 'a' && *c <= 'z') ? (char)(*c - 32) : *c;
    }
    expected[k] = '\0';
    char name[512];
    snprintf(name, sizeof name, "../attacks/%s", e->d_name);
    uint8_t *doc = read_vector(name, &n);
    lc_status st = lc_license_verify(doc, n, tk, &lic);
    if (strcmp(lc_status_name(st), expected) != 0) {
      fprintf(stderr, "%s: got %s (%s)\n", e->d_name, lc_status_name(st), lc_test_detail());
      lc_test_failures++;
    }
    CHECK(lic == NULL);
    free(doc);
    seen++;
  }
  if (dir) closedir(dir);
  CHECK(seen >= 40);
  lc_trusted_keys_free(tk);
}

static void test_diff(void) {
  lc_trusted_keys *tk = trusted();
  lc_license *old = verify_vector(tk, "licenses/certmgr-2026.xml");
  lc_license *renewal = verify_vector(tk, "licenses/certmgr-2027.xml");
  lc_license_diff *same = NULL, *diff = NULL;
  CHECK_OK(lc_license_diff_new(old, old, &same));
  CHECK(lc_license_diff_is_empty(same));
  CHECK(lc_license_diff_takes_nothing_away(same));
  CHECK_OK(lc_license_diff_new(old, renewal, &diff));
  CHECK(!lc_license_diff_is_empty(diff));
  /* sso is dropped, but it was disabled: nothing is lost. */
  CHECK(lc_license_diff_takes_nothing_away(diff));
  lc_bytes *text = NULL;
  CHECK_OK(lc_license_diff_to_text(diff, &text));
  CHECK(strstr((const char *)lc_bytes_data(text), "api") != NULL);
  /* Going back loses api quantity and actioned limit. */
  lc_license_diff *back = NULL;
  CHECK_OK(lc_license_diff_new(renewal, old, &back));
  CHECK(!lc_license_diff_takes_nothing_away(back));
  lc_license_diff_free(back);
  CHECK(strlen((const char *)lc_bytes_data(text)) == lc_bytes_len(text));
  lc_bytes_free(text);
  lc_license_diff_free(same);
  lc_license_diff_free(diff);
  lc_license_free(old);
  lc_license_free(renewal);
  lc_trusted_keys_free(tk);
}

int main(void) {
  test_keys();
  test_read_license();
  test_sign_and_json();
  test_tampering_and_attacks();
  test_diff();
  return test_summary("test_license");
}
