/* Every function, every pointer parameter NULL in turn: fallible functions
 * return LC_STATUS_NULL_PARAMETER and write nothing; the others return
 * their documented default; every _free accepts NULL. */
#include <stdlib.h>
#include <unistd.h>

#include "testsupport.h"

int main(void) {
  size_t len = 0, n = 0;
  uint8_t *json = read_vector("licenses/certmgr-2026.json", &len);
  uint8_t *xml_bytes;
  size_t xml_len;
  uint8_t *keypem, *pubpem;
  size_t keylen, publen;
  keypem = read_vector("keys/vendor-2048.key.pem", &keylen);
  pubpem = read_vector("keys/vendor-2048.pub.pem", &publen);
  xml_bytes = read_vector("licenses/certmgr-2026.xml", &xml_len);

  /* One live object of each type, to pass beside the NULL under test. */
  lc_trusted_keys *tk = NULL; lc_signing_key *sk = NULL; lc_license *lic = NULL;
  lc_inventory *inv = NULL; lc_certificate_batch *batch = NULL; lc_count_config *cfg = NULL;
  lc_count *count = NULL; lc_id_set *set = NULL; lc_external_sets *ext = NULL;
  lc_hardware_profile *prof = NULL; lc_match_report *rep = NULL; lc_license_diff *diff = NULL;
  lc_store *store = NULL; lc_staged *staged = NULL; lc_usage_log *log = NULL;
  lc_usage_ledger *ledger = NULL; lc_bytes *bytes = NULL;
  CHECK_OK(lc_trusted_keys_new(&tk));
  CHECK_OK(lc_trusted_keys_add(tk, pubpem, publen));
  CHECK_OK(lc_signing_key_from_bytes(keypem, keylen, &sk));
  CHECK_OK(lc_license_from_json(json, len, &lic));
  CHECK_OK(lc_inventory_new(&inv));
  CHECK_OK(lc_certificate_batch_new(&batch));
  CHECK_OK(lc_count_config_new(false, 5, &cfg));
  CHECK_OK(lc_inventory_count(inv, 0, cfg, &count));
  CHECK_OK(lc_id_set_new(&set));
  CHECK_OK(lc_external_sets_new(&ext));
  size_t plen;
  uint8_t *pxml = read_vector("profile/server.xml", &plen);
  CHECK_OK(lc_hardware_profile_from_xml(pxml, plen, &prof));
  lc_bytes *fp = NULL;
  CHECK_OK(lc_hardware_profile_fingerprint(prof, &fp));
  CHECK_OK(lc_hardware_profile_match(prof, lc_bytes_data(fp), lc_bytes_len(fp), NULL, 0, &rep));
  CHECK_OK(lc_license_diff_new(lic, lic, &diff));
  char dir[] = "/tmp/lc-null-XXXXXX";
  CHECK(mkdtemp(dir) != NULL);
  CHECK_OK(lc_store_open((const uint8_t *)dir, strlen(dir), tk, S("certmgr"), NULL, 0, &store));
  CHECK_OK(lc_store_stage(store, xml_bytes, xml_len, 1767225600 + 86400, false, &staged));
  CHECK_OK(lc_store_commit(store, staged));
  lc_usage_instance inst = {S("srv-1"), S("Server one"), S("Berlin"), S("1.2.3"), S("fp1:")};
  CHECK_OK(lc_store_usage_log(store, 1767225600 + 2 * 86400, &inst, count, &log));
  CHECK_OK(lc_usage_ledger_from_json(NULL, 0, &ledger));
  char buf[128];
  bool b; uint64_t u64; int64_t i64; uint32_t u32, u32b; size_t sz;
  lc_license_status_info info;

  /* --- status, version, bytes ---------------------------------------- */
  CHECK(lc_version() != NULL);
  CHECK(lc_status_name(LC_STATUS_NULL_PARAMETER) != NULL);
  CHECK_NULL_PARAM(lc_last_error_message(buf, sizeof buf, NULL));
  CHECK_NULL_PARAM(lc_last_error_message(NULL, 5, &n));
  CHECK(lc_bytes_data(NULL) == NULL);
  CHECK(lc_bytes_len(NULL) == 0);
  lc_bytes_free(NULL);

  /* --- keys ------------------------------------------------------------ */
  lc_signing_key *sk2 = (lc_signing_key *)&buf; /* must stay untouched */
  CHECK_NULL_PARAM(lc_signing_key_from_bytes(NULL, 10, &sk2));
  CHECK(sk2 == (lc_signing_key *)&buf);
  CHECK_NULL_PARAM(lc_signing_key_from_bytes(keypem, keylen, NULL));
  CHECK_NULL_PARAM(lc_signing_key_id(NULL, buf, sizeof buf, &n));
  CHECK_NULL_PARAM(lc_signing_key_id(sk, NULL, sizeof buf, &n));
  CHECK_NULL_PARAM(lc_signing_key_id(sk, buf, sizeof buf, NULL));
  CHECK_NULL_PARAM(lc_signing_key_public_pem(NULL, &bytes));
  CHECK_NULL_PARAM(lc_signing_key_public_pem(sk, NULL));
  lc_signing_key_free(NULL);
  CHECK_NULL_PARAM(lc_trusted_keys_new(NULL));
  CHECK_NULL_PARAM(lc_trusted_keys_add(NULL, pubpem, publen));
  CHECK_NULL_PARAM(lc_trusted_keys_add(tk, NULL, publen));
  CHECK(lc_trusted_keys_len(NULL) == 0);
  lc_trusted_keys_free(NULL);

  /* --- licenses -------------------------------------------------------- */
  CHECK_NULL_PARAM(lc_license_from_json(NULL, len, &lic));
  CHECK_NULL_PARAM(lc_license_from_json(json, len, NULL));
  CHECK_NULL_PARAM(lc_license_verify(NULL, xml_len, tk, &lic));
  CHECK_NULL_PARAM(lc_license_verify(xml_bytes, xml_len, NULL, &lic));
  CHECK_NULL_PARAM(lc_license_verify(xml_bytes, xml_len, tk, NULL));
  CHECK_NULL_PARAM(lc_license_sign(NULL, sk, &bytes));
  CHECK_NULL_PARAM(lc_license_sign(lic, NULL, &bytes));
  CHECK_NULL_PARAM(lc_license_sign(lic, sk, NULL));
  CHECK_NULL_PARAM(lc_license_to_json(NULL, &bytes));
  CHECK_NULL_PARAM(lc_license_to_json(lic, NULL));
  CHECK_NULL_PARAM(lc_license_to_table(NULL, &bytes));
  CHECK_NULL_PARAM(lc_license_to_table(lic, NULL));
  CHECK_NULL_PARAM(lc_license_text(NULL, LC_LICENSE_FIELD_ID, buf, sizeof buf, &n));
  CHECK_NULL_PARAM(lc_license_text(lic, LC_LICENSE_FIELD_ID, NULL, sizeof buf, &n));
  CHECK_NULL_PARAM(lc_license_text(lic, LC_LICENSE_FIELD_ID, buf, sizeof buf, NULL));
  CHECK_NULL_PARAM(lc_license_times(NULL, &i64, &b, &i64));
  CHECK_NULL_PARAM(lc_license_times(lic, NULL, &b, &i64));
  CHECK_NULL_PARAM(lc_license_times(lic, &i64, NULL, &i64));
  CHECK_NULL_PARAM(lc_license_times(lic, &i64, &b, NULL));
  CHECK_NULL_PARAM(lc_license_actioned_limit(NULL, &b, &u64));
  CHECK_NULL_PARAM(lc_license_actioned_limit(lic, NULL, &u64));
  CHECK_NULL_PARAM(lc_license_actioned_limit(lic, &b, NULL));
  CHECK_NULL_PARAM(lc_license_status(NULL, 0, &info));
  CHECK_NULL_PARAM(lc_license_status(lic, 0, NULL));
  CHECK_NULL_PARAM(lc_license_feature_enabled(NULL, S("api"), 0, &b));
  CHECK_NULL_PARAM(lc_license_feature_enabled(lic, NULL, 3, 0, &b));
  CHECK_NULL_PARAM(lc_license_feature_enabled(lic, S("api"), 0, NULL));
  CHECK_NULL_PARAM(lc_license_feature_quantity(NULL, S("api"), &b, &u64));
  CHECK_NULL_PARAM(lc_license_feature_quantity(lic, NULL, 3, &b, &u64));
  CHECK_NULL_PARAM(lc_license_feature_quantity(lic, S("api"), NULL, &u64));
  CHECK_NULL_PARAM(lc_license_feature_quantity(lic, S("api"), &b, NULL));
  CHECK_NULL_PARAM(lc_license_match_hardware(NULL, prof, &rep));
  CHECK_NULL_PARAM(lc_license_match_hardware(lic, NULL, &rep));
  CHECK_NULL_PARAM(lc_license_match_hardware(lic, prof, NULL));
  CHECK_NULL_PARAM(lc_license_require_hardware(NULL, prof));
  CHECK_NULL_PARAM(lc_license_require_hardware(lic, NULL));
  lc_license_free(NULL);
  CHECK_NULL_PARAM(lc_license_diff_new(NULL, lic, &diff));
  CHECK_NULL_PARAM(lc_license_diff_new(lic, NULL, &diff));
  CHECK_NULL_PARAM(lc_license_diff_new(lic, lic, NULL));
  CHECK(!lc_license_diff_is_empty(NULL));
  CHECK(!lc_license_diff_takes_nothing_away(NULL));
  CHECK_NULL_PARAM(lc_license_diff_to_text(NULL, &bytes));
  CHECK_NULL_PARAM(lc_license_diff_to_text(diff, NULL));
  lc_license_diff_free(NULL);

  /* --- inventory, batches, counts ---------------------------------------- */
  uint32_t ids[2] = {1, 2};
  int64_t times[2] = {0, 0};
  CHECK_NULL_PARAM(lc_inventory_new(NULL));
  CHECK(lc_inventory_len(NULL) == 0);
  CHECK(!lc_inventory_contains(NULL, 1));
  CHECK_NULL_PARAM(lc_inventory_insert_batch(NULL, batch));
  CHECK_NULL_PARAM(lc_inventory_insert_batch(inv, NULL));
  CHECK_NULL_PARAM(lc_inventory_extend_jsonl(NULL, S("")));
  CHECK_NULL_PARAM(lc_inventory_extend_jsonl(inv, NULL, 4));
  CHECK_NULL_PARAM(lc_inventory_extend_jsonl_limited(NULL, S(""), lc_inventory_limits_default()));
  CHECK_NULL_PARAM(lc_inventory_extend_jsonl_limited(inv, NULL, 4, lc_inventory_limits_default()));
  CHECK_NULL_PARAM(lc_inventory_from_snapshot_limited(S("x"), lc_inventory_limits_default(), NULL));
  CHECK_NULL_PARAM(lc_inventory_apply(NULL, LC_EVENT_ENROLLED, ids, 2, NULL, 0, 0));
  CHECK_NULL_PARAM(lc_inventory_apply(inv, LC_EVENT_ENROLLED, NULL, 2, NULL, 0, 0));
  CHECK_NULL_PARAM(lc_inventory_apply(inv, LC_EVENT_ADDED_TO_STORE, ids, 2, NULL, 3, 0));
  CHECK_NULL_PARAM(lc_inventory_to_snapshot(NULL, &bytes));
  CHECK_NULL_PARAM(lc_inventory_to_snapshot(inv, NULL));
  CHECK_NULL_PARAM(lc_inventory_from_snapshot(NULL, 8, &inv));
  CHECK_NULL_PARAM(lc_inventory_from_snapshot(S("x"), NULL));
  CHECK_NULL_PARAM(lc_inventory_count(NULL, 0, cfg, &count));
  CHECK_NULL_PARAM(lc_inventory_count(inv, 0, NULL, &count));
  CHECK_NULL_PARAM(lc_inventory_count(inv, 0, cfg, NULL));
  lc_inventory_free(NULL);
  CHECK_NULL_PARAM(lc_certificate_batch_new(NULL));
  CHECK_NULL_PARAM(lc_certificate_batch_add_ids(NULL, ids, 2));
  CHECK_NULL_PARAM(lc_certificate_batch_add_ids(batch, NULL, 2));
  CHECK_NULL_PARAM(lc_certificate_batch_set_flag(NULL, LC_CERTIFICATE_FLAG_ENROLLED, ids, 2));
  CHECK_NULL_PARAM(lc_certificate_batch_set_flag(batch, LC_CERTIFICATE_FLAG_ENROLLED, NULL, 2));
  CHECK_NULL_PARAM(lc_certificate_batch_set_time(NULL, LC_CERTIFICATE_TIME_REVOKED_AT, ids, times, 2));
  CHECK_NULL_PARAM(lc_certificate_batch_set_time(batch, LC_CERTIFICATE_TIME_REVOKED_AT, NULL, times, 2));
  CHECK_NULL_PARAM(lc_certificate_batch_set_time(batch, LC_CERTIFICATE_TIME_REVOKED_AT, ids, NULL, 2));
  CHECK_NULL_PARAM(lc_certificate_batch_add_name(NULL, LC_NAME_LIST_STORE, S("s"), ids, 2));
  CHECK_NULL_PARAM(lc_certificate_batch_add_name(batch, LC_NAME_LIST_STORE, NULL, 0, ids, 2));
  CHECK_NULL_PARAM(lc_certificate_batch_add_name(batch, LC_NAME_LIST_STORE, S("s"), NULL, 2));
  CHECK(lc_certificate_batch_len(NULL) == 0);
  lc_certificate_batch_free(NULL);
  CHECK_NULL_PARAM(lc_count_config_new(false, 5, NULL));
  CHECK_NULL_PARAM(lc_count_config_exclude_metadata(NULL, S("Notes")));
  CHECK_NULL_PARAM(lc_count_config_exclude_metadata(cfg, NULL, 0));
  CHECK_NULL_PARAM(lc_count_config_reference_collection(NULL, S("c")));
  CHECK_NULL_PARAM(lc_count_config_reference_collection(cfg, NULL, 0));
  CHECK_NULL_PARAM(lc_count_config_reference_no_collections(NULL));
  lc_count_config_free(NULL);
  CHECK(lc_count_total(NULL) == 0);
  CHECK_NULL_PARAM(lc_count_category(NULL, LC_CATEGORY_ENROLLED, &u64));
  CHECK_NULL_PARAM(lc_count_category(count, LC_CATEGORY_ENROLLED, NULL));
  CHECK_NULL_PARAM(lc_count_over_limit(NULL, &b, &u64));
  CHECK_NULL_PARAM(lc_count_over_limit(count, NULL, &u64));
  CHECK_NULL_PARAM(lc_count_over_limit(count, &b, NULL));
  CHECK_NULL_PARAM(lc_count_to_json(NULL, &bytes));
  CHECK_NULL_PARAM(lc_count_to_json(count, NULL));
  CHECK_NULL_PARAM(lc_count_to_table(NULL, &bytes));
  CHECK_NULL_PARAM(lc_count_to_table(count, NULL));
  lc_count_free(NULL);

  /* --- id sets, interchange, external sets ------------------------------- */
  CHECK_NULL_PARAM(lc_id_set_new(NULL));
  CHECK_NULL_PARAM(lc_id_set_add_ids(NULL, ids, 2));
  CHECK_NULL_PARAM(lc_id_set_add_ids(set, NULL, 2));
  CHECK(lc_id_set_len(NULL) == 0);
  CHECK(!lc_id_set_contains(NULL, 1));
  CHECK_NULL_PARAM(lc_id_set_to_array(NULL, ids, 2, &n));
  CHECK_NULL_PARAM(lc_id_set_to_array(set, NULL, 2, &n));
  CHECK_NULL_PARAM(lc_id_set_to_array(set, ids, 2, NULL));
  CHECK_NULL_PARAM(lc_id_set_read(NULL, 4, &set, &u32));
  CHECK_NULL_PARAM(lc_id_set_read(S("x"), NULL, &u32));
  CHECK_NULL_PARAM(lc_id_set_read(S("x"), &set, NULL));
  CHECK_NULL_PARAM(lc_id_set_write(NULL, LC_ID_SET_FORMAT_PORTABLE, &bytes));
  CHECK_NULL_PARAM(lc_id_set_write(set, LC_ID_SET_FORMAT_PORTABLE, NULL));
  lc_id_set_free(NULL);
  CHECK_NULL_PARAM(lc_external_sets_new(NULL));
  CHECK_NULL_PARAM(lc_external_sets_add(NULL, S("enrolled"), S("x")));
  CHECK_NULL_PARAM(lc_external_sets_add(ext, NULL, 0, S("x")));
  CHECK_NULL_PARAM(lc_external_sets_add(ext, S("enrolled"), NULL, 1));
  CHECK_NULL_PARAM(lc_external_sets_add_spark(NULL, S("enrolled"), S("x")));
  CHECK_NULL_PARAM(lc_external_sets_add_spark(ext, NULL, 0, S("x")));
  CHECK_NULL_PARAM(lc_external_sets_add_spark(ext, S("enrolled"), NULL, 1));
  CHECK_NULL_PARAM(lc_external_sets_count(NULL, 0, cfg, &count));
  CHECK_NULL_PARAM(lc_external_sets_count(ext, 0, NULL, &count));
  CHECK_NULL_PARAM(lc_external_sets_count(ext, 0, cfg, NULL));
  lc_external_sets_free(NULL);

  /* --- hardware ------------------------------------------------------------ */
  CHECK_NULL_PARAM(lc_hardware_profile_collect(NULL));
  CHECK_NULL_PARAM(lc_hardware_profile_from_xml(NULL, 3, &prof));
  CHECK_NULL_PARAM(lc_hardware_profile_from_xml(pxml, plen, NULL));
  CHECK_NULL_PARAM(lc_hardware_profile_to_xml(NULL, &bytes));
  CHECK_NULL_PARAM(lc_hardware_profile_to_xml(prof, NULL));
  CHECK_NULL_PARAM(lc_hardware_profile_fingerprint(NULL, &bytes));
  CHECK_NULL_PARAM(lc_hardware_profile_fingerprint(prof, NULL));
  CHECK_NULL_PARAM(lc_hardware_profile_to_table(NULL, &bytes));
  CHECK_NULL_PARAM(lc_hardware_profile_to_table(prof, NULL));
  CHECK_NULL_PARAM(lc_hardware_profile_match(NULL, S("fp1:"), NULL, 0, &rep));
  CHECK_NULL_PARAM(lc_hardware_profile_match(prof, NULL, 4, NULL, 0, &rep));
  CHECK_NULL_PARAM(lc_hardware_profile_match(prof, S("fp1:"), NULL, 4, &rep));
  CHECK_NULL_PARAM(lc_hardware_profile_match(prof, S("fp1:"), NULL, 0, NULL));
  lc_hardware_profile_free(NULL);
  CHECK(!lc_match_report_is_match(NULL));
  CHECK_NULL_PARAM(lc_match_report_score(NULL, &u32, &u32b));
  CHECK_NULL_PARAM(lc_match_report_score(rep, NULL, &u32b));
  CHECK_NULL_PARAM(lc_match_report_score(rep, &u32, NULL));
  CHECK_NULL_PARAM(lc_match_report_to_text(NULL, &bytes));
  CHECK_NULL_PARAM(lc_match_report_to_text(rep, NULL));
  lc_match_report_free(NULL);

  /* --- store ----------------------------------------------------------------- */
  lc_store *store2 = NULL;
  CHECK_NULL_PARAM(lc_store_open(NULL, 4, tk, S("certmgr"), NULL, 0, &store2));
  CHECK_NULL_PARAM(lc_store_open((const uint8_t *)dir, strlen(dir), NULL, S("certmgr"), NULL, 0, &store2));
  CHECK_NULL_PARAM(lc_store_open((const uint8_t *)dir, strlen(dir), tk, NULL, 7, NULL, 0, &store2));
  CHECK_NULL_PARAM(lc_store_open((const uint8_t *)dir, strlen(dir), tk, S("certmgr"), NULL, 3, &store2));
  CHECK_NULL_PARAM(lc_store_open((const uint8_t *)dir, strlen(dir), tk, S("certmgr"), NULL, 0, NULL));
  CHECK(store2 == NULL);
  CHECK_NULL_PARAM(lc_store_current(NULL, &lic));
  CHECK_NULL_PARAM(lc_store_current(store, NULL));
  CHECK_NULL_PARAM(lc_store_stage(NULL, xml_bytes, xml_len, 0, false, &staged));
  CHECK_NULL_PARAM(lc_store_stage(store, NULL, xml_len, 0, false, &staged));
  CHECK_NULL_PARAM(lc_store_stage(store, xml_bytes, xml_len, 0, false, NULL));
  CHECK_NULL_PARAM(lc_store_commit(NULL, staged));
  CHECK_NULL_PARAM(lc_store_commit(store, NULL));
  CHECK_NULL_PARAM(lc_store_rollback(NULL, &lic));
  CHECK_NULL_PARAM(lc_store_rollback(store, NULL));
  CHECK_NULL_PARAM(lc_store_history_len(NULL, &sz));
  CHECK_NULL_PARAM(lc_store_history_len(store, NULL));
  CHECK_NULL_PARAM(lc_store_record_count(NULL, count));
  CHECK_NULL_PARAM(lc_store_record_count(store, NULL));
  CHECK_NULL_PARAM(lc_store_usage_log(NULL, 0, &inst, count, &log));
  CHECK_NULL_PARAM(lc_store_usage_log(store, 0, NULL, count, &log));
  CHECK_NULL_PARAM(lc_store_usage_log(store, 0, &inst, NULL, &log));
  CHECK_NULL_PARAM(lc_store_usage_log(store, 0, &inst, count, NULL));
  lc_usage_instance bad = inst;
  bad.name = NULL;
  CHECK_NULL_PARAM(lc_store_usage_log(store, 0, &bad, count, &log));
  CHECK_NULL_PARAM(lc_store_mark_logged(NULL, log));
  CHECK_NULL_PARAM(lc_store_mark_logged(store, NULL));
  CHECK_NULL_PARAM(lc_store_check_alerts(NULL, 0, count, &bytes));
  CHECK_NULL_PARAM(lc_store_check_alerts(store, 0, count, NULL));
  lc_store_free(NULL);
  CHECK_NULL_PARAM(lc_staged_license(NULL, &lic));
  CHECK_NULL_PARAM(lc_staged_license(staged, NULL));
  CHECK_NULL_PARAM(lc_staged_diff(NULL, &diff));
  CHECK_NULL_PARAM(lc_staged_diff(staged, NULL));
  CHECK_NULL_PARAM(lc_staged_replaces_untrusted(NULL, &bytes));
  CHECK_NULL_PARAM(lc_staged_replaces_untrusted(staged, NULL));
  lc_staged_free(NULL);

  /* --- usage logs ------------------------------------------------------------ */
  CHECK_NULL_PARAM(lc_usage_log_sign(NULL, sk, &bytes));
  CHECK_NULL_PARAM(lc_usage_log_sign(log, NULL, &bytes));
  CHECK_NULL_PARAM(lc_usage_log_sign(log, sk, NULL));
  CHECK_NULL_PARAM(lc_usage_log_verify(NULL, 5, tk, &log));
  CHECK_NULL_PARAM(lc_usage_log_verify(S("<x/>"), NULL, &log));
  CHECK_NULL_PARAM(lc_usage_log_verify(S("<x/>"), tk, NULL));
  CHECK_NULL_PARAM(lc_usage_log_summary(NULL, &u64, &sz, &i64));
  CHECK_NULL_PARAM(lc_usage_log_summary(log, NULL, &sz, &i64));
  CHECK_NULL_PARAM(lc_usage_log_summary(log, &u64, NULL, &i64));
  CHECK_NULL_PARAM(lc_usage_log_summary(log, &u64, &sz, NULL));
  lc_usage_log_free(NULL);
  CHECK_NULL_PARAM(lc_usage_ledger_from_json(NULL, 2, &ledger));
  CHECK_NULL_PARAM(lc_usage_ledger_from_json(S("{}"), NULL));
  CHECK_NULL_PARAM(lc_usage_ledger_to_json(NULL, &bytes));
  CHECK_NULL_PARAM(lc_usage_ledger_to_json(ledger, NULL));
  CHECK_NULL_PARAM(lc_usage_ledger_accept(NULL, log));
  CHECK_NULL_PARAM(lc_usage_ledger_accept(ledger, NULL));
  CHECK_NULL_PARAM(lc_usage_ledger_last_sequence(NULL, S("srv-1"), &b, &u64));
  CHECK_NULL_PARAM(lc_usage_ledger_last_sequence(ledger, NULL, 5, &b, &u64));
  CHECK_NULL_PARAM(lc_usage_ledger_last_sequence(ledger, S("srv-1"), NULL, &u64));
  CHECK_NULL_PARAM(lc_usage_ledger_last_sequence(ledger, S("srv-1"), &b, NULL));
  lc_usage_ledger_free(NULL);

  /* A NULL-parameter failure names the argument. */
  CHECK_NULL_PARAM(lc_license_to_json(lic, NULL));
  CHECK_DETAIL("`out`");
  CHECK(bytes == NULL); /* never written by a failing call */

  lc_bytes_free(fp);
  lc_usage_ledger_free(ledger); lc_usage_log_free(log); lc_staged_free(staged); lc_store_free(store);
  lc_license_diff_free(diff); lc_match_report_free(rep); lc_hardware_profile_free(prof);
  lc_external_sets_free(ext); lc_id_set_free(set); lc_count_free(count); lc_count_config_free(cfg);
  lc_certificate_batch_free(batch); lc_inventory_free(inv); lc_license_free(lic);
  lc_signing_key_free(sk); lc_trusted_keys_free(tk);
  free(json); free(keypem); free(pubpem); free(xml_bytes); free(pxml);
  char cmd[64];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0);
  return test_summary("test_null");
}
