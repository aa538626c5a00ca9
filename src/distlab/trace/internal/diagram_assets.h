// The fixed parts of a diagram page: its style sheet, shared SVG definitions and
// script. Kept apart from the drawing code so each reads on its own.
#pragma once

#include <string_view>

namespace distlab::trace::internal {

// The style sheet: head, the message families' arrow styles, middle, the overlays'
// drawing styles, the lane spans' fills, tail, the overlays' page styles, end. The
// SVG definitions: head, the families' arrowheads, the overlays' definitions, tail.
extern const std::string_view kDiagramStyleHead;
extern const std::string_view kDiagramStyleMiddle;
extern const std::string_view kDiagramStyleTail;
extern const std::string_view kDiagramStyleEnd;
extern const std::string_view kDiagramDefsHead;
extern const std::string_view kDiagramDefsTail;
extern const std::string_view kDiagramScript;

}  // namespace distlab::trace::internal
