import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** A TCP socket a process accepts connections on. */
export interface ListeningSocket {
  pid: number;
  /** The bound address, e.g. `127.0.0.1`, `0.0.0.0`, `::1` or `::`. */
  address: string;
  port: number;
}

const LISTEN = '0A';

/**
 * The TCP sockets the given processes listen on, read from Linux's /proc: each process's open file
 * descriptors name socket inodes, and /proc/<pid>/net/tcp(6) says which inodes are listening where.
 * The demo uses it to prove that nothing it starts can be reached from the network.
 */
export function listeningSockets(pids: readonly number[]): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const pid of pids) {
    const inodes = socketInodes(pid);
    if (inodes.size === 0) continue;
    for (const table of ['tcp', 'tcp6']) {
      let text: string;
      try {
        text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
      } catch {
        continue;
      }
      for (const line of text.split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        const [local, state, inode] = [fields[1], fields[3], fields[9]];
        if (!local || state !== LISTEN || !inode || !inodes.has(inode)) continue;
        const [hexAddress = '', hexPort = ''] = local.split(':');
        sockets.push({ pid, address: decodeAddress(hexAddress), port: parseInt(hexPort, 16) });
      }
    }
  }
  return sockets;
}

/** Whether only this machine can connect to the address. */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes; // gone, or not ours to read
  }
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed while we looked
    }
  }
  return inodes;
}

/**
 * /proc writes addresses as 32-bit words in host (little-endian) byte order: 0100007F is 127.0.0.1.
 * IPv6 is four such words.
 */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) =>
    (word.match(/../g) ?? []).reverse().map((b) => parseInt(b, 16)),
  );
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) =>
    (((bytes[i * 2] ?? 0) << 8) | (bytes[i * 2 + 1] ?? 0)).toString(16),
  );
  if (groups.slice(0, 5).every((g) => g === '0') && groups[5] === 'ffff')
    return `::ffff:${bytes.slice(12).join('.')}`;
  return compressIpv6(groups);
}

/** `0:0:0:0:0:0:0:1` -> `::1`: the longest run of zero groups becomes `::`. */
function compressIpv6(groups: string[]): string {
  let best = { start: -1, length: 0 };
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i += 1;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j += 1;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  if (best.length < 2) return groups.join(':');
  const head = groups.slice(0, best.start).join(':');
  const tail = groups.slice(best.start + best.length).join(':');
  return `${head}::${tail}`;
}
