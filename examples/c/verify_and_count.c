/* verify_and_count: verify a signed license, count an inventory against
 * its limit, and print the result.
 *
 *   verify_and_count VENDOR.pub.pem LICENSE.xml INVENTORY.jsonl UNIX_TIME
 *
 * Build (shared, with pkg-config; see README "C and C++"):
 *   cc -std=c11 verify_and_count.c $(pkg-config --cflags --libs license_core) */
#include <stdio.h>
#include <stdlib.h>

#include "license_core.h"

static unsigned char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

/* Prints what failed (the status name and the detail) and returns 1. */
static int failed(const char *what, lc_status status) {
  char detail[512];
  size_t n = 0;
  if (lc_last_error_message(detail, sizeof detail, &n) != LC_STATUS_OK) detail[0] = '\0';
  fprintf(stderr, "%s: %s (%s)\n", what, lc_status_name(status), detail);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s VENDOR.pub.pem LICENSE.xml INVENTORY.jsonl UNIX_TIME\n", argv[0]);
    return 2;
  }
  int64_t now = strtoll(argv[4], NULL, 10);
  size_t pub_len = 0, xml_len = 0, inv_len = 0;
  unsigned char *pub = slurp(argv[1], &pub_len), *xml = slurp(argv[2], &xml_len), *jsonl = slurp(argv[3], &inv_len);
  if (!pub || !xml || !jsonl) {
    fprintf(stderr, "cannot read the input files\n");
    return 2;
  }

  int rc = 1;
  lc_status st;
  lc_trusted_keys *vendor = NULL;
  lc_license *license = NULL;
  lc_inventory *inventory = NULL;
  lc_count_config *config = NULL;
  lc_count *count = NULL;
  lc_bytes *table = NULL;

  if ((st = lc_trusted_keys_new(&vendor)) != LC_STATUS_OK) { rc = failed("keys", st); goto done; }
  if ((st = lc_trusted_keys_add(vendor, pub, pub_len)) != LC_STATUS_OK) { rc = failed("vendor key", st); goto done; }
  if ((st = lc_license_verify(xml, xml_len, vendor, &license)) != LC_STATUS_OK) { rc = failed("license", st); goto done; }

  char id[128], licensee[256];
  size_t n = 0;
  lc_license_status_info status;
  bool site = false;
  uint64_t limit = 0;
  if ((st = lc_license_text(license, LC_LICENSE_FIELD_ID, id, sizeof id, &n)) != LC_STATUS_OK ||
      (st = lc_license_text(license, LC_LICENSE_FIELD_LICENSEE, licensee, sizeof licensee, &n)) != LC_STATUS_OK ||
      (st = lc_license_status(license, now, &status)) != LC_STATUS_OK ||
      (st = lc_license_actioned_limit(license, &site, &limit)) != LC_STATUS_OK) {
    rc = failed("reading the license", st);
    goto done;
  }
  static const char *const states[] = {"valid", "expiring soon", "in grace", "expired"};
  printf("license %s for %s: %s", id, licensee, states[status.state]);
  if (status.has_days_left) printf(", %lld days left", (long long)status.days_left);
  printf("\n");

  if ((st = lc_inventory_new(&inventory)) != LC_STATUS_OK ||
      (st = lc_inventory_extend_jsonl(inventory, jsonl, inv_len)) != LC_STATUS_OK) {
    rc = failed("inventory", st);
    goto done;
  }
  if ((st = lc_count_config_new(site, limit, &config)) != LC_STATUS_OK ||
      (st = lc_inventory_count(inventory, now, config, &count)) != LC_STATUS_OK ||
      (st = lc_count_to_table(count, &table)) != LC_STATUS_OK) {
    rc = failed("count", st);
    goto done;
  }
  printf("%s", (const char *)lc_bytes_data(table));
  /* The table carries the over-limit warning; nothing is ever blocked. */
  bool over = false;
  uint64_t by = 0;
  if ((st = lc_count_over_limit(count, &over, &by)) != LC_STATUS_OK) { rc = failed("count", st); goto done; }
  printf("%s\n", over ? "over the licensed limit" : "within the licensed limit");
  rc = 0;

done:
  lc_bytes_free(table);
  lc_count_free(count);
  lc_count_config_free(config);
  lc_inventory_free(inventory);
  lc_license_free(license);
  lc_trusted_keys_free(vendor);
  free(pub);
  free(xml);
  free(jsonl);
  return rc;
}
