#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer harnesses (tenders/fuzz) with clang, runs them, replays seeds and regressions.
#
#   scripts/fuzz.sh build                 configure build/fuzz with clang-14 and build
#   scripts/fuzz.sh run [OPTIONS] [H...]  fuzz harnesses H (elf plan mft; default all)
#       --seconds N | --minutes N | --hours N   time per harness (default 60 s)
#       --parallel                        run the harnesses at the same time
#       --work DIR                        where the run keeps DIR/corpus/<h>, DIR/logs/<h>.log and
#                                         DIR/artifacts/<h>/ (default build/fuzz/run)
#   scripts/fuzz.sh replay                every seed and regression fixture, once, per harness
#   scripts/fuzz.sh seeds                 write the plan seeds (build/fuzz/seeds/plan) from prepare()
#   scripts/fuzz.sh corpus                regenerate tenders/fuzz/corpus (elf, mft) from the test builders
#
# Seeds: tenders/fuzz/corpus/<h> (committed), build/fuzz/seeds/<h> (made by the tests, or by
# `seeds`, from the orchestrator's current plan format) and, for elf, the built guests.
# Each run prints one line per harness:
#   fuzz-elf: 443918 executions in 60 s (7398/s), corpus 812 inputs, 557 new, cov 1234, ok
# and exits non-zero if any harness crashed, leaked, timed out or broke an invariant; the
# input is saved under build/fuzz/run/artifacts/<h>/ and the full log in build/fuzz/run/logs/<h>.log.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=build/fuzz
HARNESSES=(elf plan mft)
CC=${CC_FUZZ:-clang-14}

build() {
  if ! command -v "$CC" >/dev/null; then
    echo "fuzz.sh: $CC not found (scripts/setup.sh installs clang-14 and libclang-rt-14-dev)" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$BUILD")" # its configure log sits beside it, before cmake makes it
  cmake -S tenders -B "$BUILD" -DNABLA_FUZZ=ON -DCMAKE_C_COMPILER="$CC" \
    -DCMAKE_BUILD_TYPE= >"$BUILD.configure.log" 2>&1 ||
    { cat "$BUILD.configure.log" >&2; exit 1; }
  cmake --build "$BUILD" --target "${HARNESSES[@]/#/fuzz-}" -j "$(nproc)" >/dev/null
}

# Seed directories for harness $1: the committed corpus, the generated seeds, the built guests.
seeds() {
  local d
  for d in "tenders/fuzz/corpus/$1" "$BUILD/seeds/$1"; do [ -d "$d" ] && echo "$d"; done
  if [ "$1" = elf ]; then
    for d in build/examples build/test-guests; do [ -d "$d" ] && echo "$d"; done
  fi
  return 0
}

# Plans follow a format that changes with the orchestrator, so their seeds are made, not kept.
write_seeds() {
  npx vitest run test/fuzz/libfuzzer.test.ts -t 'seeds' >"$BUILD.seeds.log" 2>&1 ||
    { cat "$BUILD.seeds.log" >&2; exit 1; }
}

# Reads the libFuzzer log in $3 and prints the summary line for harness $1 with status $2.
summary() {
  local h=$1 rc=$2 log=$3/logs/$1.log verdict=ok
  local runs rate secs corp new cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  new=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  # The last status line ("#N DONE cov: C ft: F corp: N/size ...") has the corpus size.
  corp=$(grep -aE '^#[0-9]+' "$log" | tail -1 | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
  cov=$(grep -aE '^#[0-9]+' "$log" | tail -1 | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
  if [ "$rc" -ne 0 ]; then
    verdict="FAILED (status $rc): $(grep -a -m1 -E 'ERROR:|invariant failed|runtime error' "$log" || true)"
    verdict="$verdict; input: $(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -1)"
  fi
  echo "fuzz-$h: ${runs:-0} executions in ${secs:-?} s (${rate:-0}/s), corpus ${corp:-0} inputs, ${new:-0} new, cov ${cov:-0}, $verdict"
}

# Fuzzes harness $1 for $2 seconds, keeping corpus, log and findings under $3; returns
# libFuzzer's status.
fuzz_one() {
  local h=$1 secs=$2 dir=$3
  mkdir -p "$dir/corpus/$h" "$dir/artifacts/$h" "$dir/logs"
  # -timeout: one input taking 10 s is a hang worth keeping. -rss_limit_mb: leaks and
  # runaway allocations. close_fd_mask=1: the harness prints nothing worth keeping on stdout.
  # New inputs go to the first directory; the seed directories are only read.
  "$BUILD/bin/fuzz-$h" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
    -rss_limit_mb=2048 -close_fd_mask=1 -dict="tenders/fuzz/$h.dict" \
    -artifact_prefix="$dir/artifacts/$h/" "$dir/corpus/$h" $(seeds "$h") \
    >"$dir/logs/$h.log" 2>&1
}

run() {
  local secs=60 parallel=0 work=$BUILD/run chosen=()
  while [ $# -gt 0 ]; do
    case $1 in
      --seconds) secs=$2; shift 2 ;;
      --minutes) secs=$(($2 * 60)); shift 2 ;;
      --hours) secs=$(($2 * 3600)); shift 2 ;;
      --parallel) parallel=1; shift ;;
      --work) work=$2; shift 2 ;;
      elf | plan | mft) chosen+=("$1"); shift ;;
      *) echo "fuzz.sh: unknown argument '$1'" >&2; exit 2 ;;
    esac
  done
  [ ${#chosen[@]} -gt 0 ] || chosen=("${HARNESSES[@]}")
  build
  [ -d "$BUILD/seeds/plan" ] || write_seeds
  local failed=0 h
  declare -A pids=() codes=()
  for h in "${chosen[@]}"; do
    if [ "$parallel" -eq 1 ]; then
      fuzz_one "$h" "$secs" "$work" &
      pids[$h]=$!
    else
      codes[$h]=0
      fuzz_one "$h" "$secs" "$work" || codes[$h]=$?
    fi
  done
  for h in "${!pids[@]}"; do
    codes[$h]=0
    wait "${pids[$h]}" || codes[$h]=$?
  done
  for h in "${chosen[@]}"; do
    summary "$h" "${codes[$h]}" "$work"
    [ "${codes[$h]}" -eq 0 ] || failed=1
  done
  return $failed
}

# Every committed seed and regression fixture through its harness, once.
replay() {
  build
  local failed=0 h files
  for h in "${HARNESSES[@]}"; do
    mapfile -t files < <(find "tenders/fuzz/corpus/$h" "$BUILD/seeds/$h" \
      "tenders/fuzz/regressions/$h" -type f 2>/dev/null | sort)
    if [ ${#files[@]} -eq 0 ]; then
      echo "fuzz-$h: nothing to replay (scripts/fuzz.sh seeds writes the plan seeds)"
      continue
    fi
    mkdir -p "$BUILD/logs"
    if "$BUILD/bin/fuzz-$h" -timeout=10 "${files[@]}" >"$BUILD/logs/replay-$h.log" 2>&1; then
      echo "fuzz-$h: replayed ${#files[@]} inputs, ok"
    else
      echo "fuzz-$h: replay FAILED, see $BUILD/logs/replay-$h.log"
      failed=1
    fi
  done
  return $failed
}

case ${1:-} in
  build) build ;;
  run) shift; run "$@" ;;
  replay) replay ;;
  seeds) write_seeds ;;
  corpus) NABLA_FUZZ_WRITE_CORPUS=1 npx vitest run test/fuzz/corpus.test.ts ;;
  *) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
