// FIFO bookkeeping for links with variable latency: a message never arrives before
// the previous message sent on the same link.
//
// Up to kDenseNodesMax nodes, one slot per ordered pair in a flat table: no
// allocation after construction. Beyond that, an open-addressing table of the links
// with a message still in flight (16 bytes a link, linear probing, no allocation per
// entry): when it is three quarters full it is rebuilt without the links whose last
// message has landed, at twice the size of what is left. It is only looked up, never
// iterated for a result, so its order cannot leak into a run.
//
// A sender that has opened links to an eighth of the nodes (an election to every
// higher id, the answers to every lower one) gets a row of its own, one slot per
// receiver: its sends then write along the row instead of probing the table at random.
// A row costs n * 8 bytes and n bits, at most 65 bytes per message its sender opened a
// link with. The bits say which slots hold a time: a link's first message (most links
// of an election carry one) only stores its time, without reading the slot from memory
// first. The sender's links still in the table move into the row when it is made
// (each sender's table links are listed until then), so a row never probes the table.
// Rows are cut from 2 MiB blocks on huge pages (core/pages.h), as the tables live on
// them: fewer allocations, and less peak memory than one allocation per row. The rows'
// bits are cut from blocks of their own, apart from the times: every send reads its
// link's bit, and the bits of every row together (n / 8 bytes a row, 3 MB for 5,000
// rows) then stay in the cache, where each row's bits among 200 MB of times were a
// cache miss a send.
//
//   FifoLinks fifo(1, 3);
//   Nanos at = fifo.arrival(1, 2, now + latency, now);
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <vector>

#include "distlab/core/pages.h"
#include "distlab/core/types.h"

namespace distlab::sim {

class FifoLinks {
 public:
  // n^2 slots of 8 bytes: 8 MiB at this bound.
  static constexpr std::uint32_t kDenseNodesMax = 1024;

  FifoLinks(NodeId first_id, std::uint32_t node_count) : first_id_(first_id), n_(node_count) {
    if (n_ <= kDenseNodesMax) {
      dense_.assign(std::size_t{n_} * n_, 0);
    } else {
      rows_.resize(n_);
      opened_.assign(n_, 0);
      listed_.resize(n_);
      rebuild(kMinSlots, 0);
    }
  }

  // The arrival time of a message on from->to that the latency alone would deliver at
  // `t`: no earlier than the link's previous arrival. `now` is the simulated time:
  // links whose last arrival is not after it constrain nothing any more.
  Nanos arrival(NodeId from, NodeId to, Nanos t, Nanos now) {
    if (!dense_.empty()) {
      Nanos& last = dense_[std::size_t{from - first_id_} * n_ + (to - first_id_)];
      last = std::max(t, last);
      return last;
    }
    const std::uint32_t sender = from - first_id_;
    if (Row& row = rows_[sender]; row.last != nullptr) {
      const std::uint32_t receiver = to - first_id_;
      std::uint64_t& word = row.set[receiver / 64];
      const std::uint64_t bit = std::uint64_t{1} << (receiver % 64);
      if ((word & bit) == 0) {  // the link's first message: nothing to read
        word |= bit;
        row.last[receiver] = t;
        return t;
      }
      Nanos& last = row.last[receiver];
      last = std::max(t, last);
      return last;
    }
    if (used_ >= slots_.size() / 4 * 3) rebuild(std::size_t{0}, now);
    const std::uint64_t key = (std::uint64_t{from} << 32) | to;
    Slot& slot = find(key);
    if (slot.key == kEmpty) {
      slot = {key, t};
      ++used_;
      listed_[sender].push_back(to - first_id_);
      if (++opened_[sender] >= n_ / 8) make_row(sender);
      return t;
    }
    slot.last = std::max(t, slot.last);
    return slot.last;
  }

  // Beyond kDenseNodesMax nodes: the links are in a table or rows too large for the
  // caches, worth asking for before a send.
  bool sparse() const { return !rows_.empty(); }

  // Link from->to will be sent on soon: what arrival() will read there is asked of
  // the memory (the row's bit and time, or where the table's probe starts; nothing
  // for the flat table, mostly in the caches, where asking only costs instructions).
  // Always inlined: GCC takes a function whose only effect is a prefetch for a
  // pure one, and deletes the call when it is not inlined first (g++ 12 -O3 dropped
  // this one).
  [[gnu::always_inline]] void prefetch(NodeId from, NodeId to) const {
    if (!sparse()) return;
    const Row& row = rows_[from - first_id_];
    if (row.last == nullptr) {
      __builtin_prefetch(&slots_[home((std::uint64_t{from} << 32) | to)], 1);
      return;
    }
    const std::uint32_t receiver = to - first_id_;
    __builtin_prefetch(&row.set[receiver / 64], 1);
    __builtin_prefetch(&row.last[receiver], 1);
  }

  // Links held (sparse table only; for tests and memory reports).
  std::size_t held() const { return used_; }
  // Senders with a row of their own (sparse table only).
  std::size_t rows() const {
    return static_cast<std::size_t>(
        std::count_if(rows_.begin(), rows_.end(), [](const Row& r) { return r.last != nullptr; }));
  }

 private:
  struct Slot {
    std::uint64_t key;
    Nanos last;
  };
  static constexpr std::uint64_t kEmpty = ~std::uint64_t{0};  // no link: ids are below 2^32 - 1
  static constexpr std::size_t kMinSlots = 1024;

  // A sender's own row: one time per receiver, and a bit per receiver that says the
  // time is set.
  struct Row {
    Nanos* last = nullptr;  // in row_blocks_
    std::uint64_t* set = nullptr;
  };

  std::size_t words() const { return (std::size_t{n_} + 63) / 64; }

  // The sender's links still in the table move into its new row; the table's entries
  // stay, unread, until a rebuild finds they have landed.
  void make_row(std::uint32_t sender) {
    Row& row = rows_[sender];
    row.last = reinterpret_cast<Nanos*>(row_times_.cut());
    row.set = row_bits_.cut();
    const std::uint64_t from = first_id_ + sender;
    for (const std::uint32_t receiver : listed_[sender]) {
      const std::uint64_t key = (from << 32) | (first_id_ + receiver);
      const Slot& slot = find(key);
      if (slot.key != key) continue;  // landed, and let go by a rebuild
      row.last[receiver] = slot.last;
      row.set[receiver / 64] |= std::uint64_t{1} << (receiver % 64);
    }
    std::vector<std::uint32_t>{}.swap(listed_[sender]);
  }

  // Zeroed pieces of `words` words each (a row's times, or its bits: none set), cut
  // from 2 MiB blocks (or one block a piece, when a piece is larger).
  class Cutter {
   public:
    explicit Cutter(std::size_t words) : words_(words) {}
    std::uint64_t* cut() {
      const std::size_t block_bytes = std::max(Pages::kHuge, words_ * sizeof(std::uint64_t));
      if (blocks_.empty() || cut_ == block_bytes / (words_ * sizeof(std::uint64_t))) {
        blocks_.emplace_back(block_bytes);
        cut_ = 0;
      }
      return blocks_.back().as<std::uint64_t>() + words_ * cut_++;
    }

   private:
    std::size_t words_;
    std::vector<Pages> blocks_;  // the last is being cut
    std::size_t cut_ = 0;        // pieces cut from the last block
  };

  // Where the probe for `key` starts.
  std::size_t home(std::uint64_t key) const {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ULL) >> shift_);
  }

  Slot& find(std::uint64_t key) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = home(key);
    while (slots_[i].key != key && slots_[i].key != kEmpty) i = (i + 1) & mask;
    return slots_[i];
  }

  // Keeps the links still in flight after `now`, in a table at most half full.
  void rebuild(std::size_t min_slots, Nanos now) {
    HugePageVector<Slot> old = std::move(slots_);
    std::size_t live = 0;
    for (const Slot& s : old) live += s.key != kEmpty && s.last > now ? 1 : 0;
    const std::size_t size = std::bit_ceil(std::max({kMinSlots, min_slots, 2 * live + 2}));
    slots_.assign(size, Slot{kEmpty, 0});
    shift_ = 64 - std::countr_zero(size);
    used_ = 0;
    // Only the links kept stay listed (in the table's order: the lists are only read
    // to move links into a row, so that order never reaches a result).
    for (const Slot& s : old) {
      if (s.key != kEmpty) listed_[sender_of(s.key)].clear();
    }
    for (const Slot& s : old) {
      if (s.key == kEmpty || s.last <= now) continue;
      find(s.key) = s;
      ++used_;
      const std::uint32_t sender = sender_of(s.key);
      if (rows_[sender].last == nullptr) {
        listed_[sender].push_back(static_cast<std::uint32_t>(s.key) - first_id_);
      }
    }
  }

  std::uint32_t sender_of(std::uint64_t key) const {
    return static_cast<std::uint32_t>(key >> 32) - first_id_;
  }

  NodeId first_id_;
  std::uint32_t n_;
  HugePageVector<Nanos> dense_;
  HugePageVector<Slot> slots_;
  std::vector<Row> rows_;                           // by sender index; none: in the table
  Cutter row_times_{n_};                            // each row's Row::last
  Cutter row_bits_{words()};                        // each row's Row::set
  std::vector<std::uint32_t> opened_;               // by sender index: links it put in the table
  std::vector<std::vector<std::uint32_t>> listed_;  // by sender index, until its row: its table links
  std::size_t used_ = 0;
  int shift_ = 64;
};

}  // namespace distlab::sim
