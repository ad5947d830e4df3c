import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Amazon MSK API operations moto lacks, speaking the REST-JSON wire
 * format of the MSK API reference (paths, camelCase members, errors as an HTTP status with
 * x-amzn-ErrorType and a {message, invalidParameter} body), so kfeed's real
 * @aws-sdk/client-kafka calls run against it unchanged. Clusters are added by the test.
 */

export interface FakeBroker {
  id: number;
  host: string;
  vpcIp: string;
  subnet: string;
}

export interface FakeCluster {
  arn: string;
  name: string;
  state: string;
  kafkaVersion: string;
  /** ZooKeeper-mode clusters report a ZooKeeper connect string; KRaft ones do not. */
  zookeeper: boolean;
  currentVersion: string;
  brokers: FakeBroker[];
  auth: { tls: boolean; scram: boolean; iam: boolean };
  configuration?: { arn: string; revision: number };
}

interface Revision {
  revision: number;
  description: string;
  serverProperties: string;
  creationTime: string;
}

interface Configuration {
  arn: string;
  name: string;
  kafkaVersions: string[];
  creationTime: string;
  revisions: Revision[];
}

interface Operation {
  arn: string;
  clusterArn: string;
  state: string;
  startTime: string;
  endTime?: string;
  target: { arn: string; revision: number };
  source?: { arn: string; revision: number };
  /** Polls left before the rolling restart finishes. */
  pollsLeft: number;
  brokersDone: number;
}

/** MSK's client listeners, and which auth mode each belongs to. */
const CLIENT_LISTENERS: Record<string, keyof FakeCluster['auth'] | 'plaintext'> = {
  CLIENT: 'plaintext',
  CLIENT_SECURE: 'tls',
  CLIENT_SASL_SCRAM: 'scram',
  CLIENT_IAM: 'iam',
};

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly invalidParameter?: string,
  ) {
    super(message);
  }
}

export interface MskServer {
  endpoint: string;
  env: Record<string, string>;
  clusters: Map<string, FakeCluster>;
  configurations: Map<string, Configuration>;
  operations: Map<string, Operation>;
  /** Every request as "METHOD path", for tests that check what was called. */
  calls: string[];
  addCluster(input: {
    name: string;
    kafkaVersion: string;
    zookeeper: boolean;
    brokers: number;
    state?: string;
    brokerIds?: number[];
  }): FakeCluster;
  close(): Promise<void>;
}

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

export async function startMskServer(
  options: { pollsPerOperation?: number; pageSize?: number } = {},
): Promise<MskServer> {
  const clusters = new Map<string, FakeCluster>();
  const configurations = new Map<string, Configuration>();
  const operations = new Map<string, Operation>();
  const calls: string[] = [];
  const pageSize = options.pageSize ?? 2;
  const now = () => new Date().toISOString();

  const cluster = (arn: string) => {
    const found = clusters.get(arn);
    if (!found)
      throw new ApiError(404, 'NotFoundException', `The specified cluster ARN ${arn} doesn't exist.`, 'clusterArn');
    return found;
  };
  const configuration = (arn: string) => {
    const found = configurations.get(arn);
    if (!found)
      throw new ApiError(404, 'NotFoundException', `The specified configuration ARN ${arn} doesn't exist.`, 'arn');
    return found;
  };
  const domainOf = (c: FakeCluster) => c.brokers[0].host.split('.').slice(1).join('.');

  const clusterInfo = (c: FakeCluster) => ({
    clusterArn: c.arn,
    clusterName: c.name,
    clusterType: 'PROVISIONED',
    creationTime: now(),
    currentVersion: c.currentVersion,
    state: c.state,
    tags: {},
    provisioned: {
      brokerNodeGroupInfo: {
        clientSubnets: c.brokers.map((b) => b.subnet),
        instanceType: 'kafka.m5.large',
        securityGroups: ['sg-0kfeed'],
      },
      currentBrokerSoftwareInfo: {
        kafkaVersion: c.kafkaVersion,
        ...(c.configuration
          ? { configurationArn: c.configuration.arn, configurationRevision: c.configuration.revision }
          : {}),
      },
      clientAuthentication: {
        tls: {
          enabled: c.auth.tls,
          certificateAuthorityArnList: c.auth.tls
            ? [`arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/kfeed`]
            : [],
        },
        sasl: { scram: { enabled: c.auth.scram }, iam: { enabled: c.auth.iam } },
        unauthenticated: { enabled: false },
      },
      numberOfBrokerNodes: c.brokers.length,
      ...(c.zookeeper
        ? { zookeeperConnectString: `z-1.${domainOf(c)}:2181`, zookeeperConnectStringTls: `z-1.${domainOf(c)}:2182` }
        : {}),
    },
  });

  const bootstrap = (c: FakeCluster, port: number) => c.brokers.map((b) => `${b.host}:${port}`).join(',');

  /** What MSK checks synchronously when a configuration with custom.advertised.listeners is applied. */
  const validateCustomListeners = (c: FakeCluster, properties: string) => {
    const line = properties.split('\n').find((l) => l.startsWith('custom.advertised.listeners='));
    if (!line) return;
    for (const entry of line.slice('custom.advertised.listeners='.length).split(',')) {
      const match = /^([A-Z_]+):\/\/([^:]+):(\d+)\+\{broker_id\}$/.exec(entry.trim());
      if (!match)
        throw new ApiError(
          400,
          'BadRequestException',
          `Invalid custom.advertised.listeners entry ${entry}: expected LISTENER://host:port+{broker_id}`,
          'configurationInfo',
        );
      const mode = CLIENT_LISTENERS[match[1]];
      if (!mode)
        throw new ApiError(
          400,
          'BadRequestException',
          `Listener ${match[1]} is not a client listener`,
          'configurationInfo',
        );
      if (mode !== 'plaintext' && !c.auth[mode])
        throw new ApiError(
          400,
          'BadRequestException',
          `Listener ${match[1]} is not bound on this cluster`,
          'configurationInfo',
        );
    }
  };

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- request bodies are read by shape
  const routes: Array<[string, RegExp, (m: string[], body: any, query: URLSearchParams) => unknown]> = [
    [
      'GET',
      /^\/api\/v2\/clusters$/,
      (_m, _b, q) => {
        const filter = q.get('clusterNameFilter') ?? '';
        const all = [...clusters.values()].filter((c) => c.name.startsWith(filter));
        const start = Number(q.get('nextToken') ?? 0);
        const page = all.slice(start, start + pageSize);
        return {
          clusterInfoList: page.map(clusterInfo),
          ...(start + pageSize < all.length ? { nextToken: String(start + pageSize) } : {}),
        };
      },
    ],
    ['GET', /^\/api\/v2\/clusters\/([^/]+)$/, ([arn]) => ({ clusterInfo: clusterInfo(cluster(arn)) })],
    [
      'GET',
      /^\/v1\/clusters\/([^/]+)\/bootstrap-brokers$/,
      ([arn]) => {
        const c = cluster(arn);
        return {
          ...(c.auth.tls ? { bootstrapBrokerStringTls: bootstrap(c, 9094) } : {}),
          ...(c.auth.scram ? { bootstrapBrokerStringSaslScram: bootstrap(c, 9096) } : {}),
          ...(c.auth.iam ? { bootstrapBrokerStringSaslIam: bootstrap(c, 9098) } : {}),
        };
      },
    ],
    [
      'GET',
      /^\/v1\/clusters\/([^/]+)\/nodes$/,
      ([arn], _b, q) => {
        const c = cluster(arn);
        const start = Number(q.get('nextToken') ?? 0);
        const page = c.brokers.slice(start, start + pageSize);
        return {
          nodeInfoList: page.map((b) => ({
            addedToClusterTime: now(),
            instanceType: 'm5.large',
            nodeARN: `arn:aws:kafka:${REGION}:${ACCOUNT}:broker/${c.name}/${b.id}`,
            nodeType: 'BROKER',
            brokerNodeInfo: {
              attachedENIId: `eni-${b.id}`,
              brokerId: b.id,
              clientSubnet: b.subnet,
              clientVpcIpAddress: b.vpcIp,
              currentBrokerSoftwareInfo: { kafkaVersion: c.kafkaVersion },
              endpoints: [b.host],
            },
          })),
          ...(start + pageSize < c.brokers.length ? { nextToken: String(start + pageSize) } : {}),
        };
      },
    ],
    [
      'POST',
      /^\/v1\/configurations$/,
      (_m, body) => {
        if (!body?.name || !body?.serverProperties)
          throw new ApiError(
            400,
            'BadRequestException',
            'name and serverProperties are required',
            body?.name ? 'serverProperties' : 'name',
          );
        const arn = `arn:aws:kafka:${REGION}:${ACCOUNT}:configuration/${body.name}/${crypto.randomUUID()}`;
        const revision: Revision = {
          revision: 1,
          description: body.description ?? '',
          serverProperties: Buffer.from(body.serverProperties, 'base64').toString('utf8'),
          creationTime: now(),
        };
        configurations.set(arn, {
          arn,
          name: body.name,
          kafkaVersions: body.kafkaVersions ?? [],
          creationTime: revision.creationTime,
          revisions: [revision],
        });
        return {
          arn,
          creationTime: revision.creationTime,
          latestRevision: { creationTime: revision.creationTime, description: revision.description, revision: 1 },
          name: body.name,
          state: 'ACTIVE',
        };
      },
    ],
    [
      'PUT',
      /^\/v1\/configurations\/([^/]+)$/,
      ([arn], body) => {
        const c = configuration(arn);
        if (!body?.serverProperties)
          throw new ApiError(400, 'BadRequestException', 'serverProperties is required', 'serverProperties');
        const revision: Revision = {
          revision: c.revisions.length + 1,
          description: body.description ?? '',
          serverProperties: Buffer.from(body.serverProperties, 'base64').toString('utf8'),
          creationTime: now(),
        };
        c.revisions.push(revision);
        return {
          arn,
          latestRevision: {
            creationTime: revision.creationTime,
            description: revision.description,
            revision: revision.revision,
          },
        };
      },
    ],
    [
      'GET',
      /^\/v1\/configurations\/([^/]+)$/,
      ([arn]) => {
        const c = configuration(arn);
        const latest = c.revisions[c.revisions.length - 1];
        return {
          arn,
          creationTime: c.creationTime,
          description: latest.description,
          kafkaVersions: c.kafkaVersions,
          latestRevision: {
            creationTime: latest.creationTime,
            description: latest.description,
            revision: latest.revision,
          },
          name: c.name,
          state: 'ACTIVE',
        };
      },
    ],
    [
      'GET',
      /^\/v1\/configurations\/([^/]+)\/revisions\/(\d+)$/,
      ([arn, number]) => {
        const r = configuration(arn).revisions.find((x) => x.revision === Number(number));
        if (!r) throw new ApiError(404, 'NotFoundException', `Revision ${number} of ${arn} doesn't exist.`, 'revision');
        return {
          arn,
          creationTime: r.creationTime,
          description: r.description,
          revision: r.revision,
          serverProperties: Buffer.from(r.serverProperties).toString('base64'),
        };
      },
    ],
    [
      'PUT',
      /^\/v1\/clusters\/([^/]+)\/configuration$/,
      ([arn], body) => {
        const c = cluster(arn);
        if (c.state !== 'ACTIVE')
          throw new ApiError(
            400,
            'BadRequestException',
            `The cluster is in ${c.state} state; it must be ACTIVE.`,
            'clusterArn',
          );
        if (body?.currentVersion !== c.currentVersion)
          throw new ApiError(
            400,
            'BadRequestException',
            'The cluster version does not match the current version.',
            'currentVersion',
          );
        const info = body?.configurationInfo;
        const revision = configuration(info?.arn).revisions.find((r) => r.revision === Number(info?.revision));
        if (!revision)
          throw new ApiError(
            400,
            'BadRequestException',
            'The configuration revision does not exist.',
            'configurationInfo',
          );
        validateCustomListeners(c, revision.serverProperties);
        const operation: Operation = {
          arn: `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster-operation/${c.name}/${crypto.randomUUID()}`,
          clusterArn: c.arn,
          state: 'PENDING',
          startTime: now(),
          target: { arn: info.arn, revision: revision.revision },
          source: c.configuration,
          pollsLeft: options.pollsPerOperation ?? 3,
          brokersDone: 0,
        };
        operations.set(operation.arn, operation);
        c.state = 'UPDATING';
        return { clusterArn: c.arn, clusterOperationArn: operation.arn };
      },
    ],
    ['GET', /^\/api\/v2\/operations\/([^/]+)$/, ([arn]) => ({ clusterOperationInfo: operationInfo(advance(arn), 2) })],
    ['GET', /^\/v1\/operations\/([^/]+)$/, ([arn]) => ({ clusterOperationInfo: operationInfo(advance(arn), 1) })],
  ];

  /** Each poll moves the rolling restart on by one broker, then completes it. */
  function advance(arn: string): Operation {
    const operation = operations.get(arn);
    if (!operation)
      throw new ApiError(
        404,
        'NotFoundException',
        `The specified cluster operation ARN ${arn} doesn't exist.`,
        'clusterOperationArn',
      );
    if (operation.state === 'UPDATE_COMPLETE' || operation.state === 'UPDATE_FAILED') return operation;
    const c = cluster(operation.clusterArn);
    operation.pollsLeft -= 1;
    if (operation.pollsLeft > 0) {
      operation.state = 'UPDATE_IN_PROGRESS';
      operation.brokersDone = Math.min(c.brokers.length, operation.brokersDone + 1);
      return operation;
    }
    operation.state = 'UPDATE_COMPLETE';
    operation.brokersDone = c.brokers.length;
    operation.endTime = now();
    c.configuration = operation.target;
    c.state = 'ACTIVE';
    c.currentVersion = `K${crypto.randomBytes(6).toString('hex').toUpperCase()}`;
    return operation;
  }

  function operationInfo(o: Operation, version: 1 | 2) {
    const steps = [
      { stepName: 'INITIALIZE_UPDATE', stepInfo: { stepStatus: 'SUCCESS' } },
      {
        stepName: 'UPDATE_BROKER_CONFIGURATION',
        stepInfo: { stepStatus: o.state === 'UPDATE_COMPLETE' ? 'SUCCESS' : 'IN_PROGRESS' },
      },
      { stepName: 'FINALIZE_UPDATE', stepInfo: { stepStatus: o.state === 'UPDATE_COMPLETE' ? 'SUCCESS' : 'PENDING' } },
    ];
    const common = {
      clusterArn: o.clusterArn,
      operationArn: o.arn,
      operationState: o.state,
      operationType: 'UPDATE_CLUSTER_CONFIGURATION',
      startTime: o.startTime,
      ...(o.endTime ? { endTime: o.endTime } : {}),
    };
    const source = o.source ? { configurationInfo: o.source } : {};
    const target = { configurationInfo: o.target };
    if (version === 1)
      return { ...common, operationSteps: steps, sourceClusterInfo: source, targetClusterInfo: target };
    return {
      ...common,
      clusterType: 'PROVISIONED',
      provisioned: { operationSteps: steps, sourceClusterInfo: source, targetClusterInfo: target },
    };
  }

  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (d) => (raw += d));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      calls.push(`${request.method} ${url.pathname}`);
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { 'content-type': 'application/json', ...headers });
        response.end(JSON.stringify(body));
      };
      try {
        for (const [method, pattern, handler] of routes) {
          if (method !== request.method) continue;
          const match = pattern.exec(url.pathname);
          if (!match) continue;
          // ARNs arrive percent-encoded in one path segment each.
          const params = match.slice(1).map((p) => decodeURIComponent(p));
          const body = raw ? JSON.parse(raw) : undefined;
          return send(200, handler(params, body, url.searchParams));
        }
        throw new ApiError(
          404,
          'NotFoundException',
          `No MSK operation at ${request.method} ${url.pathname} in this test server`,
        );
      } catch (error) {
        if (error instanceof ApiError) {
          return send(
            error.status,
            { message: error.message, ...(error.invalidParameter ? { invalidParameter: error.invalidParameter } : {}) },
            { 'x-amzn-ErrorType': error.type },
          );
        }
        return send(500, { message: (error as Error).message }, { 'x-amzn-ErrorType': 'InternalServerErrorException' });
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    endpoint,
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    },
    clusters,
    configurations,
    operations,
    calls,
    addCluster(input) {
      const id = crypto.randomBytes(4).toString('hex');
      const domain = `${input.name}.${id}.c2.kafka.${REGION}.amazonaws.com`;
      const ids = input.brokerIds ?? Array.from({ length: input.brokers }, (_, i) => i + 1);
      const c: FakeCluster = {
        arn: `arn:aws:kafka:${REGION}:${ACCOUNT}:cluster/${input.name}/${crypto.randomUUID()}-2`,
        name: input.name,
        state: input.state ?? 'ACTIVE',
        kafkaVersion: input.kafkaVersion,
        zookeeper: input.zookeeper,
        currentVersion: 'K3AEGXETSR30VB',
        // ListNodes order is not broker-id order on purpose.
        brokers: ids
          .map((n, i) => ({ id: n, host: `b-${n}.${domain}`, vpcIp: `10.0.${i}.${10 + n}`, subnet: `subnet-${i}` }))
          .reverse(),
        auth: { tls: true, scram: false, iam: false },
      };
      clusters.set(c.arn, c);
      return c;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
