/* The meaning of LevelDB 1.23's db/c_test.c, phase by phase, as a program that prints what it sees.

   tests/c_api_test.rs compiles it twice, against oxleveldb's C library and against the system's LevelDB, runs
   both on the same database path, and requires the same output. So it prints only what LevelDB decides alone:
   values, iteration order, error messages, callback calls; never timings or file layouts.

   Usage: c_test <database directory>. A broken expectation aborts with a message on stderr. */

#include "leveldb/c.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char* phase = "";

static void StartPhase(const char* name) {
  printf("=== %s\n", name);
  phase = name;
}

#define Check(cond)                                                    \
  if (!(cond)) {                                                       \
    fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, phase, #cond); \
    abort();                                                           \
  }

#define CheckNoError(err)                                              \
  if ((err) != NULL) {                                                 \
    fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, phase, (err)); \
    abort();                                                           \
  }

/* Prints `n` bytes, unprintable ones as \xNN; NULL as (null). */
static void PrintBytes(const char* p, size_t n) {
  size_t i;
  if (p == NULL) {
    printf("(null)");
    return;
  }
  putchar('\'');
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c >= 0x20 && c < 0x7f) {
      putchar(c);
    } else {
      printf("\\x%02x", c);
    }
  }
  putchar('\'');
}

/* Prints an error message (and frees it), or "ok". */
static void PrintError(const char* what, char** err) {
  printf("%s: %s\n", what, *err ? *err : "ok");
  if (*err) {
    leveldb_free(*err);
    *err = NULL;
  }
}

static void Get(leveldb_t* db, const leveldb_readoptions_t* options, const char* key) {
  char* err = NULL;
  size_t len = 12345;
  char* val = leveldb_get(db, options, key, strlen(key), &len, &err);
  CheckNoError(err);
  printf("get %s -> ", key);
  PrintBytes(val, len);
  printf(" (length %zu)\n", len);
  leveldb_free(val);
}

static void PrintIter(leveldb_iterator_t* iter) {
  size_t klen, vlen;
  const char* k;
  const char* v;
  if (!leveldb_iter_valid(iter)) {
    printf("  iter: invalid\n");
    return;
  }
  k = leveldb_iter_key(iter, &klen);
  v = leveldb_iter_value(iter, &vlen);
  printf("  iter: ");
  PrintBytes(k, klen);
  printf(" => ");
  PrintBytes(v, vlen);
  printf("\n");
}

/* Callbacks of leveldb_writebatch_iterate. */
static void PrintPut(void* state, const char* k, size_t klen, const char* v, size_t vlen) {
  (*(int*)state)++;
  printf("  batch put ");
  PrintBytes(k, klen);
  printf(" ");
  PrintBytes(v, vlen);
  printf("\n");
}

static void PrintDelete(void* state, const char* k, size_t klen) {
  (*(int*)state)++;
  printf("  batch delete ");
  PrintBytes(k, klen);
  printf("\n");
}

/* A comparator named "foo": bytewise, with its destructor calls counted. */
static int comparator_destroyed = 0;
static void CmpDestroy(void* arg) { comparator_destroyed++; }
static int CmpCompare(void* arg, const char* a, size_t alen, const char* b, size_t blen) {
  size_t n = alen < blen ? alen : blen;
  int r = memcmp(a, b, n);
  if (r == 0) {
    if (alen < blen) r = -1;
    else if (alen > blen) r = +1;
  }
  return r;
}
static const char* CmpName(void* arg) { return "foo"; }

/* A filter policy named "TestFilter" whose filters are "fake" and whose answer is chosen by the test. */
static uint8_t fake_filter_result = 1;
static int filter_destroyed = 0;
static int filters_created = 0;
static void FilterDestroy(void* arg) { filter_destroyed++; }
static const char* FilterName(void* arg) { return "TestFilter"; }
static char* FilterCreate(void* arg, const char* const* key_array, const size_t* key_length_array,
                          int num_keys, size_t* filter_length) {
  char* result = malloc(4);
  Check(num_keys > 0);
  filters_created++;
  memcpy(result, "fake", 4);
  *filter_length = 4;
  return result;
}
static uint8_t FilterKeyMatch(void* arg, const char* key, size_t length, const char* filter,
                              size_t filter_length) {
  Check(filter_length == 4);
  Check(memcmp(filter, "fake", 4) == 0);
  return fake_filter_result;
}

int main(int argc, char** argv) {
  leveldb_t* db;
  leveldb_comparator_t* cmp;
  leveldb_cache_t* cache;
  leveldb_env_t* env;
  leveldb_options_t* options;
  leveldb_readoptions_t* roptions;
  leveldb_writeoptions_t* woptions;
  const char* dbname;
  char* testdir;
  char* err = NULL;
  int run;

  Check(argc == 2);
  dbname = argv[1];

  StartPhase("create_objects");
  printf("version %d.%d\n", leveldb_major_version(), leveldb_minor_version());
  cmp = leveldb_comparator_create(NULL, CmpDestroy, CmpCompare, CmpName);
  env = leveldb_create_default_env();
  cache = leveldb_cache_create_lru(100000);
  testdir = leveldb_env_get_test_directory(env);
  Check(testdir != NULL);
  printf("test directory %s\n", testdir);

  options = leveldb_options_create();
  leveldb_options_set_comparator(options, cmp);
  leveldb_options_set_error_if_exists(options, 1);
  leveldb_options_set_cache(options, cache);
  leveldb_options_set_env(options, env);
  leveldb_options_set_info_log(options, NULL);
  leveldb_options_set_write_buffer_size(options, 100000);
  leveldb_options_set_paranoid_checks(options, 1);
  leveldb_options_set_max_open_files(options, 10);
  leveldb_options_set_block_size(options, 1024);
  leveldb_options_set_block_restart_interval(options, 8);
  leveldb_options_set_max_file_size(options, 3 << 20);
  leveldb_options_set_compression(options, leveldb_no_compression);

  roptions = leveldb_readoptions_create();
  leveldb_readoptions_set_verify_checksums(roptions, 1);
  leveldb_readoptions_set_fill_cache(roptions, 0);

  woptions = leveldb_writeoptions_create();
  leveldb_writeoptions_set_sync(woptions, 1);

  StartPhase("destroy");
  leveldb_destroy_db(options, dbname, &err);
  PrintError("destroy", &err);

  StartPhase("open_error");
  db = leveldb_open(options, dbname, &err);
  Check(db == NULL);
  Check(err != NULL);
  /* A second failure replaces the first message (which the library frees). */
  db = leveldb_open(options, dbname, &err);
  Check(db == NULL);
  PrintError("open without create_if_missing", &err);

  StartPhase("leveldb_free");
  db = leveldb_open(options, dbname, &err);
  Check(err != NULL);
  leveldb_free(err);
  err = NULL;

  StartPhase("open");
  leveldb_options_set_create_if_missing(options, 1);
  db = leveldb_open(options, dbname, &err);
  CheckNoError(err);
  Get(db, roptions, "foo");
  /* The database is locked while it is open. */
  Check(leveldb_open(options, dbname, &err) == NULL);
  PrintError("second open", &err);
  leveldb_destroy_db(options, dbname, &err);
  PrintError("destroy while open", &err);

  StartPhase("put");
  /* Success leaves *errptr as it was. */
  err = malloc(9);
  memcpy(err, "previous", 9);
  leveldb_put(db, woptions, "foo", 3, "hello", 5, &err);
  printf("errptr after a put: %s\n", err);
  free(err);
  err = NULL;
  Get(db, roptions, "foo");
  leveldb_put(db, woptions, "empty", 5, "", 0, &err);
  CheckNoError(err);
  Get(db, roptions, "empty");
  leveldb_put(db, woptions, "bin\0ary", 7, "\x01\xff", 2, &err);
  CheckNoError(err);
  leveldb_delete(db, woptions, "empty", 5, &err);
  CheckNoError(err);
  Get(db, roptions, "empty");

  StartPhase("compactall");
  leveldb_compact_range(db, NULL, 0, NULL, 0);
  Get(db, roptions, "foo");

  StartPhase("compactrange");
  leveldb_compact_range(db, "a", 1, "z", 1);
  leveldb_compact_range(db, "a", 1, NULL, 0);
  Get(db, roptions, "foo");

  StartPhase("writebatch");
  {
    int count = 0;
    leveldb_writebatch_t* wb = leveldb_writebatch_create();
    leveldb_writebatch_t* wb2 = leveldb_writebatch_create();
    leveldb_writebatch_put(wb, "foo", 3, "a", 1);
    leveldb_writebatch_clear(wb);
    leveldb_writebatch_put(wb, "bar", 3, "b", 1);
    leveldb_writebatch_put(wb, "box", 3, "c", 1);
    leveldb_writebatch_delete(wb2, "bar", 3);
    leveldb_writebatch_append(wb, wb2);
    leveldb_writebatch_destroy(wb2);
    leveldb_write(db, woptions, wb, &err);
    CheckNoError(err);
    Get(db, roptions, "foo");
    Get(db, roptions, "bar");
    Get(db, roptions, "box");
    leveldb_writebatch_iterate(wb, &count, PrintPut, PrintDelete);
    printf("batch updates: %d\n", count);
    leveldb_writebatch_clear(wb);
    count = 0;
    leveldb_writebatch_iterate(wb, &count, PrintPut, PrintDelete);
    printf("cleared batch updates: %d\n", count);
    leveldb_writebatch_destroy(wb);
  }

  StartPhase("iter");
  {
    leveldb_iterator_t* iter = leveldb_create_iterator(db, roptions);
    Check(!leveldb_iter_valid(iter));
    printf("forward:\n");
    for (leveldb_iter_seek_to_first(iter); leveldb_iter_valid(iter); leveldb_iter_next(iter)) {
      PrintIter(iter);
    }
    printf("backward:\n");
    for (leveldb_iter_seek_to_last(iter); leveldb_iter_valid(iter); leveldb_iter_prev(iter)) {
      PrintIter(iter);
    }
    printf("seek b, next, prev, prev:\n");
    leveldb_iter_seek(iter, "b", 1);
    PrintIter(iter);
    leveldb_iter_next(iter);
    PrintIter(iter);
    leveldb_iter_prev(iter);
    PrintIter(iter);
    leveldb_iter_prev(iter);
    PrintIter(iter);
    printf("seek past the end:\n");
    leveldb_iter_seek(iter, "zzz", 3);
    PrintIter(iter);
    leveldb_iter_get_error(iter, &err);
    PrintError("iterator error", &err);
    leveldb_iter_destroy(iter);
  }

  StartPhase("approximate_sizes");
  {
    int i;
    int n = 20000;
    char keybuf[100];
    char valbuf[100];
    uint64_t sizes[3];
    const char* start[3] = {"a", "k00000000000000010000", "k"};
    size_t start_len[3] = {1, 21, 1};
    const char* limit[3] = {"k00000000000000010000", "z", "k"};
    size_t limit_len[3] = {21, 1, 1};
    leveldb_writeoptions_set_sync(woptions, 0);
    for (i = 0; i < n; i++) {
      snprintf(keybuf, sizeof(keybuf), "k%020d", i);
      snprintf(valbuf, sizeof(valbuf), "v%020d", i);
      leveldb_put(db, woptions, keybuf, strlen(keybuf), valbuf, strlen(valbuf), &err);
      CheckNoError(err);
    }
    leveldb_approximate_sizes(db, 3, start, start_len, limit, limit_len, sizes);
    printf("sizes > 0: %d %d; empty range: %llu\n", sizes[0] > 0, sizes[1] > 0,
           (unsigned long long)sizes[2]);
    Get(db, roptions, "k00000000000000012345");
  }

  StartPhase("property");
  {
    char* prop = leveldb_property_value(db, "nosuchprop");
    printf("nosuchprop: %s\n", prop ? prop : "(null)");
    prop = leveldb_property_value(db, "leveldb.stats");
    Check(prop != NULL);
    printf("leveldb.stats starts with: %.*s\n", (int)strcspn(prop, "\n"), prop);
    leveldb_free(prop);
    prop = leveldb_property_value(db, "leveldb.num-files-at-level99");
    printf("leveldb.num-files-at-level99: %s\n", prop ? prop : "(null)");
  }

  StartPhase("snapshot");
  {
    const leveldb_snapshot_t* snap = leveldb_create_snapshot(db);
    leveldb_delete(db, woptions, "foo", 3, &err);
    CheckNoError(err);
    leveldb_readoptions_set_snapshot(roptions, snap);
    Get(db, roptions, "foo");
    leveldb_readoptions_set_snapshot(roptions, NULL);
    Get(db, roptions, "foo");
    leveldb_release_snapshot(db, snap);
  }

  StartPhase("repair");
  {
    leveldb_options_t* bytewise = leveldb_options_create();
    leveldb_close(db);
    /* The database remembers its comparator's name. */
    Check(leveldb_open(bytewise, dbname, &err) == NULL);
    PrintError("open with another comparator", &err);
    leveldb_options_destroy(bytewise);
    Check(leveldb_open(options, dbname, &err) == NULL);
    PrintError("open with error_if_exists", &err);
    leveldb_options_set_create_if_missing(options, 0);
    leveldb_options_set_error_if_exists(options, 0);
    leveldb_repair_db(options, dbname, &err);
    PrintError("repair", &err);
    db = leveldb_open(options, dbname, &err);
    CheckNoError(err);
    Get(db, roptions, "foo");
    Get(db, roptions, "bar");
    Get(db, roptions, "box");
    Get(db, roptions, "k00000000000000019999");
    leveldb_options_set_create_if_missing(options, 1);
    leveldb_options_set_error_if_exists(options, 1);
  }

  StartPhase("filter");
  for (run = 0; run < 2; run++) {
    /* First run uses the custom filter, second run the bloom filter. */
    leveldb_filterpolicy_t* policy;
    if (run == 0) {
      policy = leveldb_filterpolicy_create(NULL, FilterDestroy, FilterCreate, FilterKeyMatch, FilterName);
    } else {
      policy = leveldb_filterpolicy_create_bloom(10);
    }
    printf("run %d\n", run);

    /* Create a new database. */
    leveldb_close(db);
    leveldb_destroy_db(options, dbname, &err);
    CheckNoError(err);
    leveldb_options_set_filter_policy(options, policy);
    db = leveldb_open(options, dbname, &err);
    CheckNoError(err);
    leveldb_put(db, woptions, "foo", 3, "foovalue", 8, &err);
    CheckNoError(err);
    leveldb_put(db, woptions, "bar", 3, "barvalue", 8, &err);
    CheckNoError(err);
    leveldb_compact_range(db, NULL, 0, NULL, 0);

    fake_filter_result = 1;
    Get(db, roptions, "foo");
    Get(db, roptions, "bar");
    Get(db, roptions, "baz");
    if (run == 0) {
      printf("filters created: %s\n", filters_created > 0 ? "some" : "none");
      /* Must not find a value when the filter says no. */
      fake_filter_result = 0;
      Get(db, roptions, "foo");
      Get(db, roptions, "bar");
      fake_filter_result = 1;
      Get(db, roptions, "foo");
    }
    leveldb_options_set_filter_policy(options, NULL);
    leveldb_filterpolicy_destroy(policy);
    printf("filter destructor calls: %d\n", filter_destroyed);
  }

  StartPhase("cleanup");
  leveldb_close(db);
  leveldb_destroy_db(options, dbname, &err);
  PrintError("destroy", &err);
  leveldb_options_destroy(options);
  leveldb_readoptions_destroy(roptions);
  leveldb_writeoptions_destroy(woptions);
  leveldb_free(testdir);
  leveldb_cache_destroy(cache);
  printf("comparator destructor calls before destroy: %d\n", comparator_destroyed);
  leveldb_comparator_destroy(cmp);
  printf("comparator destructor calls after destroy: %d\n", comparator_destroyed);
  leveldb_env_destroy(env);

  printf("PASS\n");
  return 0;
}
