#!/usr/bin/env bash
# CI job: run the KMS contract suite and keep its exit code.
#
# Without KMS_URL it starts kms-mock on a free loopback port and tests that;
# with KMS_URL it tests the server there (a staging KMS, for example).
# Settings, all optional (environment variables):
#   KMS_URL            base URL to test; unset: start kms-mock on 127.0.0.1
#   KMS_MOCK_PROFILE   profile of the started mock: extended (default) or live
#   KMS_VIEW           contract view: extended (default) or live
#   KMS_REPORT_DIR     output folder (default reports/out)
#   KMS_MAX_EXAMPLES   generated requests per operation and mode (default 25)
#   KMS_SEED           random seed (default: the CI run number, else 1)
#   KMS_ALLOW_WRITES   1: allow writes against a non-loopback KMS_URL
#   KMS_AUTH_HEADER    one header sent with every request, as "Name: value"
#   KMS_GAPS_OK        1: exit 0 when the only findings are missing operations
# Exit codes are those of kms-contract: 0 holds, 1 violations, 2 usage error,
# 3 only gaps, 4 could not run.
set -euo pipefail

report_dir="${KMS_REPORT_DIR:-reports/out}"
seed="${KMS_SEED:-${GITHUB_RUN_NUMBER:-${CI_PIPELINE_IID:-1}}}"
wait_seconds=30
mkdir -p "$report_dir"

python_bin="$(command -v python3 || command -v python)"
mock_pid=""

stop_mock() {
    if [ -n "$mock_pid" ] && kill -0 "$mock_pid" 2>/dev/null; then
        kill "$mock_pid"
        # Give the mock up to 10 s to stop cleanly, then force it.
        for _ in $(seq 1 20); do
            kill -0 "$mock_pid" 2>/dev/null || return 0
            sleep 0.5
        done
        kill -9 "$mock_pid" 2>/dev/null || true
    fi
}
trap stop_mock EXIT

wait_until_serving() {
    local url="$1"
    local deadline=$((SECONDS + wait_seconds))
    while [ "$SECONDS" -lt "$deadline" ]; do
        if "$python_bin" - "$url" <<'PY' 2>/dev/null; then
import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/openapi.json", timeout=2).close()
PY
            return 0
        fi
        if [ -n "$mock_pid" ] && ! kill -0 "$mock_pid" 2>/dev/null; then
            echo "contract-job: kms-mock exited early; its log:" >&2
            cat "$report_dir/kms-mock.log" >&2
            return 1
        fi
        sleep 0.5
    done
    echo "contract-job: $url did not respond within ${wait_seconds} s" >&2
    return 1
}

if [ -z "${KMS_URL:-}" ]; then
    port="$("$python_bin" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    url="http://127.0.0.1:$port"
    echo "contract-job: starting kms-mock (profile ${KMS_MOCK_PROFILE:-extended}) on $url"
    kms-mock --host 127.0.0.1 --port "$port" --profile "${KMS_MOCK_PROFILE:-extended}" \
        >"$report_dir/kms-mock.log" 2>&1 &
    mock_pid=$!
    wait_until_serving "$url" || exit 4
else
    url="$KMS_URL"
fi

args=(run --url "$url" --view "${KMS_VIEW:-extended}" --report-dir "$report_dir" --seed "$seed")
[ -n "${KMS_MAX_EXAMPLES:-}" ] && args+=(--max-examples "$KMS_MAX_EXAMPLES")
[ "${KMS_ALLOW_WRITES:-0}" = "1" ] && args+=(--allow-writes)
[ "${KMS_GAPS_OK:-0}" = "1" ] && args+=(--gaps-ok)
[ -n "${KMS_AUTH_HEADER:-}" ] && args+=(--header "$KMS_AUTH_HEADER")

echo "contract-job: kms-contract run against $url (seed $seed)"
set +e
kms-contract "${args[@]}"
status=$?
set -e
echo "contract-job: kms-contract exited with $status; results in $report_dir"
exit "$status"
