import { type Parsed, parsed, rejected } from './result';

/** An IPv4 or IPv6 address as an unsigned integer of 32 or 128 bits. */
export interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

/** A CIDR block such as `10.0.0.0/24`, with the host bits of its base address cleared. */
export interface CidrBlock {
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly prefixLength: number;
}

const WIDTH = { 4: 32, 6: 128 } as const;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const IPV6_GROUPS = 8;

function parseIpv4(text: string): bigint | undefined {
  const octets = IPV4.exec(text)?.slice(1).map(Number);
  if (octets === undefined || octets.some((octet) => octet > 255)) return undefined;
  return octets.reduce((address, octet) => (address << 8n) | BigInt(octet), 0n);
}

/** The 16-bit groups of one side of `::`; only the part that ends the address may end in dotted IPv4. */
function parseIpv6Groups(part: string, mayEndInIpv4: boolean): number[] | undefined {
  if (part === '') return [];
  const pieces = part.split(':');
  const groups: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (mayEndInIpv4 && index === pieces.length - 1 && piece.includes('.')) {
      const ipv4 = parseIpv4(piece);
      if (ipv4 === undefined) return undefined;
      groups.push(Number(ipv4 >> 16n), Number(ipv4 & 0xffffn));
    } else if (IPV6_GROUP.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return undefined;
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const [head = '', tail] = halves;
  const headGroups = parseIpv6Groups(head, tail === undefined);
  const tailGroups = tail === undefined ? [] : parseIpv6Groups(tail, true);
  if (headGroups === undefined || tailGroups === undefined) return undefined;

  const written = headGroups.length + tailGroups.length;
  const elided = tail === undefined ? 0 : IPV6_GROUPS - written;
  if (tail === undefined ? written !== IPV6_GROUPS : elided < 1) return undefined;
  const groups = [...headGroups, ...new Array<number>(elided).fill(0), ...tailGroups];
  return groups.reduce((address, group) => (address << 16n) | BigInt(group), 0n);
}

/** Parses an IPv4 or IPv6 address literal; anything else, host names included, is not an address. */
export function parseIpAddress(text: string): IpAddress | undefined {
  const ipv4 = parseIpv4(text);
  if (ipv4 !== undefined) return { version: 4, value: ipv4 };
  const ipv6 = text.includes(':') ? parseIpv6(text) : undefined;
  return ipv6 === undefined ? undefined : { version: 6, value: ipv6 };
}

/** Parses a `cidr` operand, `address/prefix-length`. */
export function parseCidr(text: string): Parsed<CidrBlock> {
  const parts = text.split('/');
  if (parts.length !== 2) return rejected("Malformed CIDR, one '/' required");
  const [addressText = '', lengthText = ''] = parts;
  if (!/^\d+$/.test(lengthText)) return rejected('Malformed CIDR, mask bits must be an integer');
  const address = parseIpAddress(addressText);
  if (address === undefined) return rejected(`Nonstandard IP address: ${addressText}`);

  const width = WIDTH[address.version];
  const prefixLength = Number(lengthText);
  if (prefixLength > width) return rejected(`IPv${address.version} mask bits must be between 0 and ${width}`);
  const network = hostBitsCleared(address.value, width, prefixLength);
  return parsed({ version: address.version, network, prefixLength });
}

function hostBitsCleared(address: bigint, width: number, prefixLength: number): bigint {
  const hostBits = BigInt(width - prefixLength);
  return (address >> hostBits) << hostBits;
}

/** True when `text` is an address of the block's IP version inside the block. */
export function cidrContains(block: CidrBlock, text: string): boolean {
  const address = parseIpAddress(text);
  if (address === undefined || address.version !== block.version) return false;
  return hostBitsCleared(address.value, WIDTH[block.version], block.prefixLength) === block.network;
}
