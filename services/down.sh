#!/usr/bin/env bash
# Stops what services/up.sh and services/kafka-cluster.sh started: the RabbitMQ test nodes
# (broker-fault@localhost, broker-tls@localhost), the single Kafka broker and the Kafka test
# cluster. Never touches the machine's main RabbitMQ (rabbit@localhost). Idempotent.
#
#   bash services/down.sh           stop (data, certificates and the jar cache are kept)
#   bash services/down.sh --purge   stop, then delete all state except the Kafka jar cache
set -euo pipefail
# shellcheck source=services/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

purge=0
case ${1:-} in
"") ;;
--purge) purge=1 ;;
*)
  echo "usage: bash services/down.sh [--purge]" >&2
  exit 2
  ;;
esac

T0=$(now_ms)
take_lock up 600

t=$(now_ms)
if compgen -G "$PIDS/kafka-cluster-*.pid" >/dev/null || [[ -n $(pids_with_cmdline "kafka.Kafka $STATE/kafka/cluster/") ]]; then
  bash "$SERVICES_DIR/kafka-cluster.sh" down
fi

stop_kafka_single() {
  local t
  t=$(now_ms)
  take_lock kafka-single 600
  if [[ -n $(kafka_node_pid "$KAFKA_SINGLE_NAME" "$(kafka_single_dir)") ]]; then
    kafka_stop "$KAFKA_SINGLE_NAME" "$(kafka_single_dir)" 30
    summary "kafka" "$t" "stopped"
  else
    summary "kafka" "$t" "was not running"
  fi
}
stop_rabbit() {
  local which=$1 t
  t=$(now_ms)
  take_lock "rabbit-$which" 300
  if [[ -n $(rabbit_node_pid "$which") ]]; then
    rabbit_stop "$which"
    summary "rabbitmq $which" "$t" "$(rabbit_node_name "$which") stopped"
  else
    summary "rabbitmq $which" "$t" "$(rabbit_node_name "$which") was not running"
  fi
}

stop_kafka_single &
p1=$!
stop_rabbit fault &
p2=$!
stop_rabbit tls &
p3=$!
rc=0
wait "$p1" || rc=1
wait "$p2" || rc=1
wait "$p3" || rc=1

if ((purge)); then
  rm -rf "$STATE/rabbitmq" "$STATE/kafka/single" "$STATE/kafka/cluster" "$TLS_DIR" "$STATE/services.json"
  find "$LOGS" -mindepth 1 -delete 2>/dev/null || true
  log "purged $STATE (kept the Kafka jar cache in $STATE/kafka/<version>)"
fi
((rc == 0)) || die "some services could not be stopped (see above)"
summary "all services" "$T0" "down (the machine's main RabbitMQ on 127.0.0.1:$MAIN_RABBIT_PORT is left running)"
