// The evidence of findings: which frames of which capture files the alerts of an analyze run point at
// (alerts.jsonl's `frames`), and reading exactly those frames back through the frame index.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "capture/raw_packet.h"
#include "extract/frame_index.h"

namespace trawl::extract {

// Capture file name (as alerts print it) -> frame numbers.
using FrameSelection = std::map<std::string, std::set<uint64_t>, std::less<>>;

// The frames of the alerts chosen by `selectors` ("TYPE/INDEX": the INDEX-th alert of TYPE, 0-based, in
// file order), or of every alert when there is none. Throws std::runtime_error on a malformed line, a
// malformed selector, or a selector that names no alert (the message lists what there is).
FrameSelection select_alert_frames(std::string_view alerts_jsonl, const std::vector<std::string>& selectors);
// The same over OUTDIR/alerts.jsonl.
FrameSelection read_alert_frames(const std::string& outdir, const std::vector<std::string>& selectors);

// A packet with its own copy of the bytes.
struct OwnedPacket {
  capture::RawPacket raw;  // raw.data points into bytes; raw.file_index is the index's file order
  std::vector<uint8_t> bytes;
};

// Reads the selected frames of the indexed captures: seeking by the offsets where the index has them,
// else reading each file up to its last wanted frame. Returns them in time order (ties by file order,
// then frame, as the capture engine merges). Throws std::runtime_error when a file is missing, is not in
// the index, or lacks a wanted frame.
std::vector<OwnedPacket> read_selected_frames(const std::vector<IndexedCapture>& index, const FrameSelection& wanted);

// Sorts packets as the capture engine merges them (time, then file order, then frame) and points each
// one's raw.data at its own bytes.
void in_capture_order(std::vector<OwnedPacket>& packets);

}  // namespace trawl::extract
