/* A full installation lifecycle through the C ABI: store (stage, compare,
 * commit, replace, refuse, roll back), count the inventory, journal and
 * usage log, the vendor's ledger, and the once-per-crossing alerts. */
#include <stdlib.h>

#include "testsupport.h"

#define T_2026_02_01 1769904000
#define T_2026_11_20 1795132800
#define T_2026_11_21 (T_2026_11_20 + 86400)
#define T_2027_02_01 1801440000

static lc_trusted_keys *trust(const char *pub) {
  size_t n;
  uint8_t *pem = read_vector(pub, &n);
  lc_trusted_keys *tk = NULL;
  CHECK_OK(lc_trusted_keys_new(&tk));
  CHECK_OK(lc_trusted_keys_add(tk, pem, n));
  free(pem);
  return tk;
}

static void license_id(const lc_license *lic, const char *want) {
  char buf[64];
  size_t n = 0;
  CHECK_OK(lc_license_text(lic, LC_LICENSE_FIELD_ID, buf, sizeof buf, &n));
  CHECK_TEXT(buf, n, want);
}

int main(void) {
  lc_trusted_keys *vendor = trust("keys/vendor-2048.pub.pem");
  size_t n26, n27, kn;
  uint8_t *lic26 = read_vector("licenses/certmgr-2026.xml", &n26);
  uint8_t *lic27 = read_vector("licenses/certmgr-2027.xml", &n27);
  char dir[] = "/tmp/lc-lifecycle-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);

  /* A store for another product refuses the license. */
  char other_dir[300];
  snprintf(other_dir, sizeof other_dir, "%s/other", dir);
  lc_store *other = NULL;
  lc_staged *staged = NULL, *no_stage = NULL;
  CHECK_OK(lc_store_open((const uint8_t *)other_dir, strlen(other_dir), vendor, S("othermgr"), NULL, 0, &other));
  CHECK_STATUS(LC_STATUS_WRONG_PRODUCT, lc_store_stage(other, lic26, n26, T_2026_02_01, false, &no_stage));
  lc_store_free(other);
  /* A store bound to an instance refuses nothing unbound, but the path must be UTF-8. */
  CHECK_STATUS(LC_STATUS_INVALID_UTF8,
               lc_store_open(S("/tmp/\xff"), vendor, S("certmgr"), NULL, 0, &other));
  CHECK_STATUS(LC_STATUS_INVALID_UTF8,
               lc_store_open((const uint8_t *)dir, strlen(dir), vendor, S("certmgr"), S("\xfe"), &other));

  char store_dir[300];
  snprintf(store_dir, sizeof store_dir, "%s/store", dir);
  lc_store *store = NULL;
  CHECK_OK(lc_store_open((const uint8_t *)store_dir, strlen(store_dir), vendor, S("certmgr"), S("srv-1"), &store));
  lc_license *lic = NULL;
  CHECK_STATUS(LC_STATUS_NO_LICENSE_INSTALLED, lc_store_current(store, &lic));
  CHECK(lic == NULL);

  /* First install: nothing to compare with. */
  CHECK_OK(lc_store_stage(store, lic26, n26, T_2026_02_01, false, &staged));
  lc_license_diff *diff = (lc_license_diff *)&diff;
  CHECK_OK(lc_staged_diff(staged, &diff));
  CHECK(diff == NULL);
  CHECK_OK(lc_staged_license(staged, &lic));
  license_id(lic, "LIC-2026-0001");
  lc_license_free(lic);
  CHECK_OK(lc_store_commit(store, staged));
  lc_staged_free(staged);
  CHECK_OK(lc_store_current(store, &lic));
  license_id(lic, "LIC-2026-0001");
  lc_license_free(lic);

  /* A corrupt or tampered candidate changes nothing. */
  CHECK(lc_store_stage(store, lic27, n27 / 2, T_2026_11_20, false, &no_stage) != LC_STATUS_OK);
  CHECK_STATUS(LC_STATUS_CANDIDATE_EXPIRED, lc_store_stage(store, lic26, n26, T_2027_02_01, true, &no_stage));
  CHECK_STATUS(LC_STATUS_INVALID_TIME, lc_store_stage(store, lic27, n27, INT64_MAX, false, &no_stage));
  CHECK(no_stage == NULL);

  /* The renewal: compared side by side, then committed. */
  CHECK_OK(lc_store_stage(store, lic27, n27, T_2026_11_20, false, &staged));
  CHECK_OK(lc_staged_diff(staged, &diff));
  CHECK(diff != NULL && !lc_license_diff_is_empty(diff) && lc_license_diff_takes_nothing_away(diff));
  lc_license_diff_free(diff);
  CHECK_OK(lc_store_commit(store, staged));
  lc_staged_free(staged);
  size_t history = 9;
  CHECK_OK(lc_store_history_len(store, &history));
  CHECK(history == 1);

  /* The old license again: refused as older unless asked for; a stale stage is refused. */
  CHECK_STATUS(LC_STATUS_OLDER_LICENSE, lc_store_stage(store, lic26, n26, T_2026_11_21, false, &no_stage));
  CHECK_OK(lc_store_stage(store, lic26, n26, T_2026_11_21, true, &staged));
  lc_license *rolled = NULL;
  CHECK_OK(lc_store_rollback(store, &rolled));
  license_id(rolled, "LIC-2026-0001");
  lc_license_free(rolled);
  CHECK_STATUS(LC_STATUS_STALE_STAGE, lc_store_commit(store, staged));
  lc_staged_free(staged);
  CHECK_OK(lc_store_current(store, &lic));
  license_id(lic, "LIC-2026-0001");
  lc_license_free(lic);
  /* Forward again to the renewal. */
  CHECK_OK(lc_store_stage(store, lic27, n27, T_2026_11_20, false, &staged));
  lc_bytes *why = NULL;
  CHECK_OK(lc_staged_replaces_untrusted(staged, &why));
  CHECK(why == NULL);
  CHECK_OK(lc_store_commit(store, staged));
  lc_staged_free(staged);

  /* A vendor-signed license copied over license.xml is not trusted: only
   * installing again (every check) replaces it. */
  char installed_path[320];
  snprintf(installed_path, sizeof installed_path, "%s/license.xml", store_dir);
  FILE *planted = fopen(installed_path, "wb");
  CHECK(planted != NULL && fwrite(lic26, 1, n26, planted) == n26);
  fclose(planted);
  CHECK_STATUS(LC_STATUS_STORE_UNTRUSTED, lc_store_current(store, &lic));
  CHECK_DETAIL("license.xml");
  CHECK_OK(lc_store_stage(store, lic27, n27, T_2026_11_20, false, &staged));
  CHECK_OK(lc_staged_replaces_untrusted(staged, &why));
  CHECK(why != NULL && strstr((const char *)lc_bytes_data(why), "license.xml") != NULL);
  lc_bytes_free(why);
  CHECK_OK(lc_staged_diff(staged, &diff));
  CHECK(diff == NULL);
  CHECK_OK(lc_store_commit(store, staged));
  lc_staged_free(staged);
  CHECK_OK(lc_store_current(store, &lic));
  lc_license_free(lic);

  /* Count the inventory and journal it. */
  size_t jn;
  uint8_t *jsonl = read_vector("inventory/small.jsonl", &jn);
  lc_inventory *inv = NULL;
  lc_count_config *cfg = NULL;
  lc_count *count = NULL, *later = NULL;
  CHECK_OK(lc_inventory_new(&inv));
  CHECK_OK(lc_inventory_extend_jsonl(inv, jsonl, jn));
  CHECK_OK(lc_count_config_new(false, 5, &cfg));
  CHECK_OK(lc_inventory_count(inv, T_2026_11_20, cfg, &count));
  CHECK_OK(lc_inventory_count(inv, T_2026_11_21, cfg, &later));
  CHECK_OK(lc_store_record_count(store, count));
  CHECK_OK(lc_store_record_count(store, later));

  /* Alerts: over the limit once per crossing. */
  lc_bytes *alerts = NULL;
  CHECK_OK(lc_store_check_alerts(store, T_2026_11_21, later, &alerts));
  CHECK(strstr((const char *)lc_bytes_data(alerts), "actioned_over_limit") != NULL);
  lc_bytes_free(alerts);
  CHECK_OK(lc_store_check_alerts(store, T_2026_11_21 + 60, later, &alerts));
  CHECK(strstr((const char *)lc_bytes_data(alerts), "actioned_over_limit") == NULL);
  lc_bytes_free(alerts);
  CHECK_OK(lc_store_check_alerts(store, T_2026_11_21 + 120, NULL, &alerts));
  lc_bytes_free(alerts);

  /* The usage log: built, signed by the installation, read by the vendor. */
  lc_usage_instance inst = {S("srv-1"), S("Server one"), S("Berlin"), S("4.2.0"), S("fp1;machine-id=00")};
  lc_usage_log *log = NULL, *verified = NULL, *no_log = NULL;
  CHECK_OK(lc_store_usage_log(store, T_2026_11_21 + 3600, &inst, later, &log));
  uint64_t total = 0;
  size_t entries = 0;
  int64_t generated = 0;
  CHECK_OK(lc_usage_log_summary(log, &total, &entries, &generated));
  CHECK(total == 9 && entries == 2 && generated == T_2026_11_21 + 3600);
  lc_usage_instance bad_inst = inst;
  bad_inst.location = (const uint8_t *)"\xff";
  bad_inst.location_len = 1;
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_store_usage_log(store, T_2026_11_21, &bad_inst, later, &no_log));

  uint8_t *ikey = read_vector("keys/vendor-3072.key.pem", &kn);
  lc_signing_key *installation = NULL;
  CHECK_OK(lc_signing_key_from_bytes(ikey, kn, &installation));
  lc_bytes *signed_log = NULL;
  CHECK_OK(lc_usage_log_sign(log, installation, &signed_log));
  lc_trusted_keys *inst_keys = trust("keys/vendor-3072.pub.pem");
  CHECK_OK(lc_usage_log_verify(lc_bytes_data(signed_log), lc_bytes_len(signed_log), inst_keys, &verified));
  CHECK_OK(lc_usage_log_summary(verified, &total, &entries, &generated));
  CHECK(total == 9 && entries == 2);
  /* Not trusted, or tampered: refused. */
  CHECK(lc_usage_log_verify(lc_bytes_data(signed_log), lc_bytes_len(signed_log), vendor, &no_log) != LC_STATUS_OK);
  uint8_t *tampered = malloc(lc_bytes_len(signed_log));
  memcpy(tampered, lc_bytes_data(signed_log), lc_bytes_len(signed_log));
  char *srv = strstr((char *)tampered, "Server one");
  CHECK(srv != NULL);
  if (srv) srv[0] = 'X';
  CHECK_STATUS(LC_STATUS_DIGEST_MISMATCH, lc_usage_log_verify(tampered, lc_bytes_len(signed_log), inst_keys, &no_log));
  CHECK(lc_usage_log_verify(tampered, 10, inst_keys, &no_log) != LC_STATUS_OK);
  CHECK(no_log == NULL);
  free(tampered);

  lc_usage_ledger *ledger = NULL, *restored = NULL;
  CHECK_OK(lc_usage_ledger_from_json(NULL, 0, &ledger));
  bool known = true;
  uint64_t seq = 7;
  CHECK_OK(lc_usage_ledger_last_sequence(ledger, S("srv-1"), &known, &seq));
  CHECK(!known && seq == 0);
  CHECK_STATUS(LC_STATUS_SIGNATURE_MISSING, lc_usage_ledger_accept(ledger, log));
  CHECK_OK(lc_usage_ledger_accept(ledger, verified));
  CHECK_OK(lc_usage_ledger_last_sequence(ledger, S("srv-1"), &known, &seq));
  CHECK(known && seq == 2);
  CHECK_STATUS(LC_STATUS_USAGE_LOG_REPLAYED, lc_usage_ledger_accept(ledger, verified));
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_usage_ledger_last_sequence(ledger, S("\xff"), &known, &seq));
  lc_bytes *ledger_json = NULL;
  CHECK_OK(lc_usage_ledger_to_json(ledger, &ledger_json));
  CHECK_OK(lc_usage_ledger_from_json(lc_bytes_data(ledger_json), lc_bytes_len(ledger_json), &restored));
  CHECK_STATUS(LC_STATUS_USAGE_LOG_REPLAYED, lc_usage_ledger_accept(restored, verified));
  lc_usage_ledger *bad_ledger = NULL;
  CHECK_STATUS(LC_STATUS_INVALID_JSON, lc_usage_ledger_from_json(S("{\"srv-1\": 3}"), &bad_ledger));
  CHECK(bad_ledger == NULL);

  /* Once handed over, the journal entries are dropped. */
  CHECK_OK(lc_store_mark_logged(store, log));
  lc_usage_log *next = NULL;
  CHECK_OK(lc_store_usage_log(store, T_2026_11_21 + 7200, &inst, later, &next));
  CHECK_OK(lc_usage_log_summary(next, &total, &entries, &generated));
  CHECK(entries == 0);

  lc_usage_log_free(next);
  lc_bytes_free(ledger_json);
  lc_usage_ledger_free(restored);
  lc_usage_ledger_free(ledger);
  lc_trusted_keys_free(inst_keys);
  lc_bytes_free(signed_log);
  lc_signing_key_free(installation);
  free(ikey);
  lc_usage_log_free(verified);
  lc_usage_log_free(log);
  lc_count_free(count);
  lc_count_free(later);
  lc_count_config_free(cfg);
  lc_inventory_free(inv);
  free(jsonl);
  lc_store_free(store);
  free(lic26);
  free(lic27);
  lc_trusted_keys_free(vendor);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  return test_summary("test_lifecycle");
}
