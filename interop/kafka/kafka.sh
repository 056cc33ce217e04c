#!/usr/bin/env bash
# A real Apache Kafka for kwire's tests: KRaft brokers from Maven Central, on 127.0.0.1.
#
#   kafka.sh [--brokers N] [--dir DIR] [--heap SIZE] [--timeout SECONDS]
#       Resolves the jars (pom.xml, into Maven's local repository), prepares DIR (free ports, a
#       throw-away CA and broker certificate, SASL users, one formatted KRaft log directory per
#       node), starts N combined broker+controller nodes (default 1), prints exactly
#       "ready HOST:PORT[,HOST:PORT...]" (the PLAINTEXT listeners) on stdout once every node has
#       started and accepts connections, and runs until SIGTERM or SIGINT, which stop the nodes
#       cleanly. DIR/cluster.env says the rest: SASL_SSL listeners, the CA, the users.
#   kafka.sh --dir DIR --node I
#       Starts node I of the cluster in DIR again, on its own log directory and ports (after a
#       test killed it), prints "ready HOST:PORT" and runs until SIGTERM as above.
#   kafka.sh classpath
#       Resolves and compiles, and prints the classpath of Kafka, its tools and src/.
#   kafka.sh run CLASS [ARG...]
#       Runs a main class on that classpath: Kafka's tools or kwire's programs in src/.
#
# Environment: JAVA_HOME (else java on PATH), KAFKA_HEAP (default 1g, per node, as Kafka's
# kafka-server-start.sh), KAFKA_HEAP_OPTS (JVM heap options for `run`, as Kafka's tool scripts
# take them; kafka-producer-perf-test.sh sets -Xmx512M), MAVEN_ARGS (extra arguments for mvn).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
host=127.0.0.1

die() { echo "kafka.sh: $*" >&2; exit 1; }
say() { echo "kafka.sh: $*" >&2; }

# classpath resolves pom.xml and compiles src/ once, again only when one of them changed, under a
# lock so that concurrent callers share the work; it prints the classpath.
classpath() {
  command -v "$java" >/dev/null || die "no java: install a JDK 17 or set JAVA_HOME"
  local target=$here/target stamp=$here/target/classpath.txt
  mkdir -p "$target"
  (
    flock 9
    if [ ! -s "$stamp" ] || [ -n "$(find "$here/pom.xml" "$here/src" -newer "$stamp" -type f 2>/dev/null | head -1)" ]; then
      command -v mvn >/dev/null || die "no mvn: install Maven to resolve Kafka's jars"
      say "resolving Kafka's jars and compiling src/ with Maven (first run: a minute or so)"
      # shellcheck disable=SC2086
      mvn -q -B -Dstyle.color=never -f "$here/pom.xml" ${MAVEN_ARGS:-} compile dependency:build-classpath \
        -Dmdep.outputFile="$stamp.new" >&2 || die "mvn could not resolve or compile $here/pom.xml"
      mv "$stamp.new" "$stamp"
    fi
  ) 9>"$target/.lock"
  printf '%s:%s\n' "$target/classes" "$(cat "$stamp")"
}

# jvm_opts are Kafka's own defaults for its server and tools (kafka-run-class.sh).
jvm_opts=(-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
  -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true)

run_tool() {
  local cp
  cp=$(classpath)
  # shellcheck disable=SC2086
  exec "$java" ${KAFKA_HEAP_OPTS:-} "${jvm_opts[@]}" -Dlog4j2.configurationFile="$here/log4j2-tools.properties" -cp "$cp" "$@"
}

# free_ports prints n TCP ports on $host that nothing listens on, below Linux's ephemeral range so
# that no outgoing connection takes one before a broker binds it.
free_ports() {
  local n=$1 port found=()
  while ((${#found[@]} < n)); do
    port=$(shuf -i 20000-32000 -n 1)
    [[ " ${found[*]} " == *" $port "* ]] && continue
    if ! (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then found+=("$port"); fi
  done
  echo "${found[@]}"
}

# make_tls writes a throw-away CA and a certificate for 127.0.0.1 and localhost signed by it; the
# broker reads its key and chain from one PEM file.
make_tls() {
  local d=$1/tls
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=kwire throw-away test CA" \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$host" -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:%s,DNS:localhost\n' "$host" >"$d/san.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 7 \
    -extfile "$d/san.ext" -out "$d/server.crt" 2>/dev/null
  cat "$d/server.key" "$d/server.crt" "$d/ca.pem" >"$d/server.pem"
}

# node_config prints server.properties for node $1 of the cluster described by cluster.env.
node_config() {
  local i=$1 voters="" j port sasl ctl rf=$((BROKERS < 3 ? BROKERS : 3)) isr=$((BROKERS < 3 ? 1 : 2))
  for ((j = 1; j <= BROKERS; j++)); do
    ctl=NODE_${j}_CONTROLLER_PORT
    voters+="${voters:+,}$j@$host:${!ctl}"
  done
  port=NODE_${i}_PORT sasl=NODE_${i}_SASL_SSL_PORT ctl=NODE_${i}_CONTROLLER_PORT
  cat <<EOF
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$host:${!port},SASL_SSL://$host:${!sasl},CONTROLLER://$host:${!ctl}
advertised.listeners=PLAINTEXT://$host:${!port},SASL_SSL://$host:${!sasl}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/node-$i/data
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
group.initial.rebalance.delay.ms=0
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USERNAME="$SASL_PASSWORD";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=$DIR/tls/server.pem
EOF
}

# prepare writes cluster.env, the TLS files and each node's configuration into $DIR, and formats
# each node's log directory with the SASL users.
prepare() {
  local cp=$1 i ports id
  mkdir -p "$DIR"
  make_tls "$DIR"
  read -r -a ports <<<"$(free_ports $((3 * BROKERS)))"
  id=$("$java" -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null) || die "kafka-storage random-uuid failed"
  {
    echo "BROKERS=$BROKERS"
    echo "CLUSTER_ID=$id"
    echo "HOST=$host"
    local boot="" sboot=""
    for ((i = 1; i <= BROKERS; i++)); do
      echo "NODE_${i}_PORT=${ports[3 * i - 3]}"
      echo "NODE_${i}_SASL_SSL_PORT=${ports[3 * i - 2]}"
      echo "NODE_${i}_CONTROLLER_PORT=${ports[3 * i - 1]}"
      boot+="${boot:+,}$host:${ports[3 * i - 3]}"
      sboot+="${sboot:+,}$host:${ports[3 * i - 2]}"
    done
    echo "BOOTSTRAP=$boot"
    echo "SASL_SSL_BOOTSTRAP=$sboot"
    echo "CA_FILE=$DIR/tls/ca.pem"
    echo "SASL_MECHANISMS=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512"
    echo "SASL_USERNAME=kwire"
    echo "SASL_PASSWORD=$(openssl rand -hex 12)"
  } >"$DIR/cluster.env"
  # shellcheck disable=SC1091
  . "$DIR/cluster.env"
  for ((i = 1; i <= BROKERS; i++)); do
    mkdir -p "$DIR/node-$i"
    node_config "$i" >"$DIR/node-$i/server.properties"
    "$java" -Dlog4j2.configurationFile="$here/log4j2-tools.properties" -cp "$cp" kafka.tools.StorageTool format \
      -t "$CLUSTER_ID" -c "$DIR/node-$i/server.properties" \
      --add-scram "SCRAM-SHA-256=[name=$SASL_USERNAME,password=$SASL_PASSWORD]" \
      --add-scram "SCRAM-SHA-512=[name=$SASL_USERNAME,password=$SASL_PASSWORD]" \
      >"$DIR/node-$i/format.log" 2>&1 || { cat "$DIR/node-$i/format.log" >&2; die "formatting node $i failed"; }
  done
}

started=() # the JVMs this script started: "node:pid"

start_node() {
  local cp=$1 i=$2 d=$DIR/node-$2
  : >"$d/server.log"
  "$java" -Xms"${KAFKA_HEAP:-1g}" -Xmx"${KAFKA_HEAP:-1g}" "${jvm_opts[@]}" \
    -Dlog4j2.configurationFile="$here/log4j2.properties" -Dkafka.logs.dir="$d" \
    -cp "$cp" kafka.Kafka "$d/server.properties" >"$d/stdout.log" 2>&1 &
  echo $! >"$d/pid"
  started+=("$i:$!")
}

# wait_ready waits until every node this script started has logged that it started and accepts
# connections on its PLAINTEXT port, or fails with the end of the log of the node that did not.
wait_ready() {
  local deadline=$((SECONDS + TIMEOUT)) entry i pid port pending
  while :; do
    pending=0
    for entry in "${started[@]}"; do
      i=${entry%%:*} pid=${entry#*:} port=NODE_${i}_PORT
      if ! kill -0 "$pid" 2>/dev/null; then
        tail -30 "$DIR/node-$i/server.log" "$DIR/node-$i/stdout.log" >&2
        die "node $i exited during start-up (logs above, all of them in $DIR/node-$i)"
      fi
      if grep -q 'Kafka Server started' "$DIR/node-$i/server.log" && (exec 3<>"/dev/tcp/$host/${!port}") 2>/dev/null; then
        continue
      fi
      pending=$((pending + 1))
      if ((SECONDS >= deadline)); then
        tail -30 "$DIR/node-$i/server.log" >&2
        die "node $i did not start within ${TIMEOUT}s (--timeout; log in $DIR/node-$i/server.log)"
      fi
    done
    ((pending == 0)) && return
    sleep 0.2
  done
}

# stop sends SIGTERM to the JVMs this script started and waits for them to shut down (Kafka's
# shutdown hook closes the logs cleanly), killing any that take over a minute.
stop() {
  trap '' TERM INT
  local entry pid waited=0
  for entry in "${started[@]}"; do kill -TERM "${entry#*:}" 2>/dev/null || true; done
  for entry in "${started[@]}"; do
    pid=${entry#*:}
    while kill -0 "$pid" 2>/dev/null && ((waited < 600)); do sleep 0.1; waited=$((waited + 1)); done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [ -n "${tmpdir:-}" ] && rm -rf "$tmpdir"
  exit 0
}

# supervise runs until a signal, saying on stderr when a node exits by itself (or is killed by a
# test), which does not stop the others.
supervise() {
  local entry alive=("${started[@]}") still
  while :; do
    still=()
    for entry in "${alive[@]}"; do
      if kill -0 "${entry#*:}" 2>/dev/null; then still+=("$entry"); else say "node ${entry%%:*} (pid ${entry#*:}) exited"; fi
    done
    alive=("${still[@]}")
    sleep 0.5 &
    wait $! || true
  done
}

main() {
  local brokers="" node="" cp i boot="" entry port
  DIR="" TIMEOUT=240
  while (($#)); do
    case $1 in
    --brokers) brokers=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    --node) node=$2; shift 2 ;;
    --heap) KAFKA_HEAP=$2; shift 2 ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    start) shift ;;
    classpath) classpath; return ;;
    run) shift; (($#)) || die "run: which class?"; run_tool "$@" ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; return ;;
    *) die "unknown argument $1 (see --help)" ;;
    esac
  done
  command -v openssl >/dev/null || die "no openssl: it makes the throw-away CA"
  cp=$(classpath)
  if [ -z "$DIR" ]; then
    tmpdir=$(mktemp -d /tmp/kwire-kafka.XXXXXX) DIR=$tmpdir
  fi
  DIR=$(cd "$DIR" 2>/dev/null && pwd || echo "$DIR")
  trap stop TERM INT
  if [ -f "$DIR/cluster.env" ]; then
    # shellcheck disable=SC1091
    . "$DIR/cluster.env"
    [ -z "$brokers" ] || [ "$brokers" = "$BROKERS" ] || die "$DIR holds a cluster of $BROKERS, not $brokers"
  else
    [ -z "$node" ] || die "--node needs the --dir of a cluster started before"
    BROKERS=${brokers:-1}
    [[ $BROKERS =~ ^[1-9]$ ]] || die "--brokers takes 1 to 9, not $BROKERS"
    prepare "$cp"
  fi
  if [ -n "$node" ]; then
    ((node >= 1 && node <= BROKERS)) || die "--node $node: the cluster has nodes 1 to $BROKERS"
    start_node "$cp" "$node"
  else
    for ((i = 1; i <= BROKERS; i++)); do start_node "$cp" "$i"; done
  fi
  say "starting ${#started[@]} node(s) in $DIR"
  wait_ready
  for entry in "${started[@]}"; do
    port=NODE_${entry%%:*}_PORT
    boot+="${boot:+,}$host:${!port}"
  done
  echo "ready $boot"
  supervise
}

main "$@"
