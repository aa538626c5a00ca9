// Writes a whole file so that it appears complete or not at all: the text goes to a
// temporary file beside `path`, which is renamed into place only once every byte is
// written. A failure removes the temporary file, so no half-written file is left.
//
//   write_file_atomically("run.html", page);  // throws InputError / RuntimeFailure
#pragma once

#include <string>
#include <string_view>

namespace distlab {

// Throws InputError when the file cannot be created (no such directory, no
// permission): a bad path is bad input. Throws RuntimeFailure when writing fails
// (a full disk). "-" writes to standard output.
void write_file_atomically(const std::string& path, std::string_view content);

// Throws InputError now if `path` could not be created later: a long run checks its
// output paths before it starts, not after it ends.
void check_creatable(const std::string& path);

}  // namespace distlab
