/**
 * `localhost`, 127.0.0.0/8 or ::1, as the URL parser normalised them (`127.1`, `0x7f000001` → 127.0.0.1).
 * The only hosts plain http:// is allowed for (Sora endpoints, storage-url): a secret in the request
 * (api-key, bearer token, SAS) then never leaves this machine.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost') || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '[::1]';
}
