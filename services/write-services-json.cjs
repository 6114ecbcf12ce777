// Writes $STATE/services.json from the BS_* environment set by write_services_json in
// services/lib.sh (where every port, name and credential is defined). Not for direct use.
const fs = require('node:fs');
const path = require('node:path');

const e = process.env;
const tls = (f) => path.join(e.BS_TLS, f);
const [mainHost, mainPort, mainNode] = e.BS_MAIN.split(':');
const [faultPort, faultNode, vhost, limUser, limPass] = e.BS_FAULT.split(':');
const [tlsPlain, tlsPort, tlsNode] = e.BS_TLSNODE.split(':');
const [kPlain, kSaslPlain, kSsl, kSaslSsl, kController] = e.BS_KAFKA.split(':');
const [kUser, kPass, kAdmin, kAdminPass] = e.BS_KAFKA_USERS.split(':');
const [cPorts, cCtl] = e.BS_CLUSTER.split(':').map((s) => s.split(' '));
const user = (username, password) => ({ username, password });

const services = {
  version: 1,
  stateDir: e.BS_STATE,
  generatedAt: new Date().toISOString(),
  rabbitmq: {
    main: {
      url: `amqp://guest:guest@${mainHost}:${mainPort}`,
      host: mainHost,
      port: Number(mainPort),
      node: mainNode,
      username: 'guest',
      password: 'guest',
    },
    fault: {
      url: `amqp://guest:guest@127.0.0.1:${faultPort}`,
      host: '127.0.0.1',
      port: Number(faultPort),
      node: faultNode,
      username: 'guest',
      password: 'guest',
      vhost,
      vhostUrl: `amqp://guest:guest@127.0.0.1:${faultPort}/${encodeURIComponent(vhost)}`,
      limitedUser: {
        username: limUser,
        password: limPass,
        url: `amqp://${limUser}:${limPass}@127.0.0.1:${faultPort}`,
        note: 'exists, but has no permissions on vhost / (access-refused tests)',
      },
      log: path.join(e.BS_LOGS, 'rabbitmq-fault', `${faultNode}.log`),
    },
    tls: {
      node: tlsNode,
      amqpUrl: `amqp://guest:guest@127.0.0.1:${tlsPlain}`,
      amqpsUrl: `amqps://guest:guest@localhost:${tlsPort}`,
      host: 'localhost',
      port: Number(tlsPort),
      plainPort: Number(tlsPlain),
      wrongHost: '127.0.0.1',
      username: 'guest',
      password: 'guest',
      clientCertRequired: true,
      serverCertSubjectAltNames: ['DNS:localhost'],
      log: path.join(e.BS_LOGS, 'rabbitmq-tls', `${tlsNode}.log`),
    },
  },
  kafka: {
    single: {
      version: e.BS_KAFKA_VERSION,
      plaintext: `localhost:${kPlain}`,
      saslPlaintext: `localhost:${kSaslPlain}`,
      ssl: `localhost:${kSsl}`,
      saslSsl: `localhost:${kSaslSsl}`,
      controller: `127.0.0.1:${kController}`,
      mechanisms: {
        saslPlaintext: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'],
        saslSsl: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512', 'OAUTHBEARER'],
      },
      users: {
        plain: user(kUser, kPass),
        scramSha256: user(kUser, kPass),
        scramSha512: user(kUser, kPass),
        admin: user(kAdmin, kAdminPass),
      },
      oauthbearer: {
        // both SASL listeners enable it (lib.sh); `listener` is the SASL_PLAINTEXT one, kept for older readers
        listener: `localhost:${kSaslPlain}`,
        listeners: [`localhost:${kSaslPlain}`, `localhost:${kSaslSsl}`],
        validator: 'unsecured (Kafka default OAuthBearerUnsecuredValidatorCallbackHandler)',
        token:
          'unsigned JWT: base64url({"alg":"none"}) + "." + base64url({"sub":"<principal>","iat":<s>,"exp":<s in the future>}) + "."',
      },
      sslClientAuth: 'required',
      saslSslClientAuth: 'none',
      log: path.join(e.BS_LOGS, 'kafka.log'),
    },
    cluster: {
      brokers: cPorts.map((p) => `localhost:${p}`),
      controllers: cCtl.map((p) => `127.0.0.1:${p}`),
      nodeIds: [1, 2, 3],
      replicationFactor: 3,
      minInsyncReplicas: 2,
      script: path.join(e.BS_SERVICES_DIR, 'kafka-cluster.sh'),
      logs: [1, 2, 3].map((n) => path.join(e.BS_LOGS, `kafka-cluster-${n}.log`)),
      note: 'not started by services:up; start with clusterUp() or bash services/kafka-cluster.sh up',
    },
  },
  tls: {
    ca: tls('ca.pem'),
    caKey: tls('ca-key.pem'),
    otherCa: tls('other-ca.pem'),
    serverCert: tls('server.pem'),
    serverKey: tls('server-key.pem'),
    clientCert: tls('client.pem'),
    clientKey: tls('client-key.pem'),
    expiredClientCert: tls('client-expired.pem'),
    expiredClientKey: tls('client-expired-key.pem'),
    otherCaClientCert: tls('other-ca-client.pem'),
    otherCaClientKey: tls('other-ca-client-key.pem'),
    kafkaKeystore: tls('kafka-server.p12'),
    kafkaTruststore: tls('kafka-truststore.p12'),
    keystorePassword: e.BS_KEYSTORE_PASSWORD,
  },
  python: {
    executable: e.BS_PYTHON || null,
    note: e.BS_PYTHON
      ? 'imports pika and kafka (Debian python3-pika / python3-kafka)'
      : 'no python3 with pika + kafka found: apt-get install -y python3-pika python3-kafka',
  },
  scripts: {
    up: path.join(e.BS_SERVICES_DIR, 'up.sh'),
    down: path.join(e.BS_SERVICES_DIR, 'down.sh'),
    rabbitmqNode: path.join(e.BS_SERVICES_DIR, 'rabbitmq-node.sh'),
    kafkaCluster: path.join(e.BS_SERVICES_DIR, 'kafka-cluster.sh'),
  },
  logs: e.BS_LOGS,
  pids: e.BS_PIDS,
};

const file = path.join(e.BS_STATE, 'services.json');
fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(services, null, 2)}\n`);
fs.renameSync(`${file}.tmp`, file);
