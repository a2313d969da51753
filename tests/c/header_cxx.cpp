// The header compiles as C++17 (g++ -std=c++17 -Wall -Wextra -Werror) and
// its functions link and run from C++.
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "license_core.h"

int main() {
  static_assert(LC_VERSION_NUMBER == ((LC_VERSION_MAJOR << 16) | (LC_VERSION_MINOR << 8) | LC_VERSION_PATCH),
                "combined version number");
  std::string version = std::to_string(LC_VERSION_MAJOR) + "." + std::to_string(LC_VERSION_MINOR) + "." +
                        std::to_string(LC_VERSION_PATCH);
  if (version != lc_version()) return 1;

  // Handles in RAII wrappers, the way a C++ caller would hold them.
  lc_inventory *raw = nullptr;
  if (lc_inventory_new(&raw) != LC_STATUS_OK) return 1;
  std::unique_ptr<lc_inventory, decltype(&lc_inventory_free)> inventory(raw, &lc_inventory_free);
  const uint32_t ids[] = {1, 2, 3};
  lc_status status = lc_inventory_apply(inventory.get(), LC_EVENT_ENROLLED, ids, 3, nullptr, 0, 0);
  if (status != LC_STATUS_OK || lc_inventory_len(inventory.get()) != 3) return 1;
  if (std::strcmp(lc_status_name(LC_STATUS_SIGNATURE_MISMATCH), "LC_STATUS_SIGNATURE_MISMATCH") != 0) return 1;
  std::puts("header_cxx: ok");
  return 0;
}
