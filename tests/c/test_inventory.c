/* The inventory and the count: JSON Lines and id-array batches give the
 * same inventory (same snapshot bytes) and the counts documented beside
 * the vector; events in bulk, all or nothing; snapshots; id sets in the
 * Roaring and ClickHouse formats; counting from external sets. */
#include <stdlib.h>

#include "testsupport.h"

#define AT 1795132800 /* 2026-11-20T00:00:00Z */

static const uint64_t EXPECTED[7] = {2, 1, 2, 1, 2, 1, 2}; /* tests/vectors/README.md */

static void check_counts(lc_count *c, const uint64_t want[7], uint64_t total) {
  CHECK(lc_count_total(c) == total);
  for (uint32_t k = LC_CATEGORY_ENROLLED; k <= LC_CATEGORY_COLLECTION; k++) {
    uint64_t got = 0;
    CHECK_OK(lc_count_category(c, k, &got));
    if (got != want[k]) {
      fprintf(stderr, "category %u: %llu, expected %llu\n", k, (unsigned long long)got,
              (unsigned long long)want[k]);
      lc_test_failures++;
    }
  }
}

static lc_inventory *from_jsonl(void) {
  size_t n;
  uint8_t *jsonl = read_vector("inventory/small.jsonl", &n);
  lc_inventory *inv = NULL;
  CHECK_OK(lc_inventory_new(&inv));
  CHECK_OK(lc_inventory_extend_jsonl(inv, jsonl, n));
  free(jsonl);
  return inv;
}

/* The same twelve certificates, column by column. */
static lc_inventory *from_batch(void) {
  lc_certificate_batch *b = NULL;
  CHECK_OK(lc_certificate_batch_new(&b));
  uint32_t ids[12];
  for (uint32_t i = 0; i < 12; i++) ids[i] = i + 1;
  CHECK_OK(lc_certificate_batch_add_ids(b, ids, 12));
  CHECK(lc_certificate_batch_len(b) == 12);
  const uint32_t enrolled[] = {1, 2, 3, 12}, pk[] = {8, 12}, ssl[] = {7, 7};
  CHECK_OK(lc_certificate_batch_set_flag(b, LC_CERTIFICATE_FLAG_ENROLLED, enrolled, 4));
  CHECK_OK(lc_certificate_batch_set_flag(b, LC_CERTIFICATE_FLAG_PRIVATE_KEY, pk, 2));
  CHECK_OK(lc_certificate_batch_set_flag(b, LC_CERTIFICATE_FLAG_SSL_ENDPOINT, ssl, 2));
  const uint32_t revoked[] = {2, 3};
  const int64_t revoked_at[] = {1794992400, 1790812800};
  CHECK_OK(lc_certificate_batch_set_time(b, LC_CERTIFICATE_TIME_REVOKED_AT, revoked, revoked_at, 2));
  const uint32_t expiring[] = {8};
  const int64_t expires_at[] = {1793491200};
  CHECK_OK(lc_certificate_batch_set_time(b, LC_CERTIFICATE_TIME_EXPIRES_AT, expiring, expires_at, 1));
  const uint32_t store[] = {4, 12}, owner[] = {5}, notes[] = {6}, soon[] = {9}, archive[] = {10};
  CHECK_OK(lc_certificate_batch_add_name(b, LC_NAME_LIST_STORE, S("iis-prod-1"), store, 2));
  CHECK_OK(lc_certificate_batch_add_name(b, LC_NAME_LIST_METADATA, S("Owner"), owner, 1));
  CHECK_OK(lc_certificate_batch_add_name(b, LC_NAME_LIST_METADATA, S("Notes"), notes, 1));
  CHECK_OK(lc_certificate_batch_add_name(b, LC_NAME_LIST_COLLECTION, S("expiring-soon"), soon, 1));
  CHECK_OK(lc_certificate_batch_add_name(b, LC_NAME_LIST_COLLECTION, S("archive"), archive, 1));

  /* Failures change nothing. */
  const uint32_t dup[] = {13, 13}, again[] = {5}, unknown[] = {1, 99};
  CHECK_STATUS(LC_STATUS_DUPLICATE_CERTIFICATE, lc_certificate_batch_add_ids(b, dup, 2));
  CHECK_STATUS(LC_STATUS_DUPLICATE_CERTIFICATE, lc_certificate_batch_add_ids(b, again, 1));
  CHECK(lc_certificate_batch_len(b) == 12);
  CHECK_STATUS(LC_STATUS_UNKNOWN_CERTIFICATE, lc_certificate_batch_set_flag(b, LC_CERTIFICATE_FLAG_ENROLLED, unknown, 2));
  CHECK_DETAIL("ids[1]");
  CHECK_STATUS(LC_STATUS_INVALID_ARGUMENT, lc_certificate_batch_set_flag(b, 7, enrolled, 1));
  const int64_t bad_time[] = {INT64_MAX};
  CHECK_STATUS(LC_STATUS_INVALID_TIME, lc_certificate_batch_set_time(b, LC_CERTIFICATE_TIME_EXPIRES_AT, enrolled, bad_time, 1));
  CHECK_STATUS(LC_STATUS_INVALID_ARGUMENT, lc_certificate_batch_set_time(b, 2, enrolled, bad_time, 1));
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_certificate_batch_add_name(b, LC_NAME_LIST_STORE, S("st\xfe"), store, 1));
  CHECK_STATUS(LC_STATUS_INVALID_ARGUMENT, lc_certificate_batch_add_name(b, 3, S("s"), store, 1));
  CHECK_STATUS(LC_STATUS_UNKNOWN_CERTIFICATE, lc_certificate_batch_add_name(b, LC_NAME_LIST_STORE, S("s"), unknown, 2));

  lc_inventory *inv = NULL;
  CHECK_OK(lc_inventory_new(&inv));
  CHECK_OK(lc_inventory_insert_batch(inv, b));
  /* Inserting the same batch again: every id is a duplicate, nothing added. */
  CHECK_STATUS(LC_STATUS_DUPLICATE_CERTIFICATE, lc_inventory_insert_batch(inv, b));
  CHECK(lc_inventory_len(inv) == 12);
  lc_certificate_batch_free(b);

  /* A name the core refuses (control character) fails at insert, atomically. */
  lc_certificate_batch *b2 = NULL;
  const uint32_t fresh[] = {100, 101};
  CHECK_OK(lc_certificate_batch_new(&b2));
  CHECK_OK(lc_certificate_batch_add_ids(b2, fresh, 2));
  CHECK_OK(lc_certificate_batch_add_name(b2, LC_NAME_LIST_STORE, S("bad\x01name"), fresh + 1, 1));
  CHECK(lc_inventory_insert_batch(inv, b2) != LC_STATUS_OK);
  CHECK(!lc_inventory_contains(inv, 100) && lc_inventory_len(inv) == 12);
  lc_certificate_batch_free(b2);
  return inv;
}

static void test_counts(void) {
  lc_inventory *a = from_jsonl(), *b = from_batch();
  CHECK(lc_inventory_len(a) == 12 && lc_inventory_contains(a, 12) && !lc_inventory_contains(a, 13));

  /* Same data, same snapshot bytes. */
  lc_bytes *sa = NULL, *sb = NULL;
  CHECK_OK(lc_inventory_to_snapshot(a, &sa));
  CHECK_OK(lc_inventory_to_snapshot(b, &sb));
  CHECK(lc_bytes_len(sa) == lc_bytes_len(sb) && memcmp(lc_bytes_data(sa), lc_bytes_data(sb), lc_bytes_len(sa)) == 0);

  lc_count_config *cfg = NULL;
  CHECK_OK(lc_count_config_new(false, 5, &cfg));
  lc_count *c = NULL;
  CHECK_OK(lc_inventory_count(a, AT, cfg, &c));
  check_counts(c, EXPECTED, 9);
  bool over = false;
  uint64_t by = 0;
  CHECK_OK(lc_count_over_limit(c, &over, &by));
  CHECK(over && by == 4);
  lc_bytes *json = NULL, *table = NULL;
  CHECK_OK(lc_count_to_json(c, &json));
  CHECK(strstr((const char *)lc_bytes_data(json), "\"total\":9") != NULL);
  CHECK_OK(lc_count_to_table(c, &table));
  CHECK(strstr((const char *)lc_bytes_data(table), "revoked_recently") != NULL);
  uint64_t ignored = 77;
  CHECK_STATUS(LC_STATUS_INVALID_ARGUMENT, lc_count_category(c, 7, &ignored));
  CHECK(ignored == 77);
  lc_count_free(c);
  lc_bytes_free(json);
  lc_bytes_free(table);

  /* Restricted configuration. */
  lc_count_config *narrow = NULL;
  CHECK_OK(lc_count_config_new(true, 0, &narrow));
  CHECK_OK(lc_count_config_exclude_metadata(narrow, S("Notes")));
  CHECK_OK(lc_count_config_reference_collection(narrow, S("expiring-soon")));
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_count_config_exclude_metadata(narrow, S("\xff")));
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_count_config_reference_collection(narrow, S("\xff")));
  CHECK_OK(lc_inventory_count(b, AT, narrow, &c));
  const uint64_t want_narrow[7] = {2, 1, 1, 1, 2, 1, 1};
  check_counts(c, want_narrow, 7);
  CHECK_OK(lc_count_over_limit(c, &over, &by));
  CHECK(!over && by == 0); /* a site license is never over */
  lc_count_free(c);
  lc_count_config_free(narrow);

  /* No collection referenced: ids 9 and 10 (only in collections) drop
   * out; naming one afterwards adds it back alone. */
  lc_count_config *none = NULL;
  CHECK_OK(lc_count_config_new(true, 0, &none));
  CHECK_OK(lc_count_config_reference_no_collections(none));
  CHECK_OK(lc_inventory_count(a, AT, none, &c));
  const uint64_t want_none[7] = {2, 1, 2, 1, 2, 1, 0};
  check_counts(c, want_none, 7);
  lc_count_free(c);
  CHECK_OK(lc_count_config_reference_collection(none, S("archive")));
  CHECK_OK(lc_inventory_count(a, AT, none, &c));
  const uint64_t want_archive[7] = {2, 1, 2, 1, 2, 1, 1};
  check_counts(c, want_archive, 8);
  lc_count_free(c);
  lc_count_config_free(none);

  lc_count_config *zero = NULL;
  CHECK_STATUS(LC_STATUS_INVALID_LIMIT, lc_count_config_new(false, 0, &zero));
  CHECK(zero == NULL);
  CHECK_STATUS(LC_STATUS_INVALID_TIME, lc_inventory_count(a, INT64_MIN, cfg, &c));

  /* Snapshot round trip and corrupt snapshots. */
  lc_inventory *back = NULL;
  CHECK_OK(lc_inventory_from_snapshot(lc_bytes_data(sa), lc_bytes_len(sa), &back));
  CHECK(lc_inventory_len(back) == 12);
  lc_inventory_free(back);
  back = NULL;
  uint8_t *broken = malloc(lc_bytes_len(sa));
  memcpy(broken, lc_bytes_data(sa), lc_bytes_len(sa));
  CHECK(lc_inventory_from_snapshot(broken, lc_bytes_len(sa) - 3, &back) != LC_STATUS_OK);
  broken[0] ^= 0xff;
  CHECK_STATUS(LC_STATUS_SNAPSHOT_FORMAT, lc_inventory_from_snapshot(broken, lc_bytes_len(sa), &back));
  CHECK(lc_inventory_from_snapshot(NULL, 0, &back) != LC_STATUS_OK);
  CHECK(back == NULL);
  free(broken);

  /* Corrupt JSON Lines: the line is named, nothing added. */
  CHECK_STATUS(LC_STATUS_INVALID_RECORD, lc_inventory_extend_jsonl(a, S("{\"id\": 500}\n{\"id\": \"x\"}\n")));
  CHECK_DETAIL("line 2");
  CHECK_STATUS(LC_STATUS_ID_OUT_OF_RANGE, lc_inventory_extend_jsonl(a, S("{\"id\": 4294967296}\n")));
  CHECK_STATUS(LC_STATUS_DUPLICATE_CERTIFICATE, lc_inventory_extend_jsonl(a, S("{\"id\": 1}\n")));
  CHECK(lc_inventory_len(a) == 12 && !lc_inventory_contains(a, 500));

  /* Distinct-name limits: one more name than allowed is refused with its
     line, nothing added; the snapshot reader takes the same limits. */
  lc_inventory_limits limits = lc_inventory_limits_default();
  CHECK(limits.max_stores == 65536 && limits.max_metadata_fields == 65536 && limits.max_collections == 65536);
  limits.max_collections = 1;
  lc_inventory *named = NULL;
  CHECK_OK(lc_inventory_new(&named));
  CHECK_STATUS(LC_STATUS_TOO_MANY_NAMES,
               lc_inventory_extend_jsonl_limited(
                   named, S("{\"id\": 1, \"collections\": [\"a\"]}\n{\"id\": 2, \"collections\": [\"b\"]}\n"),
                   limits));
  CHECK_DETAIL("line 2");
  CHECK(lc_inventory_len(named) == 0);
  limits.max_collections = 2;
  CHECK_OK(lc_inventory_extend_jsonl_limited(
      named, S("{\"id\": 1, \"collections\": [\"a\"]}\n{\"id\": 2, \"collections\": [\"b\"]}\n"), limits));
  lc_bytes *sn = NULL;
  CHECK_OK(lc_inventory_to_snapshot(named, &sn));
  limits.max_collections = 1;
  CHECK_STATUS(LC_STATUS_TOO_MANY_NAMES,
               lc_inventory_from_snapshot_limited(lc_bytes_data(sn), lc_bytes_len(sn), limits, &back));
  CHECK(back == NULL);
  limits.max_collections = 2;
  CHECK_OK(lc_inventory_from_snapshot_limited(lc_bytes_data(sn), lc_bytes_len(sn), limits, &back));
  CHECK(lc_inventory_len(back) == 2);
  lc_inventory_free(back);
  lc_bytes_free(sn);
  lc_inventory_free(named);

  lc_bytes_free(sa);
  lc_bytes_free(sb);
  lc_count_config_free(cfg);
  lc_inventory_free(a);
  lc_inventory_free(b);
}

static void test_events(void) {
  lc_inventory *inv = NULL;
  CHECK_OK(lc_inventory_new(&inv));
  const uint32_t ids[] = {10, 20, 30};
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_ENROLLED, ids, 3, NULL, 0, 0));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_ADDED_TO_STORE, ids, 2, S("iis-prod-1"), 0));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_REMOVED_FROM_STORE, ids, 1, S("iis-prod-1"), 0));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_METADATA_SET, ids, 1, S("Owner"), 0));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_METADATA_CLEARED, ids, 1, S("Owner"), 0));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_PRIVATE_KEY_STORED, ids, 1, NULL, 0, 0));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_PRIVATE_KEY_DELETED, ids, 1, NULL, 0, 0));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_ENDPOINT_MONITORING_ON, ids, 1, NULL, 0, 0));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_ENDPOINT_MONITORING_OFF, ids, 1, NULL, 0, 0));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_ADDED_TO_COLLECTION, ids, 1, S("c"), 0));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_REMOVED_FROM_COLLECTION, ids, 1, S("c"), 0));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_EXPIRY_SET, ids + 1, 1, NULL, 0, AT - 86400));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_EXPIRY_CLEARED, ids + 1, 1, NULL, 0, 0));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_REVOKED, ids + 2, 1, NULL, 0, AT - 3600));
  lc_count_config *cfg = NULL;
  lc_count *c = NULL;
  CHECK_OK(lc_count_config_new(false, 100, &cfg));
  CHECK_OK(lc_inventory_count(inv, AT, cfg, &c));
  /* 10 and 20 enrolled, 20 still in the store, 30 revoked an hour ago. */
  const uint64_t want[7] = {2, 1, 0, 0, 1, 0, 0};
  check_counts(c, want, 3);
  lc_count_free(c);

  /* All or nothing: the second id fails, the first is not deleted. */
  const uint32_t mixed[] = {10, 999};
  CHECK_STATUS(LC_STATUS_UNKNOWN_CERTIFICATE, lc_inventory_apply(inv, LC_EVENT_DELETED, mixed, 2, NULL, 0, 0));
  CHECK_DETAIL("event 2");
  CHECK(lc_inventory_contains(inv, 10));
  CHECK_OK(lc_inventory_apply(inv, LC_EVENT_DELETED, mixed, 1, NULL, 0, 0));
  CHECK(!lc_inventory_contains(inv, 10) && lc_inventory_len(inv) == 2);
  CHECK_STATUS(LC_STATUS_INVALID_ARGUMENT, lc_inventory_apply(inv, 15, ids, 1, NULL, 0, 0));
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_inventory_apply(inv, LC_EVENT_ADDED_TO_STORE, ids, 1, S("\x80"), 0));
  CHECK_STATUS(LC_STATUS_INVALID_TIME, lc_inventory_apply(inv, LC_EVENT_REVOKED, ids, 1, NULL, 0, INT64_MAX));
  lc_count_config_free(cfg);
  lc_inventory_free(inv);
}

static void test_id_sets(void) {
  /* The RoaringFormatSpec files: both hold the same 200100 ids. */
  const char *files[] = {"roaring/bitmapwithoutruns.bin", "roaring/bitmapwithruns.bin"};
  lc_id_set *sets[2] = {NULL, NULL};
  for (int i = 0; i < 2; i++) {
    size_t n;
    uint8_t *bytes = read_vector(files[i], &n);
    uint32_t format = 99;
    CHECK_OK(lc_id_set_read(bytes, n, &sets[i], &format));
    CHECK(format == LC_ID_SET_FORMAT_PORTABLE);
    CHECK(lc_id_set_len(sets[i]) == 200100);
    CHECK(lc_id_set_contains(sets[i], 1000) && lc_id_set_contains(sets[i], 300003) &&
          lc_id_set_contains(sets[i], 799999) && !lc_id_set_contains(sets[i], 800000));
    /* Corrupt inputs: truncated, and a damaged cookie. */
    lc_id_set *bad = NULL;
    CHECK(lc_id_set_read(bytes, n - 1, &bad, &format) != LC_STATUS_OK);
    bytes[0] ^= 0x5a;
    CHECK(lc_id_set_read(bytes, n, &bad, &format) != LC_STATUS_OK);
    CHECK(bad == NULL && format == LC_ID_SET_FORMAT_PORTABLE);
    free(bytes);
  }

  /* Build from arrays (any order, repeats), copy out, too-small buffer. */
  lc_id_set *s = NULL;
  CHECK_OK(lc_id_set_new(&s));
  const uint32_t ids[] = {70000, 3, 5, 3, 4294967295u};
  CHECK_OK(lc_id_set_add_ids(s, ids, 5));
  CHECK_OK(lc_id_set_add_ids(s, ids, 2));
  CHECK_OK(lc_id_set_add_ids(s, NULL, 0));
  CHECK(lc_id_set_len(s) == 4);
  uint32_t out[4] = {0, 0, 0, 0};
  size_t w = 0;
  CHECK_STATUS(LC_STATUS_BUFFER_TOO_SMALL, lc_id_set_to_array(s, out, 3, &w));
  CHECK(w == 4 && out[0] == 0);
  CHECK_OK(lc_id_set_to_array(s, out, 4, &w));
  CHECK(w == 4 && out[0] == 3 && out[1] == 5 && out[2] == 70000 && out[3] == 4294967295u);

  /* Both formats round trip; writing is deterministic. */
  for (uint32_t f = LC_ID_SET_FORMAT_PORTABLE; f <= LC_ID_SET_FORMAT_CLICKHOUSE; f++) {
    lc_bytes *enc = NULL, *enc2 = NULL;
    lc_id_set *back = NULL;
    uint32_t format = 99;
    CHECK_OK(lc_id_set_write(s, f, &enc));
    CHECK_OK(lc_id_set_write(s, f, &enc2));
    CHECK(lc_bytes_len(enc) == lc_bytes_len(enc2) && memcmp(lc_bytes_data(enc), lc_bytes_data(enc2), lc_bytes_len(enc)) == 0);
    CHECK_OK(lc_id_set_read(lc_bytes_data(enc), lc_bytes_len(enc), &back, &format));
    CHECK(format == f && lc_id_set_len(back) == 4 && lc_id_set_contains(back, 70000));
    lc_bytes_free(enc);
    lc_bytes_free(enc2);
    lc_id_set_free(back);
  }
  lc_bytes *none = NULL;
  CHECK_STATUS(LC_STATUS_INVALID_ARGUMENT, lc_id_set_write(s, 2, &none));
  CHECK(none == NULL);
  /* A ClickHouse small set claiming more than 32 elements. */
  lc_id_set *bad = NULL;
  uint32_t format = 0;
  const uint8_t small_set[] = {0x00, 0x40};
  CHECK(lc_id_set_read(small_set, sizeof small_set, &bad, &format) != LC_STATUS_OK);
  CHECK(bad == NULL);

  /* External sets: shards unioned, counted with the same kernel. */
  lc_external_sets *ext = NULL;
  CHECK_OK(lc_external_sets_new(&ext));
  lc_id_set *enrolled = NULL, *revoked = NULL;
  const uint32_t e1[] = {1, 2}, e2[] = {2, 3}, r[] = {2};
  lc_bytes *shard = NULL;
  CHECK_OK(lc_id_set_new(&enrolled));
  CHECK_OK(lc_id_set_add_ids(enrolled, e1, 2));
  CHECK_OK(lc_id_set_write(enrolled, LC_ID_SET_FORMAT_CLICKHOUSE, &shard));
  CHECK_OK(lc_external_sets_add(ext, S("enrolled"), lc_bytes_data(shard), lc_bytes_len(shard)));
  lc_bytes_free(shard);
  lc_id_set_free(enrolled);
  CHECK_OK(lc_id_set_new(&enrolled));
  CHECK_OK(lc_id_set_add_ids(enrolled, e2, 2));
  CHECK_OK(lc_id_set_write(enrolled, LC_ID_SET_FORMAT_PORTABLE, &shard));
  CHECK_OK(lc_external_sets_add(ext, S("enrolled"), lc_bytes_data(shard), lc_bytes_len(shard)));
  CHECK_STATUS(LC_STATUS_UNKNOWN_SET_NAME, lc_external_sets_add(ext, S("enroled"), lc_bytes_data(shard), lc_bytes_len(shard)));
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_external_sets_add(ext, S("\xff"), lc_bytes_data(shard), lc_bytes_len(shard)));
  CHECK(lc_external_sets_add(ext, S("revoked"), lc_bytes_data(shard), 3) != LC_STATUS_OK);
  lc_bytes_free(shard);
  CHECK_OK(lc_id_set_new(&revoked));
  CHECK_OK(lc_id_set_add_ids(revoked, r, 1));
  CHECK_OK(lc_id_set_write(revoked, LC_ID_SET_FORMAT_PORTABLE, &shard));
  CHECK_OK(lc_external_sets_add(ext, S("revoked"), lc_bytes_data(shard), lc_bytes_len(shard)));
  CHECK_OK(lc_external_sets_add(ext, S("revoked_recently"), lc_bytes_data(shard), lc_bytes_len(shard)));
  lc_bytes_free(shard);
  lc_count_config *cfg = NULL;
  lc_count *c = NULL;
  CHECK_OK(lc_count_config_new(false, 2, &cfg));
  CHECK_OK(lc_external_sets_count(ext, AT, cfg, &c));
  const uint64_t want[7] = {2, 1, 0, 0, 0, 0, 0}; /* 1 and 3 live; 2 revoked this week */
  check_counts(c, want, 3);
  bool over = false;
  uint64_t by = 0;
  CHECK_OK(lc_count_over_limit(c, &over, &by));
  CHECK(over && by == 1);
  CHECK_STATUS(LC_STATUS_INVALID_TIME, lc_external_sets_count(ext, INT64_MAX, cfg, &c));
  lc_count_free(c);
  lc_count_config_free(cfg);
  lc_id_set_free(enrolled);
  lc_id_set_free(revoked);
  lc_external_sets_free(ext);

  /* Spark bitmap aggregates: a Parquet file Spark wrote (11 ids, 0 to
     2^32 - 1), as one shard of `enrolled`; cut short, it is refused. */
  size_t spark_len;
  uint8_t *spark = read_vector("spark/edges.snappy.parquet", &spark_len);
  CHECK_OK(lc_external_sets_new(&ext));
  CHECK_STATUS(LC_STATUS_PARQUET_FORMAT, lc_external_sets_add_spark(ext, S("enrolled"), spark, spark_len - 1));
  CHECK_STATUS(LC_STATUS_UNKNOWN_SET_NAME, lc_external_sets_add_spark(ext, S("enroled"), spark, spark_len));
  CHECK_OK(lc_external_sets_add_spark(ext, S("enrolled"), spark, spark_len));
  CHECK_OK(lc_count_config_new(true, 0, &cfg));
  CHECK_OK(lc_external_sets_count(ext, AT, cfg, &c));
  const uint64_t spark_want[7] = {11, 0, 0, 0, 0, 0, 0};
  check_counts(c, spark_want, 11);
  lc_count_free(c);
  lc_count_config_free(cfg);
  lc_external_sets_free(ext);
  free(spark);
  lc_id_set_free(s);
  lc_id_set_free(sets[0]);
  lc_id_set_free(sets[1]);
}

int main(void) {
  test_counts();
  test_events();
  test_id_sets();
  return test_summary("test_inventory");
}
