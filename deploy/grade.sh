#!/usr/bin/env bash
# The grading image's entry point: grade a mounted folder of submissions into a results folder.
#
#   grade.sh [grade]   grade $SUBMISSIONS_DIR (default /submissions) into $RESULTS_DIR (default /results)
#   grade.sh merge     join the shards' results in $RESULTS_DIR into the class's results
#
# $SUBMISSIONS_DIR holds nbgrader's submitted/<student>/<assignment>/ tree, or notebooks named
# after their assignment (anything `python -m autograder grade` reads).
#
# Without a shard, `grade` writes results.json (`grade --format json`), results.xml (JUnit) and
# report.html (the class report) into $RESULTS_DIR. With a shard it grades only that shard's
# learners and writes shard-K-of-N.json; `merge` then writes the same three files from them.
# The shard: SHARD=K/N, or Kubernetes' Indexed Job: JOB_COMPLETION_INDEX (0..N-1) with SHARDS=N.
#
# The grading secret (the hidden cases are drawn from it): AUTOGRADER_SECRET, or a mounted file
# named by AUTOGRADER_SECRET_FILE. Without one this script refuses to grade (exit status 3):
# hidden checks would run the public practice cases, which are not grades.
#
# Other settings: JOBS (submissions graded at the same time, default 2), GRADE_ARGS (more options
# of `grade`, e.g. "--timeout 60 --memory 4096 --device gpu"), PYTHON (default python3).
#
# Exit status: 0 graded (points lost are results, not failures: a Kubernetes Job or CI job must
# not retry them), 2 bad usage (no notebook found, a bad shard, no shards to merge), 3 the grader
# failed or there is no grading secret.
set -euo pipefail

SUBMISSIONS_DIR=${SUBMISSIONS_DIR:-/submissions}
RESULTS_DIR=${RESULTS_DIR:-/results}
PYTHON=${PYTHON:-python3}
JOBS=${JOBS:-2}
mode=${1:-grade}

fail() { echo "grade.sh: $2" >&2; exit "$1"; }

# Folders given relative to where this was started, before moving to the course root.
SUBMISSIONS_DIR=$(realpath -m -- "$SUBMISSIONS_DIR")
RESULTS_DIR=$(realpath -m -- "$RESULTS_DIR")
[[ -z "${AUTOGRADER_SECRET_FILE:-}" ]] || AUTOGRADER_SECRET_FILE=$(realpath -m -- "$AUTOGRADER_SECRET_FILE")
export AUTOGRADER_SECRET_FILE

# The course root: the released notebooks in course/ tell the grader which cells are the
# instructor's (run from here, as the autograder expects).
cd "$(dirname "$(readlink -f "$0")")/.."

# The grading secret: checked before anything is graded.
require_secret() {
  if [[ -n "${AUTOGRADER_SECRET:-}" ]]; then
    [[ -n "${AUTOGRADER_SECRET//[[:space:]]/}" ]] || fail 3 "AUTOGRADER_SECRET is blank: set it to the class's grading secret"
  elif [[ -n "${AUTOGRADER_SECRET_FILE:-}" ]]; then
    if ! { [[ -r "$AUTOGRADER_SECRET_FILE" ]] && grep -q '[^[:space:]]' "$AUTOGRADER_SECRET_FILE"; }; then
      fail 3 "AUTOGRADER_SECRET_FILE=$AUTOGRADER_SECRET_FILE is not a readable file holding the grading secret"
    fi
  else
    fail 3 "no grading secret: set AUTOGRADER_SECRET or mount the class's secret and set AUTOGRADER_SECRET_FILE (without it hidden checks run practice cases, which are not grades); nothing was graded"
  fi
}

[[ -d "$RESULTS_DIR" ]] || fail 2 "no results folder at $RESULTS_DIR (mount one, or set RESULTS_DIR)"
[[ -w "$RESULTS_DIR" ]] || fail 2 "cannot write to the results folder $RESULTS_DIR"

autograder() { "$PYTHON" -m autograder "$@"; }

# Run a command whose exit status 1 only means "points were lost"; anything else stops here.
graded() {
  local status=0
  "$@" || status=$?
  if [[ $status -gt 1 ]]; then exit "$status"; fi
}

# results.json -> results.xml, the table in the log, report.html
finish() {
  local json=$RESULTS_DIR/results.json
  graded autograder merge "$json" --format junit --output "$RESULTS_DIR/results.xml"
  graded autograder merge "$json" --format table
  autograder report --results "$json" --output "$RESULTS_DIR/report.html" || fail 3 "the class report could not be written"
}

case "$mode" in
  grade)
    require_secret
    shard=
    if [[ -n "${SHARD:-}" ]]; then
      shard=$SHARD
    elif [[ -n "${JOB_COMPLETION_INDEX:-}" ]]; then
      [[ "$JOB_COMPLETION_INDEX" =~ ^[0-9]+$ ]] || fail 2 "JOB_COMPLETION_INDEX must be a whole number; received '$JOB_COMPLETION_INDEX'"
      [[ "${SHARDS:-}" =~ ^[1-9][0-9]*$ ]] || fail 2 "JOB_COMPLETION_INDEX is set: SHARDS must be the number of shards (the Job's completions); received '${SHARDS:-}'"
      shard="$((10#$JOB_COMPLETION_INDEX + 1))/$SHARDS"
    fi
    [[ -e "$SUBMISSIONS_DIR" ]] || fail 2 "no submissions at $SUBMISSIONS_DIR (mount them, or set SUBMISSIONS_DIR)"
    # shellcheck disable=SC2086  # GRADE_ARGS is a list of options
    set -- grade "$SUBMISSIONS_DIR" --jobs "$JOBS" --format json ${GRADE_ARGS:-}
    if [[ -n "$shard" ]]; then
      [[ "$shard" =~ ^([0-9]+)/([0-9]+)$ ]] || fail 2 "the shard must be K/N (e.g. SHARD=2/8); received '$shard'"
      out="$RESULTS_DIR/shard-${BASH_REMATCH[1]}-of-${BASH_REMATCH[2]}.json"
      echo "grade.sh: grading shard $shard of $SUBMISSIONS_DIR into $out" >&2
      # written beside, then renamed: a retried or killed pod never leaves half a file to merge
      graded autograder "$@" --shard "$shard" --output "$out.partial"
      mv -f "$out.partial" "$out"
    else
      echo "grade.sh: grading $SUBMISSIONS_DIR into $RESULTS_DIR" >&2
      graded autograder "$@" --output "$RESULTS_DIR/results.json.partial"
      mv -f "$RESULTS_DIR/results.json.partial" "$RESULTS_DIR/results.json"
      finish
    fi
    ;;
  merge)
    shopt -s nullglob
    shards=("$RESULTS_DIR"/shard-*-of-*.json)
    [[ ${#shards[@]} -gt 0 ]] || fail 2 "no shard-K-of-N.json in $RESULTS_DIR to merge"
    echo "grade.sh: merging ${#shards[@]} shards in $RESULTS_DIR" >&2
    graded autograder merge "${shards[@]}" --output "$RESULTS_DIR/results.json.partial"
    mv -f "$RESULTS_DIR/results.json.partial" "$RESULTS_DIR/results.json"
    finish
    ;;
  *)
    fail 2 "unknown command '$mode': grade (the default) or merge"
    ;;
esac
echo "grade.sh: done: $(cd "$RESULTS_DIR" && printf '%s ' *)" >&2
