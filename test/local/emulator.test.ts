import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/local/emulator';
import { LocalStackError } from '../../src/local/errors';
import { freePort } from '../support/cognito-local';
import { isAlive, tempDir, waitFor } from './helpers';

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('startEmulator', () => {
  it('answers HTTP on 127.0.0.1 once started, and its process is gone after stop()', async () => {
    const dir = await dataDir();
    const port = await freePort();
    const lines: string[] = [];
    const emulator = await startEmulator({ port, dataDir: dir, onLog: (line) => lines.push(line) });

    expect(emulator.url).toBe(`http://127.0.0.1:${port}`);
    expect(emulator.port).toBe(port);
    const health = await fetch(`${emulator.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    // Its data lands below the data directory (cognito-local's CWD), not in ours.
    expect(existsSync(path.join(dir, '.cognito', 'db'))).toBe(true);
    await waitFor('the ready line', () => lines.some((line) => line.includes(`running on http://127.0.0.1:${port}`)));
    expect(lines.join('\n')).not.toContain('\u001b['); // colour codes stripped

    await emulator.stop();
    expect(isAlive(emulator.pid)).toBe(false);
    await expect(fetch(`${emulator.url}/health`)).rejects.toThrow();
    await emulator.stop(); // a second stop is harmless
  });

  it('refuses a port in use with a LocalStackError that says so, and starts no process', async () => {
    const port = await freePort();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen({ host: '127.0.0.1', port }, resolve));
    try {
      const attempt = startEmulator({ port, dataDir: await dataDir() });
      await expect(attempt).rejects.toBeInstanceOf(LocalStackError);
      await expect(attempt).rejects.toThrow(`port ${port} is already in use (is another cognito-local running?)`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('reports an emulator that exits before it is ready, with its last output', async () => {
    const dir = await dataDir();
    // A damaged config file makes cognito-local exit at start.
    mkdirSync(path.join(dir, '.cognito'), { recursive: true });
    writeFileSync(path.join(dir, '.cognito', 'config.json'), '{ not json');

    const attempt = startEmulator({ port: await freePort(), dataDir: dir });
    await expect(attempt).rejects.toBeInstanceOf(LocalStackError);
    await expect(attempt).rejects.toThrow(/exited \(exit code 1\) before it was ready.*delete that folder/s);
    await expect(attempt).rejects.toThrow(/invalid or corrupted format/);
  });

  it('rejects a port outside 1-65535 before spawning anything', async () => {
    await expect(startEmulator({ port: 70_000, dataDir: await dataDir() })).rejects.toThrow(/from 1 to 65535/);
  });

  it.each(['exit', 'hang'] as const)('does not outlive its parent (parent mode: %s)', async (mode) => {
    const fixture = path.join(__dirname, 'fixtures', 'emulator-parent.ts');
    const parent = spawn(process.execPath, ['--import', 'tsx', fixture, String(await freePort()), await dataDir(), mode], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const parentExited = new Promise((resolve) => parent.once('exit', resolve));
    const firstLine = await new Promise<string>((resolve, reject) => {
      readline.createInterface({ input: parent.stdout }).once('line', resolve);
      parent.once('exit', (code) => reject(new Error(`fixture exited with ${code} before printing a pid`)));
    });
    const { pid } = JSON.parse(firstLine) as { pid: number };
    expect(isAlive(pid)).toBe(true);

    // `exit`: the parent exits by itself (its exit handler kills the child). `hang`: SIGKILL, so no handler runs
    // and only the child's watch on the IPC channel can end it.
    if (mode === 'hang') parent.kill('SIGKILL');
    await parentExited;
    await waitFor(`emulator ${pid} to exit after its parent`, () => !isAlive(pid));
  });
});
