// Throughput of scoreCvss (parse + score) over a pre-generated mix of v3.1 and v4.0 vectors.
// Run: npx node -e "import('./bench/cvss.bench.ts').then(m=>console.log(m.benchCvss()))"
import { scoreCvss } from '../src/model/cvss/index.ts';
import { V3_METRICS } from '../src/model/cvss/v3.ts';
import { V4_METRICS } from '../src/model/cvss/v4.ts';

type Def = { readonly name: string; readonly values: readonly string[]; readonly required: boolean };

/** Deterministic pseudo-random vectors: all base metrics, optional ones with probability pOpt. */
function generate(count: number, prefix: string, defs: readonly Def[], pOpt: number, seed: number): string[] {
  let s = seed >>> 0;
  const rnd = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const parts: string[] = [];
    for (const d of defs) {
      if (!d.required && rnd() >= pOpt) continue;
      parts.push(`${d.name}:${d.values[Math.floor(rnd() * d.values.length)]!}`);
    }
    out.push(prefix + parts.join('/'));
  }
  return out;
}

function measure(name: string, vectors: readonly string[], iterations: number) {
  let sink = 0;
  // Warm-up so the JIT has settled before timing.
  for (let i = 0; i < 200_000; i++) {
    const r = scoreCvss(vectors[i % vectors.length]!);
    if (r.ok) sink += r.value.score;
  }
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) {
    const r = scoreCvss(vectors[i % vectors.length]!);
    if (r.ok) sink += r.value.score;
    else sink -= 1;
  }
  const ms = performance.now() - t0;
  if (Number.isNaN(sink)) throw new Error('unreachable');
  return { name, value: Math.round(iterations / (ms / 1000)), unit: 'scores/s' };
}

export function benchCvss(): { name: string; value: number; unit: string }[] {
  const v31 = generate(1000, 'CVSS:3.1/', V3_METRICS, 0.15, 1);
  const v40 = generate(1000, 'CVSS:4.0/', V4_METRICS, 0.15, 2);
  const mix: string[] = [];
  for (let i = 0; i < 1000; i++) mix.push(v31[i]!, v40[i]!);
  return [
    measure('cvss.mixed_v31_v40', mix, 2_000_000),
    measure('cvss.v31_only', v31, 1_000_000),
    measure('cvss.v40_only', v40, 1_000_000),
  ];
}
