# shellcheck shell=bash
# Shared helpers for services/*.sh. Sourced, never executed.
# All state lives OUTSIDE the repository, in $STATE (see services/README.md).

SERVICES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

STATE="${BROKER_SERVICES_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/broker-services}"
mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"
LOGS="$STATE/logs"
PIDS="$STATE/pids"
TLS_DIR="$STATE/tls"
mkdir -p "$LOGS" "$PIDS"

# ---- ports, names, credentials (single source of truth; services.json is written from these)
MAIN_RABBIT_HOST=127.0.0.1
MAIN_RABBIT_PORT=5672
MAIN_RABBIT_NODE=rabbit@localhost

FAULT_NODE=broker-fault@localhost
FAULT_PORT=5673
FAULT_DIST_PORT=25673
FAULT_VHOST=broker-test
LIMITED_USER=limited
LIMITED_PASSWORD=limited-secret

# vm_memory_high_watermark.relative of the test nodes; `memory-alarm off` restores it.
RABBIT_MEMORY_WATERMARK=0.4

TLS_NODE=broker-tls@localhost
TLS_PLAIN_PORT=5674
TLS_AMQPS_PORT=5671
TLS_DIST_PORT=25674

KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
LOG4J_VERSION="${LOG4J_VERSION:-2.24.3}"
SLF4J_VERSION="${SLF4J_VERSION:-2.0.17}"
KAFKA_PLAINTEXT_PORT=9092
KAFKA_SASL_PLAINTEXT_PORT=9093
KAFKA_SSL_PORT=9094
KAFKA_SASL_SSL_PORT=9095
KAFKA_CONTROLLER_PORT=9097
KAFKA_USER=broker
KAFKA_PASSWORD=broker-secret
KAFKA_ADMIN_USER=admin
KAFKA_ADMIN_PASSWORD=admin-secret
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx768m}"

CLUSTER_PORTS=(19092 19093 19094)
CLUSTER_CONTROLLER_PORTS=(19192 19193 19194)
CLUSTER_HEAP="${KAFKA_CLUSTER_HEAP:--Xms128m -Xmx384m}"

KEYSTORE_PASSWORD=broker-test-pass

RABBIT_BIN=/usr/lib/rabbitmq/bin

# ---- output
log() { printf '[services] %s\n' "$*" >&2; }
warn() { printf '[services] WARNING: %s\n' "$*" >&2; }
die() {
  printf '[services] ERROR: %s\n' "$*" >&2
  exit 1
}
now_ms() { date +%s%3N; }
# elapsed_s START_MS -> "12.3s"
elapsed_s() {
  local d=$(($(now_ms) - $1))
  printf '%d.%ds' $((d / 1000)) $(((d % 1000) / 100))
}
# summary NAME START_MS MESSAGE: the one-line-per-service summary
summary() {
  printf '[services] %-22s %-8s %s\n' "$1" "$(elapsed_s "$2")" "$3" >&2
}
# tail_file FILE [N]: prints the tail of a log with a header, for error messages
tail_file() {
  local f=$1 n=${2:-40}
  if [[ -s $f ]]; then
    printf -- '----- last %s lines of %s -----\n' "$n" "$f" >&2
    tail -n "$n" "$f" >&2
    printf -- '----- end of %s -----\n' "$f" >&2
  fi
}

# take_lock NAME [TIMEOUT_S]: exclusive lock on $STATE/.NAME.lock for the rest of this (sub)shell
LOCK_FDS=()
take_lock() {
  local name=$1 timeout=${2:-300} fd
  exec {fd}>"$STATE/.$name.lock"
  LOCK_FDS+=("$fd")
  flock -w "$timeout" "$fd" || die "timed out after ${timeout}s waiting for $STATE/.$name.lock (another services script is running)"
}
# close_lock_fds: call in the subshell that execs a daemon, so the daemon does not inherit
# (and hold forever) the locks of the script that started it
close_lock_fds() {
  local fd
  for fd in "${LOCK_FDS[@]}"; do
    exec {fd}>&-
  done
  LOCK_FDS=()
}

# ---- processes
# pid_alive PID: true when PID is a live process (not a zombie)
pid_alive() {
  local pid=$1
  [[ -n $pid && -d /proc/$pid ]] || return 1
  local st
  st=$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [[ $st != Z && -n $st ]]
}
# pid_cmdline_has PID STRING: the process command line contains STRING
pid_cmdline_has() {
  [[ -r /proc/$1/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}
# read_pid FILE -> pid or empty
read_pid() { [[ -f $1 ]] && tr -dc '0-9' <"$1" || true; }
# pids_with_cmdline STRING: our own processes whose command line contains STRING (a path in $STATE)
pids_with_cmdline() {
  local re
  re=$(printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g')
  pgrep -f -- "$re" 2>/dev/null | grep -vx -e "$$" -e "$BASHPID" || true
}
# stop_pid PID WHAT [TIMEOUT_S]: SIGTERM, wait, SIGKILL after the bound
stop_pid() {
  local pid=$1 what=$2 timeout=${3:-30} i
  pid_alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  warn "$what (pid $pid) did not stop within ${timeout}s after SIGTERM; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    pid_alive "$pid" || return 0
    sleep 0.1
  done
  die "$what (pid $pid) survived SIGKILL"
}
# port_in_use PORT: something listens on 127.0.0.1:PORT (or all interfaces)
port_in_use() {
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# ---- probes (node, no npm dependencies)
probe_amqp() { node "$SERVICES_DIR/probe-amqp.mjs" "$@"; }
probe_kafka() { node "$SERVICES_DIR/probe-kafka.mjs" "$@"; }

# ---- RabbitMQ nodes owned by the scripts ("fault" and "tls")
require_rabbitmq_install() {
  if [[ ! -x $RABBIT_BIN/rabbitmq-server ]]; then
    die "RabbitMQ is not installed ($RABBIT_BIN/rabbitmq-server is missing).
  Install it:   apt-get update && apt-get install -y rabbitmq-server && rabbitmq-server -detached
  or use Docker: docker compose up -d rabbitmq   (only the main node; the fault/TLS test nodes need the Debian install)"
  fi
}

rabbit_node_name() {
  case $1 in
  fault) echo "$FAULT_NODE" ;;
  tls) echo "$TLS_NODE" ;;
  *) die "unknown RabbitMQ node '$1' (expected: fault | tls)" ;;
  esac
}
rabbit_dir() { echo "$STATE/rabbitmq/$1"; }
rabbit_pidfile() { echo "$PIDS/rabbitmq-$1.pid"; }
rabbit_logdir() { echo "$LOGS/rabbitmq-$1"; }

# rabbit_env WHICH: exports the environment that makes rabbitmq-server/rabbitmqctl talk to
# (or be) that node and nothing else. Runs in the caller's (sub)shell.
rabbit_env() {
  local which=$1 dir
  dir=$(rabbit_dir "$which")
  export HOME="$dir" # holds the node's .erlang.cookie; also makes the beam command line unique (-home DIR)
  export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
  export RABBITMQ_NODENAME
  RABBITMQ_NODENAME=$(rabbit_node_name "$which")
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  case $which in
  fault)
    export RABBITMQ_NODE_PORT=$FAULT_PORT RABBITMQ_DIST_PORT=$FAULT_DIST_PORT
    ;;
  tls)
    export RABBITMQ_NODE_PORT=$TLS_PLAIN_PORT RABBITMQ_DIST_PORT=$TLS_DIST_PORT
    ;;
  esac
  export RABBITMQ_MNESIA_BASE="$dir/mnesia"
  export RABBITMQ_MNESIA_DIR="$dir/mnesia/$RABBITMQ_NODENAME"
  export RABBITMQ_PLUGINS_EXPAND_DIR="$dir/mnesia/$RABBITMQ_NODENAME-plugins-expand"
  export RABBITMQ_LOG_BASE
  RABBITMQ_LOG_BASE=$(rabbit_logdir "$which")
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_PID_FILE
  RABBITMQ_PID_FILE=$(rabbit_pidfile "$which")
  export ERL_EPMD_ADDRESS=127.0.0.1
  export ERL_CRASH_DUMP="$RABBITMQ_LOG_BASE/erl_crash.dump"
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  unset RABBITMQ_SERVER_START_ARGS RABBITMQ_CONFIG_FILES || true
}

# rmqctl WHICH ARGS...: rabbitmqctl against one of our nodes
rmqctl() {
  local which=$1
  shift
  (
    rabbit_env "$which"
    cd "$STATE"
    timeout "${RMQCTL_TIMEOUT:-90}" "$RABBIT_BIN/rabbitmqctl" -q -n "$RABBITMQ_NODENAME" "$@"
  )
}

rabbit_write_config() {
  local which=$1 dir
  dir=$(rabbit_dir "$which")
  mkdir -p "$dir/mnesia" "$(rabbit_logdir "$which")"
  local cookie="$dir/.erlang.cookie"
  if [[ ! -s $cookie ]]; then
    (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -dc 'a-f0-9' | tr 'a-f' 'A-F' >"$cookie")
    chmod 400 "$cookie"
  fi
  printf '# generated by services/lib.sh; our nodes do not read /etc/rabbitmq/rabbitmq-env.conf\n' >"$dir/rabbitmq-env.conf"
  printf '[].\n' >"$dir/enabled_plugins"
  printf '[].\n' >"$dir/advanced.config"
  local conf="$dir/rabbitmq.conf"
  {
    echo "# generated by services/lib.sh for $(rabbit_node_name "$which")"
    echo "log.console = false"
    echo "log.file.level = info"
    echo "loopback_users.guest = true"
    echo "disk_free_limit.absolute = 50MB"
    echo "vm_memory_high_watermark.relative = $RABBIT_MEMORY_WATERMARK"
    case $which in
    fault)
      echo "listeners.tcp.1 = 127.0.0.1:$FAULT_PORT"
      ;;
    tls)
      echo "listeners.tcp.1 = 127.0.0.1:$TLS_PLAIN_PORT"
      echo "listeners.ssl.1 = 127.0.0.1:$TLS_AMQPS_PORT"
      echo "ssl_options.cacertfile = $TLS_DIR/ca.pem"
      echo "ssl_options.certfile = $TLS_DIR/server.pem"
      echo "ssl_options.keyfile = $TLS_DIR/server-key.pem"
      echo "ssl_options.verify = verify_peer"
      echo "ssl_options.fail_if_no_peer_cert = true"
      echo "ssl_options.depth = 2"
      echo "ssl_options.versions.1 = tlsv1.3"
      echo "ssl_options.versions.2 = tlsv1.2"
      ;;
    esac
  } >"$conf.new"
  if [[ -f $conf ]] && cmp -s "$conf.new" "$conf"; then
    rm -f "$conf.new"
    return 1 # unchanged
  fi
  mv "$conf.new" "$conf"
  return 0 # changed
}

rabbit_probe_args() {
  case $1 in
  fault) echo "127.0.0.1:$FAULT_PORT" ;;
  tls) echo "127.0.0.1:$TLS_PLAIN_PORT" ;;
  esac
}

# rabbit_is_up WHICH: the node answers the AMQP handshake (and, for tls, over amqps with a client cert)
rabbit_is_up() {
  local which=$1
  probe_amqp --quiet "$(rabbit_probe_args "$which")" || return 1
  if [[ $which == tls ]]; then
    probe_amqp --quiet "localhost:$TLS_AMQPS_PORT" --tls --ca "$TLS_DIR/ca.pem" \
      --cert "$TLS_DIR/client.pem" --key "$TLS_DIR/client-key.pem" || return 1
  fi
}

# the beam process of one of our nodes has "-home <its dir> --" on its command line
rabbit_cmdline_mark() { echo "-home $(rabbit_dir "$1") --"; }
rabbit_node_pid() {
  local which=$1 pid
  pid=$(read_pid "$(rabbit_pidfile "$which")")
  if [[ -n $pid ]] && pid_alive "$pid" && pid_cmdline_has "$pid" "$(rabbit_cmdline_mark "$which")"; then
    echo "$pid"
    return 0
  fi
  # running without (or with a stale) pid file: find it by its command line
  pid=$(pids_with_cmdline "$(rabbit_cmdline_mark "$which")" | head -n1)
  [[ -n $pid ]] && echo "$pid"
  return 0
}

# rabbit_start WHICH: starts the node unless it already answers; waits for the handshake
rabbit_start() {
  local which=$1 node pid i
  node=$(rabbit_node_name "$which")
  require_rabbitmq_install
  if rabbit_write_config "$which"; then
    # configuration changed (or first start): a running node must pick it up
    if [[ -n $(rabbit_node_pid "$which") ]]; then
      log "$node: configuration changed, restarting it"
      rabbit_stop "$which"
    fi
  fi
  if rabbit_is_up "$which"; then
    rabbit_provision "$which"
    RABBIT_STATUS="already running (pid $(rabbit_node_pid "$which"))"
    return 0
  fi
  pid=$(rabbit_node_pid "$which")
  if [[ -n $pid ]]; then
    # alive but not answering: maybe still booting
    if probe_amqp --quiet --wait 30 "$(rabbit_probe_args "$which")" && rabbit_is_up "$which"; then
      rabbit_provision "$which"
      RABBIT_STATUS="was starting (pid $pid)"
      return 0
    fi
    warn "$node (pid $pid) runs but does not answer AMQP; restarting it"
    rabbit_stop "$which"
  fi
  rm -f "$(rabbit_pidfile "$which")"
  local port
  for port in $(rabbit_ports "$which"); do
    if port_in_use "$port"; then
      die "port $port (needed by $node) is taken by another process:
$(ss -Hltnp "sport = :$port" 2>/dev/null)
  Stop that process, or run: bash services/down.sh"
    fi
  done
  local out="$(rabbit_logdir "$which")/startup.log"
  (
    close_lock_fds
    rabbit_env "$which"
    cd "$STATE"
    "$RABBIT_BIN/rabbitmq-server" -detached >"$out" 2>&1
  ) || {
    tail_file "$out"
    die "could not launch $node"
  }
  local up=0
  for ((i = 0; i < 120; i++)); do
    if probe_amqp --quiet "$(rabbit_probe_args "$which")" 2>/dev/null; then
      up=1
      break
    fi
    sleep 0.5
  done
  if ((up)) && [[ $which == tls ]]; then
    probe_amqp --wait 10 --quiet "localhost:$TLS_AMQPS_PORT" --tls --ca "$TLS_DIR/ca.pem" \
      --cert "$TLS_DIR/client.pem" --key "$TLS_DIR/client-key.pem" || up=0
  fi
  if ((!up)); then
    tail_file "$out"
    tail_file "$(rabbit_logdir "$which")/$node.log" 60
    die "$node did not answer the AMQP handshake within 60s (logs: $(rabbit_logdir "$which"))"
  fi
  rabbit_provision "$which"
  RABBIT_STATUS="started (pid $(rabbit_node_pid "$which"))"
}

rabbit_ports() {
  case $1 in
  fault) echo "$FAULT_PORT" ;;
  tls) echo "$TLS_PLAIN_PORT $TLS_AMQPS_PORT" ;;
  esac
}

# rabbit_provision WHICH: users/vhosts the tests need; once per mnesia dir (marker inside it)
rabbit_provision() {
  local which=$1 node marker
  [[ $which == fault ]] || return 0
  node=$(rabbit_node_name "$which")
  marker="$(rabbit_dir "$which")/mnesia/$node/.broker-provisioned"
  [[ -f $marker ]] && return 0
  local out="$(rabbit_logdir "$which")/provision.log"
  {
    rmqctl fault await_startup --timeout 60 &&
      { rmqctl fault list_users | grep -q "^$LIMITED_USER\b" || rmqctl fault add_user "$LIMITED_USER" "$LIMITED_PASSWORD"; } &&
      rmqctl fault clear_permissions -p / "$LIMITED_USER" &&
      { rmqctl fault list_vhosts | grep -qx "$FAULT_VHOST" || rmqctl fault add_vhost "$FAULT_VHOST"; } &&
      rmqctl fault set_permissions -p "$FAULT_VHOST" guest '.*' '.*' '.*'
  } >"$out" 2>&1 || {
    tail_file "$out"
    die "could not create user '$LIMITED_USER' / vhost '$FAULT_VHOST' on $node"
  }
  touch "$marker"
}

# rabbit_stop WHICH: graceful stop (rabbitmqctl stop), SIGKILL fallback; idempotent
rabbit_stop() {
  local which=$1 node pid
  node=$(rabbit_node_name "$which")
  pid=$(rabbit_node_pid "$which")
  if [[ -n $pid ]]; then
    RMQCTL_TIMEOUT=60 rmqctl "$which" stop "$(rabbit_pidfile "$which")" >/dev/null 2>&1 || true
    stop_pid "$pid" "$node" 20
  fi
  rm -f "$(rabbit_pidfile "$which")"
}

# rabbit_kill WHICH: hard kill of the node's beam process (no graceful shutdown)
rabbit_kill() {
  local which=$1 pid
  pid=$(rabbit_node_pid "$which")
  if [[ -z $pid ]]; then
    log "$(rabbit_node_name "$which") is not running"
    return 0
  fi
  kill -KILL "$pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 50; i++)); do
    pid_alive "$pid" || break
    sleep 0.1
  done
  rm -f "$(rabbit_pidfile "$which")"
  log "killed $(rabbit_node_name "$which") (pid $pid) with SIGKILL"
}

# ---- TLS material (openssl)
tls_files=(ca.pem ca-key.pem other-ca.pem other-ca-key.pem server.pem server-key.pem
  kafka-server.p12 kafka-truststore.p12 client.pem client-key.pem client-expired.pem
  client-expired-key.pem other-ca-client.pem other-ca-client-key.pem)

# tls_ok: every file exists and no certificate (but the deliberately expired one) expires within 7 days
tls_ok() {
  local f
  for f in "${tls_files[@]}"; do [[ -s $TLS_DIR/$f ]] || return 1; done
  for f in ca.pem other-ca.pem server.pem client.pem other-ca-client.pem; do
    openssl x509 -noout -checkend 604800 -in "$TLS_DIR/$f" >/dev/null 2>&1 || return 1
  done
  [[ -f $TLS_DIR/.complete ]]
}

# ensure_tls: (re)generates everything when missing or expiring; sets TLS_REGENERATED=1 then
TLS_REGENERATED=0
ensure_tls() {
  tls_ok && return 0
  local tmp="$TLS_DIR.tmp.$$" out="$LOGS/tls-generate.log"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! (generate_tls "$tmp") >"$out" 2>&1; then
    tail_file "$out"
    rm -rf "$tmp"
    die "could not generate the test TLS material (see $out)"
  fi
  rm -rf "$TLS_DIR"
  mv "$tmp" "$TLS_DIR"
  TLS_REGENERATED=1
}

generate_tls() {
  set -euo pipefail
  local d=$1 days=825
  cd "$d"
  local start_past="20200101000000Z" end_past="20200102000000Z" end_future
  end_future=$(date -u -d "+$days days" +%Y%m%d%H%M%SZ)
  # A minimal `openssl ca` setup: it is the only openssl command that can write validity dates
  # in the past (x509 -days cannot go negative), which the expired client certificate needs.
  mkdir -p ca-db
  : >ca-db/index.txt
  echo 1000 >ca-db/serial
  cat >ca.cnf <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
dir = $d/ca-db
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ v3_ca ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ v3_server ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[ v3_client ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  newkey() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }
  # sign NAME CN EXT CA_PREFIX START END
  sign() {
    local name=$1 cn=$2 ext=$3 ca=$4 start=$5 end=$6
    newkey "$name-key.pem"
    openssl req -new -config ca.cnf -key "$name-key.pem" -subj "/O=broker-services test/CN=$cn" -out "$name.csr"
    openssl ca -batch -config ca.cnf -notext -cert "$ca.pem" -keyfile "$ca-key.pem" \
      -extensions "$ext" -startdate "$start" -enddate "$end" -in "$name.csr" -out "$name.pem"
    rm -f "$name.csr"
  }
  # CAs: valid from 2020 so that the expired client certificate lies inside the CA's validity
  # (its only defect is being expired).
  for ca in ca other-ca; do
    newkey "$ca-key.pem"
    local cn="broker-services test CA"
    [[ $ca == other-ca ]] && cn="broker-services UNRELATED test CA"
    openssl req -new -config ca.cnf -key "$ca-key.pem" -subj "/O=broker-services test/CN=$cn" -out "$ca.csr"
    openssl ca -batch -config ca.cnf -notext -selfsign -keyfile "$ca-key.pem" -extensions v3_ca \
      -startdate "$start_past" -enddate "$(date -u -d '+3650 days' +%Y%m%d%H%M%SZ)" -in "$ca.csr" -out "$ca.pem"
    rm -f "$ca.csr"
  done
  local now
  now=$(date -u -d '-1 hour' +%Y%m%d%H%M%SZ)
  sign server localhost v3_server ca "$now" "$end_future"
  sign client broker-client v3_client ca "$now" "$end_future"
  sign client-expired broker-client-expired v3_client ca "$start_past" "$end_past"
  sign other-ca-client broker-client-other-ca v3_client other-ca "$now" "$end_future"
  # Kafka: PKCS12 keystore (key + cert + CA chain) and a PKCS12 truststore with the CA
  openssl pkcs12 -export -in server.pem -inkey server-key.pem -certfile ca.pem -name localhost \
    -out kafka-server.p12 -passout "pass:$KEYSTORE_PASSWORD"
  keytool -importcert -noprompt -alias broker-test-ca -file ca.pem -keystore kafka-truststore.p12 \
    -storetype PKCS12 -storepass "$KEYSTORE_PASSWORD"
  chmod 600 ./*-key.pem
  # sanity: the expired certificate is expired, the others verify against their CA
  openssl verify -CAfile ca.pem server.pem client.pem
  openssl verify -CAfile other-ca.pem other-ca-client.pem
  if openssl x509 -checkend 0 -noout -in client-expired.pem; then
    echo "client-expired.pem is not expired" >&2
    return 1
  fi
  rm -rf ca-db ca.cnf
  touch .complete
}

# ---- Kafka jars (Maven Central)
kafka_home() { echo "$STATE/kafka/$KAFKA_VERSION"; }
kafka_libs() { echo "$(kafka_home)/libs"; }

kafka_jars_ok() {
  local home marker f
  home=$(kafka_home)
  marker="$home/.complete"
  [[ -f $marker ]] || return 1
  while IFS= read -r f; do
    [[ -s $home/libs/$f ]] || return 1
  done <"$marker"
  return 0
}

ensure_kafka_jars() {
  kafka_jars_ok && return 0
  (
    take_lock kafka-fetch 600
    kafka_jars_ok || fetch_kafka_jars
  )
}

fetch_kafka_jars() {
  command -v mvn >/dev/null || die "Maven (mvn) is required to fetch Apache Kafka $KAFKA_VERSION: apt-get install -y maven"
  require_java
  local home out
  home=$(kafka_home)
  out="$LOGS/kafka-fetch.log"
  mkdir -p "$home"
  rm -rf "$home/libs" "$home/libs.tmp" "$home/.complete"
  cat >"$home/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- generated by services/lib.sh: fetches the Apache Kafka $KAFKA_VERSION broker and its runtime jars -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.broker-services</groupId>
  <artifactId>kafka-server-libs</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencyManagement>
    <dependencies>
      <!-- one SLF4J 2 API and one binding: log4j2 -->
      <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION</version></dependency>
      <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-api</artifactId><version>$LOG4J_VERSION</version></dependency>
      <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>$LOG4J_VERSION</version></dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
      <exclusions>
        <exclusion><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId></exclusion>
        <exclusion><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId></exclusion>
        <exclusion><groupId>org.slf4j</groupId><artifactId>slf4j-log4j12</artifactId></exclusion>
        <exclusion><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId></exclusion>
      </exclusions>
    </dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>$LOG4J_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>$SLF4J_VERSION</version></dependency>
  </dependencies>
  <build>
    <pluginManagement>
      <plugins>
        <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>
      </plugins>
    </pluginManagement>
  </build>
</project>
EOF
  local repo_args=()
  [[ -n ${BROKER_MAVEN_REPO:-} ]] && repo_args=("-Dmaven.repo.local=$BROKER_MAVEN_REPO")
  log "fetching Apache Kafka $KAFKA_VERSION jars with Maven (log: $out) ..."
  if ! mvn -B -q -f "$home/pom.xml" "${repo_args[@]}" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$home/libs.tmp" >"$out" 2>&1; then
    tail_file "$out" 60
    die "Maven could not fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION (is Maven Central reachable?)"
  fi
  local libs="$home/libs.tmp"
  [[ -s $libs/kafka_2.13-$KAFKA_VERSION.jar && -s $libs/kafka-clients-$KAFKA_VERSION.jar ]] ||
    die "Maven finished but kafka_2.13-$KAFKA_VERSION.jar / kafka-clients are missing in $libs"
  [[ -s $libs/log4j-slf4j2-impl-$LOG4J_VERSION.jar && -s $libs/log4j-core-$LOG4J_VERSION.jar ]] ||
    die "log4j-core/log4j-slf4j2-impl $LOG4J_VERSION missing in $libs"
  local bindings
  bindings=$(cd "$libs" && ls | grep -E '^(slf4j-reload4j|slf4j-log4j12|reload4j|log4j-slf4j-impl|logback-classic|slf4j-simple)-' || true)
  [[ -z $bindings ]] || die "unexpected extra SLF4J bindings in $libs: $bindings"
  mv "$libs" "$home/libs"
  (cd "$home/libs" && ls) >"$home/.complete.tmp"
  mv "$home/.complete.tmp" "$home/.complete"
}

# ---- Kafka processes
# write_log4j2 FILE LOGFILE
write_log4j2() {
  local file=$1 logfile=$2
  cat >"$file" <<EOF
# generated by services/lib.sh
status = warn
name = broker-services-kafka
appender.file.type = RollingFile
appender.file.name = FILE
appender.file.fileName = $logfile
appender.file.filePattern = $logfile.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 50MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 2
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.requestchannel.name = kafka.network.RequestChannel\$
logger.requestchannel.level = WARN
logger.cleaner.name = kafka.log.LogCleaner
logger.cleaner.level = INFO
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = INFO
EOF
}

# require_java: the java on PATH is 17 or newer (Kafka 4.x brokers need it)
require_java() {
  command -v java >/dev/null || die "Java 17+ is required to run Apache Kafka: apt-get install -y openjdk-17-jre-headless"
  local version major
  version=$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)
  major=${version%%.*}
  [[ $major == 1 ]] && major=$(cut -d. -f2 <<<"$version") # 1.8.0_x is Java 8
  if ! [[ $major =~ ^[0-9]+$ ]] || ((major < 17)); then
    die "Java 17+ is required to run Apache Kafka $KAFKA_VERSION, but $(command -v java) is version ${version:-unknown}.
  Install it (apt-get install -y openjdk-17-jre-headless) and put it first on PATH."
  fi
}

# kafka_java ARGS...: java with the Kafka jars on the classpath
kafka_java() {
  java -cp "$(kafka_libs)/*" "$@"
}

new_cluster_id() {
  # a Kafka Uuid: 16 random bytes, base64url without padding, not starting with '-'
  node -e '
    const { randomBytes } = require("node:crypto");
    for (;;) { const id = randomBytes(16).toString("base64url"); if (!id.startsWith("-")) { console.log(id); break; } }'
}

# kafka_format NAME DIR CLUSTER_ID [--add-scram ...]: formats DIR/data for DIR/server.properties
kafka_format() {
  local name=$1 dir=$2 cid=$3
  shift 3
  local out="$LOGS/$name-format.log"
  : >"$out"
  rm -rf "$dir/data"
  mkdir -p "$dir/data"
  write_log4j2 "$dir/log4j2-format.properties" "$LOGS/$name-format.log"
  if ! kafka_java -Dlog4j2.configurationFile="$dir/log4j2-format.properties" kafka.tools.StorageTool \
    format -t "$cid" -c "$dir/server.properties" "$@" >>"$out" 2>&1; then
    tail_file "$out"
    die "kafka-storage format failed for $name (see $out)"
  fi
  echo "$cid" >"$dir/data/.broker-cluster-id"
  sha256sum "$dir/server.properties" | cut -d' ' -f1 >"$dir/data/.broker-config.sha256"
}

# kafka_formatted DIR CLUSTER_ID: data dir formatted for this cluster id and this exact config
kafka_formatted() {
  local dir=$1 cid=$2 meta="$1/data/meta.properties"
  [[ -f $meta ]] || return 1
  grep -qx "cluster.id=$cid" "$meta" || return 1
  [[ -d $dir/data/__cluster_metadata-0 ]] || return 1
  [[ -f $dir/data/.broker-config.sha256 ]] || return 1
  [[ $(cat "$dir/data/.broker-config.sha256") == "$(sha256sum "$dir/server.properties" | cut -d' ' -f1)" ]] || return 1
}

# kafka_node_pid NAME DIR: pid of the running broker that uses DIR/server.properties
kafka_node_pid() {
  local name=$1 dir=$2 pid
  pid=$(read_pid "$PIDS/$name.pid")
  if [[ -n $pid ]] && pid_alive "$pid" && pid_cmdline_has "$pid" "$dir/server.properties"; then
    echo "$pid"
    return 0
  fi
  # a broker of ours running without (or with a stale) pid file: adopt it
  pid=$(pids_with_cmdline "kafka.Kafka $dir/server.properties" | head -n1)
  if [[ -n $pid ]]; then
    echo "$pid" >"$PIDS/$name.pid"
    echo "$pid"
  else
    rm -f "$PIDS/$name.pid"
  fi
  return 0
}

# kafka_launch NAME DIR HEAP: starts kafka.Kafka DIR/server.properties in the background
kafka_launch() {
  local name=$1 dir=$2 heap=$3
  require_java
  write_log4j2 "$dir/log4j2.properties" "$LOGS/$name.log"
  rm -f "$dir/data/.lock"
  # the subshell execs nohup -> setsid -> java: $! is the java pid
  (
    close_lock_fds
    # shellcheck disable=SC2086
    exec nohup setsid java $heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError \
      -Djava.awt.headless=true -Dkafka.logs.dir="$LOGS" \
      -Dlog4j2.configurationFile="$dir/log4j2.properties" \
      -cp "$(kafka_libs)/*" kafka.Kafka "$dir/server.properties" \
      >>"$LOGS/$name.out" 2>&1 </dev/null
  ) &
  echo $! >"$PIDS/$name.pid"
}

# kafka_stop NAME DIR [TIMEOUT]
kafka_stop() {
  local name=$1 dir=$2 timeout=${3:-30} pid
  pid=$(kafka_node_pid "$name" "$dir")
  if [[ -n $pid ]]; then
    stop_pid "$pid" "$name" "$timeout"
  fi
  rm -f "$PIDS/$name.pid"
}

# ---- single-node Kafka (KRaft, combined broker+controller, node.id=1)
KAFKA_SINGLE_NAME=kafka
kafka_single_dir() { echo "$STATE/kafka/single"; }

kafka_single_write_config() {
  local dir
  dir=$(kafka_single_dir)
  mkdir -p "$dir"
  local plain_jaas="org.apache.kafka.common.security.plain.PlainLoginModule required user_${KAFKA_USER}=\"${KAFKA_PASSWORD}\" user_${KAFKA_ADMIN_USER}=\"${KAFKA_ADMIN_PASSWORD}\";"
  local scram_jaas="org.apache.kafka.common.security.scram.ScramLoginModule required;"
  local oauth_jaas="org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub=\"${KAFKA_ADMIN_USER}\";"
  cat >"$dir/server.properties.new" <<EOP
# generated by services/lib.sh -- Apache Kafka $KAFKA_VERSION single node for the @broker/* tests
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PLAINTEXT_PORT,SASL_PLAINTEXT://127.0.0.1:$KAFKA_SASL_PLAINTEXT_PORT,SSL://127.0.0.1:$KAFKA_SSL_PORT,SASL_SSL://127.0.0.1:$KAFKA_SASL_SSL_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://localhost:$KAFKA_PLAINTEXT_PORT,SASL_PLAINTEXT://localhost:$KAFKA_SASL_PLAINTEXT_PORT,SSL://localhost:$KAFKA_SSL_PORT,SASL_SSL://localhost:$KAFKA_SASL_SSL_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
log.dirs=$dir/data

# SASL: PLAIN users in the listener JAAS config; SCRAM users are created by 'kafka-storage format --add-scram';
# OAUTHBEARER uses Kafka's default UNSECURED validator (accepts an unsigned JWT, see services/README.md)
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER
listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER
listener.name.sasl_plaintext.plain.sasl.jaas.config=$plain_jaas
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=$scram_jaas
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=$scram_jaas
listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config=$oauth_jaas
listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER
listener.name.sasl_ssl.plain.sasl.jaas.config=$plain_jaas
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=$scram_jaas
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=$scram_jaas
listener.name.sasl_ssl.oauthbearer.sasl.jaas.config=$oauth_jaas

# TLS: server certificate for DNS:localhost only, signed by the test CA ($TLS_DIR/ca.pem)
ssl.keystore.type=PKCS12
ssl.keystore.location=$TLS_DIR/kafka-server.p12
ssl.keystore.password=$KEYSTORE_PASSWORD
ssl.key.password=$KEYSTORE_PASSWORD
ssl.truststore.type=PEM
ssl.truststore.location=$TLS_DIR/ca.pem
ssl.enabled.protocols=TLSv1.2,TLSv1.3
listener.name.ssl.ssl.client.auth=required
listener.name.sasl_ssl.ssl.client.auth=none

auto.create.topics.enable=true
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
EOP
  # keep the file (and its mtime) unchanged when nothing changed
  if [[ -f $dir/server.properties ]] && cmp -s "$dir/server.properties.new" "$dir/server.properties"; then
    rm -f "$dir/server.properties.new"
  else
    mv "$dir/server.properties.new" "$dir/server.properties"
  fi
}

kafka_single_targets() {
  echo "plaintext://localhost:$KAFKA_PLAINTEXT_PORT"
  echo "sasl_plaintext://$KAFKA_USER:$KAFKA_PASSWORD@localhost:$KAFKA_SASL_PLAINTEXT_PORT"
  echo "ssl://localhost:$KAFKA_SSL_PORT"
  echo "sasl_ssl://$KAFKA_USER:$KAFKA_PASSWORD@localhost:$KAFKA_SASL_SSL_PORT"
}

# kafka_single_probe WAIT_S: every listener serves metadata listing broker 1
kafka_single_probe() {
  local wait=$1
  local targets
  mapfile -t targets < <(kafka_single_targets)
  probe_kafka --quiet --wait "$wait" --expect-brokers 1 --ca "$TLS_DIR/ca.pem" \
    --cert "$TLS_DIR/client.pem" --key "$TLS_DIR/client-key.pem" "${targets[@]}"
}

kafka_single_format() {
  local dir cid
  dir=$(kafka_single_dir)
  cid=$(new_cluster_id)
  kafka_format "$KAFKA_SINGLE_NAME" "$dir" "$cid" \
    --add-scram "SCRAM-SHA-256=[name=$KAFKA_USER,password=$KAFKA_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=$KAFKA_USER,password=$KAFKA_PASSWORD]" \
    --add-scram "SCRAM-SHA-256=[name=$KAFKA_ADMIN_USER,password=$KAFKA_ADMIN_PASSWORD]" \
    --add-scram "SCRAM-SHA-512=[name=$KAFKA_ADMIN_USER,password=$KAFKA_ADMIN_PASSWORD]"
  echo "$cid" >"$dir/cluster-id"
}

kafka_single_ports() {
  echo "$KAFKA_PLAINTEXT_PORT $KAFKA_SASL_PLAINTEXT_PORT $KAFKA_SSL_PORT $KAFKA_SASL_SSL_PORT $KAFKA_CONTROLLER_PORT"
}

# kafka_single_up [FORCE_RESTART]: reuse a healthy broker, else (re)format if needed and start it
kafka_single_up() {
  local force=${1:-0} dir pid
  dir=$(kafka_single_dir)
  ensure_kafka_jars
  local old_sum=""
  [[ -f $dir/server.properties ]] && old_sum=$(sha256sum "$dir/server.properties" | cut -d' ' -f1)
  kafka_single_write_config
  local new_sum
  new_sum=$(sha256sum "$dir/server.properties" | cut -d' ' -f1)
  pid=$(kafka_node_pid "$KAFKA_SINGLE_NAME" "$dir")
  if [[ -n $pid && $force == 0 && $old_sum == "$new_sum" ]]; then
    if kafka_single_probe 2 2>/dev/null; then
      KAFKA_SINGLE_STATUS="already running (pid $pid)"
      return 0
    fi
    # alive but not (yet) serving: it may still be starting
    if kafka_single_probe 45 2>/dev/null; then
      KAFKA_SINGLE_STATUS="was starting (pid $pid)"
      return 0
    fi
    warn "Kafka (pid $pid) runs but does not serve metadata on every listener; restarting it"
  fi
  [[ -n $pid ]] && kafka_stop "$KAFKA_SINGLE_NAME" "$dir" 30
  local port
  for port in $(kafka_single_ports); do
    if port_in_use "$port"; then
      die "port $port (needed by Kafka) is taken by another process:
$(ss -Hltnp "sport = :$port" 2>/dev/null)
  Stop that process (or run: bash services/down.sh) and retry."
    fi
  done
  local attempt reformatted=0
  for attempt in 1 2; do
    local cid=""
    [[ -f $dir/cluster-id ]] && cid=$(cat "$dir/cluster-id")
    if [[ -z $cid ]] || ! kafka_formatted "$dir" "$cid"; then
      [[ -d $dir/data ]] && [[ -n $(ls -A "$dir/data" 2>/dev/null) ]] &&
        log "Kafka data dir $dir/data is stale (other cluster id or config); wiping and re-formatting"
      kafka_single_format
      reformatted=1
    fi
    kafka_launch "$KAFKA_SINGLE_NAME" "$dir" "$KAFKA_HEAP"
    pid=$(read_pid "$PIDS/$KAFKA_SINGLE_NAME.pid")
    if kafka_wait_serving "$pid" 90 kafka_single_probe; then
      KAFKA_SINGLE_STATUS="started (pid $pid)"
      ((reformatted)) && KAFKA_SINGLE_STATUS="started (pid $pid, freshly formatted)"
      return 0
    fi
    kafka_stop "$KAFKA_SINGLE_NAME" "$dir" 10
    if ((attempt == 1 && reformatted == 0)); then
      warn "Kafka did not come up with the existing data dir; wiping it and re-formatting once"
      tail_file "$LOGS/$KAFKA_SINGLE_NAME.log" 30
      rm -rf "$dir/data" "$dir/cluster-id"
      continue
    fi
    break
  done
  tail_file "$LOGS/$KAFKA_SINGLE_NAME.out" 30
  tail_file "$LOGS/$KAFKA_SINGLE_NAME.log" 80
  die "Kafka did not serve metadata on all listeners within 90s (logs: $LOGS/$KAFKA_SINGLE_NAME.log)"
}

# kafka_wait_serving PID TIMEOUT_S PROBE_CMD...: waits until `PROBE_CMD... WAIT_S` passes;
# fails early when PID dies
kafka_wait_serving() {
  local pid=$1 timeout=$2 deadline
  shift 2
  deadline=$(($(date +%s) + timeout))
  while (($(date +%s) < deadline)); do
    pid_alive "$pid" || return 1
    if "$@" 3 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  "$@" 1 || true # print why it fails
  return 1
}

# ---- Python with Debian's python3-pika / python3-kafka (pyenv's python3 may shadow /usr/bin/python3)
find_python() {
  local py
  for py in /usr/bin/python3 "$(command -v python3 || true)"; do
    [[ -n $py && -x $py ]] || continue
    if "$py" -c 'import pika, kafka' >/dev/null 2>&1; then
      echo "$py"
      return 0
    fi
  done
  echo ""
}

# ---- $STATE/services.json: every endpoint, credential and file the tests need
write_services_json() {
  local python
  if [[ -n ${FOUND_PYTHON+set} ]]; then python=$FOUND_PYTHON; else python=$(find_python); fi
  BS_STATE="$STATE" BS_LOGS="$LOGS" BS_PIDS="$PIDS" BS_TLS="$TLS_DIR" BS_SERVICES_DIR="$SERVICES_DIR" \
    BS_PYTHON="$python" BS_KAFKA_VERSION="$KAFKA_VERSION" BS_KEYSTORE_PASSWORD="$KEYSTORE_PASSWORD" \
    BS_MAIN="$MAIN_RABBIT_HOST:$MAIN_RABBIT_PORT:$MAIN_RABBIT_NODE" \
    BS_FAULT="$FAULT_PORT:$FAULT_NODE:$FAULT_VHOST:$LIMITED_USER:$LIMITED_PASSWORD" \
    BS_TLSNODE="$TLS_PLAIN_PORT:$TLS_AMQPS_PORT:$TLS_NODE" \
    BS_KAFKA="$KAFKA_PLAINTEXT_PORT:$KAFKA_SASL_PLAINTEXT_PORT:$KAFKA_SSL_PORT:$KAFKA_SASL_SSL_PORT:$KAFKA_CONTROLLER_PORT" \
    BS_KAFKA_USERS="$KAFKA_USER:$KAFKA_PASSWORD:$KAFKA_ADMIN_USER:$KAFKA_ADMIN_PASSWORD" \
    BS_CLUSTER="${CLUSTER_PORTS[*]}:${CLUSTER_CONTROLLER_PORTS[*]}" \
    node "$SERVICES_DIR/write-services-json.cjs"
}
