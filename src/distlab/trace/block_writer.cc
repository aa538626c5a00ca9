#include "distlab/trace/block_writer.h"

#include <cerrno>

#include "distlab/core/assert.h"

namespace distlab::trace {

BlockWriter::BlockWriter(std::FILE* file, std::size_t block_bytes)
    : file_(file), block_bytes_(block_bytes), thread_([this] { run(); }) {}

BlockWriter::~BlockWriter() {
  if (!thread_.joinable()) return;
  {
    const std::lock_guard lock(mutex_);
    abandoned_ = true;
  }
  work_.notify_one();
  thread_.join();  // waits for at most the one block being written
}

std::unique_ptr<char[]> BlockWriter::exchange(std::unique_ptr<char[]> full, std::size_t used) {
  DISTLAB_ASSERT(used <= block_bytes_, "a block holds more than its size");
  std::unique_lock lock(mutex_);
  DISTLAB_ASSERT(!closing_ && queued_ < kBlockCount, "a block handed over after finish, or one too many");
  queue_[(first_ + queued_) % kBlockCount] = Pending{std::move(full), used};
  ++queued_;
  work_.notify_one();
  if (empty_count_ == 0 && blocks_made_ < kBlockCount) {
    ++blocks_made_;
    lock.unlock();
    return std::make_unique_for_overwrite<char[]>(block_bytes_);
  }
  // Every block is queued or being written: the caller waits for the thread.
  done_.wait(lock, [&] { return empty_count_ > 0; });
  return std::move(empty_[--empty_count_]);
}

bool BlockWriter::finish() {
  {
    const std::lock_guard lock(mutex_);
    closing_ = true;
  }
  work_.notify_one();
  thread_.join();
  return !failed_;
}

void BlockWriter::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    work_.wait(lock, [&] { return abandoned_ || closing_ || queued_ > 0; });
    if (abandoned_ || queued_ == 0) return;
    Pending pending = std::move(queue_[first_]);
    first_ = (first_ + 1) % kBlockCount;
    --queued_;
    const bool write = !failed_;
    lock.unlock();
    int error = 0;
    if (write && pending.used > 0) {
      errno = 0;
      if (std::fwrite(pending.block.get(), 1, pending.used, file_) != pending.used) error = errno != 0 ? errno : EIO;
    }
    lock.lock();
    if (error != 0 && !failed_) {
      failed_ = true;
      error_ = error;
    }
    empty_[empty_count_++] = std::move(pending.block);
    done_.notify_one();
  }
}

}  // namespace distlab::trace
