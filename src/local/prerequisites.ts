import { spawnSync } from 'node:child_process';
import { KfeedError } from '../errors.js';

/** Java's major version, or a one-line error saying what to install. */
export function checkJava(env: NodeJS.ProcessEnv, minimum = 17): { java: string; major: number } {
  const java = env.JAVA_HOME ? `${env.JAVA_HOME}/bin/java` : 'java';
  const result = spawnSync(java, ['-version'], { encoding: 'utf8', env });
  if (result.error || result.status !== 0) {
    throw new KfeedError('prerequisite', 'Java is needed to run the local Kafka broker and was not found', {
      hint: `install a JDK ${minimum}+ (e.g. \`apt-get install openjdk-17-jre-headless\`) or set JAVA_HOME`,
    });
  }
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr + result.stdout);
  const first = match ? Number(match[1]) : 0;
  const major = first === 1 && match?.[2] ? Number(match[2]) : first;
  if (major < minimum) {
    throw new KfeedError('prerequisite', `Java ${major} is too old for the local Kafka broker`, {
      hint: `install a JDK ${minimum}+ or point JAVA_HOME at one`,
    });
  }
  return { java, major };
}

export function checkMaven(env: NodeJS.ProcessEnv): string {
  const result = spawnSync('mvn', ['-v'], { encoding: 'utf8', env });
  if (result.error || result.status !== 0) {
    throw new KfeedError('prerequisite', 'Maven is needed to fetch the Apache Kafka jars and was not found', {
      hint: 'install Maven (e.g. `apt-get install maven`), or set KAFKA_HOME to an Apache Kafka install',
    });
  }
  return 'mvn';
}
