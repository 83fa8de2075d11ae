#!/usr/bin/env bash
# Runs plyvel's own test suite, unchanged, with Debian's python3-plyvel (1.5.0, built against libleveldb.so.1d) on
# the given libleveldb.so instead of Debian's LevelDB.
#
#   cxx/scripts/plyvel_test.sh <libleveldb.so> [pytest arguments]
#
# The suite, test/test_plyvel.py of plyvel 1.5.0, is taken from its source distribution, downloaded from the
# package registry at each run (`pip download --no-deps --no-binary :all: plyvel==1.5.0`; nothing of it is kept in
# this repository). It runs under Debian's python3 (/usr/bin/python3, which python3-plyvel and python3-pytest
# serve) as a user other than root, since root ignores the permissions its read-only directory test relies on:
# as `nobody` when started by root. The library is copied into a folder of the run, as libleveldb.so.1d, which
# LD_LIBRARY_PATH puts before Debian's. The run first prints the library plyvel loaded ("library: <path>"), then
# pytest's report. Needs: python3-plyvel, python3-pytest, pip, and access to the package registry.
set -euo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 <libleveldb.so> [pytest arguments]" >&2
    exit 2
fi
library=$(realpath "$1")
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/lib" "$work/sdist" "$work/run"
cp "$library" "$work/lib/libleveldb.so.1d"
pip3 download --quiet --no-deps --no-binary :all: --dest "$work/sdist" plyvel==1.5.0
tar -xzf "$work/sdist/plyvel-1.5.0.tar.gz" -C "$work/sdist" plyvel-1.5.0/test/test_plyvel.py
# The test file alone: the source tree's plyvel/ (not built) must not hide the installed module.
cp "$work/sdist/plyvel-1.5.0/test/test_plyvel.py" "$work/run/"
chmod -R a+rX "$work"

as_user=()
if [ "$(id -u)" = 0 ]; then
    as_user=(runuser -u nobody --)
fi
cd "$work/run"
run() {
    "${as_user[@]}" env HOME="$work/run" TMPDIR=/tmp LD_LIBRARY_PATH="$work/lib" /usr/bin/python3 "$@"
}
run -c 'import plyvel; print("library:", next(l.split()[-1] for l in open("/proc/self/maps") if "libleveldb" in l))'
run -m pytest -p no:cacheprovider "$@" test_plyvel.py
