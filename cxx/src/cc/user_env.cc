// The callbacks through which the engine uses a program's own leveldb::Env (a subclass of Env or EnvWrapper) and
// the files, locks and loggers it makes (cxx/src/user_env.rs). A Status the program returns is handed to the
// engine as its code and message.
//
// LevelDB: include/leveldb/env.h

#include <cstring>

#include "layer.h"

namespace {

using leveldb::Slice;
using leveldb::Status;

// What oxcxx_user_env_new_file makes and oxcxx_user_file_delete deletes (user_env.rs's constants).
enum UserObject { kSequential = 0, kRandomAccess = 1, kWritable = 2, kAppendable = 3, kLock = 4, kLogger = 5 };

// Hands a program's failed Status to the engine's error slot `error` (nothing for OK).
void ToEngine(const Status& status, void* error) {
  if (status.ok()) {
    return;
  }
  // Status keeps its code private: the predicates name it, and ToString's prefix (LevelDB's) is cut off.
  int code = 5;
  size_t prefix = std::strlen("IO error: ");
  if (status.IsNotFound()) {
    code = 1;
    prefix = std::strlen("NotFound: ");
  } else if (status.IsCorruption()) {
    code = 2;
    prefix = std::strlen("Corruption: ");
  } else if (status.IsNotSupportedError()) {
    code = 3;
    prefix = std::strlen("Not implemented: ");
  } else if (status.IsInvalidArgument()) {
    code = 4;
    prefix = std::strlen("Invalid argument: ");
  }
  const std::string text = status.ToString();
  const size_t skip = std::min(prefix, text.size());
  oxcxx_error_set(error, code, text.data() + skip, text.size() - skip);
}

leveldb::Env* EnvOf(void* env) { return static_cast<leveldb::Env*>(env); }

std::string NameOf(const char* name, size_t len) { return std::string(name, len); }

}  // namespace

void* oxcxx_user_env_new_file(void* env, int kind, const char* name, size_t len, void* error) noexcept {
  return oxleveldb_cxx::Guard("Env::New...", [&]() -> void* {
    const std::string fname = NameOf(name, len);
    Status s;
    void* object = nullptr;
    switch (kind) {
      case kSequential: {
        leveldb::SequentialFile* file = nullptr;
        s = EnvOf(env)->NewSequentialFile(fname, &file);
        object = file;
        break;
      }
      case kRandomAccess: {
        leveldb::RandomAccessFile* file = nullptr;
        s = EnvOf(env)->NewRandomAccessFile(fname, &file);
        object = file;
        break;
      }
      case kWritable:
      case kAppendable: {
        leveldb::WritableFile* file = nullptr;
        s = kind == kWritable ? EnvOf(env)->NewWritableFile(fname, &file) : EnvOf(env)->NewAppendableFile(fname, &file);
        object = file;
        break;
      }
      case kLock: {
        leveldb::FileLock* lock = nullptr;
        s = EnvOf(env)->LockFile(fname, &lock);
        object = lock;
        break;
      }
      default: {
        leveldb::Logger* logger = nullptr;
        s = EnvOf(env)->NewLogger(fname, &logger);
        object = logger;
        break;
      }
    }
    ToEngine(s, error);
    return s.ok() ? object : nullptr;
  });
}

void oxcxx_user_file_delete(int kind, void* object) noexcept {
  oxleveldb_cxx::Guard("the destructor of an Env's object", [&] {
    switch (kind) {
      case kSequential:
        delete static_cast<leveldb::SequentialFile*>(object);
        break;
      case kRandomAccess:
        delete static_cast<leveldb::RandomAccessFile*>(object);
        break;
      case kWritable:
      case kAppendable:
        delete static_cast<leveldb::WritableFile*>(object);
        break;
      case kLock:
        delete static_cast<leveldb::FileLock*>(object);
        break;
      default:
        delete static_cast<leveldb::Logger*>(object);
        break;
    }
  });
}

// The bytes read are moved into `scratch` when the file returned them elsewhere.
size_t oxcxx_user_seqfile_read(void* file, size_t n, char* scratch, void* error) noexcept {
  return oxleveldb_cxx::Guard("SequentialFile::Read", [&]() -> size_t {
    Slice result;
    ToEngine(static_cast<leveldb::SequentialFile*>(file)->Read(n, &result, scratch), error);
    const size_t len = std::min(result.size(), n);
    if (len > 0 && result.data() != scratch) {
      std::memmove(scratch, result.data(), len);
    }
    return len;
  });
}

void oxcxx_user_seqfile_skip(void* file, uint64_t n, void* error) noexcept {
  oxleveldb_cxx::Guard("SequentialFile::Skip",
                       [&] { ToEngine(static_cast<leveldb::SequentialFile*>(file)->Skip(n), error); });
}

size_t oxcxx_user_rafile_read(const void* file, uint64_t offset, size_t n, char* scratch, const char** data,
                              void* error) noexcept {
  return oxleveldb_cxx::Guard("RandomAccessFile::Read", [&]() -> size_t {
    Slice result;
    ToEngine(static_cast<const leveldb::RandomAccessFile*>(file)->Read(offset, n, &result, scratch), error);
    *data = result.data();
    return result.size();
  });
}

void oxcxx_user_wfile_op(void* file, int op, const char* data, size_t len, void* error) noexcept {
  oxleveldb_cxx::Guard("WritableFile", [&] {
    auto* f = static_cast<leveldb::WritableFile*>(file);
    switch (op) {
      case kAppend:
        ToEngine(f->Append(Slice(data, len)), error);
        break;
      case kClose:
        ToEngine(f->Close(), error);
        break;
      case kFlush:
        ToEngine(f->Flush(), error);
        break;
      default:
        ToEngine(f->Sync(), error);
        break;
    }
  });
}

bool oxcxx_user_env_file_exists(void* env, const char* name, size_t len) noexcept {
  return oxleveldb_cxx::Guard("Env::FileExists", [&] { return EnvOf(env)->FileExists(NameOf(name, len)); });
}

void oxcxx_user_env_get_children(void* env, const char* name, size_t len, void* out, void* error) noexcept {
  oxleveldb_cxx::Guard("Env::GetChildren", [&] {
    std::vector<std::string> children;
    ToEngine(EnvOf(env)->GetChildren(NameOf(name, len), &children), error);
    for (const std::string& child : children) {
      oxcxx_names_push(out, child.data(), child.size());
    }
  });
}

void oxcxx_user_env_name_op(void* env, int op, const char* name, size_t len, void* error) noexcept {
  oxleveldb_cxx::Guard("Env::RemoveFile/CreateDir/RemoveDir", [&] {
    const std::string fname = NameOf(name, len);
    switch (op) {
      case kRemoveFile:
        ToEngine(EnvOf(env)->RemoveFile(fname), error);
        break;
      case kCreateDir:
        ToEngine(EnvOf(env)->CreateDir(fname), error);
        break;
      default:
        ToEngine(EnvOf(env)->RemoveDir(fname), error);
        break;
    }
  });
}

uint64_t oxcxx_user_env_get_file_size(void* env, const char* name, size_t len, void* error) noexcept {
  return oxleveldb_cxx::Guard("Env::GetFileSize", [&] {
    uint64_t size = 0;
    ToEngine(EnvOf(env)->GetFileSize(NameOf(name, len), &size), error);
    return size;
  });
}

void oxcxx_user_env_rename_file(void* env, const char* src, size_t src_len, const char* target, size_t target_len,
                                void* error) noexcept {
  oxleveldb_cxx::Guard("Env::RenameFile", [&] {
    ToEngine(EnvOf(env)->RenameFile(NameOf(src, src_len), NameOf(target, target_len)), error);
  });
}

void oxcxx_user_env_unlock_file(void* env, void* lock, void* error) noexcept {
  oxleveldb_cxx::Guard("Env::UnlockFile",
                       [&] { ToEngine(EnvOf(env)->UnlockFile(static_cast<leveldb::FileLock*>(lock)), error); });
}

void oxcxx_user_env_schedule(void* env, bool start, void (*function)(void*), void* arg) noexcept {
  oxleveldb_cxx::Guard("Env::Schedule/StartThread", [&] {
    if (start) {
      EnvOf(env)->StartThread(function, arg);
    } else {
      EnvOf(env)->Schedule(function, arg);
    }
  });
}

void oxcxx_user_env_get_test_directory(void* env, void* out, void* error) noexcept {
  oxleveldb_cxx::Guard("Env::GetTestDirectory", [&] {
    std::string dir;
    ToEngine(EnvOf(env)->GetTestDirectory(&dir), error);
    oxcxx_vec_assign(out, dir.data(), dir.size());
  });
}

uint64_t oxcxx_user_env_now_micros(void* env) noexcept {
  return oxleveldb_cxx::Guard("Env::NowMicros", [&] { return EnvOf(env)->NowMicros(); });
}

void oxcxx_user_env_sleep_for_microseconds(void* env, int micros) noexcept {
  oxleveldb_cxx::Guard("Env::SleepForMicroseconds", [&] { EnvOf(env)->SleepForMicroseconds(micros); });
}
