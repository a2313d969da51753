/* The cost of the C ABI against plain Rust calls, in one process on one
 * data set (run by scripts/bench-ffi against a release build with the
 * `bench` feature, which exports the lc_bench_rust_* references):
 *
 *   1. counting a 10M-certificate inventory: lc_inventory_count (+ total,
 *      free) vs Inventory::count;
 *   2. ingesting certificates from id arrays: lc_certificate_batch_* +
 *      lc_inventory_insert_batch vs Vec<CertificateRecord> +
 *      Inventory::insert_records;
 *   3. ingesting ids into a set: lc_id_set_add_ids vs
 *      IdSet::from_iter.
 *
 * Rounds alternate between the two sides; medians are reported. Both sides
 * must produce the same result (checked), so the comparison is of equals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "license_core.h"

/* Bench-only exports (feature `bench`), left out of the header. */
uint64_t lc_bench_rust_count(const lc_inventory *inventory, int64_t at, const lc_count_config *config);
uint32_t lc_bench_rust_insert_records(lc_inventory *inventory, const uint32_t *ids, size_t count, int64_t revoked_at);
uint64_t lc_bench_rust_id_set(const uint32_t *ids, size_t count);

#define AT 1795132800        /* 2026-11-20 */
#define REVOKED (AT - 3600)  /* within the week */
#define ROUNDS 11

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp);
  return v[n / 2];
}

static void ok(lc_status st, const char *what) {
  if (st != LC_STATUS_OK) {
    char d[512];
    size_t n;
    lc_last_error_message(d, sizeof d, &n);
    fprintf(stderr, "%s: %s (%s)\n", what, lc_status_name(st), d);
    exit(1);
  }
}

/* Adds ids[0..n] through the C ABI with the rule of
 * lc_bench_rust_insert_records: enrolled when i % 3 == 0, store
 * store-{i % 4} when i % 5 < 2, revoked at REVOKED when i % 50 == 0. */
static void insert_via_c(lc_inventory *inv, const uint32_t *ids, size_t n, uint32_t *scratch, int64_t *times) {
  lc_certificate_batch *b = NULL;
  ok(lc_certificate_batch_new(&b), "batch");
  ok(lc_certificate_batch_add_ids(b, ids, n), "add ids");
  size_t k = 0;
  for (size_t i = 0; i < n; i += 3) scratch[k++] = ids[i];
  ok(lc_certificate_batch_set_flag(b, LC_CERTIFICATE_FLAG_ENROLLED, scratch, k), "enrolled");
  for (int s = 0; s < 4; s++) {
    char name[16];
    int len = snprintf(name, sizeof name, "store-%d", s);
    k = 0;
    for (size_t i = (size_t)s; i < n; i += 4)
      if (i % 5 < 2) scratch[k++] = ids[i];
    ok(lc_certificate_batch_add_name(b, LC_NAME_LIST_STORE, (const uint8_t *)name, (size_t)len, scratch, k), "store");
  }
  k = 0;
  for (size_t i = 0; i < n; i += 50) {
    scratch[k] = ids[i];
    times[k++] = REVOKED;
  }
  ok(lc_certificate_batch_set_time(b, LC_CERTIFICATE_TIME_REVOKED_AT, scratch, times, k), "revoked");
  ok(lc_inventory_insert_batch(inv, b), "insert");
  lc_certificate_batch_free(b);
}

static int same_snapshot(const lc_inventory *a, const lc_inventory *b) {
  lc_bytes *x = NULL, *y = NULL;
  ok(lc_inventory_to_snapshot(a, &x), "snapshot");
  ok(lc_inventory_to_snapshot(b, &y), "snapshot");
  int same = lc_bytes_len(x) == lc_bytes_len(y) && memcmp(lc_bytes_data(x), lc_bytes_data(y), lc_bytes_len(x)) == 0;
  lc_bytes_free(x);
  lc_bytes_free(y);
  return same;
}

int main(int argc, char **argv) {
  size_t total = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
  size_t chunk = 1000000 < total ? 1000000 : total;
  uint32_t *ids = malloc(total * sizeof *ids), *scratch = malloc(chunk * sizeof *scratch);
  int64_t *times = malloc(chunk * sizeof *times);
  /* Ids as a real inventory has them: ascending with gaps. */
  for (size_t i = 0; i < total; i++) ids[i] = (uint32_t)(i * 3 + (i % 3));

  /* 2. Ingestion from id arrays, one chunk per round, fresh inventories. */
  double c_ingest[ROUNDS], r_ingest[ROUNDS];
  for (int r = 0; r < ROUNDS; r++) {
    lc_inventory *a = NULL, *b = NULL;
    ok(lc_inventory_new(&a), "new");
    ok(lc_inventory_new(&b), "new");
    /* Alternate which side goes first, so neither always finds warm caches. */
    for (int side = 0; side < 2; side++) {
      double t0 = now_s();
      if ((side + r) % 2 == 0) {
        insert_via_c(a, ids, chunk, scratch, times);
        c_ingest[r] = now_s() - t0;
      } else {
        if (lc_bench_rust_insert_records(b, ids, chunk, REVOKED) != 0) { fprintf(stderr, "rust insert failed\n"); return 1; }
        r_ingest[r] = now_s() - t0;
      }
    }
    if (r == 0 && !same_snapshot(a, b)) { fprintf(stderr, "the two ingestions differ\n"); return 1; }
    lc_inventory_free(a);
    lc_inventory_free(b);
  }

  /* 3. Id-set ingestion of all ids. */
  double c_set[ROUNDS], r_set[ROUNDS];
  for (int r = 0; r < ROUNDS; r++) {
    uint64_t c_len = 0, r_len = 0;
    for (int side = 0; side < 2; side++) {
      double t0 = now_s();
      if ((side + r) % 2 == 0) {
        lc_id_set *s = NULL;
        ok(lc_id_set_new(&s), "set");
        ok(lc_id_set_add_ids(s, ids, total), "add ids");
        c_len = lc_id_set_len(s);
        lc_id_set_free(s);
        c_set[r] = now_s() - t0;
      } else {
        r_len = lc_bench_rust_id_set(ids, total);
        r_set[r] = now_s() - t0;
      }
    }
    if (c_len != r_len || c_len != total) { fprintf(stderr, "set sizes differ\n"); return 1; }
  }

  /* 1. The count over the whole inventory, built through the C ABI. */
  lc_inventory *inv = NULL;
  ok(lc_inventory_new(&inv), "new");
  for (size_t off = 0; off < total; off += chunk) {
    size_t n = total - off < chunk ? total - off : chunk;
    insert_via_c(inv, ids + off, n, scratch, times);
  }
  lc_count_config *cfg = NULL;
  ok(lc_count_config_new(false, 1000000, &cfg), "config");
  double c_count[ROUNDS], r_count[ROUNDS];
  uint64_t c_total = 0, r_total = 0;
  for (int r = 0; r < ROUNDS; r++) {
    for (int side = 0; side < 2; side++) {
      double t0 = now_s();
      if ((side + r) % 2 == 0) {
        lc_count *c = NULL;
        ok(lc_inventory_count(inv, AT, cfg, &c), "count");
        c_total = lc_count_total(c);
        lc_count_free(c);
        c_count[r] = now_s() - t0;
      } else {
        r_total = lc_bench_rust_count(inv, AT, cfg);
        r_count[r] = now_s() - t0;
      }
    }
    if (c_total != r_total) { fprintf(stderr, "counts differ\n"); return 1; }
  }

  double cc = median(c_count, ROUNDS), rc = median(r_count, ROUNDS);
  double ci = median(c_ingest, ROUNDS), ri = median(r_ingest, ROUNDS);
  double cs = median(c_set, ROUNDS), rs = median(r_set, ROUNDS);
  printf("inventory: %llu certificates, %llu actioned at %d\n", (unsigned long long)lc_inventory_len(inv),
         (unsigned long long)c_total, AT);
  printf("%-44s %10s %10s %7s\n", "median of 11 rounds", "C ABI", "Rust", "C/Rust");
  printf("%-44s %9.1fms %9.1fms %7.3f\n", "count 10M inventory", cc * 1e3, rc * 1e3, cc / rc);
  printf("%-44s %9.1fms %9.1fms %7.3f\n", "ingest 1M certificates (id arrays vs records)", ci * 1e3, ri * 1e3, ci / ri);
  printf("%-44s %9.1fms %9.1fms %7.3f\n", "ingest 10M ids into an id set", cs * 1e3, rs * 1e3, cs / rs);
  lc_count_config_free(cfg);
  lc_inventory_free(inv);
  free(ids);
  free(scratch);
  free(times);
  return 0;
}
