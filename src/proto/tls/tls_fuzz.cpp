// libFuzzer target: random bytes, split into client and server chunks at random points (with gaps),
// through the TLS analyzer, the record written to a JSON writer; plus the parsers on the raw input.
#include "proto/stream_fuzz.h"
#include "proto/tls/tls_analyzer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace trawl::proto;
  AnalyzerContext ctx;
  ctx.sink = &fuzz_record_writer();
  tls::TlsAnalyzer a(ctx);
  PacketRef at;
  // Each chunk: 1 control byte (direction, gap flag, length / 2), then up to 126 bytes.
  size_t i = 0;
  while (i < size) {
    uint8_t c = data[i++];
    size_t n = std::min<size_t>(size_t(c & 0x3f) * 2, size - i);
    auto dir = c & 0x80 ? Dir::kResp : Dir::kOrig;
    if ((c & 0x40) && n == 0) a.on_gap(dir, 7, at);
    else a.on_data(dir, {data + i, n}, at);
    i += n;
    ++at.frame;
  }
  a.on_end(at);
  tls::ClientHello ch;
  if (tls::parse_client_hello({data, size}, ch) == tls::ParseResult::kOk) {
    tls::ja3_string(ch);
    tls::ja4(ch);
  }
  tls::ServerHello sh;
  tls::parse_server_hello({data, size}, sh);
  tls::CertificateInfo cert;
  uint32_t count = 0;
  tls::parse_certificate({data, size}, cert);
  tls::parse_certificate_list({data, size}, cert, count);
  return 0;
}
