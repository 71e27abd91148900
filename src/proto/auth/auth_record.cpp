#include "proto/auth/auth_record.h"

#include <openssl/sha.h>

#include <fmt/format.h>

namespace trawl::proto {

namespace {
using CT = output::ColumnType;
constexpr output::Column kOwn[] = {
    {"app", CT::kString, 6},     {"user", CT::kString, 16},      {"password", CT::kString, 16},
    {"method", CT::kString, 10}, {"outcome", CT::kString, 7},    {"confidence", CT::kString, 6},
    {"reply", CT::kString, 0},   {"password_seen", CT::kBool, 5},
};
constexpr auto kColumns = with_common_columns(kOwn);
}  // namespace

std::string mask_password(std::string_view p) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(p.data()), p.size(), digest);
  return fmt::format("len:{} sha256:{:02x}{:02x}{:02x}{:02x}", p.size(), digest[0], digest[1], digest[2], digest[3]);
}

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
