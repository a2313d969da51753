/* A tiny assertion kit for the C tests: no framework, C11, and every
 * failure names the file, line, expression and the library's detail. */
#ifndef LC_TESTSUPPORT_H
#define LC_TESTSUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "license_core.h"

static int lc_test_failures = 0;

static inline const char *lc_test_detail(void) {
  static char buf[1024];
  size_t n = 0;
  if (lc_last_error_message(buf, sizeof buf, &n) != LC_STATUS_OK) return "(message too long)";
  return buf;
}

#define CHECK(cond)                                                               \
  do {                                                                            \
    if (!(cond)) {                                                                \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);    \
      lc_test_failures++;                                                         \
    }                                                                             \
  } while (0)

/* The call returns `expected` (an lc_status). */
#define CHECK_STATUS(expected, call)                                              \
  do {                                                                            \
    lc_status got_ = (call);                                                      \
    if (got_ != (lc_status)(expected)) {                                          \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s (%s)\n", __FILE__,      \
              __LINE__, #call, lc_status_name(got_), lc_status_name(expected),    \
              lc_test_detail());                                                  \
      lc_test_failures++;                                                         \
    }                                                                             \
  } while (0)

#define CHECK_OK(call) CHECK_STATUS(LC_STATUS_OK, call)
#define CHECK_NULL_PARAM(call) CHECK_STATUS(LC_STATUS_NULL_PARAMETER, call)

/* The last error message on this thread contains `needle`. */
#define CHECK_DETAIL(needle)                                                      \
  do {                                                                            \
    const char *d_ = lc_test_detail();                                            \
    if (!strstr(d_, (needle))) {                                                  \
      fprintf(stderr, "%s:%d: detail \"%s\" lacks \"%s\"\n", __FILE__, __LINE__,  \
              d_, (needle));                                                      \
      lc_test_failures++;                                                         \
    }                                                                             \
  } while (0)

/* Equality of two strings given as pointer + length and C string. */
#define CHECK_TEXT(ptr, len, want)                                                \
  do {                                                                            \
    const char *w_ = (want);                                                      \
    if ((len) != strlen(w_) || memcmp((ptr), w_, (len)) != 0) {                   \
      fprintf(stderr, "%s:%d: got \"%.*s\", expected \"%s\"\n", __FILE__,         \
              __LINE__, (int)(len), (const char *)(ptr), w_);                     \
      lc_test_failures++;                                                         \
    }                                                                             \
  } while (0)

#define S(literal) (const uint8_t *)(literal), (sizeof(literal) - 1)

/* The bytes of a file under the test-vector directory (LC_VECTORS, a
 * compile-time define), malloc'ed; exits when it cannot be read. */
static inline uint8_t *read_vector(const char *name, size_t *len) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", LC_VECTORS, name);
  FILE *f = fopen(path, "rb");
  if (!f) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static inline int test_summary(const char *name) {
  if (lc_test_failures) {
    fprintf(stderr, "%s: %d check(s) failed\n", name, lc_test_failures);
    return 1;
  }
  printf("%s: ok\n", name);
  return 0;
}

#endif
