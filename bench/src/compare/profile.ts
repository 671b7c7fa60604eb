import { readFileSync } from 'node:fs';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Busy CPU in the profile (idle excluded), ms. */
  busyMs: number;
  /** Self time by where the code lives (package, Atrium source file, node internals, GC), share of busy time. */
  shares: Array<{ where: string; share: number }>;
}

// Idle time, and the inspector's own `dispatch` (the profiler serialising itself when stopped), are not the
// gateway's work.
const EXCLUDED = new Set(['(idle)', '(inspector)']);

/** Where a frame's code lives: `(garbage collector)`, a package name, an Atrium source file, or node internals. */
function whereOf(frame: { functionName: string; url: string }): string {
  if (!frame.url) {
    if (frame.functionName === 'dispatch') return '(inspector)';
    return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  }
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(frame.url);
  if (pkg) return pkg[1]!;
  const own = /\/((?:gateway|platform|bench)\/src\/.+)$/.exec(frame.url);
  if (own) return own[1]!;
  if (frame.url.startsWith('node:')) return `node:${frame.url.slice(5).split('/')[1] ?? frame.url}`;
  return frame.url;
}

/** Self time of a V8 CPU profile (`--cpu-prof`) grouped by where the code lives, largest first. */
export function summariseProfile(path: string, top = 20): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
  const whereById = new Map(profile.nodes.map((node) => [node.id, whereOf(node.callFrame)]));
  const selfUs = new Map<string, number>();
  let busyUs = 0;
  profile.samples.forEach((id, i) => {
    const where = whereById.get(id) ?? '(unknown)';
    if (EXCLUDED.has(where)) return;
    const delta = profile.timeDeltas[i] ?? 0;
    busyUs += delta;
    selfUs.set(where, (selfUs.get(where) ?? 0) + delta);
  });
  const shares = [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([where, us]) => ({ where, share: Math.round((us / busyUs) * 1000) / 1000 }));
  return { busyMs: Math.round(busyUs / 1000), shares };
}
