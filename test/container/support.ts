/**
 * Readers for the container files, for static checks (there is no Docker engine where the suite runs): a small
 * Dockerfile parser, docker-compose.yml with compose's `${VAR:-default}` interpolation, .dockerignore matching, and
 * the mapping from an emitted dist/ file back to its source.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const read = (file: string): string => readFileSync(path.join(REPO_ROOT, file), 'utf8');
export const readJson = <T>(file: string): T => JSON.parse(read(file)) as T;

// ---------------------------------------------------------------------------------------------------------------
// Dockerfile

export interface Instruction {
  /** Upper case: FROM, RUN, COPY, ... */
  keyword: string;
  /** The rest of the instruction, continuation lines joined. */
  args: string;
}

export interface Stage {
  name: string | undefined;
  /** The base image with ARG defaults substituted, or the name of an earlier stage. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
  // Join continuation lines; drop comments and blank lines (a parser directive is a comment too).
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (pending === '' && /^\s*#/.test(line)) continue;
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    if (full !== '') logical.push(full);
  }

  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    const keyword = (match[1] as string).toUpperCase();
    const args = (match[2] as string).trim();
    if (keyword === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`cannot read FROM ${args}`);
      const image = (from[1] as string).replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => {
        const name = a ?? b;
        const value = globalArgs[name];
        if (value === undefined) throw new Error(`FROM uses ARG ${name}, which has no default`);
        return value;
      });
      stages.push({ name: from[2], from: image, instructions: [] });
    } else if (stages.length === 0) {
      if (keyword !== 'ARG') throw new Error(`${keyword} before the first FROM`);
      const arg = /^(\w+)(?:=(.*))?$/.exec(args);
      if (arg?.[2] !== undefined) globalArgs[arg[1] as string] = arg[2].replace(/^"(.*)"$/, '$1');
    } else {
      (stages[stages.length - 1] as Stage).instructions.push({ keyword, args });
    }
  }
  return { globalArgs, stages };
}

export function stage(dockerfile: Dockerfile, name: string): Stage {
  const found = dockerfile.stages.find((s) => s.name === name);
  if (!found) throw new Error(`the Dockerfile has no stage ${name}`);
  return found;
}

/** The stage and its ancestors (through FROM <stage>), nearest first. */
export function stageChain(dockerfile: Dockerfile, name: string): Stage[] {
  const chain: Stage[] = [];
  let current: Stage | undefined = stage(dockerfile, name);
  while (current) {
    chain.push(current);
    const base: string = current.from;
    current = dockerfile.stages.find((s) => s.name === base);
  }
  return chain;
}

export function instructions(stageOrChain: Stage | Stage[], keyword: string): string[] {
  const stages = Array.isArray(stageOrChain) ? [...stageOrChain].reverse() : [stageOrChain];
  return stages.flatMap((s) => s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args));
}

/** The JSON (exec) form of CMD, ENTRYPOINT or HEALTHCHECK ... CMD; undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  const json = args.slice(args.indexOf('['));
  if (!args.includes('[')) return undefined;
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) && parsed.every((part) => typeof part === 'string') ? (parsed as string[]) : undefined;
}

export interface Copy {
  from: string | undefined;
  sources: string[];
  destination: string;
}

export function copies(s: Stage): Copy[] {
  return instructions(s, 'COPY').map((args) => {
    const words = args.split(/\s+/);
    const flags = words.filter((word) => word.startsWith('--'));
    const paths = words.filter((word) => !word.startsWith('--'));
    const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
    return { from, sources: paths.slice(0, -1), destination: paths[paths.length - 1] as string };
  });
}

/** `node:22-slim` -> { major: 22, variant: 'slim' }; undefined for anything but the official node image. */
export function nodeImage(image: string): { major: number; variant: string } | undefined {
  const match = /^(?:docker\.io\/(?:library\/)?)?node:(\d+)(?:\.\d+){0,2}(?:-([\w.-]+))?(?:@sha256:[0-9a-f]+)?$/.exec(image);
  return match ? { major: Number(match[1]), variant: match[2] ?? '' } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// .dockerignore

/** A .dockerignore matcher for the patterns used here: literal paths (and what is below them) and `*` wildcards. */
export function dockerIgnored(patterns: string[], file: string): boolean {
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const glob = new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*')}(?:/.*)?$`,
    );
    if (glob.test(file)) ignored = !negated;
  }
  return ignored;
}

export function dockerIgnorePatterns(): string[] {
  return read('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

// ---------------------------------------------------------------------------------------------------------------
// docker-compose.yml

export interface ComposeService {
  build?: { context?: string; target?: string; dockerfile?: string };
  image?: string;
  command?: string[] | string;
  working_dir?: string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { target: number; published?: string | number; host_ip?: string })[];
  volumes?: (string | { type?: string; source?: string; target: string; read_only?: boolean })[];
  network_mode?: string;
  depends_on?: Record<string, { condition?: string }> | string[];
  healthcheck?: { test?: string[] | string };
  [key: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** docker-compose.yml with every `${VAR:-default}` / `${VAR-default}` replaced by its default, as with no .env. */
export function loadCompose(text = read('docker-compose.yml')): ComposeFile {
  return parseYaml(interpolateDefaults(text)) as ComposeFile;
}

/** The `${...}` expressions of a compose file. */
export function interpolations(text: string): string[] {
  return [...text.matchAll(/\$\{[^}]*\}/g)].map((match) => match[0]);
}

function interpolateDefaults(text: string): string {
  return text.replace(/\$\$|\$\{(\w+)(?::?-([^}]*))?\}/g, (whole, _name: string | undefined, fallback: string | undefined) =>
    whole === '$$' ? '$' : (fallback ?? ''),
  );
}

export function service(compose: ComposeFile, name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

export function environment(s: ComposeService): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(s.environment)) {
    for (const entry of s.environment) {
      const at = entry.indexOf('=');
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
  } else {
    for (const [name, value] of Object.entries(s.environment ?? {})) if (value !== null) env[name] = String(value);
  }
  return env;
}

export function command(s: ComposeService): string[] {
  if (typeof s.command === 'string') throw new Error('use the exec (list) form for commands');
  return (s.command ?? []).map(String);
}

export interface PublishedPort {
  hostIp: string | undefined;
  published: number;
  target: number;
}

export function publishedPorts(s: ComposeService): PublishedPort[] {
  return (s.ports ?? []).map((port) => {
    if (typeof port === 'object') {
      return { hostIp: port.host_ip, published: Number(port.published ?? port.target), target: Number(port.target) };
    }
    const parts = String(port)
      .replace(/\/tcp$/, '')
      .split(':');
    const target = Number(parts.pop());
    const published = Number(parts.pop() ?? target);
    return { hostIp: parts.pop(), published, target };
  });
}

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

export function mounts(s: ComposeService): Mount[] {
  return (s.volumes ?? []).map((volume) => {
    if (typeof volume === 'object') {
      return { source: volume.source ?? '', target: volume.target, readOnly: volume.read_only === true };
    }
    const [source = '', target = '', mode = ''] = volume.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

/** The named volume and the path below its mount point at which a container sees `file`. */
export function volumeOf(s: ComposeService, file: string): { volume: string; relative: string } | undefined {
  for (const mount of mounts(s)) {
    const relative = path.posix.relative(mount.target, file);
    if (!relative.startsWith('..') && !path.posix.isAbsolute(relative)) return { volume: mount.source, relative };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// What `npm run build` emits

interface TsConfig {
  extends?: string;
  compilerOptions?: { rootDir?: string; outDir?: string };
  include?: string[];
  exclude?: string[];
}

/**
 * The source file tsc compiles into `distFile` (e.g. dist/server.js <- src/server.ts) under tsconfig.build.json,
 * checked to exist and to be part of the build. Throws otherwise.
 */
export function sourceOfEmitted(distFile: string, tsconfigFile = 'tsconfig.build.json'): string {
  const tsconfig = readJson<TsConfig>(tsconfigFile);
  const rootDir = path.posix.normalize(tsconfig.compilerOptions?.rootDir ?? '.');
  const outDir = path.posix.normalize(tsconfig.compilerOptions?.outDir ?? '');
  const relative = path.posix.relative(outDir, path.posix.normalize(distFile));
  if (!outDir || relative.startsWith('..')) throw new Error(`${distFile} is not below the outDir ${outDir}`);
  const source = path.posix.join(rootDir, relative.replace(/\.js$/, '.ts'));
  if (!existsSync(path.join(REPO_ROOT, source))) throw new Error(`${distFile}: its source ${source} does not exist`);
  const included = (tsconfig.include ?? []).some((dir) => source === dir || source.startsWith(`${dir.replace(/\/$/, '')}/`));
  const excluded = (tsconfig.exclude ?? []).some((pattern) => dockerIgnored([pattern.replace(/\*\*\//g, '')], source));
  if (!included || excluded) throw new Error(`${distFile}: ${source} is not compiled by ${tsconfigFile}`);
  return source;
}
