// leveldb::Status: the state buffer (new[]'d, as the header's inline destructor delete[]s it) is LevelDB's: four
// bytes of message length, one byte of code, then the message. Also the callbacks through which the engine fills a
// caller's Status and std::string.
//
// LevelDB: util/status.cc

#include <cstring>

#include "ffi.h"

namespace leveldb {

// The state is a fresh copy, owned by the new Status.
//
// LevelDB: Status::CopyState
const char* Status::CopyState(const char* state) {
  uint32_t size;
  std::memcpy(&size, state, sizeof(size));
  char* result = new char[size + 5];
  std::memcpy(result, state, size + 5);
  return result;
}

// The message is `msg`, or `msg: msg2` when msg2 is not empty.
//
// LevelDB: Status::Status(Code, const Slice&, const Slice&)
Status::Status(Code code, const Slice& msg, const Slice& msg2) {
  const uint32_t len1 = static_cast<uint32_t>(msg.size());
  const uint32_t len2 = static_cast<uint32_t>(msg2.size());
  const uint32_t size = len1 + (len2 ? (2 + len2) : 0);
  char* result = new char[size + 5];
  std::memcpy(result, &size, sizeof(size));
  result[4] = static_cast<char>(code);
  std::memcpy(result + 5, msg.data(), len1);
  if (len2) {
    result[5 + len1] = ':';
    result[6 + len1] = ' ';
    std::memcpy(result + 7 + len1, msg2.data(), len2);
  }
  state_ = result;
}

// LevelDB: Status::ToString
std::string Status::ToString() const {
  if (state_ == nullptr) {
    return "OK";
  }
  const char* type;
  char unknown[40];
  switch (code()) {
    case kOk:
      type = "OK";
      break;
    case kNotFound:
      type = "NotFound: ";
      break;
    case kCorruption:
      type = "Corruption: ";
      break;
    case kNotSupported:
      type = "Not implemented: ";
      break;
    case kInvalidArgument:
      type = "Invalid argument: ";
      break;
    case kIOError:
      type = "IO error: ";
      break;
    default:
      std::snprintf(unknown, sizeof(unknown), "Unknown code(%d): ", static_cast<int>(code()));
      type = unknown;
      break;
  }
  std::string result(type);
  uint32_t length;
  std::memcpy(&length, state_, sizeof(length));
  result.append(state_ + 5, length);
  return result;
}

}  // namespace leveldb

// Sets `*out` to the engine's error: `code` is LevelDB's Status::Code, `msg` the whole message. The engine's codes
// beyond LevelDB's five (a transaction's Busy, TimedOut, ...) are never returned by the operations this library
// exposes; should one be, it reads as an IO error.
void oxcxx_status_set(leveldb::Status* out, int code, const char* msg, size_t len) noexcept {
  oxleveldb_cxx::Guard("Status", [&] {
    const leveldb::Slice message(msg, len);
    switch (code) {
      case 1:
        *out = leveldb::Status::NotFound(message);
        break;
      case 2:
        *out = leveldb::Status::Corruption(message);
        break;
      case 3:
        *out = leveldb::Status::NotSupported(message);
        break;
      case 4:
        *out = leveldb::Status::InvalidArgument(message);
        break;
      default:
        *out = leveldb::Status::IOError(message);
        break;
    }
  });
}

void oxcxx_string_assign(std::string* out, const char* data, size_t len) noexcept {
  oxleveldb_cxx::Guard("std::string::assign", [&] { out->assign(data, len); });
}

void oxcxx_string_append(std::string* out, const char* data, size_t len) noexcept {
  oxleveldb_cxx::Guard("std::string::append", [&] { out->append(data, len); });
}
