/**
 * A URL as it may be shown in a log line or an error: a password (user:****) or a lone user name,
 * often a token (****), replaced. Text that is no URL loses everything before its last "@".
 */
export function redactUrl(value: string): string;
export function redactUrl(value: string | undefined): string | undefined;
export function redactUrl(value: string | undefined): string | undefined {
  if (value === undefined || !value.includes('@')) return value;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value)?.[0] ?? '';
  const rest = value.slice(scheme.length);
  let url: URL | undefined;
  try {
    url = scheme ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url) return `${scheme}****${rest.slice(rest.lastIndexOf('@'))}`;
  if (url.username === '' && url.password === '') return value;
  // The user part ends at the last "@" before the path, query or fragment.
  const authorityEnd = rest.search(/[/\\?#]/);
  const at = rest.lastIndexOf('@', authorityEnd < 0 ? rest.length : authorityEnd);
  const user = url.password === '' ? '****' : `${rest.slice(0, rest.indexOf(':'))}:****`;
  return `${scheme}${user}${rest.slice(at)}`;
}
