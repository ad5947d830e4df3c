import crypto from 'node:crypto';

/**
 * A new KRaft cluster ID: 16 random bytes in base64url (22 characters), as Kafka's own
 * `Uuid.randomUuid()` makes them. Like Kafka, an ID starting with `-` is drawn again: the
 * storage tool would read it as a flag (1 start in 64 failed that way).
 */
export function newClusterId(randomBytes: (size: number) => Buffer = crypto.randomBytes): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
