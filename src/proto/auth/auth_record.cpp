#include "proto/auth/auth_record.h"

#include <openssl/sha.h>

#include <array>

#include <fmt/format.h>

namespace trawl::proto {

namespace {
using CT = output::ColumnType;
constexpr auto kColumns = [] {
  std::array<output::Column, std::size(kCommonColumns) + 8> c{};
  size_t i = 0;
  for (const auto& col : kCommonColumns) c[i++] = col;
  for (const auto& col : {output::Column{"app", CT::kString, 6}, output::Column{"user", CT::kString, 16},
                          output::Column{"password", CT::kString, 16}, output::Column{"method", CT::kString, 10},
                          output::Column{"outcome", CT::kString, 7}, output::Column{"confidence", CT::kString, 6},
                          output::Column{"reply", CT::kString, 0}, output::Column{"password_seen", CT::kBool, 5}})
    c[i++] = col;
  return c;
}();

// Enough to tell whether two attempts used the same password, not enough to print it.
std::string mask_password(std::string_view p) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(p.data()), p.size(), digest);
  return fmt::format("len:{} sha256:{:02x}{:02x}{:02x}{:02x}", p.size(), digest[0], digest[1], digest[2], digest[3]);
}
}  // namespace

std::string_view outcome_name(AuthOutcome o) {
  switch (o) {
    case AuthOutcome::kSuccess: return "success";
    case AuthOutcome::kFailure: return "failure";
    case AuthOutcome::kUnknown: break;
  }
  return "unknown";
}

const RecordType AuthRecord::kType{"auth", kColumns};

void AuthRecord::write(output::TableWriter& w, const WriteOptions& options) const {
  origin.write(w);
  w.add(app);
  w.add(user);
  if (!password_seen) w.add_null();
  else w.add(options.show_passwords ? std::string_view(password) : std::string_view(mask_password(password)));
  w.add(method);
  w.add(outcome_name(outcome));
  w.add(confidence);
  w.add(reply);
  w.add_bool(password_seen);
  w.end_row();
}

}  // namespace trawl::proto
