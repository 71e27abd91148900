#include "detect/bruteforce/password_dictionary.h"

#include <openssl/sha.h>

#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

#include "detect/bruteforce/common_passwords.h"  // kCommonPasswordsText, generated from common_passwords.txt

namespace trawl::detect::bruteforce {

namespace {

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && line[0] != '#') out.emplace_back(line);
  }
  return out;
}

}  // namespace

// Must stay byte for byte what proto/auth/auth_record.cpp writes (the end-to-end test compares the two).
std::string mask_password(std::string_view clear) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(clear.data()), clear.size(), digest);
  return fmt::format("len:{} sha256:{:02x}{:02x}{:02x}{:02x}", clear.size(), digest[0], digest[1], digest[2],
                     digest[3]);
}

bool is_masked_password(std::string_view p) {
  if (p.substr(0, 4) != "len:") return false;
  size_t i = 4;
  while (i < p.size() && p[i] >= '0' && p[i] <= '9') ++i;
  if (i == 4 || p.substr(i, 8) != " sha256:" || p.size() != i + 16) return false;
  for (size_t j = i + 8; j < p.size(); ++j)
    if (!((p[j] >= '0' && p[j] <= '9') || (p[j] >= 'a' && p[j] <= 'f'))) return false;
  return true;
}

std::vector<std::string> bundled_passwords() { return lines_of(kCommonPasswordsText); }

PasswordDictionary::PasswordDictionary(const std::vector<std::string>& passwords) {
  for (const auto& p : passwords) {
    clear_.insert(p);
    masked_.insert(mask_password(p));
  }
}

PasswordDictionary PasswordDictionary::from_config(const Config& config) {
  std::vector<std::string> all = bundled_passwords();
  for (auto& p : config.strings("bruteforce.extra_passwords")) all.push_back(std::move(p));
  std::string path = config.string("bruteforce.passwords_file");
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(fmt::format("cannot read bruteforce.passwords_file {}", path));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (auto& p : lines_of(text)) all.push_back(std::move(p));
  }
  return PasswordDictionary(all);
}

bool PasswordDictionary::contains(std::string_view p) const {
  if (is_masked_password(p)) return masked_.find(p) != masked_.end();
  return clear_.find(p) != clear_.end();
}

}  // namespace trawl::detect::bruteforce
