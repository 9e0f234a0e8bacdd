#!/bin/bash -eu
# ClusterFuzzLite runs $SRC/build.sh in $SRC/reentry: the build is the
# OSS-Fuzz contract's (CC, CFLAGS, LIB_FUZZING_ENGINE, OUT), ci/oss-fuzz/build.sh.
exec "$SRC/reentry/ci/oss-fuzz/build.sh"
