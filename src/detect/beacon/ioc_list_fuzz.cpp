// libFuzzer target: random text as an indicator file; every indicator read is then matched against
// addresses, names, URLs and hashes taken from the same bytes.
#include <stdexcept>
#include <string_view>

#include "detect/beacon/ioc_list.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto list = trawl::detect::beacon::IocList::parse(text, "fuzz");
    std::vector<uint32_t> out;
    for (const auto& ind : list.indicators()) {
      if (auto a = trawl::IpAddress::parse(ind.text)) list.match_address(*a, out);
      list.match_domain(ind.text, out);
      list.match_url(ind.text, ind.text, out);
      list.match_hash(ind.text, out);
    }
    list.match_domain(text, out);
    list.match_url(text, text, out);
    list.match_hash(text, out);
  } catch (const std::runtime_error&) {
    // a line that is no indicator: reported, never a crash
  }
  return 0;
}
