#include "core/types.h"

#include <fmt/format.h>

namespace distlab {

std::string to_string(MsgId id) { return fmt::format("{}.{}", id.sender, id.seq); }

}  // namespace distlab
