/** One generated log: its time (epoch ms) and the document as a shipper would send it (with `type`). */
export interface DemoLog {
  ts: number;
  doc: Record<string, unknown> & { type: string };
}
