/**
 * AWS threat-composer export (`.tc.json`, schemas/threat-composer-v1.schema.json) -> source
 * model. threat-composer has threats (grammar statements), mitigations and assumptions but
 * no diagram elements: every distinct impacted asset becomes a component (reported), and
 * a threat without assets targets one component named after the application.
 */
import { outcome } from '../build.ts';
import { head, readJson } from '../structured.ts';
import type { ImportFormat } from '../types.ts';
import type { StrideCategory } from '../../model/schema.ts';
import {
  isRecord,
  list,
  mapSeverity,
  SEVERITY_TABLES,
  SeverityGuesses,
  str,
  type SourceElement,
  type SourceNote,
  type SourceRead,
  type SourceStatus,
  type SourceThreat,
} from '../source.ts';
import { guessComponentType, slugify } from '../names.ts';

export function looksLikeThreatComposer(value: unknown): boolean {
  return isRecord(value) && typeof value.schema === 'number' && (Array.isArray(value.threats) || Array.isArray(value.mitigations)) && !('summary' in value);
}

const STRIDE_LETTER: Record<string, StrideCategory> = {
  S: 'spoofing',
  T: 'tampering',
  R: 'repudiation',
  I: 'information-disclosure',
  D: 'denial-of-service',
  E: 'elevation-of-privilege',
};

const MITIGATION_STATUS: Record<string, string> = {
  mitigationIdentified: 'identified',
  mitigationInProgress: 'in progress',
  mitigationResolved: 'resolved',
  mitigationResolvedWillNotAction: 'resolved, will not action',
};

function metadata(item: Record<string, unknown>, key: string): unknown {
  for (const m of list(item.metadata)) if (isRecord(m) && m.key === key) return m.value;
  return undefined;
}

export function readThreatComposer(value: unknown): SourceRead {
  if (!looksLikeThreatComposer(value)) return { ok: false, message: 'not a threat-composer export (no `schema` number with `threats`)' };
  const model = value as Record<string, unknown>;
  const notes: SourceNote[] = [];
  const app = isRecord(model.applicationInfo) ? model.applicationInfo : {};
  const appName = str(app.name);
  const mitigations = new Map<string, { content: string; status?: string; numericId?: number }>();
  for (const m of list(model.mitigations)) {
    if (!isRecord(m) || !str(m.id)) continue;
    mitigations.set(str(m.id)!, { content: str(m.content) ?? '', ...(str(m.status) ? { status: str(m.status)! } : {}), ...(typeof m.numericId === 'number' ? { numericId: m.numericId } : {}) });
  }
  const linksByThreat = new Map<string, string[]>();
  list(model.mitigationLinks).forEach((link, i) => {
    if (!isRecord(link) || !str(link.linkedId) || !str(link.mitigationId)) return;
    if (!mitigations.has(str(link.mitigationId)!)) {
      notes.push({ kind: 'problem', where: `mitigationLinks[${i}]`, message: `links mitigation ${str(link.mitigationId)}, which the file does not have; ignored` });
      return;
    }
    linksByThreat.set(str(link.linkedId)!, [...(linksByThreat.get(str(link.linkedId)!) ?? []), str(link.mitigationId)!]);
  });

  const elements = new Map<string, SourceElement>();
  const assetElement = (asset: string, where: string): string => {
    const key = `asset:${asset.toLowerCase()}`;
    if (!elements.has(key)) {
      const guess = guessComponentType(asset);
      elements.set(key, {
        key,
        ref: `tc:asset:${slugify(asset)}`,
        name: asset,
        kind: guess.type,
        kindGuess: `threat-composer has no diagram: a component for the impacted asset "${asset}", type ${guess.because ? `guessed from "${guess.because}"` : 'the default'}`,
        where,
      });
    }
    return key;
  };

  const severities = new SeverityGuesses('threat-composer priority');
  const threats: SourceThreat[] = [];
  list(model.threats).forEach((raw, i) => {
    if (!isRecord(raw)) return;
    const where = `threats[${i}]`;
    const uuid = str(raw.id);
    const numericId = typeof raw.numericId === 'number' && Number.isInteger(raw.numericId) && raw.numericId > 0 ? raw.numericId : undefined;
    const id = numericId !== undefined ? `T-${String(numericId).padStart(3, '0')}` : `tc-${(uuid ?? String(i)).replace(/[^A-Za-z0-9]/g, '').slice(0, 8)}`;
    const comments: string[] = [];
    const statement = str(raw.statement) ?? [str(raw.threatSource), str(raw.prerequisites), str(raw.threatAction), str(raw.threatImpact)].filter(Boolean).join(' ');
    const assets = list(raw.impactedAssets).flatMap((a) => (str(a) ? [str(a)!] : []));
    const targets = assets.length > 0 ? assets.map((a) => assetElement(a, `${where}.impactedAssets`)) : [assetElement(appName ?? 'Application', where)];
    const threat: SourceThreat = {
      id,
      refs: uuid ? [`tc:${uuid}`] : [],
      title: shorten(statement, 200),
      stride: [],
      targets: [...new Set(targets)],
      status: 'open',
      where,
      comments,
    };
    const goals = list(raw.impactedGoal).flatMap((g) => (str(g) ? [str(g)!] : []));
    const tags = list(raw.tags).flatMap((t) => (str(t) ? [str(t)!] : []));
    const details = [statement.length > 200 ? statement : '', goals.length ? `Impacted goal: ${goals.join(', ')}.` : '', tags.length ? `Tags: ${tags.join(', ')}.` : '', str(metadata(raw, 'Comments')) ?? ''].filter(Boolean);
    if (details.length) threat.description = details.join('\n');

    const strideLetters = list(metadata(raw, 'STRIDE')).flatMap((s) => (str(s) ? [str(s)!.toUpperCase()] : []));
    for (const letter of strideLetters) {
      const category = STRIDE_LETTER[letter];
      if (category && !threat.stride.includes(category)) threat.stride.push(category);
      else if (!category) notes.push({ kind: 'problem', where, message: `threat ${id}: STRIDE "${letter}" is not a letter of S, T, R, I, D, E` });
    }
    if (threat.stride.length === 0) notes.push({ kind: 'problem', where, message: `threat ${id} has no STRIDE category in threat-composer: choose one` });

    const priority = str(metadata(raw, 'Priority'));
    const mapped = mapSeverity(SEVERITY_TABLES['threat-composer']!, priority);
    if (mapped.severity) {
      threat.severity = mapped.severity;
      severities.add(priority!, mapped.severity, id);
    } else if (mapped.unreadable) comments.push(`threat-composer priority "${mapped.unreadable}" is not High, Medium or Low.`);

    const linked = (uuid ? (linksByThreat.get(uuid) ?? []) : []).map((m) => mitigations.get(m)!);
    if (linked.length > 0) {
      threat.mitigation = linked
        .map((m) => `${m.numericId !== undefined ? `M-${String(m.numericId).padStart(3, '0')}: ` : ''}${m.content}${m.status ? ` (${MITIGATION_STATUS[m.status] ?? m.status})` : ''}`)
        .join('\n');
    }
    const status = threatStatus(str(raw.status), linked.map((m) => m.status));
    threat.status = status.status;
    if (status.guess) {
      comments.push(`Status ${status.status}: ${status.guess}.`);
      notes.push({ kind: 'review', where, message: `threat ${id}: status ${status.status} (${status.guess})` });
    }
    if (threat.status === 'not-applicable') {
      threat.rationale = str(metadata(raw, 'Comments')) ?? 'marked "Resolved - not useful" in threat-composer without a comment';
      if (!str(metadata(raw, 'Comments'))) notes.push({ kind: 'review', where, message: `threat ${id}: not useful, without a comment: write the rationale` });
    }
    threats.push(threat);
  });

  const elementList = [...elements.values()];
  if (elementList.length > 0) {
    notes.push({ kind: 'review', message: `threat-composer has no components or flows: ${elementList.length} component${elementList.length === 1 ? '' : 's'} made from the threats' impacted assets (${elementList.map((e) => e.name).join(', ')}); add flows and boundaries` });
  }
  return {
    ok: true,
    source: {
      format: 'threat-composer',
      ...(appName ? { systemName: appName } : {}),
      ...(str(app.description) ? { systemDescription: str(app.description)! } : {}),
      boundaries: [],
      elements: elementList,
      flows: [],
      threats,
      notes: [...notes, ...severities.notes()],
    },
  };
}

/**
 * threat-composer's threat status, refined by its linked mitigations when the threat is
 * still "identified" (or older exports without a status): work on a mitigation means the
 * threat is in progress; every mitigation resolved means it is mitigated.
 */
function threatStatus(status: string | undefined, mitigationStatuses: (string | undefined)[]): { status: SourceStatus; guess?: string } {
  if (status === 'threatResolved') return { status: 'mitigated' };
  if (status === 'threatResolvedNotUseful') return { status: 'not-applicable' };
  const known = mitigationStatuses.filter((s): s is string => s !== undefined);
  if (known.length > 0 && known.every((s) => s === 'mitigationResolved' || s === 'mitigationResolvedWillNotAction')) {
    return { status: 'mitigated', guess: `the threat is ${status ? 'identified' : 'without a status'} but all ${known.length} linked mitigations are resolved` };
  }
  if (known.some((s) => s === 'mitigationInProgress' || s === 'mitigationResolved')) {
    return { status: 'in-progress', guess: 'a linked mitigation is in progress or resolved' };
  }
  if (known.length > 0 && status === undefined) return { status: 'planned', guess: 'no threat status; its mitigations are identified' };
  return { status: 'open' };
}

/** A long statement cut at a word boundary for the title; the whole statement stays in the description. */
function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, '')}…`;
}

export const threatComposerFormat: ImportFormat = {
  id: 'threat-composer',
  name: 'AWS threat-composer (.tc.json)',
  extensions: ['.tc.json', '.json'],
  maxBytes: 32 * 1024 * 1024, // diagrams are embedded as base64 images
  detect(text) {
    const start = head(text);
    if (!start.trimStart().startsWith('{') || !/"schema"\s*:\s*\d/.test(start)) return 0;
    return ['"threats"', '"mitigations"', '"applicationInfo"', '"mitigationLinks"'].some((k) => start.includes(k)) ? 0.9 : 0.3;
  },
  parse(text, options) {
    const json = readJson(text, options.file);
    return json.ok ? outcome(readThreatComposer(json.value), options) : json;
  },
};
