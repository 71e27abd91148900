// PasswordDictionary: common weak passwords, matched against auth.jsonl's password column in either form it
// takes: clear text (analyze --show-passwords) or the mask "len:N sha256:XXXXXXXX" written otherwise.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "detect/config.h"

namespace trawl::detect::bruteforce {

// The masked form auth.jsonl writes for a password: its length and the first 4 bytes of its SHA-256.
std::string mask_password(std::string_view clear);

// True when `ledger_password` has the masked form rather than being the password itself.
bool is_masked_password(std::string_view ledger_password);

// The bundled list (common_passwords.txt): one password per line, '#' comment lines skipped.
std::vector<std::string> bundled_passwords();

class PasswordDictionary {
 public:
  explicit PasswordDictionary(const std::vector<std::string>& passwords);
  // The bundled list plus bruteforce.extra_passwords and the lines of bruteforce.passwords_file (when set;
  // throws std::runtime_error when that file cannot be read).
  static PasswordDictionary from_config(const Config& config);

  bool contains(std::string_view ledger_password) const;
  size_t size() const { return clear_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, Hash, std::equal_to<>> clear_, masked_;
};

}  // namespace trawl::detect::bruteforce
