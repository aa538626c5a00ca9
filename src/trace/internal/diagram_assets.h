// The fixed parts of a diagram page: its style sheet, shared SVG definitions and
// script. Kept apart from the drawing code so each reads on its own.
#pragma once

#include <string_view>

namespace distlab::trace::internal {

extern const std::string_view kDiagramStyle;
extern const std::string_view kDiagramDefs;
extern const std::string_view kDiagramScript;

// "Election messages" for "election": the legend's words for a message family.
std::string_view family_title(std::string_view family);

}  // namespace distlab::trace::internal
