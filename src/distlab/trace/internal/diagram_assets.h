// The fixed parts of a diagram page: its style sheet, shared SVG definitions and
// script. Kept apart from the drawing code so each reads on its own.
#pragma once

#include <string_view>

namespace distlab::trace::internal {

// The style sheet and the SVG definitions each have a head and a tail, with the
// message families' arrow styles and arrowheads between them, and the lane spans'
// fills between the style sheet's middle and tail.
extern const std::string_view kDiagramStyleHead;
extern const std::string_view kDiagramStyleMiddle;
extern const std::string_view kDiagramStyleTail;
extern const std::string_view kDiagramDefsHead;
extern const std::string_view kDiagramDefsTail;
extern const std::string_view kDiagramScript;

}  // namespace distlab::trace::internal
