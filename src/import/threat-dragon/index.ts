/**
 * OWASP Threat Dragon v2 JSON (`summary`, `detail.diagrams[].cells`) -> source model.
 * Shapes follow Threat Dragon's own schema (td.vue/src/assets/schema/threat-dragon-v2.schema.json):
 * `actor`/`process`/`store` cells are elements, `flow` cells connect two cells by id,
 * `trust-boundary-box` cells enclose the elements whose box centre lies inside them, and a
 * `trust-boundary-curve` is only a line, so it encloses nothing.
 */
import { outcome } from '../build.ts';
import { head, readJson } from '../structured.ts';
import type { ImportFormat } from '../types.ts';
import { STRIDE_CATEGORIES, type StrideCategory } from '../../model/schema.ts';
import { severityOf } from '../../model/cvss/index.ts';
import {
  isRecord,
  list,
  mapSeverity,
  oneLine,
  SEVERITY_TABLES,
  SeverityGuesses,
  str,
  type ElementKind,
  type SourceBoundary,
  type SourceElement,
  type SourceFlow,
  type SourceNote,
  type SourceRead,
  type SourceStatus,
  type SourceThreat,
} from '../source.ts';

/** True for a parsed JSON value shaped like a Threat Dragon model (v1 or v2). */
export function looksLikeThreatDragon(value: unknown): boolean {
  return isRecord(value) && isRecord(value.summary) && isRecord(value.detail) && Array.isArray(value.detail.diagrams);
}

const KIND_BY_TYPE: Record<string, ElementKind> = {
  'tm.Actor': 'external-entity',
  'tm.Process': 'process',
  'tm.Store': 'data-store',
  actor: 'external-entity',
  process: 'process',
  store: 'data-store',
};

const STRIDE_BY_TYPE: Record<string, StrideCategory> = Object.fromEntries(
  STRIDE_CATEGORIES.map((c) => [c.replace(/-/g, ' '), c]),
) as Record<string, StrideCategory>;

/** Other methods Threat Dragon offers, read as STRIDE where the meaning carries over (a guess, listed). */
const STRIDE_BY_OTHER_TYPE: Record<string, StrideCategory> = {
  confidentiality: 'information-disclosure',
  integrity: 'tampering',
  availability: 'denial-of-service',
  'disclosure of information': 'information-disclosure',
};

const STATUS: Record<string, { status: SourceStatus; strategy?: 'eliminate' }> = {
  open: { status: 'open' },
  mitigated: { status: 'mitigated' },
  accepted: { status: 'accepted' },
  transferred: { status: 'transferred' },
  // Avoided and Eliminated both mean the cause is gone.
  avoided: { status: 'mitigated', strategy: 'eliminate' },
  eliminated: { status: 'mitigated', strategy: 'eliminate' },
  na: { status: 'not-applicable' },
  'n/a': { status: 'not-applicable' },
  notapplicable: { status: 'not-applicable' },
};

interface Box {
  key: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export function readThreatDragon(value: unknown): SourceRead {
  if (!looksLikeThreatDragon(value)) return { ok: false, message: 'not a Threat Dragon model (no `summary` and `detail.diagrams`)' };
  const model = value as { summary: Record<string, unknown>; detail: { diagrams: unknown[] } };
  const diagrams = model.detail.diagrams;
  if (diagrams.some((d) => isRecord(d) && 'diagramJson' in d)) {
    return { ok: false, message: 'this is a Threat Dragon v1 model (`diagramJson`): open it in Threat Dragon 2 and save it, then import that file', where: 'detail.diagrams' };
  }
  const notes: SourceNote[] = [];
  const elements: SourceElement[] = [];
  const boundaries: SourceBoundary[] = [];
  const flows: SourceFlow[] = [];
  const threats: SourceThreat[] = [];
  const dangling: string[] = [];
  const severities = new SeverityGuesses('Threat Dragon');
  const threatCells: { cell: Record<string, unknown>; where: string; key: string }[] = [];

  diagrams.forEach((diagram, d) => {
    if (!isRecord(diagram)) return;
    const boxes: Box[] = [];
    const placed: { element: SourceElement; cx: number; cy: number }[] = [];
    list(diagram.cells).forEach((cell, c) => {
      if (!isRecord(cell)) return;
      const where = `detail.diagrams[${d}].cells[${c}]`;
      const data = isRecord(cell.data) ? cell.data : {};
      const type = str(data.type) ?? str(cell.shape) ?? '';
      const shape = str(cell.shape) ?? '';
      const key = str(cell.id) ?? `${d}:${c}`;
      const name = oneLine(str(data.name) ?? labelOf(cell) ?? '');
      const description = str(data.description);
      const outOfScope = data.outOfScope === true ? (str(data.reasonOutOfScope) ?? '') : undefined;
      const kind = KIND_BY_TYPE[type] ?? KIND_BY_TYPE[shape];
      if (kind) {
        const box = boxOf(cell);
        const element: SourceElement = { key, ref: `td:${key}`, name: name || `${shape || 'element'} ${c}`, kind, where, ...(description ? { description } : {}), ...(outOfScope !== undefined ? { outOfScope } : {}) };
        elements.push(element);
        if (box) placed.push({ element, cx: box.x + box.width / 2, cy: box.y + box.height / 2 });
        threatCells.push({ cell, where, key });
      } else if (type === 'tm.BoundaryBox' || shape === 'trust-boundary-box') {
        const box = boxOf(cell);
        boundaries.push({ key, ref: `td:${key}`, name: name || `Trust boundary ${boundaries.length + 1}`, where, ...(description ? { description } : {}) });
        if (box) boxes.push({ key, ...box });
        else notes.push({ kind: 'problem', where, message: 'trust boundary box without position and size: it encloses nothing' });
      } else if (type === 'tm.Boundary' || shape === 'trust-boundary-curve') {
        const boundaryName = name || `Trust boundary ${boundaries.length + 1}`;
        boundaries.push({ key, ref: `td:${key}`, name: boundaryName, where, ...(description ? { description } : {}) });
        notes.push({ kind: 'review', where, message: `trust boundary "${boundaryName}" is a curve: it has no inside, so no component is placed in it; set \`boundary\` on the components it separates` });
      } else if (type === 'tm.Flow' || shape === 'flow') {
        const ends = [endOf(cell.source, 'source'), endOf(cell.target, 'target')];
        const loose = ends.filter((e): e is { loose: string } => 'loose' in e);
        const flowName = name || 'data flow';
        if (loose.length > 0) {
          dangling.push(`${where} flow "${flowName}": ${loose.map((l) => l.loose).join(' and ')}`);
          return;
        }
        const [from, to] = ends as { cell: string }[];
        flows.push({
          key,
          ref: `td:${key}`,
          name: flowName,
          from: from!.cell,
          to: to!.cell,
          where,
          ...(data.isBidirectional === true ? { bidirectional: true } : {}),
          ...(str(data.protocol) ? { protocol: str(data.protocol)! } : {}),
          ...(description ? { description } : {}),
          ...(outOfScope !== undefined ? { outOfScope } : {}),
        });
        threatCells.push({ cell, where, key });
      }
    });
    // Membership: the smallest box holding the element's centre (boxes may nest).
    for (const { element, cx, cy } of placed) {
      const inside = boxes.filter((b) => cx >= b.x && cx <= b.x + b.width && cy >= b.y && cy <= b.y + b.height).sort((a, b) => a.width * a.height - b.width * b.height);
      if (inside[0]) {
        element.boundary = inside[0].key;
        element.boundaryGuess = inside.length > 1 ? `its centre lies inside ${inside.length} nested boundary boxes; the innermost is taken` : 'its centre lies inside this boundary box in the diagram';
      }
    }
  });

  if (dangling.length > 0) {
    return {
      ok: false,
      message: `${dangling.length} data flow${dangling.length === 1 ? ' has an end' : 's have ends'} not attached to any element (connect both ends in Threat Dragon and export again):\n${dangling.map((d) => `  ${d}`).join('\n')}`,
    };
  }
  for (const f of flows) {
    for (const end of [f.from, f.to]) {
      if (!elements.some((e) => e.key === end)) {
        return { ok: false, message: `${f.where} flow "${f.name}" is attached to cell ${end}, which is not an actor, process or store in the file`, where: f.where };
      }
    }
  }

  for (const { cell, where, key } of threatCells) {
    const data = isRecord(cell.data) ? cell.data : {};
    list(data.threats).forEach((raw, i) => {
      if (!isRecord(raw)) return;
      threats.push(readThreat(raw, `${where}.data.threats[${i}]`, key, severities, notes));
    });
  }
  // Threat numbers are meant to be unique; older files may lack them: those get ids from their uuid.
  return {
    ok: true,
    source: {
      format: 'threat-dragon',
      ...(str(model.summary.title) ? { systemName: oneLine(str(model.summary.title)!) } : {}),
      ...(str(model.summary.description) ? { systemDescription: str(model.summary.description)! } : {}),
      boundaries,
      elements,
      flows,
      threats,
      notes: [...notes, ...severities.notes()],
    },
  };
}

function readThreat(raw: Record<string, unknown>, where: string, target: string, severities: SeverityGuesses, notes: SourceNote[]): SourceThreat {
  const uuid = str(raw.threatId) ?? str(raw.id);
  const number = typeof raw.number === 'number' && Number.isInteger(raw.number) && raw.number > 0 ? raw.number : undefined;
  const id = number !== undefined ? String(number) : uuid ? `td-${uuid.replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}` : `td-${where.replace(/[^0-9]+/g, '-').replace(/^-|-$/g, '')}`;
  const comments: string[] = [];
  const threat: SourceThreat = {
    id,
    refs: uuid ? [`td:${uuid}`] : [],
    title: str(raw.title) ?? '',
    stride: [],
    targets: [target],
    status: 'open',
    where,
    comments,
  };
  if (number === undefined) notes.push({ kind: 'review', where, message: `threat "${threat.title}" has no number: imported as ${id}` });
  const description = str(raw.description);
  if (description) threat.description = description;
  const mitigation = str(raw.mitigation);
  if (mitigation) threat.mitigation = mitigation;

  const type = str(raw.type) ?? '';
  const typeKey = type.toLowerCase();
  const stride = STRIDE_BY_TYPE[typeKey] ?? STRIDE_BY_TYPE[typeKey.replace(/-/g, ' ')];
  if (stride) threat.stride = [stride];
  else if (STRIDE_BY_OTHER_TYPE[typeKey]) {
    threat.stride = [STRIDE_BY_OTHER_TYPE[typeKey]!];
    comments.push(`Threat Dragon type "${type}" (${str(raw.modelType) ?? 'not STRIDE'}) read as ${threat.stride[0]}: review.`);
    notes.push({ kind: 'review', where, message: `threat ${id}: type "${type}" read as STRIDE ${threat.stride[0]}` });
  } else if (type !== '') {
    threat.strideAsWritten = type;
    notes.push({ kind: 'problem', where, message: `threat ${id}: type "${type}" (${str(raw.modelType) ?? 'unknown method'}) has no STRIDE category; kept as written for you to choose one` });
  }

  // `score` is free text: a CVSS vector is kept; a number is a score without a vector.
  const score = str(raw.score);
  if (score?.toUpperCase().startsWith('CVSS:')) threat.cvss = score.replace(/\s+/g, '');
  const severityText = str(raw.severity);
  const mapped = mapSeverity(SEVERITY_TABLES['threat-dragon']!, severityText);
  if (!threat.cvss && score && Number.isFinite(Number(score)) && Number(score) >= 0 && Number(score) <= 10) {
    threat.severity = severityOf(Number(score));
    comments.push(`Threat Dragon score ${score} has no CVSS vector: rated ${threat.severity} from the score; add the vector.`);
    notes.push({ kind: 'review', where, message: `threat ${id}: score ${score} without a vector: severity ${threat.severity}` });
  } else if (!threat.cvss && score) {
    comments.push(`Threat Dragon score "${score}" is neither a CVSS vector nor a number.`);
  } else if (!threat.cvss && mapped.severity) {
    threat.severity = mapped.severity;
    severities.add(severityText!, mapped.severity, id);
  }
  if (mapped.unreadable) comments.push(`Threat Dragon severity "${mapped.unreadable}" is not one of Critical, High, Medium, Low.`);

  const statusText = str(raw.status) ?? 'Open';
  const status = STATUS[statusText.toLowerCase().replace(/\s+/g, '')];
  if (status) {
    threat.status = status.status;
    if (status.strategy) threat.strategy = [status.strategy];
  } else {
    comments.push(`Threat Dragon status "${statusText}" is not one threatloop knows: imported as open.`);
    notes.push({ kind: 'problem', where, message: `threat ${id}: status "${statusText}" unknown; imported as open` });
  }
  if (threat.status === 'not-applicable' || threat.status === 'accepted' || threat.status === 'transferred') {
    // Threat Dragon has no justification field: the text that says why is in the mitigation or description.
    const why = mitigation ?? description;
    threat.rationale = why ?? `marked ${statusText} in Threat Dragon without a reason`;
    notes.push({ kind: 'review', where, message: `threat ${id}: ${statusText}: rationale taken from its ${mitigation ? 'mitigation' : description ? 'description' : 'status alone'}` });
  }
  return threat;
}

function labelOf(cell: Record<string, unknown>): string | undefined {
  const attrs = isRecord(cell.attrs) ? cell.attrs : {};
  const text = isRecord(attrs.text) ? str(attrs.text.text) : undefined;
  if (text) return text;
  const label = list(cell.labels)[0];
  if (isRecord(label) && isRecord(label.attrs) && isRecord(label.attrs.labelText)) return str(label.attrs.labelText.text);
  return undefined;
}

function boxOf(cell: Record<string, unknown>): { x: number; y: number; width: number; height: number } | undefined {
  const p = cell.position;
  const s = cell.size;
  if (!isRecord(p) || !isRecord(s)) return undefined;
  const [x, y, width, height] = [p.x, p.y, s.width, s.height];
  if (![x, y, width, height].every((n) => typeof n === 'number' && Number.isFinite(n))) return undefined;
  return { x: x as number, y: y as number, width: width as number, height: height as number };
}

function endOf(end: unknown, which: 'source' | 'target'): { cell: string } | { loose: string } {
  if (isRecord(end) && str(end.cell)) return { cell: str(end.cell)! };
  if (isRecord(end) && typeof end.x === 'number' && typeof end.y === 'number') return { loose: `its ${which} is a loose point (${end.x}, ${end.y})` };
  return { loose: `it has no ${which}` };
}

export const threatDragonFormat: ImportFormat = {
  id: 'threat-dragon',
  name: 'OWASP Threat Dragon v2 JSON',
  extensions: ['.json'],
  maxBytes: 32 * 1024 * 1024,
  detect(text) {
    const start = head(text);
    if (!start.trimStart().startsWith('{')) return 0;
    if (start.includes('"summary"') && start.includes('"detail"') && start.includes('"diagrams"')) return 0.9;
    return start.includes('"diagrams"') && start.includes('"cells"') ? 0.5 : 0;
  },
  parse(text, options) {
    const json = readJson(text, options.file);
    return json.ok ? outcome(readThreatDragon(json.value), options) : json;
  },
};
