#include "proto/tls/tls_record.h"

#include <fmt/format.h>

namespace trawl::proto::tls {

namespace {
using CT = output::ColumnType;
constexpr output::Column kOwn[] = {
    {"client_version", CT::kString, 6},  {"client_versions", CT::kJson, 0}, {"server_name", CT::kString, 24},
    {"alpn", CT::kJson, 0},              {"cipher_count", CT::kCount, -3}, {"ciphers", CT::kJson, 0},
    {"extensions", CT::kJson, 0},        {"ja3", CT::kString, 0},          {"ja3_md5", CT::kString, 32},
    {"ja4", CT::kString, 36},            {"version", CT::kString, 6},      {"cipher", CT::kCount, -5},
    {"server_extensions", CT::kJson, 0}, {"alpn_selected", CT::kString, 0}, {"ja3s", CT::kString, 0},
    {"ja3s_md5", CT::kString, 32},       {"resumed", CT::kBool, 5},        {"cert_count", CT::kCount, -2},
    {"cert_subject_cn", CT::kString, 0}, {"cert_issuer_cn", CT::kString, 0}, {"cert_not_before", CT::kTime, 17},
    {"cert_not_after", CT::kTime, 17},   {"cert_self_signed", CT::kBool, 5}, {"alerts", CT::kJson, 0},
    {"handshake_types", CT::kJson, 0},   {"established", CT::kBool, 5},    {"orig_app_bytes", CT::kCount, -8},
    {"resp_app_bytes", CT::kCount, -8},  {"anomaly", CT::kString, 0},
};
constexpr auto kColumns = with_common_columns(kOwn);

void add_opt(output::TableWriter& w, bool present, std::string_view s) {
  if (present) w.add(s);
  else w.add_null();
}
}  // namespace

const RecordType TlsRecord::kType{"tls", kColumns};

std::string_view alert_name(uint8_t d) {
  switch (d) {
    case 0: return "close_notify"; case 10: return "unexpected_message"; case 20: return "bad_record_mac";
    case 21: return "decryption_failed"; case 22: return "record_overflow"; case 30: return "decompression_failure";
    case 40: return "handshake_failure"; case 41: return "no_certificate"; case 42: return "bad_certificate";
    case 43: return "unsupported_certificate"; case 44: return "certificate_revoked";
    case 45: return "certificate_expired"; case 46: return "certificate_unknown"; case 47: return "illegal_parameter";
    case 48: return "unknown_ca"; case 49: return "access_denied"; case 50: return "decode_error";
    case 51: return "decrypt_error"; case 60: return "export_restriction"; case 70: return "protocol_version";
    case 71: return "insufficient_security"; case 80: return "internal_error"; case 86: return "inappropriate_fallback";
    case 90: return "user_canceled"; case 100: return "no_renegotiation"; case 109: return "missing_extension";
    case 110: return "unsupported_extension"; case 112: return "unrecognized_name";
    case 113: return "bad_certificate_status_response"; case 115: return "unknown_psk_identity";
    case 116: return "certificate_required"; case 120: return "no_application_protocol";
  }
  return "";
}

void TlsRecord::write(output::TableWriter& w, const WriteOptions&) const {
  origin.write(w);
  fmt::memory_buffer buf;
  auto json = [&](auto&& fill) {
    buf.clear();
    buf.push_back('[');
    fill();
    buf.push_back(']');
    w.add_json(std::string_view(buf.data(), buf.size()));
  };
  auto numbers = [&](const auto& v) {
    json([&] {
      for (size_t i = 0; i < v.size(); ++i) fmt::format_to(std::back_inserter(buf), "{}{}", i ? "," : "", unsigned(v[i]));
    });
  };
  const bool c = client_hello_seen, s = server_hello_seen;
  add_opt(w, c, c ? std::string_view(version_name(ch.legacy_version)) : "");
  if (c) {
    json([&] {
      bool first = true;
      for (uint16_t v : ch.supported_versions) {
        if (is_grease(v)) continue;
        if (!first) buf.push_back(',');
        first = false;
        output::append_json_string(buf, version_name(v));
      }
    });
  } else {
    w.add_null();
  }
  add_opt(w, c && ch.has_sni, ch.server_name);
  if (c) {
    json([&] {
      for (size_t i = 0; i < ch.alpn.size(); ++i) {
        if (i) buf.push_back(',');
        output::append_json_string(buf, ch.alpn[i]);
      }
    });
    w.add_count(ch.ciphers.size());
    numbers(ch.ciphers);
    numbers(ch.extensions);
  } else {
    for (int i = 0; i < 4; ++i) w.add_null();
  }
  add_opt(w, c, ja3);
  add_opt(w, c, ja3_md5);
  add_opt(w, c, ja4);
  add_opt(w, s, s ? std::string_view(version_name(sh.version())) : "");
  if (s) {
    w.add_count(sh.cipher);
    numbers(sh.extensions);
  } else {
    w.add_null();
    w.add_null();
  }
  add_opt(w, s && !sh.alpn.empty(), sh.alpn);
  add_opt(w, s, ja3s);
  add_opt(w, s, ja3s_md5);
  w.add_bool(resumed);
  w.add_count(cert_count);
  add_opt(w, cert_seen, cert.subject_cn);
  add_opt(w, cert_seen, cert.issuer_cn);
  if (cert_seen && cert.not_before_ns) w.add_time(*cert.not_before_ns);
  else w.add_null();
  if (cert_seen && cert.not_after_ns) w.add_time(*cert.not_after_ns);
  else w.add_null();
  if (cert_seen) w.add_bool(cert.self_signed);
  else w.add_null();
  json([&] {
    for (size_t i = 0; i < alerts.size(); ++i) {
      const TlsAlert& a = alerts[i];
      fmt::format_to(std::back_inserter(buf), "{}{{\"dir\":\"{}\"", i ? "," : "", a.dir ? "resp" : "orig");
      if (a.encrypted) {
        fmt::format_to(std::back_inserter(buf), ",\"encrypted\":true}}");
      } else {
        fmt::format_to(std::back_inserter(buf), ",\"level\":{},\"description\":{},\"name\":", a.level, a.description);
        output::append_json_string(buf, alert_name(a.description));
        buf.push_back('}');
      }
    }
  });
  numbers(handshake_types);
  w.add_bool(established);
  w.add_count(orig_app_bytes);
  w.add_count(resp_app_bytes);
  add_opt(w, !anomaly.empty(), anomaly);
  w.end_row();
}

}  // namespace trawl::proto::tls
