import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter, once } from 'node:events';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';

/**
 * A syslog collector on 127.0.0.1:0: UDP (a message per datagram) or TCP/TLS with RFC 6587
 * octet-counting framing, which it checks strictly (a bad frame is kept in `badFrames`).
 */
export class SyslogReceiver extends EventEmitter {
  messages: string[] = [];
  badFrames: string[] = [];
  connections = 0;
  port = 0;
  private udp: UdpSocket | undefined;
  private server: Server | undefined;
  private sockets = new Set<Socket>();

  async startUdp(): Promise<void> {
    const udp = createSocket('udp4');
    udp.on('message', (m) => this.push(m.toString('utf8')));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
    this.udp = udp;
    this.port = udp.address().port;
  }

  async startTcp(tls?: { key: Buffer; cert: Buffer }, port = 0): Promise<void> {
    const onSocket = (sock: Socket) => {
      this.connections++;
      this.sockets.add(sock);
      sock.on('close', () => this.sockets.delete(sock));
      sock.on('error', () => undefined);
      let buf = Buffer.alloc(0);
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        for (;;) {
          const sp = buf.indexOf(0x20);
          if (sp < 0) return;
          const len = buf.subarray(0, sp).toString('ascii');
          if (!/^[1-9][0-9]*$/.test(len)) {
            this.badFrames.push(buf.toString('utf8'));
            sock.destroy();
            return;
          }
          const n = Number(len);
          if (buf.length < sp + 1 + n) return;
          this.push(buf.subarray(sp + 1, sp + 1 + n).toString('utf8'));
          buf = buf.subarray(sp + 1 + n);
        }
      });
    };
    const server = tls ? createTlsServer(tls, onSocket) : createTcpServer(onSocket);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private push(m: string): void {
    this.messages.push(m);
    this.emit('message', m);
  }

  /** Resolves once `n` messages have arrived (event-driven, no polling). */
  async waitFor(n: number): Promise<string[]> {
    while (this.messages.length < n) await once(this, 'message');
    return this.messages;
  }

  async stop(): Promise<void> {
    if (this.udp) {
      const u = this.udp;
      this.udp = undefined;
      await new Promise<void>((r) => u.close(() => r()));
    }
    const s = this.server;
    this.server = undefined;
    if (s) {
      for (const sock of this.sockets) sock.destroy();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }
}
