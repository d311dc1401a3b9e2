import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagedDashboard } from './packaged-dashboard';

describe('packagedDashboard', () => {
  let root: string;
  const below = () => join(root, 'dist', 'apps', 'scheduler', 'src', 'config');
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'flowctl-package-'));
    writeFileSync(join(root, 'package.json'), '{ "name": "flowctl" }');
    mkdirSync(below(), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is the web/dist of the flowctl package the scheduler runs from', () => {
    mkdirSync(join(root, 'web', 'dist'), { recursive: true });
    writeFileSync(join(root, 'web', 'dist', 'index.html'), '<!doctype html>');
    expect(packagedDashboard(below())).toBe(join(root, 'web', 'dist'));
  });

  it('is undefined when the package has no built dashboard', () => {
    expect(packagedDashboard(below())).toBeUndefined();
  });

  it('skips the package.json of other packages on the way up', () => {
    writeFileSync(join(root, 'dist', 'package.json'), '{ "name": "something-else" }');
    mkdirSync(join(root, 'web', 'dist'), { recursive: true });
    writeFileSync(join(root, 'web', 'dist', 'index.html'), '<!doctype html>');
    expect(packagedDashboard(below())).toBe(join(root, 'web', 'dist'));
  });
});
