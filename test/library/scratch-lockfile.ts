/**
 * A package-lock.json for a scratch app whose dependencies are a subset of this repository's: the repository's own
 * lock entries for exactly what the app's dependencies reach (as Node resolves them), plus entries of our own (the
 * packed tarball). With it, `npm ci --offline` installs from npm's cache alone: after `npm ci` the cache holds every
 * tarball of the repository's lockfile, but not the registry documents `npm install <name>` would need to resolve one.
 */
interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

export interface Lockfile {
  name?: string;
  version?: string;
  lockfileVersion: number;
  requires?: boolean;
  packages: Record<string, LockEntry>;
}

/** Where Node finds `name` from the package at `from` (a lock key such as `node_modules/a/node_modules/b`). */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

function requiredNames(entry: LockEntry): string[] {
  const peers = Object.keys(entry.peerDependencies ?? {}).filter((name) => !entry.peerDependenciesMeta?.[name]?.optional);
  return [...Object.keys(entry.dependencies ?? {}), ...Object.keys(entry.optionalDependencies ?? {}), ...peers];
}

/**
 * The lockfile for `app` (its package.json) from `repo` (this repository's lockfile) and `own` entries (keyed like
 * lock entries, e.g. `node_modules/cognito-bff`), which win over the repository's.
 */
export function scratchLockfile(
  app: { name: string; version: string } & LockEntry,
  repo: Lockfile,
  own: Record<string, LockEntry>,
): Lockfile {
  const source: Record<string, LockEntry> = { ...repo.packages, ...own };
  const root: LockEntry = {
    name: app.name,
    version: app.version,
    dependencies: app.dependencies,
    devDependencies: app.devDependencies as Record<string, string> | undefined,
  };
  const reached = new Map<string, LockEntry>();
  const queue: [string, LockEntry][] = [['', { ...root, dependencies: { ...app.dependencies, ...(root.devDependencies as object) } }]];
  while (queue.length > 0) {
    const [key, entry] = queue.shift()!;
    for (const name of requiredNames(entry)) {
      const found = locate(source, key, name);
      if (!found) {
        if (entry.optionalDependencies?.[name] !== undefined) continue;
        throw new Error(`${key || 'the app'} needs ${name}, which the repository's lockfile does not have`);
      }
      if (!reached.has(found)) {
        reached.set(found, source[found]!);
        queue.push([found, source[found]!]);
      }
    }
  }
  return {
    name: app.name,
    version: app.version,
    lockfileVersion: 3,
    requires: true,
    packages: { '': root, ...Object.fromEntries(reached) },
  };
}
