// leveldb::Env and the file classes: their destructors and default members (LevelDB's), the helpers
// ReadFileToString and WriteStringToFile, and Env::Default().
//
// Env::Default() and NewMemEnv are the engine's environments (its process-wide PosixEnv, a MemEnv), whole for a
// program that calls them (files, locks, threads, loggers, the clock) and the ones the database runs on when the
// options name them.
//
// LevelDB: util/env.cc, util/env_posix.cc (Env::Default), helpers/memenv/memenv.cc (NewMemEnv)

#include <cstdarg>

#include "layer.h"
#include "leveldb/helpers/memenv.h"

namespace leveldb {

// LevelDB: Env::Env
Env::Env() = default;

// LevelDB: Env::~Env
Env::~Env() = default;

// LevelDB: Env::NewAppendableFile
Status Env::NewAppendableFile(const std::string& fname, WritableFile** /*result*/) {
  return Status::NotSupported("NewAppendableFile", fname);
}

// The old and new names of the removal members call each other: a subclass overrides one of them.
//
// LevelDB: Env::RemoveDir
Status Env::RemoveDir(const std::string& dirname) { return DeleteDir(dirname); }

// LevelDB: Env::DeleteDir
Status Env::DeleteDir(const std::string& dirname) { return RemoveDir(dirname); }

// LevelDB: Env::RemoveFile
Status Env::RemoveFile(const std::string& fname) { return DeleteFile(fname); }

// LevelDB: Env::DeleteFile
Status Env::DeleteFile(const std::string& fname) { return RemoveFile(fname); }

// LevelDB: SequentialFile::~SequentialFile
SequentialFile::~SequentialFile() = default;

// LevelDB: RandomAccessFile::~RandomAccessFile
RandomAccessFile::~RandomAccessFile() = default;

// LevelDB: WritableFile::~WritableFile
WritableFile::~WritableFile() = default;

// LevelDB: Logger::~Logger
Logger::~Logger() = default;

// LevelDB: FileLock::~FileLock
FileLock::~FileLock() = default;

// LevelDB: EnvWrapper::~EnvWrapper
EnvWrapper::~EnvWrapper() = default;

// LevelDB: WriteStringToFile
Status WriteStringToFile(Env* env, const Slice& data, const std::string& fname) {
  WritableFile* file;
  Status s = env->NewWritableFile(fname, &file);
  if (!s.ok()) {
    return s;
  }
  s = file->Append(data);
  if (s.ok()) {
    s = file->Close();
  }
  delete file;  // Will auto-close if we did not close above
  if (!s.ok()) {
    env->RemoveFile(fname);
  }
  return s;
}

// LevelDB: ReadFileToString
Status ReadFileToString(Env* env, const std::string& fname, std::string* data) {
  data->clear();
  SequentialFile* file;
  Status s = env->NewSequentialFile(fname, &file);
  if (!s.ok()) {
    return s;
  }
  static const int kBufferSize = 8192;
  char* space = new char[kBufferSize];
  while (true) {
    Slice fragment;
    s = file->Read(kBufferSize, &fragment, space);
    if (!s.ok()) {
      break;
    }
    data->append(fragment.data(), fragment.size());
    if (fragment.empty()) {
      break;
    }
  }
  delete[] space;
  delete file;
  return s;
}

}  // namespace leveldb

namespace {

using leveldb::Slice;
using leveldb::Status;

// A file of the engine's, read front to back.
class EngineSequentialFile final : public leveldb::SequentialFile {
 public:
  explicit EngineSequentialFile(void* file) : file_(file) {}
  ~EngineSequentialFile() override { oxcxx_seqfile_destroy(file_); }
  Status Read(size_t n, Slice* result, char* scratch) override {
    Status status;
    *result = Slice(scratch, oxcxx_seqfile_read(file_, n, scratch, &status));
    return status;
  }
  Status Skip(uint64_t n) override {
    Status status;
    oxcxx_seqfile_skip(file_, n, &status);
    return status;
  }

 private:
  void* file_;
};

// A file of the engine's, read at any offset (the bytes are copied into the caller's scratch).
class EngineRandomAccessFile final : public leveldb::RandomAccessFile {
 public:
  explicit EngineRandomAccessFile(void* file) : file_(file) {}
  ~EngineRandomAccessFile() override { oxcxx_rafile_destroy(file_); }
  Status Read(uint64_t offset, size_t n, Slice* result, char* scratch) const override {
    Status status;
    *result = Slice(scratch, oxcxx_rafile_read(file_, offset, n, scratch, &status));
    return status;
  }

 private:
  void* file_;
};

// A file of the engine's, written at its end.
class EngineWritableFile final : public leveldb::WritableFile {
 public:
  explicit EngineWritableFile(void* file) : file_(file) {}
  ~EngineWritableFile() override { oxcxx_wfile_destroy(file_); }
  Status Append(const Slice& data) override { return Op(kAppend, data); }
  Status Close() override { return Op(kClose, Slice()); }
  Status Flush() override { return Op(kFlush, Slice()); }
  Status Sync() override { return Op(kSync, Slice()); }

 private:
  Status Op(OxWritableFileOp op, const Slice& data) {
    Status status;
    oxcxx_wfile_op(file_, op, data.data(), data.size(), &status);
    return status;
  }
  void* file_;
};

// A lock of the engine's; Env::UnlockFile releases it (as LevelDB's, a lock deleted otherwise stays held).
class EngineFileLock final : public leveldb::FileLock {
 public:
  explicit EngineFileLock(void* lock) : lock_(lock) {}
  void* lock() const { return lock_; }

 private:
  void* lock_;
};

// A logger of the engine's (LevelDB's PosixLogger: a header with the time and the thread, then the message).
class EngineLogger final : public leveldb::Logger {
 public:
  explicit EngineLogger(void* logger) : logger_(logger) {}
  ~EngineLogger() override { oxcxx_engine_logger_destroy(logger_); }
  void Logv(const char* format, std::va_list ap) override {
    std::va_list measure;
    va_copy(measure, ap);
    const int len = std::vsnprintf(nullptr, 0, format, measure);
    va_end(measure);
    if (len < 0) {
      return;
    }
    std::string message(static_cast<size_t>(len) + 1, '\0');
    std::vsnprintf(&message[0], message.size(), format, ap);
    oxcxx_engine_logger_log(logger_, message.data(), static_cast<size_t>(len));
  }

 private:
  void* logger_;
};

// Wraps an engine object in its C++ class, or sets *result to null when the engine returned none (the status
// then says why).
template <typename Class, typename Base>
Status Wrap(void* object, const Status& status, Base** result) {
  *result = object != nullptr ? new Class(object) : nullptr;
  return status;
}

}  // namespace

namespace oxleveldb_cxx {

Status EngineEnv::NewSequentialFile(const std::string& f, leveldb::SequentialFile** r) {
  Status s;
  return Wrap<EngineSequentialFile>(oxcxx_env_new_sequential_file(env_, f.data(), f.size(), &s), s, r);
}

Status EngineEnv::NewRandomAccessFile(const std::string& f, leveldb::RandomAccessFile** r) {
  Status s;
  return Wrap<EngineRandomAccessFile>(oxcxx_env_new_random_access_file(env_, f.data(), f.size(), &s), s, r);
}

Status EngineEnv::NewWritableFile(const std::string& f, leveldb::WritableFile** r) {
  Status s;
  return Wrap<EngineWritableFile>(oxcxx_env_new_writable_file(env_, f.data(), f.size(), false, &s), s, r);
}

Status EngineEnv::NewAppendableFile(const std::string& f, leveldb::WritableFile** r) {
  Status s;
  return Wrap<EngineWritableFile>(oxcxx_env_new_writable_file(env_, f.data(), f.size(), true, &s), s, r);
}

bool EngineEnv::FileExists(const std::string& f) { return oxcxx_env_file_exists(env_, f.data(), f.size()); }

Status EngineEnv::GetChildren(const std::string& dir, std::vector<std::string>* result) {
  result->clear();
  Status s;
  oxcxx_env_get_children(env_, dir.data(), dir.size(), result, &s);
  return s;
}

Status EngineEnv::NameOp(int op, const std::string& name) {
  Status s;
  oxcxx_env_name_op(env_, op, name.data(), name.size(), &s);
  return s;
}

Status EngineEnv::GetFileSize(const std::string& f, uint64_t* size) {
  Status s;
  *size = oxcxx_env_get_file_size(env_, f.data(), f.size(), &s);
  return s;
}

Status EngineEnv::RenameFile(const std::string& src, const std::string& target) {
  Status s;
  oxcxx_env_rename_file(env_, src.data(), src.size(), target.data(), target.size(), &s);
  return s;
}

Status EngineEnv::LockFile(const std::string& f, leveldb::FileLock** lock) {
  Status s;
  return Wrap<EngineFileLock>(oxcxx_env_lock_file(env_, f.data(), f.size(), &s), s, lock);
}

Status EngineEnv::UnlockFile(leveldb::FileLock* lock) {
  Status s;
  oxcxx_env_unlock_file(env_, static_cast<EngineFileLock*>(lock)->lock(), &s);
  delete lock;
  return s;
}

void EngineEnv::Schedule(void (*function)(void*), void* arg) { oxcxx_env_schedule(env_, false, function, arg); }

void EngineEnv::StartThread(void (*function)(void*), void* arg) { oxcxx_env_schedule(env_, true, function, arg); }

Status EngineEnv::GetTestDirectory(std::string* path) {
  Status s;
  oxcxx_env_get_test_directory(env_, path, &s);
  return s;
}

Status EngineEnv::NewLogger(const std::string& f, leveldb::Logger** result) {
  Status s;
  return Wrap<EngineLogger>(oxcxx_env_new_logger(env_, f.data(), f.size(), &s), s, result);
}

uint64_t EngineEnv::NowMicros() { return oxcxx_env_now_micros(env_); }

void EngineEnv::SleepForMicroseconds(int micros) { oxcxx_env_sleep_for_microseconds(env_, micros); }

}  // namespace oxleveldb_cxx

namespace leveldb {

// One environment for the life of the process (never destroyed), the engine's shared PosixEnv.
//
// LevelDB: Env::Default
Env* Env::Default() {
  static Env* const singleton = new oxleveldb_cxx::EngineEnv(oxcxx_env_default());
  return singleton;
}

// Files in memory; the rest is `base`'s when it is an environment of this library (Env::Default() otherwise).
//
// LevelDB: NewMemEnv
Env* NewMemEnv(Env* base) {
  const auto* engine = dynamic_cast<const oxleveldb_cxx::EngineEnv*>(base);
  return new oxleveldb_cxx::EngineEnv(oxcxx_env_new_mem(engine != nullptr ? engine->engine() : nullptr));
}

}  // namespace leveldb

void oxcxx_strings_push(void* vector, const char* data, size_t len) noexcept {
  oxleveldb_cxx::Guard("std::vector::push_back",
                       [&] { static_cast<std::vector<std::string>*>(vector)->emplace_back(data, len); });
}

void oxcxx_run_work(void (*function)(void*), void* arg) noexcept {
  oxleveldb_cxx::Guard("a function given to Env::Schedule or Env::StartThread", [&] { function(arg); });
}
