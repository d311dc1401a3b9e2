#!/bin/sh
# A flowctl worker in plain POSIX shell, with curl and jq: it speaks the HTTP
# worker protocol (docs/worker-protocol.md), so it needs only the server's URL
# and a token. It serves one task type, `shell-wordcount`: counts the words and
# lines of `input.text`.
#
#   FLOWCTL_SERVER=http://127.0.0.1:8080 FLOWCTL_TOKEN=fct_... sh worker.sh
#
# One task at a time; SIGTERM or SIGINT stops it after the current poll or task.
set -u

SERVER=${FLOWCTL_SERVER:-http://127.0.0.1:8080}
TOKEN=${FLOWCTL_TOKEN:-}
WORKER_ID=${WORKER_ID:-shell-$(hostname)-$$}
TYPES=shell-wordcount
WAIT_MS=${POLL_WAIT_MS:-20000}
VERSION=flowctl-worker-shell/0.1.0

stopping=
trap 'stopping=1' TERM INT
answer=$(mktemp) || exit 1
trap 'rm -f "$answer" "$answer.err"' EXIT

# api PATH JSON: POSTs to /api/v1/worker/PATH; the body lands in $answer, the HTTP status on stdout.
api() {
  if [ -n "$TOKEN" ]; then
    curl -sS -o "$answer" -w '%{http_code}' --max-time 45 -X POST -H 'content-type: application/json' \
      -H "authorization: Bearer $TOKEN" --data-binary "$2" "$SERVER/api/v1/worker$1"
  else
    curl -sS -o "$answer" -w '%{http_code}' --max-time 45 -X POST -H 'content-type: application/json' \
      --data-binary "$2" "$SERVER/api/v1/worker$1"
  fi
}

# The task itself: input JSON on stdin, output JSON on stdout; a failure exits 1 (retried) or 2 (for good) with a reason on stderr.
wordcount() {
  text=$(jq -er '.text | strings') || { echo 'input.text must be a string' >&2; return 2; }
  words=$(printf '%s\n' "$text" | wc -w | tr -d ' ')
  lines=$(printf '%s\n' "$text" | wc -l | tr -d ' ')
  jq -nc --argjson words "$words" --argjson lines "$lines" '{words: $words, lines: $lines}'
}

# report LEASE WHAT JSON: until the server answers 200 (done) or 409 (the attempt is over anyway).
report() {
  delay=1
  while :; do
    status=$(api "/tasks/$1/$2" "$3")
    case $status in
      200 | 409) return 0 ;;
      4??) echo "flowctl refused the $2 ($status): $(cat "$answer")" >&2; return 1 ;;
    esac
    sleep "$delay"
    [ "$delay" -lt 8 ] && delay=$((delay * 2))
  done
}

poll_body=$(jq -nc --arg id "$WORKER_ID" --arg types "$TYPES" --argjson wait "$WAIT_MS" --arg host "$(hostname)" --arg version "$VERSION" \
  '{workerId: $id, types: ($types | split(",")), max: 1, waitMs: $wait, concurrency: 1, host: $host, version: $version}')

while [ -z "$stopping" ]; do
  status=$(api /poll "$poll_body") || status=000
  if [ "$status" != 200 ]; then
    echo "poll answered $status: $(cat "$answer" 2>/dev/null)" >&2
    sleep 2
    continue
  fi
  [ "$(jq '.tasks | length' "$answer")" = 0 ] && continue
  task=$(jq -c '.tasks[0]' "$answer")
  # Lease ids are base64url and a dot: safe in a URL as they are.
  lease=$(printf '%s' "$task" | jq -r .leaseId)
  interval=$(printf '%s' "$task" | jq '[(.heartbeatTimeoutMs / 3000 | floor), 1] | max')

  # Heartbeats while the task runs, every third of its heartbeat timeout.
  (while sleep "$interval"; do api "/tasks/$lease/heartbeat" '{}' >/dev/null; done) &
  beating=$!

  if output=$(printf '%s' "$task" | jq -c .input | wordcount 2>"$answer.err"); then
    kill "$beating" 2>/dev/null
    report "$lease" logs "$(jq -nc --arg m "counted: $output" '{lines: [{message: $m}]}')"
    report "$lease" complete "$(jq -nc --argjson out "$output" '{output: $out}')"
  else
    code=$?
    kill "$beating" 2>/dev/null
    final=false
    [ "$code" = 2 ] && final=true
    report "$lease" fail "$(jq -nc --arg m "$(cat "$answer.err")" --argjson final "$final" \
      '{error: {type: "WordcountError", message: $m, nonRetryable: $final}}')"
  fi
done
exit 0
