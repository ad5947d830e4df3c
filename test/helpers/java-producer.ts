import fs from 'node:fs';
import path from 'node:path';
import { kfeedPaths } from '../../src/config/paths.js';
import { readClusterState } from '../../src/local/cluster.js';
import { requireTool, tempDir } from './env.js';
import { writeJavaClientProperties } from './java-client.js';
import type { KafkaToolTarget } from './kafka-tools.js';
import { runProcess } from './spawn.js';

/**
 * Apache Kafka's own Java producer, run as a single-file program (java Producer.java) on the
 * local cluster's jars: records with chosen partitions, keys and timestamps, written by a client
 * that shares no code with kfeed. Input lines: partition TAB timestamp TAB key TAB value.
 */
const SOURCE = `
import java.io.*;
import java.util.Properties;
import org.apache.kafka.clients.producer.*;
import org.apache.kafka.common.serialization.StringSerializer;

public class Producer {
  public static void main(String[] args) throws Exception {
    Properties props = new Properties();
    try (FileReader reader = new FileReader(args[0])) { props.load(reader); }
    props.put("bootstrap.servers", args[1]);
    props.put("acks", "all");
    props.put("key.serializer", StringSerializer.class.getName());
    props.put("value.serializer", StringSerializer.class.getName());
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) continue;
        String[] f = line.split("\\t", 4);
        producer.send(new ProducerRecord<>(args[2], Integer.parseInt(f[0]), Long.parseLong(f[1]),
            f[2].isEmpty() ? null : f[2], f[3])).get();
      }
    }
  }
}
`;

export async function produceWithJava(
  target: KafkaToolTarget,
  topic: string,
  records: Array<{ partition: number; timestamp: number; value: string; key?: string }>,
): Promise<void> {
  requireTool('java', 'apt-get install openjdk-17-jdk-headless');
  const state = readClusterState(kfeedPaths(process.env).dataDir, target.cluster);
  if (!state) throw new Error(`no state for local cluster ${target.cluster}`);
  const dir = tempDir('kfeed-java-producer-');
  const source = path.join(dir, 'Producer.java');
  fs.writeFileSync(source, SOURCE);
  const properties = writeJavaClientProperties(dir, target);
  const input = records.map((r) => `${r.partition}\t${r.timestamp}\t${r.key ?? ''}\t${r.value}\n`).join('');
  const run = await runProcess(
    state.java,
    ['-Xmx256m', '-cp', state.classpath, source, properties, target.brokers.join(','), topic],
    { stdin: input, timeoutMs: 120_000 },
  ).finally(() => fs.rmSync(dir, { recursive: true, force: true }));
  if (run.code !== 0) throw new Error(`the Java producer failed (${run.code}): ${run.stderr.slice(-2000)}`);
}
