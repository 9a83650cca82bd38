import { describe, expect, it } from 'vitest'
import { type AddressKind, classifyAddress, isAllowedAddress } from './ip-range.js'

const cases: Record<AddressKind, string[]> = {
  public: [
    '8.8.8.8',
    '1.1.1.1',
    '11.0.0.1',
    '100.63.255.255',
    '100.128.0.1',
    '126.255.255.255',
    '128.0.0.1',
    '172.15.255.255',
    '172.32.0.1',
    '192.167.255.255',
    '192.169.0.1',
    '223.255.255.255',
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:0808:0808::1',
  ],
  loopback: [
    '127.0.0.1',
    '127.1.2.3',
    '127.255.255.255',
    '::1',
    '[::1]',
    '0:0:0:0:0:0:0:1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
  ],
  private: [
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.0.1',
    '192.168.255.255',
    '100.64.0.1',
    '100.127.255.255',
    'fc00::1',
    'fd12:3456:789a::1',
    'FD00::1',
    '::ffff:10.0.0.1',
    '::ffff:192.168.1.1',
    '64:ff9b::10.0.0.1',
    '2002:0a00:0001::1',
  ],
  reserved: [
    '0.0.0.0',
    '0.1.2.3',
    '169.254.169.254',
    '169.254.0.1',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '192.0.2.1',
    '198.18.0.1',
    '::',
    '::127.0.0.1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'ff02::1',
    '2001:db8::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '::ffff:169.254.169.254',
    '::ffff:0.0.0.0',
    '::ffff:255.255.255.255',
    '64:ff9b::169.254.169.254',
    'not-an-ip',
    '',
    'localhost',
    '127.1',
  ],
}

describe('classifyAddress', () => {
  for (const [kind, addresses] of Object.entries(cases)) {
    it.each(addresses)(`classifies %s as ${kind}`, (address) => {
      expect(classifyAddress(address).kind).toBe(kind)
    })
  }

  it('names the matched range', () => {
    expect(classifyAddress('169.254.169.254').range).toBe('169.254.0.0/16')
    expect(classifyAddress('::ffff:10.1.2.3').range).toBe('::ffff:0:0/96 10.0.0.0/8')
    expect(classifyAddress('fd00::1').range).toBe('fc00::/7')
    expect(classifyAddress('8.8.8.8').range).toBe('public')
  })
})

describe('isAllowedAddress', () => {
  it('allows only public addresses by default', () => {
    expect(isAllowedAddress('8.8.8.8')).toBe(true)
    expect(isAllowedAddress('127.0.0.1')).toBe(false)
    expect(isAllowedAddress('10.0.0.1')).toBe(false)
    expect(isAllowedAddress('169.254.169.254')).toBe(false)
  })

  it('allows loopback only with allowLoopback, private only with allowPrivate', () => {
    expect(isAllowedAddress('127.0.0.1', { allowLoopback: true })).toBe(true)
    expect(isAllowedAddress('::1', { allowLoopback: true })).toBe(true)
    expect(isAllowedAddress('10.0.0.1', { allowLoopback: true })).toBe(false)
    expect(isAllowedAddress('10.0.0.1', { allowPrivate: true })).toBe(true)
    expect(isAllowedAddress('fd00::1', { allowPrivate: true })).toBe(true)
    expect(isAllowedAddress('127.0.0.1', { allowPrivate: true })).toBe(false)
  })

  it('never allows reserved ranges, whatever the policy', () => {
    const all = { allowLoopback: true, allowPrivate: true }
    for (const address of ['169.254.169.254', '0.0.0.0', '::', 'fe80::1', '224.0.0.1', '255.255.255.255', 'x']) {
      expect(isAllowedAddress(address, all)).toBe(false)
    }
  })
})
