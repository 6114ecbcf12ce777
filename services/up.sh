#!/usr/bin/env bash
# Starts (or reuses) every service the @broker/* tests need and writes $STATE/services.json.
# Idempotent: a warm run (everything already up) takes a few seconds. See services/README.md.
set -euo pipefail
# shellcheck source=services/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0=$(now_ms)
take_lock up 600
log "state dir: $STATE (logs: $LOGS)"

# 1. the machine's main RabbitMQ (never stopped by these scripts)
t=$(now_ms)
if info=$(probe_amqp "$MAIN_RABBIT_HOST:$MAIN_RABBIT_PORT" 2>/dev/null); then
  summary "rabbitmq main" "$t" "answers on $MAIN_RABBIT_HOST:$MAIN_RABBIT_PORT (${info#* })"
else
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    die "RabbitMQ does not answer on $MAIN_RABBIT_HOST:$MAIN_RABBIT_PORT and is not installed.
  Install and start it:  apt-get update && apt-get install -y rabbitmq-server && rabbitmq-server -detached
  or with Docker:        docker compose up -d rabbitmq   (the main node only: npm test also needs the local install for its test nodes)"
  fi
  log "RabbitMQ does not answer on $MAIN_RABBIT_HOST:$MAIN_RABBIT_PORT; starting it with 'rabbitmq-server -detached'"
  (close_lock_fds && rabbitmq-server -detached) >"$LOGS/rabbitmq-main-start.log" 2>&1 || true
  if ! info=$(probe_amqp --wait 60 "$MAIN_RABBIT_HOST:$MAIN_RABBIT_PORT"); then
    tail_file "$LOGS/rabbitmq-main-start.log"
    tail_file "/var/log/rabbitmq/$MAIN_RABBIT_NODE.log" 40
    die "RabbitMQ still does not answer on $MAIN_RABBIT_HOST:$MAIN_RABBIT_PORT after 60s.
  Start it by hand:  rabbitmq-server -detached   (Debian: apt-get install -y rabbitmq-server)
  or with Docker:    docker compose up -d rabbitmq   (the main node only: npm test also needs the local install for its test nodes)"
  fi
  summary "rabbitmq main" "$t" "started (${info#* })"
fi

# 2. TLS material (test CA, server/client certificates, keystores)
t=$(now_ms)
ensure_tls
if ((TLS_REGENERATED)); then
  summary "tls material" "$t" "generated in $TLS_DIR"
else
  summary "tls material" "$t" "reused ($TLS_DIR)"
fi

# 3. the two RabbitMQ test nodes and Kafka, in parallel
require_rabbitmq_install
task_rabbit() {
  local which=$1 t
  t=$(now_ms)
  take_lock "rabbit-$which" 300
  if ((TLS_REGENERATED)) && [[ $which == tls && -n $(rabbit_node_pid tls) ]]; then
    log "TLS material was regenerated: restarting $TLS_NODE"
    rabbit_stop tls
  fi
  RABBIT_STATUS=""
  rabbit_start "$which"
  local where
  case $which in
  fault) where="127.0.0.1:$FAULT_PORT" ;;
  tls) where="127.0.0.1:$TLS_PLAIN_PORT, amqps localhost:$TLS_AMQPS_PORT" ;;
  esac
  summary "rabbitmq $which" "$t" "$(rabbit_node_name "$which") on $where: $RABBIT_STATUS"
}
task_kafka() {
  local t
  t=$(now_ms)
  take_lock kafka-single 600
  KAFKA_SINGLE_STATUS=""
  kafka_single_up "$TLS_REGENERATED"
  summary "kafka $KAFKA_VERSION" "$t" "localhost:$KAFKA_PLAINTEXT_PORT..$KAFKA_SASL_SSL_PORT: $KAFKA_SINGLE_STATUS"
}

task_rabbit fault &
p_fault=$!
task_rabbit tls &
p_tls=$!
task_kafka &
p_kafka=$!
failed=()
wait "$p_fault" || failed+=("rabbitmq fault node")
wait "$p_tls" || failed+=("rabbitmq tls node")
wait "$p_kafka" || failed+=("kafka")
if ((${#failed[@]})); then
  die "could not start: ${failed[*]} (see the messages above; logs in $LOGS)"
fi

FOUND_PYTHON=$(find_python)
write_services_json
[[ -n $FOUND_PYTHON ]] ||
  warn "no python3 that imports pika and kafka: apt-get install -y python3-pika python3-kafka (compatibility tests need them)"
summary "all services" "$T0" "up; endpoints in $STATE/services.json"
