import { hasRole, isRole } from './role';

describe('roles', () => {
  it('ranks viewer < operator < admin', () => {
    expect(hasRole('admin', 'viewer')).toBe(true);
    expect(hasRole('operator', 'operator')).toBe(true);
    expect(hasRole('viewer', 'operator')).toBe(false);
    expect(hasRole('operator', 'admin')).toBe(false);
  });

  it('lets a worker token use the worker routes and nothing else', () => {
    expect(isRole('worker')).toBe(true);
    expect(hasRole('worker', 'worker')).toBe(true);
    for (const required of ['viewer', 'operator', 'admin'] as const) expect(hasRole('worker', required)).toBe(false);
  });

  it('lets operators and admins use the worker routes, but not viewers', () => {
    expect(hasRole('admin', 'worker')).toBe(true);
    expect(hasRole('operator', 'worker')).toBe(true);
    expect(hasRole('viewer', 'worker')).toBe(false);
  });
});

describe('the emitter role', () => {
  it('may send events and nothing else, not even a worker poll or a viewer read', () => {
    expect(isRole('emitter')).toBe(true);
    expect(hasRole('emitter', 'emitter')).toBe(true);
    for (const required of ['viewer', 'operator', 'admin', 'worker'] as const) expect(hasRole('emitter', required)).toBe(false);
    expect(hasRole('worker', 'emitter')).toBe(false);
    expect(hasRole('viewer', 'emitter')).toBe(false);
    expect(hasRole('operator', 'emitter')).toBe(true);
  });
});
