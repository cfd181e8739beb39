#!/usr/bin/env bash
# Runs every benchmark shape against the echo backend directly, nginx as a WebSocket reverse proxy,
# and the gateway in four configurations (the demo API, pass-through, one property, mediated JSON), RUNS times each, and writes
# the raw results and a table of medians and ratios to benchmarks/results/.
#
#   benchmarks/run.sh                 # full run (about 20 minutes on 2 cores)
#   RUNS=1 SECONDS_PER_RUN=3 IDLE=1000 benchmarks/run.sh   # a quick check
#   ONLY='pingpong|halfrate' GATEWAY_JVM_OPTS=-Dws.mediation.thread.pool.size=4 benchmarks/run.sh   # some shapes, other flags
#   TARGETS=mediated ONLY=pipelined RUNS=1 GATEWAY_JVM_OPTS='-XX:StartFlightRecording=filename=/tmp/g.jfr,settings=profile' \
#       benchmarks/run.sh                                       # profile one configuration (then JfrTop /tmp/g.jfr)
#
# Needs: Java 17, Maven, nginx (apt-get install nginx-light). Everything listens on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
WARMUP=${WARMUP:-3}
# 10,000 idle connections take 20,000 descriptors in a proxy (both legs); a lower hard limit caps them
HARD=$(ulimit -Hn)
ulimit -n "$HARD"
if [ "$HARD" = unlimited ] || [ "$HARD" -ge 21000 ]; then DEFAULT_IDLE=10000; else DEFAULT_IDLE=$(( (HARD - 1000) / 2 / 1000 * 1000 )); fi
IDLE=${IDLE:-$DEFAULT_IDLE}
OUT=${OUT:-$ROOT/benchmarks/results/latest}
WORK=$(mktemp -d /tmp/synapse-ws-bench.XXXXXX)
mkdir -p "$OUT"
RAW=$OUT/raw.txt
: > "$RAW"

command -v nginx >/dev/null || { echo "nginx is missing: apt-get install -y nginx-light" >&2; exit 2; }
[ "${SKIP_BUILD:-0}" = 1 ] || mvn -B -q -DskipTests install

GATEWAY_JAR=$ROOT/gateway/target/synapse-ws-gateway.jar
BENCH_JAR=$ROOT/benchmarks/target/synapse-ws-bench.jar
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened" >&2; return 1; }
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

BACKEND_PORT=$(free_port); NGINX_PORT=$(free_port); PT_PORT=$(free_port); MED_PORT=$(free_port)
PROP_PORT=$(free_port); DEMO_PORT=$(free_port); KM_PORT=$(free_port); ANALYTICS_PORT=$(free_port); MGMT_PORT=$(free_port)

# the echo backend, alone in its JVM
java -Xms256m -Xmx512m -cp "$GATEWAY_JAR" io.synapsews.gateway.EchoBackend "$BACKEND_PORT" > "$WORK/backend.log" 2>&1 &
BACKEND_PID=$!; PIDS+=("$BACKEND_PID")
wait_port "$BACKEND_PORT"

# nginx as a WebSocket reverse proxy (Debian's package, the usual proxy settings)
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<NGINX
worker_processes auto;
worker_rlimit_nofile $HARD;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 20000; }
http {
    access_log off;
    map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
    upstream echo { server 127.0.0.1:$BACKEND_PORT; keepalive 64; }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://echo;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_set_header Host \$host;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
            proxy_buffering off;
        }
    }
}
NGINX
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!; PIDS+=("$NGINX_PID")
wait_port "$NGINX_PORT"
nginx_pids() { echo "$NGINX_PID,$(pgrep -P "$NGINX_PID" | paste -sd, -)"; }

# the gateway: a home with a pass-through endpoint (the sequence only sends) and a mediated one
# (JSON built, a value read with XPath into a property, then sent)
HOME_DIR=$WORK/home
mkdir -p "$HOME_DIR"
cp -r "$ROOT/sample-configs/repository" "$HOME_DIR/"
# the demo key store the launcher generates on first start (the management API and the wss endpoint need it)
mkdir -p "$HOME_DIR/repository/resources/security"
keytool -genkeypair -alias wso2carbon -keyalg RSA -keysize 2048 -validity 30 -dname CN=localhost -storetype JKS \
    -keystore "$HOME_DIR/repository/resources/security/wso2carbon.jks" -storepass wso2carbon -keypass wso2carbon 2>/dev/null
rm -f "$HOME_DIR"/repository/conf/synapse-config/inbound-endpoints/*.xml
# the demo API as the README ships it (synapse.xml keeps its <websocketGateway> startup: key manager, tiers,
# analytics, management, which creates EchoWebSocket from repository/conf/apis), its two endpoints pointed at the echo backend, its application subscribed with the Unlimited
# tier and no handshake limit, so that the numbers are the gateway's and not a tier's
CONF=$HOME_DIR/repository/conf
sed -i "s#ws://localhost:8080/#ws://127.0.0.1:$BACKEND_PORT/#" "$CONF"/apis/EchoWebSocket.json
sed -i -e "s#port=\"9095\"#port=\"$KM_PORT\"#" -e "s#localhost:9095#localhost:$KM_PORT#" -e "s#port=\"9191\"#port=\"$ANALYTICS_PORT\"#" \
    -e "s#port=\"9443\"#port=\"$MGMT_PORT\"#" \
    -e 's#handshakesPerMinute="600"#handshakesPerMinute="0"#' -e 's#tier="Gold"#tier="Unlimited"#' "$CONF/websocket-gateway.xml"
# TIER=Bench: the demo application's subscription on a tier that counts every message (2e9 a minute, never
# reached), so that the counter store is on the path; COUNTER_STORE=redis: that count on a redis-server started
# here (one node, leases of LEASE_SIZE), else the local store (benchmarks/counter-store.sh runs both)
if [ "${TIER:-Unlimited}" != Unlimited ]; then
    sed -i -e "s#tier=\"Unlimited\"#tier=\"$TIER\"#" -e "s#<tiers>#<tiers><tier name=\"$TIER\" messagesPerMinute=\"2000000000\"/>#" \
        "$CONF/websocket-gateway.xml"
fi
if [ "${COUNTER_STORE:-local}" = redis ]; then
    REDIS_PORT=$(free_port)
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no > "$WORK/redis.log" 2>&1 &
    PIDS+=("$!")
    wait_port "$REDIS_PORT"
    sed -i "s#^    <analytics host=#    <counterStore type=\"redis\" uri=\"redis://127.0.0.1:$REDIS_PORT/0\" nodes=\"1\" leaseSize=\"${LEASE_SIZE:-100}\"/>\n    <analytics host=#" \
        "$CONF/websocket-gateway.xml"
fi
SEQ=$HOME_DIR/repository/conf/synapse-config/sequences
cat > "$SEQ/benchPassThroughSeq.xml" <<XML
<sequence xmlns="http://ws.apache.org/ns/synapse" name="benchPassThroughSeq">
    <send><endpoint><address uri="ws://127.0.0.1:$BACKEND_PORT/"/></endpoint></send>
</sequence>
XML
cat > "$SEQ/benchMediatedSeq.xml" <<XML
<sequence xmlns="http://ws.apache.org/ns/synapse" name="benchMediatedSeq">
    <property name="messageId" expression="//id"/>
    <send><endpoint><address uri="ws://127.0.0.1:$BACKEND_PORT/"/></endpoint></send>
</sequence>
XML
cat > "$SEQ/benchPropertySeq.xml" <<XML
<sequence xmlns="http://ws.apache.org/ns/synapse" name="benchPropertySeq">
    <property name="bench" value="1"/>
    <send><endpoint><address uri="ws://127.0.0.1:$BACKEND_PORT/"/></endpoint></send>
</sequence>
XML
cat > "$SEQ/benchOutflowSeq.xml" <<XML
<sequence xmlns="http://ws.apache.org/ns/synapse" name="benchOutflowSeq"><respond/></sequence>
XML
endpoint() { # name port sequence extra-parameters [outflow sequence]
cat > "$HOME_DIR/repository/conf/synapse-config/inbound-endpoints/$1.xml" <<XML
<inboundEndpoint xmlns="http://ws.apache.org/ns/synapse" name="$1" protocol="ws" sequence="$3" onError="fault" suspend="false">
    <parameters>
        <parameter name="inbound.ws.port">$2</parameter>
        <parameter name="ws.outflow.dispatch.sequence">${5:-benchOutflowSeq}</parameter>
        <parameter name="ws.outflow.dispatch.fault.sequence">outflowFaultSeq</parameter>
        $4
    </parameters>
</inboundEndpoint>
XML
}
endpoint BenchPassThrough "$PT_PORT" benchPassThroughSeq ""
endpoint BenchMediated "$MED_PORT" benchMediatedSeq '<parameter name="ws.default.content.type">application/json</parameter>'
endpoint BenchProperty "$PROP_PORT" benchPropertySeq ""
endpoint BenchDemoApi "$DEMO_PORT" dispatchSeq "" outflowDispatchSeq
java -Xms1g -Xmx1g ${GATEWAY_JVM_OPTS:-} -jar "$GATEWAY_JAR" --home "$HOME_DIR" > "$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!; PIDS+=("$GATEWAY_PID")
wait_port "$PT_PORT"; wait_port "$MED_PORT"; wait_port "$PROP_PORT"; wait_port "$DEMO_PORT"; wait_port "$KM_PORT"
# a real token from the built-in key manager for the demo API (production key: the production backend)
TOKEN=$(curl -s -u demo-production-client:demo-production-secret -d grant_type=client_credentials \
    "http://127.0.0.1:$KM_PORT/oauth2/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

target_url() {
    case $1 in
        direct) echo "ws://127.0.0.1:$BACKEND_PORT/" ;;
        nginx) echo "ws://127.0.0.1:$NGINX_PORT/" ;;
        passthrough) echo "ws://127.0.0.1:$PT_PORT/" ;;
        mediated) echo "ws://127.0.0.1:$MED_PORT/" ;;
        property) echo "ws://127.0.0.1:$PROP_PORT/" ;;
        demoapi) echo "ws://127.0.0.1:$DEMO_PORT/echowebsocket/1.0" ;;
    esac
}
target_pids() {
    case $1 in
        direct) echo "$BACKEND_PID" ;;
        nginx) nginx_pids ;;
        passthrough|mediated|property|demoapi) echo "$GATEWAY_PID" ;;
    esac
}
gen() { # shape target mode args...
    local shape=$1 target=$2 mode=$3; shift 3
    [[ "$shape" =~ ${ONLY:-.} ]] || return 0
    local line
    local auth=()
    [ "$target" = demoapi ] && auth=(--bearer "$TOKEN")
    line=$(java -Xmx1g -jar "$BENCH_JAR" "$mode" --url "$(target_url "$target")" --pids "$(target_pids "$target")" \
        --warmup "$WARMUP" --seconds "$SECONDS_PER_RUN" --threads "${GEN_THREADS:-1}" --label "$shape/$target" "${auth[@]}" "$@" \
        | grep '^RESULT' || true)
    echo "${line:-RESULT mode=$mode label=$shape/$target failed=1}" | tee -a "$RAW"
}

TARGETS=${TARGETS:-"direct nginx demoapi passthrough property mediated"}
for run in $(seq 1 "$RUNS"); do
    for t in $TARGETS; do
        gen pingpong-100x64B "$t" echo --connections 100 --inflight 1 --size 64
        gen pipelined-10x32x1KiB "$t" echo --connections 10 --inflight 32 --size 1024
        gen binary-1x64KiB "$t" echo --connections 1 --inflight 1 --size 65536 --binary
        gen handshakes-20 "$t" handshakes --connections 20
        gen latency-1x64B "$t" echo --connections 1 --inflight 1 --size 64
    done
done

# p99 added at half the pass-through peak of the ping-pong shape (open loop, fixed rate)
PEAK=$(grep 'label=pingpong-100x64B/passthrough ' "$RAW" | sed 's/.*msgs_per_s=\([0-9]*\).*/\1/' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' || true)
PEAK=${PEAK:-${HALF_RATE_PEAK:-16000}}
HALF=$(( ${PEAK:-2000} / 2 ))
for run in $(seq 1 "$RUNS"); do
    for t in direct nginx passthrough; do
        gen "halfrate-100x64B@$HALF" "$t" echo --connections 100 --size 64 --rate "$HALF"
    done
done

# idle connections: resident memory per open connection (both legs for proxies)
for run in $(seq 1 "$RUNS"); do
    for t in direct nginx passthrough demoapi; do
        gen "idle-$IDLE" "$t" idle --connections "$IDLE" --settle 5
        sleep 5
    done
done

java -cp "$BENCH_JAR" io.synapsews.bench.Report "$RAW" > "$OUT/table.md"
{
    echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -r); $(java -version 2>&1 | head -1); $(nginx -v 2>&1)"
    echo "runs: $RUNS x ${SECONDS_PER_RUN}s (+${WARMUP}s warm-up); gateway JVM: -Xms1g -Xmx1g ${GATEWAY_JVM_OPTS:-}"
    echo "demo API tier: ${TIER:-Unlimited}; counter store: ${COUNTER_STORE:-local}${REDIS_PORT:+ (redis-server $(redis-server --version | cut -d' ' -f3), leases of ${LEASE_SIZE:-100})}"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" "$OUT/table.md"
