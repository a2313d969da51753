/* Version, status names and messages, owned bytes. The expected version
 * comes from Cargo.toml (the Makefile passes it), so the header's defines,
 * the combined number and lc_version() are all checked against it. */
#include <stdlib.h>

#include "testsupport.h"

#define STR_(x) #x
#define STR(x) STR_(x)

int main(void) {
  CHECK(LC_VERSION_MAJOR == LC_EXPECTED_MAJOR);
  CHECK(LC_VERSION_MINOR == LC_EXPECTED_MINOR);
  CHECK(LC_VERSION_PATCH == LC_EXPECTED_PATCH);
  CHECK(LC_VERSION_NUMBER == ((LC_EXPECTED_MAJOR << 16) | (LC_EXPECTED_MINOR << 8) | LC_EXPECTED_PATCH));
  CHECK(strcmp(lc_version(), STR(LC_EXPECTED_MAJOR) "." STR(LC_EXPECTED_MINOR) "." STR(LC_EXPECTED_PATCH)) == 0);

  /* The C layer's own statuses sit below the core's range; names are the
   * enumerators' names. */
  CHECK(LC_STATUS_OK == 0);
  CHECK(LC_STATUS_NULL_PARAMETER < 100 && LC_STATUS_PANIC < 100 && LC_STATUS_INVALID_UTF8 < 100 &&
        LC_STATUS_BUFFER_TOO_SMALL < 100);
  CHECK(strcmp(lc_status_name(LC_STATUS_OK), "LC_STATUS_OK") == 0);
  CHECK(strcmp(lc_status_name(LC_STATUS_PANIC), "LC_STATUS_PANIC") == 0);
  CHECK(strcmp(lc_status_name(LC_STATUS_INVALID_UTF8), "LC_STATUS_INVALID_UTF8") == 0);
  CHECK(strcmp(lc_status_name(LC_STATUS_BUFFER_TOO_SMALL), "LC_STATUS_BUFFER_TOO_SMALL") == 0);
  CHECK(strcmp(lc_status_name(LC_STATUS_CLICKHOUSE_KIND), "LC_STATUS_CLICKHOUSE_KIND") == 0);
  CHECK(strcmp(lc_status_name(LC_STATUS_KEY_CHECKSUM), "LC_STATUS_KEY_CHECKSUM") == 0);
  CHECK(strcmp(lc_status_name(LC_STATUS_RENDER), "LC_STATUS_RENDER") == 0);
  /* The core's codes are the values. */
  CHECK(LC_STATUS_EMPTY_LICENSE_ID == 100 && LC_STATUS_XML_SYNTAX == 200 && LC_STATUS_SIGNATURE_MISSING == 300 &&
        LC_STATUS_NO_LICENSE_INSTALLED == 400 && LC_STATUS_INVALID_RECORD == 500 &&
        LC_STATUS_INVALID_INSTANCE == 550 && LC_STATUS_KEY_LENGTH == 600 && LC_STATUS_IO == 900);
  /* Any value is safe to ask about. */
  CHECK(strcmp(lc_status_name(99), "LC_STATUS_UNKNOWN") == 0);
  CHECK(strcmp(lc_status_name(0xffffffffu), "LC_STATUS_UNKNOWN") == 0);
  /* Every value in 0..1000 has a name, and known ones are distinct. */
  int known = 0;
  for (uint32_t v = 0; v < 1000; v++) {
    const char *name = lc_status_name(v);
    CHECK(name != NULL && strncmp(name, "LC_STATUS_", 10) == 0);
    if (strcmp(name, "LC_STATUS_UNKNOWN") != 0) known++;
  }
  CHECK(known > 100);

  /* Messages are per thread and survive reading. */
  char buf[256];
  size_t n = 0;
  lc_inventory *inv = NULL;
  CHECK_STATUS(LC_STATUS_NULL_PARAMETER, lc_inventory_insert_batch(NULL, NULL));
  CHECK_OK(lc_last_error_message(buf, sizeof buf, &n));
  CHECK(strstr(buf, "inventory") != NULL && strlen(buf) == n);
  CHECK_OK(lc_last_error_message(buf, sizeof buf, &n));
  CHECK(strstr(buf, "inventory") != NULL);
  CHECK_STATUS(LC_STATUS_BUFFER_TOO_SMALL, lc_last_error_message(NULL, 0, &n));
  CHECK(n == strlen(buf) + 1);

  /* Owned bytes: data, length, trailing NUL, free. */
  CHECK_OK(lc_inventory_new(&inv));
  lc_bytes *snap = NULL;
  CHECK_OK(lc_inventory_to_snapshot(inv, &snap));
  CHECK(lc_bytes_data(snap) != NULL && lc_bytes_len(snap) > 0);
  CHECK(lc_bytes_data(snap)[lc_bytes_len(snap)] == 0);
  lc_bytes_free(snap);
  lc_inventory_free(inv);
  return test_summary("test_basics");
}
