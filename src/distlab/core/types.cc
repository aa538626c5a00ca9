#include "distlab/core/types.h"

#include <cstdint>

namespace distlab {

std::string to_string(MsgId id) {
  std::string out;
  assign_msg_id(id, out);
  return out;
}

// Digits written from the end of the buffer backwards: a run formats one id per
// message it records, so this is on a sweep's hot path.
void assign_msg_id(MsgId id, std::string& out) {
  char buffer[32];  // "4294967295.18446744073709551615" is 31 characters
  char* const end = buffer + sizeof buffer;
  char* p = end;
  std::uint64_t seq = id.seq;
  do {
    *--p = static_cast<char>('0' + seq % 10);
    seq /= 10;
  } while (seq != 0);
  *--p = '.';
  std::uint32_t sender = id.sender;
  do {
    *--p = static_cast<char>('0' + sender % 10);
    sender /= 10;
  } while (sender != 0);
  out.assign(p, end);
}

std::vector<NodeId> node_ids(std::uint32_t count) {
  std::vector<NodeId> ids;
  ids.reserve(count);
  for (std::uint32_t i = 1; i <= count; ++i) ids.push_back(i);
  return ids;
}

}  // namespace distlab
