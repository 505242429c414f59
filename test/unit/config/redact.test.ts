import { describe, expect, it } from 'vitest';
import { redactUrl } from '../../../src/config/redact.js';

describe('redactUrl', () => {
  it.each([
    ['http://user:secret@127.0.0.1:5000', 'http://user:****@127.0.0.1:5000'],
    ['https://token@host.example/path', 'https://****@host.example/path'],
    ['http://127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['https://host.example/a@b', 'https://host.example/a@b'],
    ['http://u:p@ss@host:1/x', 'http://u:****@host:1/x'],
    [undefined, undefined],
  ])('shows %j as %j', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});
