// The options LevelDB 1.23's C API (leveldb/c.h) has no setter for. c.cc defines leveldb_options_t as a struct
// holding a leveldb::Options; this file repeats that one-line definition (the same in every translation unit, as
// C++ requires) to reach the fields the C API leaves out.

#include <leveldb/options.h>

struct leveldb_options_t {
  leveldb::Options rep;
};

extern "C" void system_leveldb_options_set_reuse_logs(leveldb_options_t* options, unsigned char v) {
  options->rep.reuse_logs = (v != 0);
}
