#!/usr/bin/env bash
# Grade a class on Kubernetes with the manifests of this folder, from the instructor's machine:
#
#   IMAGE=registry.example.org/course/pooling-grader:v1.0 deploy/k8s/grade-class.sh grading/submitted results
#
# SUBMITTED is nbgrader's submitted/<student>/<assignment>/ tree; RESULTS gets results.json,
# results.xml, report.html and the shards' files. In the cluster (kubectl's current context and
# namespace), in order:
#
#  1. the Secret autograder-secret must be there (made once: kubectl create secret generic
#     autograder-secret --from-file=secret=grading/secret);
#  2. the volume and the shell pod (pvc.yaml, shell-pod.yaml, with IMAGE in place of the
#     manifests' ghcr.io/YOUR-ORG/pooling-grader:v1.0), until the shell pod is Ready;
#  3. the Jobs of an earlier run are deleted (a finished Job cannot run again), the volume's
#     submitted/ and results/ are emptied and SUBMITTED is streamed into submitted/ (tar through
#     `kubectl exec`: the same files however often it runs, never submitted/submitted);
#  4. the grading Job (grade-job.yaml): waited for until it is Complete, or stopped at once when it
#     has Failed (a shard whose pod failed its retries fails the Job: maxFailedIndexes 0), the
#     failed shards and their pods' last lines said;
#  5. the merge Job (merge-job.yaml), waited for the same way;
#  6. the volume's results/ are streamed into RESULTS (files of the same name are replaced).
#
# Then: python -m autograder autograde ASSIGNMENT --results RESULTS/results.json (into nbgrader's gradebook).
#
# Settings: IMAGE (required: the grading image, pushed where the cluster can pull it), KUBECTL
# (default kubectl), GRADE_TIMEOUT and MERGE_TIMEOUT (seconds, default 10800 and 1800), POLL
# (seconds between two looks at a Job, default 10).
# Exit status: 0 graded and merged (points lost are results), 1 a Job failed or timed out, 2 bad
# usage or a missing Secret.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
KUBECTL=${KUBECTL:-kubectl}
GRADE_TIMEOUT=${GRADE_TIMEOUT:-10800}
MERGE_TIMEOUT=${MERGE_TIMEOUT:-1800}
POLL=${POLL:-10}
PLACEHOLDER=ghcr.io/YOUR-ORG/pooling-grader:v1.0

say() { echo "grade-class.sh: $*" >&2; }
fail() { say "$2"; exit "$1"; }

[[ $# -eq 2 ]] || fail 2 "usage: IMAGE=REGISTRY/NAME:TAG $0 SUBMITTED RESULTS (e.g. grading/submitted results)"
SUBMITTED=$1
RESULTS=$2
[[ -n "${IMAGE:-}" ]] || fail 2 "set IMAGE to the grading image you pushed (docs/grading-past-one-machine.md)"
[[ "$IMAGE" != "$PLACEHOLDER" && "$IMAGE" != *YOUR-ORG* ]] || fail 2 "IMAGE=$IMAGE is the manifests' placeholder: build and push your own"
[[ -d "$SUBMITTED" ]] || fail 2 "no submissions folder at $SUBMITTED"
mkdir -p "$RESULTS"

# A manifest of this folder with the image in place of the placeholder, applied.
apply() { sed "s|$PLACEHOLDER|$IMAGE|g" "$HERE/$1" | $KUBECTL apply -f -; }

# Wait until job/$1 is Complete (0) or Failed (1), at most $2 seconds (1).
wait_job() {
  local name=$1 deadline=$((SECONDS + $2)) state
  while :; do
    state=$($KUBECTL get job "$name" -o 'jsonpath={range .status.conditions[?(@.status=="True")]}{.type} {end}')
    case " $state " in
      *" Complete "*)
        say "job/$name is complete"; return 0 ;;
      *" Failed "* | *" FailureTarget "*)
        say "job/$name failed; failed shards (completion indexes): $($KUBECTL get job "$name" -o 'jsonpath={.status.failedIndexes}')"
        $KUBECTL logs --selector "job-name=$name" --prefix --tail 20 >&2 || true
        return 1 ;;
    esac
    if (( SECONDS >= deadline )); then
      say "job/$name is neither complete nor failed after $2 s: see kubectl describe job/$name"
      return 1
    fi
    sleep "$POLL"
  done
}

$KUBECTL get secret autograder-secret >/dev/null \
  || fail 2 "no Secret autograder-secret: kubectl create secret generic autograder-secret --from-file=secret=grading/secret"
apply pvc.yaml
apply shell-pod.yaml
$KUBECTL wait --for=condition=Ready pod/grading-shell --timeout=10m
$KUBECTL delete job grade-class merge-results --ignore-not-found --cascade=foreground
say "copying $SUBMITTED into the grading volume"
tar -C "$SUBMITTED" -cf - . | $KUBECTL exec -i grading-shell -- sh -c \
  'rm -rf /grading/submitted /grading/results && mkdir -p /grading/submitted /grading/results && tar -C /grading/submitted -xf -'
apply grade-job.yaml
wait_job grade-class "$GRADE_TIMEOUT" || exit 1
apply merge-job.yaml
wait_job merge-results "$MERGE_TIMEOUT" || exit 1
$KUBECTL exec grading-shell -- tar -C /grading/results -cf - . | tar -C "$RESULTS" -xf -
say "results in $RESULTS: python -m autograder autograde ASSIGNMENT --results $RESULTS/results.json"
