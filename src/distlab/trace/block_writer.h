// Writes full blocks of bytes to a file on a thread of its own, in the order given,
// so the thread that fills them (a simulation making trace lines) does not wait for
// the kernel's copy. Used by the JSONL writer's buffered mode; its each_event mode
// writes directly and has no thread.
//
//   BlockWriter out(file, kBlockBytes);
//   block = out.exchange(std::move(block), used);   // hand over a full block, get an empty one
//   ...
//   if (!out.finish()) fail(std::strerror(out.error()));
#pragma once

#include <array>
#include <condition_variable>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

namespace distlab::trace {

class BlockWriter {
 public:
  // Blocks in all, counting the one the caller fills: at most kBlockCount - 1 wait to
  // be written. At the bound, exchange() waits until the thread has written one.
  static constexpr std::size_t kBlockCount = 4;

  // Writes to `file` (not owned; nobody else may use it until finish() returns).
  // Blocks are `block_bytes` long. Throws std::system_error if no thread can start.
  BlockWriter(std::FILE* file, std::size_t block_bytes);
  // Stops the thread without writing what is still queued (a run that failed).
  ~BlockWriter();
  BlockWriter(const BlockWriter&) = delete;
  BlockWriter& operator=(const BlockWriter&) = delete;

  // Queues the first `used` bytes of `full` to be written and returns an empty block.
  std::unique_ptr<char[]> exchange(std::unique_ptr<char[]> full, std::size_t used);
  // Waits until every queued block is written, then stops the thread. False if a
  // write failed (error() says why); once one fails, later blocks are not written.
  bool finish();
  int error() const { return error_; }

 private:
  struct Pending {
    std::unique_ptr<char[]> block;
    std::size_t used = 0;
  };
  void run();

  std::FILE* file_;
  std::size_t block_bytes_;
  std::mutex mutex_;
  std::condition_variable work_;  // the thread waits here for a block or for the end
  std::condition_variable done_;  // exchange() waits here for an empty block
  // Full blocks in the order given: a ring of queued_ entries from first_.
  std::array<Pending, kBlockCount> queue_;
  std::size_t first_ = 0;
  std::size_t queued_ = 0;
  std::array<std::unique_ptr<char[]>, kBlockCount> empty_;  // written, ready for reuse
  std::size_t empty_count_ = 0;
  std::size_t blocks_made_ = 1;   // the caller's first block is its own
  bool closing_ = false;          // finish(): write what is queued, then stop
  bool abandoned_ = false;        // destructor: stop now
  bool failed_ = false;
  int error_ = 0;
  std::thread thread_;  // last: started once everything above is ready
};

}  // namespace distlab::trace
