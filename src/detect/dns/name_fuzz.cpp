// libFuzzer target: random bytes as a queried name through everything the DNS detectors compute from one:
// normalization, registered domain, subdomain, local/public tests, and the generated-name features.
#include <string>
#include <string_view>

#include "detect/dns/dga_score.h"
#include "detect/dns/domain_name.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trawl::detect::dns;
  std::string name = normalize_name(std::string_view(reinterpret_cast<const char*>(data), size));
  std::string_view reg = registered_domain(name), sub = subdomain_part(name), label = registered_label(name);
  if (reg.size() > name.size() || sub.size() > name.size() || label.size() > name.size()) __builtin_trap();
  (void)is_public_name(name);
  (void)is_local_name(name);
  (void)has_domain_suffix(name, reg);
  DgaFeatures f = dga_features(name);
  if (f.length != name.size()) __builtin_trap();
  return 0;
}
