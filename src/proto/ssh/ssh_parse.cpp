#include "proto/ssh/ssh_parse.h"

#include <openssl/evp.h>

#include "util/hex.h"

namespace trawl::proto::ssh {

namespace {
uint32_t be32(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

bool list_contains(std::string_view list, std::string_view name) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t end = list.find(',', pos);
    if (end == std::string_view::npos) end = list.size();
    if (list.substr(pos, end - pos) == name) return true;
    pos = end + 1;
  }
  return false;
}
}  // namespace

ParseStatus parse_packet_header(std::span<const uint8_t> b, PacketHeader& out) {
  if (b.size() < 6) return ParseStatus::kNeedMore;
  out.packet_length = be32(b.data());
  out.padding_length = b[4];
  out.msg_type = b[5];
  // The padding is at least 4 bytes and leaves room for the message type.
  if (out.packet_length < 5 || out.packet_length > kMaxPacket || out.padding_length < 4 ||
      uint32_t{out.padding_length} + 2 > out.packet_length)
    return ParseStatus::kMalformed;
  return ParseStatus::kComplete;
}

ParseStatus parse_kexinit(std::string_view p, KexInit& out) {
  if (p.size() < 16) return ParseStatus::kMalformed;
  size_t pos = 16;  // cookie
  for (auto& l : out.lists) {
    if (p.size() - pos < 4) return ParseStatus::kMalformed;
    uint32_t n = be32(reinterpret_cast<const uint8_t*>(p.data() + pos));
    pos += 4;
    if (n > p.size() - pos) return ParseStatus::kMalformed;
    l = p.substr(pos, n);
    pos += n;
  }
  if (p.size() - pos < 1) return ParseStatus::kMalformed;
  out.first_kex_follows = p[pos] != 0;
  return ParseStatus::kComplete;
}

std::string hassh(const KexInit& k, bool server, std::string* algorithms) {
  std::string s;
  s.reserve(k.lists[KexInit::kKex].size() + 512);
  s.append(k.lists[KexInit::kKex]).push_back(';');
  s.append(k.lists[server ? KexInit::kEncS2C : KexInit::kEncC2S]).push_back(';');
  s.append(k.lists[server ? KexInit::kMacS2C : KexInit::kMacC2S]).push_back(';');
  s.append(k.lists[server ? KexInit::kCompS2C : KexInit::kCompC2S]);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(s.data(), s.size(), md, &len, EVP_md5(), nullptr);
  std::string hex;
  append_hex(hex, md, len);
  if (algorithms) *algorithms = std::move(s);
  return hex;
}

std::string_view negotiate(std::string_view client_list, std::string_view server_list) {
  size_t pos = 0;
  while (pos < client_list.size()) {
    size_t end = client_list.find(',', pos);
    if (end == std::string_view::npos) end = client_list.size();
    std::string_view name = client_list.substr(pos, end - pos);
    if (!name.empty() && list_contains(server_list, name)) return name;
    pos = end + 1;
  }
  return {};
}

}  // namespace trawl::proto::ssh
