// leveldb::Env and the file classes: their destructors and default members (LevelDB's), the helpers
// ReadFileToString and WriteStringToFile, and Env::Default().
//
// Env::Default() is the engine's default environment as far as a database is concerned: options naming it open
// the database on the engine's own PosixEnv. Its members called directly by a program are not served yet: the
// file operations return NotSupported (which names the operation), the clock, sleep and threads work.
//
// LevelDB: util/env.cc, util/env_posix.cc (Env::Default)

#include <chrono>
#include <thread>

#include "layer.h"

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

using leveldb::Status;

// Env::Default(): see the file's comment.
class DefaultEnv final : public leveldb::Env {
 public:
  Status NewSequentialFile(const std::string& f, leveldb::SequentialFile**) override {
    return NotYet("NewSequentialFile", f);
  }
  Status NewRandomAccessFile(const std::string& f, leveldb::RandomAccessFile**) override {
    return NotYet("NewRandomAccessFile", f);
  }
  Status NewWritableFile(const std::string& f, leveldb::WritableFile**) override {
    return NotYet("NewWritableFile", f);
  }
  Status NewAppendableFile(const std::string& f, leveldb::WritableFile**) override {
    return NotYet("NewAppendableFile", f);
  }
  bool FileExists(const std::string&) override { NotYetAbort("FileExists"); }
  Status GetChildren(const std::string& d, std::vector<std::string>*) override { return NotYet("GetChildren", d); }
  Status RemoveFile(const std::string& f) override { return NotYet("RemoveFile", f); }
  Status CreateDir(const std::string& d) override { return NotYet("CreateDir", d); }
  Status RemoveDir(const std::string& d) override { return NotYet("RemoveDir", d); }
  Status GetFileSize(const std::string& f, uint64_t*) override { return NotYet("GetFileSize", f); }
  Status RenameFile(const std::string& s, const std::string&) override { return NotYet("RenameFile", s); }
  Status LockFile(const std::string& f, leveldb::FileLock**) override { return NotYet("LockFile", f); }
  Status UnlockFile(leveldb::FileLock*) override { return NotYet("UnlockFile", ""); }
  Status GetTestDirectory(std::string*) override { return NotYet("GetTestDirectory", ""); }
  Status NewLogger(const std::string& f, leveldb::Logger**) override { return NotYet("NewLogger", f); }
  // Each call runs on a thread of its own (LevelDB runs them in order on one background thread).
  void Schedule(void (*function)(void*), void* arg) override { StartThread(function, arg); }
  void StartThread(void (*function)(void*), void* arg) override { std::thread(function, arg).detach(); }
  uint64_t NowMicros() override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void SleepForMicroseconds(int micros) override {
    std::this_thread::sleep_for(std::chrono::microseconds(micros));
  }

 private:
  static Status NotYet(const char* what, const std::string& name) {
    return Status::NotSupported(std::string("oxleveldb: Env::Default()->") + what, name);
  }
  [[noreturn]] static void NotYetAbort(const char* what) {
    std::fprintf(stderr, "oxleveldb: Env::Default()->%s is not supported yet\n", what);
    std::abort();
  }
};

}  // namespace

namespace leveldb {

// One environment for the life of the process (never destroyed).
//
// LevelDB: Env::Default
Env* Env::Default() {
  static Env* const singleton = new DefaultEnv();
  return singleton;
}

}  // namespace leveldb
