// A leveldb::EnvWrapper that records every file-system operation LevelDB makes, for the crash-state explorer of
// the leveldb-differential package; the same format as oxleveldb's RecordingEnv (src/env/recording_env.rs, whose
// module comment defines it): one operation a line, file names relative to the database directory, each line
// written after its operation succeeded. Appends are joined until a flush, sync or close, as the posix Env's
// buffer writes them; a sync of a MANIFEST is "dirsync" then "sync NAME" (PosixWritableFile::SyncDirIfManifest).
// The faults make the recording describe a broken env that forgets a directory sync or the sync of an old log;
// a slow disk makes each table's creation wait 20 ms, so the writes run ahead of a memtable flush.
//
// c.cc defines leveldb_env_t as a struct holding an Env* and whether it is the default; this file repeats that
// definition (the same in every translation unit, as C++ requires) to hand the wrapper to leveldb_options_set_env.
// leveldb_env_destroy deletes the wrapper.

#include <leveldb/env.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>

struct leveldb_env_t {
  leveldb::Env* rep;
  bool is_default;
};

namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The number of a log file's name ("000005.log"), or 0 for any other name.
uint64_t LogNumber(const std::string& name) {
  const size_t suffix = name.size() >= 4 ? name.size() - 4 : 0;
  if (name.size() <= 4 || name.compare(suffix, 4, ".log") != 0) return 0;
  uint64_t number = 0;
  for (size_t i = 0; i < suffix; i++) {
    if (name[i] < '0' || name[i] > '9') return 0;
    number = number * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  return number;
}

struct Recording {
  std::mutex mu;
  std::string text;
  std::map<std::string, uint64_t> sizes;  // Every written file's length, to give each append its offset.
  uint64_t newest_log = 0;
  bool skip_dir_sync = false;
  bool skip_old_log_sync = false;
  bool slow_table_creates = false;  // Each table's creation waits 20 ms, so the writes run ahead of a flush.

  // REQUIRES: mu held.
  void Line(const std::string& line) {
    text += line;
    text += '\n';
  }
};

class RecordingFile : public leveldb::WritableFile {
 public:
  RecordingFile(Recording* recording, const std::string& path, leveldb::WritableFile* file)
      : recording_(recording),
        file_(file),
        path_(path),
        name_(BaseName(path)),
        is_manifest_(name_.compare(0, 8, "MANIFEST") == 0),
        log_number_(LogNumber(name_)) {}

  ~RecordingFile() override {
    RecordPending();
    delete file_;
  }

  leveldb::Status Append(const leveldb::Slice& data) override {
    leveldb::Status s = file_->Append(data);
    if (s.ok()) pending_.append(data.data(), data.size());
    return s;
  }

  leveldb::Status Close() override {
    leveldb::Status s = file_->Close();
    RecordPending();
    return s;
  }

  leveldb::Status Flush() override {
    leveldb::Status s = file_->Flush();
    if (s.ok()) RecordPending();
    return s;
  }

  leveldb::Status Sync() override {
    leveldb::Status s = file_->Sync();
    if (!s.ok()) return s;
    RecordPending();
    std::lock_guard<std::mutex> l(recording_->mu);
    if (is_manifest_ && !recording_->skip_dir_sync) recording_->Line("dirsync");
    const bool old_log = log_number_ != 0 && log_number_ < recording_->newest_log;
    if (!(old_log && recording_->skip_old_log_sync)) recording_->Line("sync " + name_);
    return s;
  }

 private:
  // Records the appends since the last write as one write.
  void RecordPending() {
    if (pending_.empty()) return;
    std::lock_guard<std::mutex> l(recording_->mu);
    uint64_t& size = recording_->sizes[path_];
    std::string line = "append " + name_ + " " + std::to_string(size) + " " + std::to_string(pending_.size()) + " ";
    size += pending_.size();
    static const char kHex[] = "0123456789abcdef";
    for (unsigned char byte : pending_) {
      line += kHex[byte >> 4];
      line += kHex[byte & 15];
    }
    recording_->Line(line);
    pending_.clear();
  }

  Recording* const recording_;
  leveldb::WritableFile* const file_;
  const std::string path_;
  const std::string name_;
  const bool is_manifest_;
  const uint64_t log_number_;
  std::string pending_;
};

class RecordingEnv : public leveldb::EnvWrapper {
 public:
  RecordingEnv() : leveldb::EnvWrapper(leveldb::Env::Default()) {}

  Recording* recording() { return &recording_; }

  leveldb::Status NewWritableFile(const std::string& fname, leveldb::WritableFile** result) override {
    const std::string base = BaseName(fname);
    const bool is_table = base.size() > 4 && base.compare(base.size() - 4, 4, ".ldb") == 0;
    if (recording_.slow_table_creates && is_table) SleepForMicroseconds(20000);
    leveldb::WritableFile* file;
    leveldb::Status s = target()->NewWritableFile(fname, &file);
    if (!s.ok()) return s;
    {
      std::lock_guard<std::mutex> l(recording_.mu);
      recording_.Line("create " + BaseName(fname));
      recording_.sizes[fname] = 0;
      const uint64_t log = LogNumber(BaseName(fname));
      if (log > recording_.newest_log) recording_.newest_log = log;
    }
    *result = new RecordingFile(&recording_, fname, file);
    return s;
  }

  leveldb::Status NewAppendableFile(const std::string& fname, leveldb::WritableFile** result) override {
    const bool existed = target()->FileExists(fname);
    uint64_t size = 0;
    if (existed) {
      leveldb::Status s = target()->GetFileSize(fname, &size);
      if (!s.ok()) return s;
    }
    leveldb::WritableFile* file;
    leveldb::Status s = target()->NewAppendableFile(fname, &file);
    if (!s.ok()) return s;
    {
      std::lock_guard<std::mutex> l(recording_.mu);
      if (!existed) recording_.Line("create " + BaseName(fname));
      recording_.sizes[fname] = size;
    }
    *result = new RecordingFile(&recording_, fname, file);
    return s;
  }

  leveldb::Status RemoveFile(const std::string& fname) override {
    leveldb::Status s = target()->RemoveFile(fname);
    if (s.ok()) {
      std::lock_guard<std::mutex> l(recording_.mu);
      recording_.Line("remove " + BaseName(fname));
      recording_.sizes.erase(fname);
    }
    return s;
  }

  leveldb::Status RenameFile(const std::string& src, const std::string& target_name) override {
    leveldb::Status s = target()->RenameFile(src, target_name);
    if (s.ok()) {
      std::lock_guard<std::mutex> l(recording_.mu);
      recording_.Line("rename " + BaseName(src) + " " + BaseName(target_name));
      auto it = recording_.sizes.find(src);
      if (it != recording_.sizes.end()) {
        const uint64_t size = it->second;
        recording_.sizes.erase(it);
        recording_.sizes[target_name] = size;
      }
    }
    return s;
  }

  leveldb::Status LockFile(const std::string& fname, leveldb::FileLock** lock) override {
    leveldb::Status s = target()->LockFile(fname, lock);
    if (s.ok()) {
      std::lock_guard<std::mutex> l(recording_.mu);
      recording_.Line("lock " + BaseName(fname));
    }
    return s;
  }

  leveldb::Status UnlockFile(leveldb::FileLock* lock) override {
    leveldb::Status s = target()->UnlockFile(lock);
    if (s.ok()) {
      std::lock_guard<std::mutex> l(recording_.mu);
      recording_.Line("unlock");
    }
    return s;
  }

 private:
  Recording recording_;
};

RecordingEnv* Recorder(leveldb_env_t* env) { return static_cast<RecordingEnv*>(env->rep); }

}  // namespace

extern "C" leveldb_env_t* system_leveldb_recording_env_create(unsigned char skip_dir_sync,
                                                              unsigned char skip_old_log_sync,
                                                              unsigned char slow_table_creates) {
  RecordingEnv* recorder = new RecordingEnv;
  recorder->recording()->skip_dir_sync = skip_dir_sync != 0;
  recorder->recording()->skip_old_log_sync = skip_old_log_sync != 0;
  recorder->recording()->slow_table_creates = slow_table_creates != 0;
  return new leveldb_env_t{recorder, false};
}

extern "C" void system_leveldb_recording_env_acknowledge(leveldb_env_t* env, uint64_t write, unsigned char synced) {
  Recording* recording = Recorder(env)->recording();
  std::lock_guard<std::mutex> l(recording->mu);
  recording->Line("ack " + std::to_string(write) + " " + (synced != 0 ? "1" : "0"));
}

// The recording so far, emptied: a malloc'd buffer of *length bytes (free it with leveldb_free).
extern "C" char* system_leveldb_recording_env_take(leveldb_env_t* env, size_t* length) {
  Recording* recording = Recorder(env)->recording();
  std::lock_guard<std::mutex> l(recording->mu);
  *length = recording->text.size();
  char* result = static_cast<char*>(std::malloc(recording->text.size() + 1));
  std::memcpy(result, recording->text.data(), recording->text.size());
  recording->text.clear();
  return result;
}
