/* Hardware profiles: XML in and out (canonical bytes), this machine's
 * profile, fingerprints, the fuzzy match, and a license bound to hardware. */
#include <stdlib.h>

#include "testsupport.h"

static lc_hardware_profile *load(const char *name, uint8_t **bytes, size_t *len) {
  *bytes = read_vector(name, len);
  lc_hardware_profile *p = NULL;
  CHECK_OK(lc_hardware_profile_from_xml(*bytes, *len, &p));
  return p;
}

int main(void) {
  uint8_t *server_xml, *drift_xml, *other_xml;
  size_t sn, dn, on;
  lc_hardware_profile *server = load("profile/server.xml", &server_xml, &sn);
  lc_hardware_profile *drift = load("profile/drift.xml", &drift_xml, &dn);
  lc_hardware_profile *other = load("bundles/other-profile.xml", &other_xml, &on);

  /* The vectors are in canonical form: written back byte for byte. */
  lc_bytes *xml = NULL;
  CHECK_OK(lc_hardware_profile_to_xml(server, &xml));
  CHECK(lc_bytes_len(xml) == sn && memcmp(lc_bytes_data(xml), server_xml, sn) == 0);
  lc_bytes_free(xml);
  lc_bytes *table = NULL;
  CHECK_OK(lc_hardware_profile_to_table(server, &table));
  CHECK(lc_bytes_len(table) > 0);
  lc_bytes_free(table);

  /* This machine: collected, written, read back, and it matches itself. */
  lc_hardware_profile *here = NULL, *here_again = NULL;
  CHECK_OK(lc_hardware_profile_collect(&here));
  CHECK_OK(lc_hardware_profile_to_xml(here, &xml));
  CHECK_OK(lc_hardware_profile_from_xml(lc_bytes_data(xml), lc_bytes_len(xml), &here_again));
  lc_bytes_free(xml);
  lc_bytes *fp_here = NULL;
  lc_match_report *self = NULL;
  CHECK_OK(lc_hardware_profile_fingerprint(here, &fp_here));
  CHECK_OK(lc_hardware_profile_match(here_again, lc_bytes_data(fp_here), lc_bytes_len(fp_here), NULL, 0, &self));
  lc_bytes_free(fp_here);
  lc_match_report_free(self);
  lc_hardware_profile_free(here);
  lc_hardware_profile_free(here_again);

  /* Server vs its drifted self: a match, with the disk drifted. */
  lc_bytes *fp = NULL;
  CHECK_OK(lc_hardware_profile_fingerprint(server, &fp));
  CHECK(strncmp((const char *)lc_bytes_data(fp), "fp1;", 4) == 0);
  lc_match_report *rep = NULL, *none = NULL;
  CHECK_OK(lc_hardware_profile_match(drift, lc_bytes_data(fp), lc_bytes_len(fp), NULL, 0, &rep));
  CHECK(lc_match_report_is_match(rep));
  uint32_t score = 0, threshold = 0;
  CHECK_OK(lc_match_report_score(rep, &score, &threshold));
  CHECK(score >= threshold && threshold > 0);
  lc_bytes *text = NULL;
  CHECK_OK(lc_match_report_to_text(rep, &text));
  CHECK(strstr((const char *)lc_bytes_data(text), "drifted: disk") != NULL);
  lc_bytes_free(text);
  lc_match_report_free(rep);
  /* Another machine does not match. */
  CHECK_OK(lc_hardware_profile_match(other, lc_bytes_data(fp), lc_bytes_len(fp), NULL, 0, &rep));
  CHECK(!lc_match_report_is_match(rep));
  lc_match_report_free(rep);
  /* An explicit policy: its threshold is the one applied. */
  CHECK_OK(lc_hardware_profile_match(drift, lc_bytes_data(fp), lc_bytes_len(fp),
                                     S("mp1;threshold=6;weights=machine-id:1,product-uuid:1,board-serial:1,mac:1,disk:1,cpu:1"),
                                     &rep));
  CHECK_OK(lc_match_report_score(rep, &score, &threshold));
  CHECK(threshold == 6 && lc_match_report_is_match(rep) == (score >= 6));
  lc_match_report_free(rep);

  /* Malformed fingerprint and policy text, and invalid UTF-8. */
  CHECK_STATUS(LC_STATUS_INVALID_FINGERPRINT, lc_hardware_profile_match(drift, S("fp1;nonsense"), NULL, 0, &none));
  CHECK_STATUS(LC_STATUS_INVALID_MATCH_POLICY,
               lc_hardware_profile_match(drift, lc_bytes_data(fp), lc_bytes_len(fp), S("mp1;threshold=x"), &none));
  CHECK_STATUS(LC_STATUS_INVALID_UTF8, lc_hardware_profile_match(drift, S("fp1;\xff"), NULL, 0, &none));
  CHECK(none == NULL);

  /* Corrupt profile XML: truncated, a DTD, a wrong root. */
  lc_hardware_profile *bad = NULL;
  CHECK(lc_hardware_profile_from_xml(server_xml, sn / 2, &bad) != LC_STATUS_OK);
  CHECK_STATUS(LC_STATUS_DOCTYPE_FORBIDDEN,
               lc_hardware_profile_from_xml(S("<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]><x/>"), &bad));
  CHECK_STATUS(LC_STATUS_WRONG_DOCUMENT_TYPE, lc_hardware_profile_from_xml(S("<License/>"), &bad));
  CHECK(lc_hardware_profile_from_xml(NULL, 0, &bad) != LC_STATUS_OK);
  CHECK(bad == NULL);

  /* A license bound to the server's fingerprint. */
  char json[1024];
  int jn = snprintf(json, sizeof json,
                    "{\"id\": \"LIC-B\", \"product\": \"certmgr\", \"licensee\": {\"name\": \"Example Ltd\"},"
                    " \"issued_at\": \"2026-01-01T00:00:00Z\", \"actioned_limit\": \"site_license\","
                    " \"binding\": {\"instance_id\": \"srv-1\", \"fingerprint\": \"%s\"}}",
                    (const char *)lc_bytes_data(fp));
  CHECK(jn > 0 && (size_t)jn < sizeof json);
  lc_license *bound = NULL, *unbound = NULL;
  CHECK_OK(lc_license_from_json((const uint8_t *)json, (size_t)jn, &bound));
  char id[32];
  size_t idn = 0;
  CHECK_OK(lc_license_text(bound, LC_LICENSE_FIELD_INSTANCE_ID, id, sizeof id, &idn));
  CHECK_TEXT(id, idn, "srv-1");
  bool site = false;
  uint64_t limit = 9;
  CHECK_OK(lc_license_actioned_limit(bound, &site, &limit));
  CHECK(site && limit == 0);
  CHECK_OK(lc_license_match_hardware(bound, drift, &rep));
  CHECK(rep != NULL && lc_match_report_is_match(rep));
  lc_match_report_free(rep);
  CHECK_OK(lc_license_require_hardware(bound, drift));
  CHECK_STATUS(LC_STATUS_FINGERPRINT_MISMATCH, lc_license_require_hardware(bound, other));
  CHECK_DETAIL("drifted");
  size_t un;
  uint8_t *unbound_json = read_vector("licenses/certmgr-2026.json", &un);
  CHECK_OK(lc_license_from_json(unbound_json, un, &unbound));
  rep = (lc_match_report *)&rep;
  CHECK_OK(lc_license_match_hardware(unbound, other, &rep));
  CHECK(rep == NULL);
  CHECK_OK(lc_license_require_hardware(unbound, other));

  free(unbound_json);
  lc_license_free(bound);
  lc_license_free(unbound);
  lc_bytes_free(fp);
  lc_hardware_profile_free(server);
  lc_hardware_profile_free(drift);
  lc_hardware_profile_free(other);
  free(server_xml);
  free(drift_xml);
  free(other_xml);
  return test_summary("test_hardware");
}
