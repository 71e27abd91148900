#include "proto/record.h"

namespace trawl::proto {

void RecordOrigin::write(output::TableWriter& w) const {
  w.add_time(ts_ns);
  w.add(uid);
  w.add_addr(src);
  w.add_count(sport);
  w.add_addr(dst);
  w.add_count(dport);
  w.add(file_name);
  w.add_count(frame);
}

}  // namespace trawl::proto
