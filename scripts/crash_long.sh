#!/bin/sh
# The long crash tests of issue 15 (tests/crash_test.rs): a writer process killed with SIGKILL 1,000 times with
# synced writes (reuse_logs off, then on) and 1,000 times with unsynced writes (reuse_logs on), and 1,000 power
# losses (the FaultInjectionEnv drops what was not synced) with reuse_logs off, then on. The write buffer is
# small (64 KiB) and some values are large (up to 200 KB), so that crashes land inside flushes, compactions and
# records spanning several log blocks. Each crash is followed by a reopen that checks every synced acknowledged
# batch survived, every batch is whole or absent, and what survived is a prefix of the acknowledged order.
#
#   scripts/crash_long.sh              # 1,000 crashes per test (about half an hour on two cores)
#   scripts/crash_long.sh 5000         # as many crashes per test as asked
#   scripts/crash_long.sh 1000 power   # only the tests whose name contains "power"
set -eu
cd "$(dirname "$0")/.."
OXLEVELDB_CRASH_KILLS="${1:-1000}" exec cargo test --release --test crash_test -- \
    --ignored --test-threads=1 --nocapture "${2:-many}"
