// leveldb::Iterator's own members: the cleanup list that programs' iterators (and the database's) register
// functions in, run when the iterator is destroyed; and the empty and error iterators.
//
// Invariant: `cleanup_head_` is inline (no allocation for the first cleanup); its `function` is null when the
// list is empty; further nodes are new'd and owned by the list.
//
// LevelDB: table/iterator.cc

#include "ffi.h"
#include "leveldb/iterator.h"

namespace leveldb {

// LevelDB: Iterator::Iterator
Iterator::Iterator() {
  cleanup_head_.function = nullptr;
  cleanup_head_.next = nullptr;
}

// Runs the registered cleanups, the first registered first and then the rest in reverse order of registration,
// as LevelDB does (each new node is linked after the head).
//
// LevelDB: Iterator::~Iterator
Iterator::~Iterator() {
  if (!cleanup_head_.IsEmpty()) {
    cleanup_head_.Run();
    for (CleanupNode* node = cleanup_head_.next; node != nullptr;) {
      node->Run();
      CleanupNode* next = node->next;
      delete node;
      node = next;
    }
  }
}

// LevelDB: Iterator::RegisterCleanup
void Iterator::RegisterCleanup(CleanupFunction func, void* arg1, void* arg2) {
  CleanupNode* node;
  if (cleanup_head_.IsEmpty()) {
    node = &cleanup_head_;
  } else {
    node = new CleanupNode();
    node->next = cleanup_head_.next;
    cleanup_head_.next = node;
  }
  node->function = func;
  node->arg1 = arg1;
  node->arg2 = arg2;
}

namespace {

// An iterator over nothing, with a status (OK for NewEmptyIterator).
//
// LevelDB: EmptyIterator
class EmptyIterator final : public Iterator {
 public:
  explicit EmptyIterator(const Status& status) : status_(status) {}
  bool Valid() const override { return false; }
  void Seek(const Slice&) override {}
  void SeekToFirst() override {}
  void SeekToLast() override {}
  void Next() override {}
  void Prev() override {}
  Slice key() const override { return Slice(); }
  Slice value() const override { return Slice(); }
  Status status() const override { return status_; }

 private:
  Status status_;
};

}  // namespace

// LevelDB: NewEmptyIterator
Iterator* NewEmptyIterator() { return new EmptyIterator(Status::OK()); }

// LevelDB: NewErrorIterator
Iterator* NewErrorIterator(const Status& status) { return new EmptyIterator(status); }

}  // namespace leveldb
