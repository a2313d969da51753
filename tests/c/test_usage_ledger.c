/* The vendor's usage ledger binds an instance to the installation key of
 * its first accepted log: a log signed by another key is
 * LC_STATUS_USAGE_LOG_WRONG_KEY until lc_usage_ledger_rekey moves the
 * instance to the new key. Also: error messages quoting hostile input are
 * one C string (no NUL inside, no ESC). */
#include <stdlib.h>

#include "testsupport.h"

#define T_2026_02_01 1769904000
#define T_2026_11_20 1795132800

static void add_key(lc_trusted_keys *tk, const char *pub) {
  size_t n;
  uint8_t *pem = read_vector(pub, &n);
  CHECK_OK(lc_trusted_keys_add(tk, pem, n));
  free(pem);
}

static lc_signing_key *signing_key(const char *path) {
  size_t n;
  uint8_t *pem = read_vector(path, &n);
  lc_signing_key *key = NULL;
  CHECK_OK(lc_signing_key_from_bytes(pem, n, &key));
  free(pem);
  return key;
}

/* Records `count`, writes the store's usage log at `at`, signs it with
 * `key`, marks it logged and returns the log as the vendor verifies it. */
static lc_usage_log *send(lc_store *store, const lc_count *count, int64_t at, const lc_signing_key *key,
                          const lc_trusted_keys *trusted) {
  lc_usage_instance inst = {S("srv-1"), S("Server one"), S("Berlin"), S("4.2.0"), S("fp1;machine-id=00")};
  lc_usage_log *log = NULL, *verified = NULL;
  lc_bytes *xml = NULL;
  CHECK_OK(lc_store_record_count(store, count));
  CHECK_OK(lc_store_usage_log(store, at, &inst, count, &log));
  CHECK_OK(lc_usage_log_sign(log, key, &xml));
  CHECK_OK(lc_store_mark_logged(store, log));
  CHECK_OK(lc_usage_log_verify(lc_bytes_data(xml), lc_bytes_len(xml), trusted, &verified));
  char buf[64];
  size_t n = 0;
  CHECK_STATUS(LC_STATUS_SIGNATURE_MISSING, lc_usage_log_key_id(log, buf, sizeof buf, &n));
  lc_bytes_free(xml);
  lc_usage_log_free(log);
  return verified;
}

static void messages_are_one_c_string(void) {
  /* An unknown field whose name holds NUL, ESC and BEL. */
  static const char json[] = "{\"srv-1\": {\"x\\u0000\\u001b]0;owned\\u0007\": 1}}";
  lc_usage_ledger *ledger = NULL;
  CHECK_STATUS(LC_STATUS_INVALID_JSON, lc_usage_ledger_from_json((const uint8_t *)json, sizeof json - 1, &ledger));
  char msg[512];
  size_t written = 0;
  CHECK_OK(lc_last_error_message(msg, sizeof msg, &written));
  CHECK(strlen(msg) == written);
  CHECK(strchr(msg, '\x1b') == NULL && strchr(msg, '\a') == NULL);
  CHECK(strstr(msg, "x\\0\\u{1b}]0;owned\\u{7}") != NULL);
}

int main(void) {
  messages_are_one_c_string();

  lc_trusted_keys *vendor = NULL, *both = NULL;
  CHECK_OK(lc_trusted_keys_new(&vendor));
  add_key(vendor, "keys/vendor-2048.pub.pem");
  CHECK_OK(lc_trusted_keys_new(&both));
  add_key(both, "keys/vendor-2048.pub.pem");
  add_key(both, "keys/vendor-3072.pub.pem");
  lc_signing_key *old_key = signing_key("keys/vendor-3072.key.pem");
  lc_signing_key *new_key = signing_key("keys/vendor-2048.key.pem");

  size_t ln, jn;
  uint8_t *lic = read_vector("licenses/certmgr-2026.xml", &ln);
  char dir[] = "/tmp/lc-ledger-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  lc_store *store = NULL;
  lc_staged *staged = NULL;
  CHECK_OK(lc_store_open((const uint8_t *)dir, strlen(dir), vendor, S("certmgr"), NULL, 0, &store));
  CHECK_OK(lc_store_stage(store, lic, ln, T_2026_02_01, false, &staged));
  CHECK_OK(lc_store_commit(store, staged));
  lc_staged_free(staged);

  uint8_t *jsonl = read_vector("inventory/small.jsonl", &jn);
  lc_inventory *inv = NULL;
  lc_count_config *cfg = NULL;
  lc_count *first_count = NULL, *second_count = NULL;
  CHECK_OK(lc_inventory_new(&inv));
  CHECK_OK(lc_inventory_extend_jsonl(inv, jsonl, jn));
  CHECK_OK(lc_count_config_new(false, 5, &cfg));
  CHECK_OK(lc_inventory_count(inv, T_2026_11_20, cfg, &first_count));
  CHECK_OK(lc_inventory_count(inv, T_2026_11_20 + 86400, cfg, &second_count));

  /* The installation's key is replaced between its two logs. */
  lc_usage_log *first = send(store, first_count, T_2026_11_20 + 3600, old_key, both);
  lc_usage_log *second = send(store, second_count, T_2026_11_20 + 90000, new_key, both);
  char first_id[64], new_id[64];
  size_t first_n = 0, new_n = 0;
  CHECK_OK(lc_usage_log_key_id(first, first_id, sizeof first_id, &first_n));
  CHECK_OK(lc_signing_key_id(new_key, new_id, sizeof new_id, &new_n));
  CHECK(first_n == 43 && new_n == 43 && memcmp(first_id, new_id, 43) != 0);

  lc_usage_ledger *ledger = NULL;
  CHECK_OK(lc_usage_ledger_from_json(NULL, 0, &ledger));
  CHECK_OK(lc_usage_ledger_accept(ledger, first));
  CHECK_STATUS(LC_STATUS_USAGE_LOG_WRONG_KEY, lc_usage_ledger_accept(ledger, second));
  CHECK_DETAIL("rekey");
  CHECK_STATUS(LC_STATUS_INVALID_VALUE, lc_usage_ledger_rekey(ledger, S("srv-1"), S("not a key id")));
  CHECK_STATUS(LC_STATUS_UNKNOWN_INSTANCE,
               lc_usage_ledger_rekey(ledger, S("srv-9"), (const uint8_t *)new_id, new_n));
  CHECK_NULL_PARAM(lc_usage_ledger_rekey(NULL, S("srv-1"), (const uint8_t *)new_id, new_n));
  CHECK_STATUS(LC_STATUS_USAGE_LOG_WRONG_KEY, lc_usage_ledger_accept(ledger, second));
  CHECK_OK(lc_usage_ledger_rekey(ledger, S("srv-1"), (const uint8_t *)new_id, new_n));
  CHECK_OK(lc_usage_ledger_accept(ledger, second));
  bool known = false;
  uint64_t seq = 0;
  CHECK_OK(lc_usage_ledger_last_sequence(ledger, S("srv-1"), &known, &seq));
  CHECK(known && seq == 2);

  lc_usage_ledger_free(ledger);
  lc_usage_log_free(first);
  lc_usage_log_free(second);
  lc_count_free(first_count);
  lc_count_free(second_count);
  lc_count_config_free(cfg);
  lc_inventory_free(inv);
  free(jsonl);
  lc_store_free(store);
  free(lic);
  lc_signing_key_free(old_key);
  lc_signing_key_free(new_key);
  lc_trusted_keys_free(both);
  lc_trusted_keys_free(vendor);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  return test_summary("test_usage_ledger");
}
