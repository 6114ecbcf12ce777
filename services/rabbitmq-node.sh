#!/usr/bin/env bash
# Controls the RabbitMQ nodes owned by the test scripts (never the machine's main node).
#
#   bash services/rabbitmq-node.sh start|stop|restart|kill|status fault|tls
#   bash services/rabbitmq-node.sh close-connections fault|tls
#   bash services/rabbitmq-node.sh memory-alarm-on|memory-alarm-off fault|tls
#
#   fault = broker-fault@localhost (AMQP 127.0.0.1:5673)
#   tls   = broker-tls@localhost   (AMQP 127.0.0.1:5674, AMQPS localhost:5671, client cert required)
# start/restart wait until the node answers the AMQP handshake; kill is a SIGKILL of its beam
# process (no graceful shutdown, clients see the socket die); status exits 0 when it answers.
# memory-alarm-on sets a memory watermark the node is always above, so RabbitMQ raises its memory
# alarm and blocks publishing connections (connection.blocked); memory-alarm-off restores it.
set -euo pipefail
# shellcheck source=services/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  echo "usage: bash services/rabbitmq-node.sh start|stop|restart|kill|status|close-connections|memory-alarm-on|memory-alarm-off fault|tls" >&2
  exit 2
}
[[ $# -eq 2 ]] || usage
cmd=$1
which=$2
[[ $which == fault || $which == tls ]] || usage
node=$(rabbit_node_name "$which")
t=$(now_ms)

case $cmd in
start)
  take_lock "rabbit-$which" 300
  [[ $which == tls ]] && ensure_tls
  RABBIT_STATUS=""
  rabbit_start "$which"
  summary "start $which" "$t" "$node: $RABBIT_STATUS"
  ;;
stop)
  take_lock "rabbit-$which" 300
  rabbit_stop "$which"
  summary "stop $which" "$t" "$node stopped"
  ;;
restart)
  take_lock "rabbit-$which" 300
  rabbit_stop "$which"
  [[ $which == tls ]] && ensure_tls
  RABBIT_STATUS=""
  rabbit_start "$which"
  summary "restart $which" "$t" "$node: $RABBIT_STATUS"
  ;;
kill)
  take_lock "rabbit-$which" 300
  rabbit_kill "$which"
  summary "kill $which" "$t" "$node killed"
  ;;
status)
  pid=$(rabbit_node_pid "$which")
  if rabbit_is_up "$which" 2>/dev/null; then
    echo "$node: running (pid ${pid:-?}), answers AMQP on $(rabbit_probe_args "$which")"
  elif [[ -n $pid ]]; then
    echo "$node: process $pid alive but does NOT answer AMQP on $(rabbit_probe_args "$which")"
    exit 1
  else
    echo "$node: not running (start it: bash services/rabbitmq-node.sh start $which)"
    exit 3
  fi
  ;;
close-connections)
  [[ -n $(rabbit_node_pid "$which") ]] || die "$node is not running (bash services/rabbitmq-node.sh start $which)"
  out=$(RMQCTL_TIMEOUT=60 rmqctl "$which" close_all_connections "test" 2>&1) || {
    echo "$out" >&2
    die "rabbitmqctl close_all_connections failed on $node"
  }
  summary "close-connections" "$t" "$node: all client connections closed (reason \"test\")"
  ;;
memory-alarm-on | memory-alarm-off)
  [[ -n $(rabbit_node_pid "$which") ]] || die "$node is not running (bash services/rabbitmq-node.sh start $which)"
  watermark=$RABBIT_MEMORY_WATERMARK
  [[ $cmd == memory-alarm-on ]] && watermark=0.0000001
  out=$(RMQCTL_TIMEOUT=60 rmqctl "$which" set_vm_memory_high_watermark "$watermark" 2>&1) || {
    echo "$out" >&2
    die "rabbitmqctl set_vm_memory_high_watermark failed on $node"
  }
  summary "$cmd" "$t" "$node: vm_memory_high_watermark $watermark"
  ;;
*) usage ;;
esac
