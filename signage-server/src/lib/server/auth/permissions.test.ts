import { describe, expect, it } from 'vitest';
import { isCrossSiteWrite } from './csrf';
import { can, homeFor, navigationFor, safeNext } from './permissions';
import type { Role, SessionUser } from './roles';

const user = (...roles: Role[]): SessionUser => ({ id: 'u', username: 'u', displayName: 'U', roles });

describe('permissions', () => {
  it.each([
    ['admin', ['content', 'registryRead', 'registryEdit', 'registryStructure', 'devices', 'users', 'audit']],
    ['editor', ['content']],
    ['reviewer', ['content']],
    ['clerk', ['registryRead', 'registryEdit']],
    ['auditor', ['registryRead', 'audit']],
  ] as const)('%s may do exactly %j', (role, allowed) => {
    const all = [
      'content',
      'registryRead',
      'registryEdit',
      'registryStructure',
      'devices',
      'users',
      'audit',
    ] as const;
    expect(all.filter((permission) => can(user(role), permission))).toEqual(allowed);
  });

  it('nobody signed out may do anything', () => {
    expect(can(null, 'content')).toBe(false);
    expect(navigationFor(null)).toEqual([]);
  });

  it('sends each role home to the first section it may open', () => {
    expect(homeFor(user('editor'))).toBe('/cms');
    expect(homeFor(user('clerk'))).toBe('/admin/registry');
    expect(homeFor(user('auditor'))).toBe('/admin/registry');
    expect(homeFor({ ...user('admin'), mustChangePassword: true })).toBe('/account/password');
  });
});

describe('safeNext', () => {
  it.each([
    ['/admin/users', '/admin/users'],
    ['/cms?x=1', '/cms?x=1'],
    ['https://evil.example/', null],
    ['//evil.example/', null],
    ['/\\evil.example', null],
    ['javascript:alert(1)', null],
    ['/ok\r\nSet-Cookie: x', null],
    ['', null],
    [null, null],
  ])('safeNext(%j) = %j', (input, expected) => {
    expect(safeNext(input)).toBe(expected);
  });
});

describe('isCrossSiteWrite', () => {
  const url = new URL('http://127.0.0.1:8080/admin/users');
  it.each([
    ['GET', null, false],
    ['POST', 'http://127.0.0.1:8080', false],
    ['POST', 'http://evil.example', true],
    ['POST', null, true],
    ['DELETE', 'https://127.0.0.1:8080', true],
  ])('%s from %s -> %s', (method, origin, expected) => {
    expect(isCrossSiteWrite(method, url, origin)).toBe(expected);
  });

  it('leaves device calls (bearer credentials, no cookies) alone', () => {
    expect(isCrossSiteWrite('POST', new URL('http://127.0.0.1:8080/api/v1/device/enroll'), null)).toBe(false);
  });
});
