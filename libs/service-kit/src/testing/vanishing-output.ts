import net from 'node:net';

export interface VanishingOutput {
  /** Pass as a child's stdout and stderr (`stdio: ['ignore', output.socket, output.socket]`). */
  socket: net.Socket;
  /** What the child wrote so far, while the reader was there. */
  text(): string;
  /** The reader goes away: the child's stdout and stderr become a socket nobody reads. */
  close(): void;
}

/**
 * A child's output on a TCP socket whose reader can be made to vanish, as when the orchestrator or a
 * terminal holding a process's stdout dies: the process must still finish its shutdown in time.
 */
export async function vanishingOutput(): Promise<VanishingOutput> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  const reader = await accepted;
  let text = '';
  reader.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return {
    socket,
    text: () => text,
    close: () => {
      reader.destroy();
      socket.destroy();
      server.close();
    },
  };
}
