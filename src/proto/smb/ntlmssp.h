// NTLMSSP (MS-NLMP) messages as SMB carries them: inside SPNEGO/GSS-API wrappers or raw. Only the
// fields a responder needs: which message it is and, for AUTHENTICATE, who logged in from where with
// which response type. Every security-buffer offset is checked against the message.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace trawl::proto::smb {

// Appends UTF-16LE text as UTF-8 (unpaired surrogates become U+FFFD); an odd trailing byte is dropped.
void append_utf16le(std::string& out, std::span<const uint8_t> utf16);
// Appends 8-bit text (OEM code page, taken as Latin-1 is not right either, so bytes pass as-is).
void append_oem(std::string& out, std::span<const uint8_t> bytes);

enum class NtlmType : uint8_t { kNone = 0, kNegotiate = 1, kChallenge = 2, kAuthenticate = 3 };

struct NtlmMessage {
  NtlmType type = NtlmType::kNone;
  bool malformed = false;     // a security buffer pointed outside the message
  uint32_t flags = 0;
  std::string user, domain, workstation;
  uint32_t nt_response_len = 0, lm_response_len = 0;
  // "anonymous" (no NT response and no user), "NTLMv2" (NT response longer than 24 bytes), "NTLMv1"
  // (24 bytes), or "NTLMSSP" when the lengths say neither.
  std::string_view method() const;
  bool anonymous() const { return nt_response_len == 0 && user.empty(); }
};

// Finds "NTLMSSP\0" in a security blob (raw or wrapped) and parses the message from there.
NtlmMessage find_ntlmssp(std::span<const uint8_t> blob);
NtlmMessage parse_ntlmssp(std::span<const uint8_t> message);

// The blob names Kerberos (the krb5 mechanism OIDs) rather than NTLM.
bool blob_mentions_kerberos(std::span<const uint8_t> blob);

}  // namespace trawl::proto::smb
