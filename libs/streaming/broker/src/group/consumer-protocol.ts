/**
 * Just enough of the "consumer" embedded protocol (ConsumerProtocolSubscription, the member metadata
 * consumers send in JoinGroup) to know which topics a group is subscribed to. OffsetDelete needs it
 * (GROUP_SUBSCRIBED_TO_TOPIC). The coordinator otherwise treats metadata and assignments as opaque
 * bytes, which is what lets any assignor (range, roundrobin, cooperative-sticky...) work.
 *
 * Every version of the subscription starts with: int16 version, int32 topic count, then int16-length
 * strings. Later fields (user data, owned partitions, generation, rack) are not needed here.
 */
export function subscribedTopics(metadata: Buffer): string[] | null {
  try {
    let pos = 0;
    const version = metadata.readInt16BE(pos);
    pos += 2;
    if (version < 0) return null;
    const count = metadata.readInt32BE(pos);
    pos += 4;
    if (count < 0 || count > metadata.length) return null;
    const topics: string[] = [];
    for (let i = 0; i < count; i++) {
      const len = metadata.readInt16BE(pos);
      pos += 2;
      if (len < 0 || pos + len > metadata.length) return null;
      topics.push(metadata.toString('utf8', pos, pos + len));
      pos += len;
    }
    return topics;
  } catch {
    // Truncated metadata: not a consumer subscription we understand.
    return null;
  }
}

/** Encodes a version-0 subscription (tests and in-process callers). */
export function encodeSubscription(
  topics: readonly string[],
  userData: Buffer | null = null,
): Buffer {
  const parts: Buffer[] = [];
  const head = Buffer.alloc(6);
  head.writeInt16BE(0, 0);
  head.writeInt32BE(topics.length, 2);
  parts.push(head);
  for (const t of topics) {
    const name = Buffer.from(t, 'utf8');
    const len = Buffer.alloc(2);
    len.writeInt16BE(name.length, 0);
    parts.push(len, name);
  }
  const ud = Buffer.alloc(4);
  ud.writeInt32BE(userData ? userData.length : -1, 0);
  parts.push(ud);
  if (userData) parts.push(userData);
  return Buffer.concat(parts);
}
