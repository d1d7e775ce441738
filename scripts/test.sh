#!/usr/bin/env bash
# test.sh — the body of `make test` (the Makefile installs what it needs first):
# go vet, staticcheck, then every test with -race, reported by scripts/testreport. The
# web and API packages run for several minutes under -race on two cores, past go test's
# default 10-minute limit, hence -timeout.
# All three run even when one fails, so one run shows every problem; the exit code is
# non-zero when any failed, and the last line is the test counts.
set -uo pipefail
GO=${GO:-go}
OUT=${OUT:-out}
STATICCHECK=${STATICCHECK:?set STATICCHECK to the staticcheck binary}
mkdir -p "$OUT" bin
rm -f "$OUT/test-summary.txt"
status=0 lint=""

echo "--- go vet ./..."
$GO vet ./... || { status=1; lint+=" go-vet"; }
echo "--- staticcheck ./..."
"$STATICCHECK" ./... || { status=1; lint+=" staticcheck"; }

echo "--- go test -race -count=1 ./...  (ZHANXIN_TEST_POSTGRES=${ZHANXIN_TEST_POSTGRES:-<unset>})"
$GO build -o bin/testreport ./scripts/testreport || exit 1
start=$(date +%s)
ZHANXIN_SCREENSHOT_DIR=${ZHANXIN_SCREENSHOT_DIR:-$OUT} $GO test -race -count=1 -timeout 45m -json ./... 2>&1 \
	| bin/testreport -raw "$OUT/test.json" -summary "$OUT/test-summary.txt" || status=1
echo "go test took $(( $(date +%s) - start ))s; raw results in $OUT/test.json, screenshots in $OUT/"

if [ -n "$lint" ]; then
	echo "*** FAILED:$lint (see above) ***"
	[ -f "$OUT/test-summary.txt" ] && cat "$OUT/test-summary.txt"
fi
exit $status
