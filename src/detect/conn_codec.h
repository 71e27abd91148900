// A conn record in a compact binary form: how `trawl analyze` hands its conn records to the detection
// threads without formatting and re-parsing JSON. They come back as ConnRows whose values are exactly what
// conn.jsonl would give (the conn_codec test compares every column through every RecordView accessor).
#pragma once

#include <vector>

#include "detect/record_view.h"
#include "flow/flow_table.h"
#include "output/text_buffer.h"

namespace trawl::detect {

// Appends the record to out.
void encode_conn(const flow::ConnRecord& record, output::TextBuffer& out);

// Reads the record that encode_conn wrote at p (and no further than end) into row, whose frames live in
// `frames`; returns the byte after it. The strings of row point into the encoded bytes. Throws
// std::logic_error when the bytes end before the record does.
const char* decode_conn(const char* p, const char* end, ConnRow& row, std::vector<ConnRow::Frame>& frames);

}  // namespace trawl::detect
