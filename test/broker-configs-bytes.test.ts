import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kfeedPaths } from '../src/config/paths.js';
import { encodeIncrementalAlterConfigs } from '../src/kafka/broker-configs.js';
import type { ConfigOperation } from '../src/kafka/listeners.js';
import { requireTool, tempDir } from './helpers/env.js';

/**
 * kfeed sends IncrementalAlterConfigs through kafkajs's private encoder (kafkajs has no such
 * request). The oracle: Apache Kafka's own generated message class, from the kafka-clients jar
 * the suite's brokers run on, must write the very same bytes for the same request.
 */
function kafkaClientsJar(): string {
  const cache = kfeedPaths(process.env).cacheDir;
  const dirs = fs.existsSync(cache)
    ? fs
        .readdirSync(cache)
        .filter((d) => /^kafka-\d/.test(d))
        .sort()
    : [];
  for (const dir of dirs) {
    const libs = path.join(cache, dir, 'libs');
    const jar = fs.existsSync(libs)
      ? fs.readdirSync(libs).find((f) => /^kafka-clients-[\d.]+\.jar$/.test(f))
      : undefined;
    if (jar) return path.join(libs, jar);
  }
  throw new Error(`no kafka-clients jar under ${cache}: the suite's global setup (kfeed local up) fetches it`);
}

const JAVA = `
import java.nio.ByteBuffer;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.ObjectSerializationCache;

/** args: brokerId, then name op value triples (op 0 set, 1 delete; value "-" for null). */
public class Encode {
  public static void main(String[] args) {
    AlterConfigsResource resource = new AlterConfigsResource().setResourceType((byte) 4).setResourceName(args[0]);
    for (int i = 1; i + 2 < args.length; i += 3) {
      resource.configs().add(new AlterableConfig().setName(args[i]).setConfigOperation(Byte.parseByte(args[i + 1]))
          .setValue(args[i + 2].equals("-") ? null : args[i + 2]));
    }
    IncrementalAlterConfigsRequestData data = new IncrementalAlterConfigsRequestData().setValidateOnly(false);
    data.resources().add(resource);
    ObjectSerializationCache cache = new ObjectSerializationCache();
    short version = 0;
    ByteBuffer buffer = ByteBuffer.allocate(data.size(cache, version));
    data.write(new ByteBufferAccessor(buffer), cache, version);
    StringBuilder hex = new StringBuilder();
    for (byte b : buffer.array()) hex.append(String.format("%02x", b));
    System.out.println(hex);
  }
}
`;

describe("IncrementalAlterConfigs bytes: kfeed's encoder against Apache Kafka's Java client", () => {
  it('writes the same request body, byte for byte, for sets (with UTF-8 and empty values) and deletes', () => {
    requireTool('java', 'install a JDK (apt-get install openjdk-17-jdk-headless)');
    const dir = tempDir('kfeed-iac-');
    fs.writeFileSync(path.join(dir, 'Encode.java'), JAVA);
    const cases: Array<[number, ConfigOperation[]]> = [
      [1, [{ name: 'listeners', op: 'set', value: 'SSL://:9093,CLIENT_SECURE_VPCE://:8441' }]],
      [
        3,
        [
          { name: 'listener.security.protocol.map', op: 'set', value: 'SSL:SSL,CLIENT_SECURE_VPCE:SSL' },
          {
            name: 'advertised.listeners',
            op: 'set',
            value: 'CLIENT_SECURE_VPCE://b-3-tls.example.com:8443,SSL://börse.example:9093',
          },
          { name: 'listener.name.client_secure_vpce.ssl.client.auth', op: 'set', value: '' },
          { name: 'listeners', op: 'delete' },
        ],
      ],
    ];
    for (const [brokerId, operations] of cases) {
      const args = operations.flatMap((o) => [o.name, o.op === 'set' ? '0' : '1', o.op === 'set' ? o.value! : '-']);
      const java = spawnSync(
        'java',
        ['-cp', kafkaClientsJar(), path.join(dir, 'Encode.java'), String(brokerId), ...args],
        { encoding: 'utf8' },
      );
      expect(java.stderr).toBe('');
      expect(java.status).toBe(0);
      expect(encodeIncrementalAlterConfigs(brokerId, operations).toString('hex')).toBe(java.stdout.trim());
    }
  });
});
