#!/usr/bin/env bash
# bench-http.sh: astapi under wrk, side by side with a bare gin + Basic Auth
# baseline (cmd/astapi-baseline) answering the same bodies, on each of the
# seed's endpoints. Both run as their own processes; astapi runs as
# `astapi serve` with its access log on, written to a pipe (as under a
# container runtime). The runs alternate (astapi then baseline, then the
# other way round) in PAIRS pairs per endpoint; the table gives the median
# ratio of requests/s and its spread over the pairs, median latencies, and
# the CPU time each server spent per request (from /proc/PID/stat; "cpu r"
# is the baseline's over astapi's, the ratio of requests/s both would reach
# on CPUs of their own: far less noisy than requests/s on a shared machine)
# and the bytes of an answer, head and body, of each ("a B", "g B"):
# net/http sends an answer through a 4 KiB buffer per connection, so one
# over 4,096 bytes takes a second write(2), and the client a second read.
#
#   PAIRS=3 DURATION=5s CONNS=16 THREADS=1 ./scripts/bench-http.sh
#
# ASTAPI=path/to/astapi measures that binary instead of building one.
#
# Needs wrk (Debian's package: installed with apt-get when missing and
# running as root) and curl. The demo users of fixtures/astapi.ini are
# used (their passwords are published in fixtures/README.md).
set -euo pipefail

GO=${GO:-go}
PAIRS=${PAIRS:-3}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-16}
THREADS=${THREADS:-1}
CONFIG=${CONFIG:-fixtures/astapi.ini}
APORT=${APORT:-18180}
BPORT=${BPORT:-18190}
ADMIN=${ADMIN:-admin:admin-demo}
SECRETS_USER=${SECRETS_USER:-auditor:auditor-demo}
TENANT=${TENANT:-80}
EMAIL=${EMAIL:-admin@example.com}

if ! command -v wrk >/dev/null; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
		echo "bench-http: installing wrk with apt-get" >&2
		apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
	else
		echo "bench-http: wrk is missing (apt-get install wrk)" >&2
		exit 1
	fi
fi
command -v curl >/dev/null || { echo "bench-http: curl is missing" >&2; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ -n "${ASTAPI:-}" ]; then
	cp "$ASTAPI" "$tmp/astapi" # another build, e.g. an older commit's
else
	$GO build -o "$tmp/astapi" ./cmd/astapi
fi
$GO build -o "$tmp/astapi-baseline" ./cmd/astapi-baseline

# astapi's stderr (its log and access log) goes into a pipe that cat drains.
mkfifo "$tmp/log.fifo"
cat "$tmp/log.fifo" >"$tmp/astapi.log" &
pids+=($!)
"$tmp/astapi" serve --config "$CONFIG" --listen "127.0.0.1:$APORT" 2>"$tmp/log.fifo" &
apid=$!
pids+=($apid)
A="http://127.0.0.1:$APORT"
for _ in $(seq 100); do curl -sf "$A/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "$A/readyz" >/dev/null || { echo "bench-http: astapi did not start" >&2; cat "$tmp/astapi.log" >&2; exit 1; }

# An extension the secrets user may read, from the tenant's list.
ext=$(curl -sf -u "$SECRETS_USER" -d "tenant_id=$TENANT" "$A/extension/bytenant" | grep -o '"ex_id":"[0-9]*"' | head -1 | grep -o '[0-9][0-9]*')
[ -n "$ext" ] || { echo "bench-http: no extension in tenant $TENANT" >&2; exit 1; }

# name method user form-body
endpoints=(
	"/user/login GET $ADMIN -"
	"/user/get GET $ADMIN -"
	"/user/tenants POST $ADMIN user=$EMAIL"
	"/destination/all POST $ADMIN tenant_id=$TENANT"
	"/extension/bytenant POST $ADMIN tenant_id=$TENANT"
	"/extension/byid POST $ADMIN extension_id=$ext"
	"/extension/user POST $SECRETS_USER tenant_id=$TENANT&extension_id=$ext"
)

# request I: curl's arguments for endpoint I's request, into the array req.
request() {
	local path method cred body
	read -r path method cred body <<<"${endpoints[$1]}"
	req=(-sf -u "$cred" -X "$method")
	[ "$body" != - ] && req+=(-H "Content-Type: application/x-www-form-urlencoded" --data-raw "$body")
	return 0
}

# size URL I: the bytes of endpoint I's answer from the server at URL,
# head and body, as sent.
size() {
	local path
	read -r path _ <<<"${endpoints[$2]}"
	request "$2"
	curl "${req[@]}" -o /dev/null -w '%{size_header} %{size_download}' "$1$path" | awk '{ print $1 + $2 }'
}

routes=()
users=("--user" "$ADMIN" "--user" "$SECRETS_USER")
i=0
for e in "${endpoints[@]}"; do
	read -r path method cred body <<<"$e"
	request $i
	curl "${req[@]}" -o "$tmp/body$i" "$A$path" || { echo "bench-http: $method $path failed" >&2; exit 1; }
	routes+=("--route" "$method:$path=$tmp/body$i")
	auth=$(printf %s "$cred" | base64 -w0)
	{
		echo "wrk.method = \"$method\""
		echo "wrk.headers[\"Authorization\"] = \"Basic $auth\""
		if [ "$body" != - ]; then
			echo "wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\""
			echo "wrk.body = \"$body\""
		fi
	} >"$tmp/req$i.lua"
	i=$((i + 1))
done

"$tmp/astapi-baseline" --listen "127.0.0.1:$BPORT" "${users[@]}" "${routes[@]}" &
bpid=$!
pids+=($bpid)
B="http://127.0.0.1:$BPORT"
for _ in $(seq 100); do curl -sf -u "$ADMIN" "$B/user/login" >/dev/null && break; sleep 0.1; done

# cpu PID: CPU time (user + system) the process has used, in clock ticks.
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TCK=$(getconf CLK_TCK)

# run URL LUA PID: one wrk run; prints "req/s p50_us p99_us non2xx cpu_us_per_request".
run() {
	local c0 c1
	c0=$(cpu "$3")
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$2" "$1" >"$tmp/wrk.out"
	c1=$(cpu "$3")
	awk -v ticks=$((c1 - c0)) -v tck="$TCK" '
		function us(v) { if (v ~ /us$/) return v+0; if (v ~ /ms$/) return v*1000; if (v ~ /s$/) return v*1000000; return v }
		/requests in/ { n = $1 }
		/Requests\/sec:/ { rps = $2 }
		/^ +50%/ { p50 = us($2) }
		/^ +99%/ { p99 = us($2) }
		/Non-2xx/ { bad = $NF }
		END { printf "%s %s %s %d %.2f\n", rps, p50, p99, bad, n ? ticks * 1e6 / tck / n : 0 }' "$tmp/wrk.out"
}

# Warm both up (bcrypt once per user, caches filled).
i=0
for e in "${endpoints[@]}"; do
	read -r path _ <<<"$e"
	wrk -t1 -c2 -d1s -s "$tmp/req$i.lua" "$A$path" >/dev/null
	wrk -t1 -c2 -d1s -s "$tmp/req$i.lua" "$B$path" >/dev/null
	i=$((i + 1))
done

echo "wrk -t$THREADS -c$CONNS -d$DURATION, $PAIRS alternating pairs per endpoint; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
printf '%-20s %9s %9s %6s %11s %8s %8s %8s %8s %7s %7s %6s %6s %6s %5s\n' endpoint "astapi/s" "gin/s" ratio "range" "a p50us" "a p99us" "g p50us" "g p99us" "a cpuus" "g cpuus" "cpu r" "a B" "g B" non2xx
i=0
for e in "${endpoints[@]}"; do
	read -r path _ <<<"$e"
	asize=$(size "$A" $i) gsize=$(size "$B" $i)
	: >"$tmp/res"
	for p in $(seq "$PAIRS"); do
		if [ $((p % 2)) = 1 ]; then
			a=$(run "$A$path" "$tmp/req$i.lua" $apid); b=$(run "$B$path" "$tmp/req$i.lua" $bpid)
		else
			b=$(run "$B$path" "$tmp/req$i.lua" $bpid); a=$(run "$A$path" "$tmp/req$i.lua" $apid)
		fi
		echo "$a $b" >>"$tmp/res"
	done
	awk -v ep="$path" -v asize="$asize" -v gsize="$gsize" '
		function median(arr, n,   j, k, t) {
			for (j = 2; j <= n; j++) for (k = j; k > 1 && arr[k-1] > arr[k]; k--) { t = arr[k]; arr[k] = arr[k-1]; arr[k-1] = t }
			return n % 2 ? arr[(n+1)/2] : (arr[n/2] + arr[n/2+1]) / 2
		}
		{ n++; ar[n] = $1; br[n] = $6; r[n] = $6 ? $1 / $6 : 0; ap50[n] = $2; ap99[n] = $3; bp50[n] = $7; bp99[n] = $8; bad += $4 + $9
		  ac[n] = $5; bc[n] = $10; cr[n] = $5 ? $10 / $5 : 0
		  if (n == 1 || r[n] < lo) lo = r[n]; if (n == 1 || r[n] > hi) hi = r[n] }
		END { printf "%-20s %9.0f %9.0f %6.2f %5.2f-%-5.2f %8.0f %8.0f %8.0f %8.0f %7.1f %7.1f %6.2f %6.0f %6.0f %5d\n", ep, median(ar, n), median(br, n), median(r, n), lo, hi,
			median(ap50, n), median(ap99, n), median(bp50, n), median(bp99, n), median(ac, n), median(bc, n), median(cr, n), asize, gsize, bad }' "$tmp/res"
	i=$((i + 1))
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end; astapi wrote $(wc -l <"$tmp/astapi.log") log lines"
