import { BlockList, isIP } from 'node:net';
import { stepInputError } from '../../errors.ts';

/**
 * `$inCidr(ip, ranges)`: whether an IPv4 or IPv6 address lies in one of the CIDR ranges. JSONata
 * has nothing for it, and the built-in playbooks split IPs into internal and external by range.
 * `ranges` is an array of CIDRs or one string of them separated by commas (how playbook inputs
 * such as `InternalIPRange` are written). An address that is not an IP is in no range; a range
 * that is not a CIDR is an error naming it. IPv4-mapped IPv6 addresses match IPv4 ranges.
 */
export function createInCidr(): (ip: unknown, ranges: unknown) => boolean {
  // Parsed range lists, per distinct `ranges` value: a foreach over many IPs parses them once.
  const lists = new Map<string, BlockList>();
  return (ip, ranges) => {
    if (typeof ip !== 'string') return false;
    const address = ip.trim().replace(/%.*$/, '');
    const family = isIP(address);
    if (family === 0) return false;
    const key = Array.isArray(ranges) ? ranges.join(',') : String(ranges ?? '');
    let list = lists.get(key);
    if (!list) {
      list = parseRanges(key);
      if (lists.size >= 256) lists.delete(lists.keys().next().value!);
      lists.set(key, list);
    }
    return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}

function parseRanges(text: string): BlockList {
  const list = new BlockList();
  for (const raw of text.split(',')) {
    const range = raw.trim();
    if (range === '') continue;
    const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(range);
    const family = m ? isIP(m[1]) : 0;
    const prefix = m?.[2] === undefined ? (family === 4 ? 32 : 128) : Number(m[2]);
    if (!m || family === 0 || prefix > (family === 4 ? 32 : 128)) {
      throw stepInputError('$inCidr', `${JSON.stringify(range)} is not an IPv4 or IPv6 CIDR range`);
    }
    list.addSubnet(m[1], prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
  return list;
}
