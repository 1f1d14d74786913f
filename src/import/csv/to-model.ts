/**
 * Spreadsheet rows -> the input of a `threat-model.yml`, plus a report of everything a
 * person should look at: guessed component types, flow ends matched to components by
 * abbreviation, duplicate ids, cells that could not be read. Pure: a parsed table in,
 * plain data out. Nothing is dropped silently: a cell that cannot be read is kept as
 * written (so lint points at it in the file) or noted on the threat, and reported.
 */
import { severityOf } from '../../model/cvss/index.ts';
import type { Severity } from '../../model/schema.ts';
import { ID_PATTERN, ImportBuilder, single } from '../builder.ts';
import { readDate, readScore, readSeverity, readStatus, readStrategy, readStride, splitOwners, splitRefs, splitTargets } from '../cells.ts';
import type { ImportedThreat, ImportOptions, ImportOutcome } from '../types.ts';
import { columnLetter, findHeaderRow, HEADER_SEARCH_ROWS, HEADER_SPELLINGS, headerKey, mapHeader, parseHeaderMap, type HeaderMap, type ImportField } from './columns.ts';
import type { CsvTable } from './csv.ts';

export { guessComponentType, slugify } from '../names.ts';

const FLOW_PREFIX = /^\s*data[\s-]*flows?\b\s*[:\-–]?\s*/i;
const ARROW = /\s*(↔|<->|<=>|⇄|⟷|->|→|=>|⇒|<-|←)\s*/;

interface FlowEnds {
  left: string;
  right: string;
  direction: 'both' | 'forward' | 'backward';
}

/** `Dataflow Customer ↔ Web App` -> its two ends; undefined for a component. */
export function parseFlowTarget(target: string): FlowEnds | { error: string } | undefined {
  const prefixed = FLOW_PREFIX.test(target);
  const rest = target.replace(FLOW_PREFIX, '');
  let split = ARROW.exec(rest);
  if (!split && prefixed) split = /\s+to\s+/i.exec(rest);
  if (!split) return prefixed ? { error: `"${target}" names a data flow but not its two ends (write "Dataflow A ↔ B" or "A -> B")` } : undefined;
  const left = rest.slice(0, split.index).trim();
  const right = rest.slice(split.index + split[0].length).trim();
  if (left === '' || right === '') return { error: `"${target}" is missing one end of the flow` };
  const arrow = (split[1] ?? 'to').trim();
  const direction = ['<-', '←'].includes(arrow) ? 'backward' : ['->', '→', '=>', '⇒', 'to'].includes(arrow) ? 'forward' : 'both';
  return { left, right, direction };
}

/** Rows -> model input and the import report. `table.rows[0]` is sheet row 1. */
export function rowsToModel(table: CsvTable, options: ImportOptions): ImportOutcome {
  let extra: HeaderMap = new Map();
  if (options.columnMap !== undefined) {
    const parsed = parseHeaderMap(options.columnMap);
    if (!parsed.ok) return { ok: false, message: `--map: ${parsed.message}` };
    extra = parsed.map;
  }
  const headerIndex = findHeaderRow(table.rows, extra);
  if (headerIndex === undefined) return { ok: false, message: noHeaderMessage(table) };
  const header = table.rows[headerIndex]!;
  const { fields, ignored } = mapHeader(header, extra);
  const build = new ImportBuilder(options);
  const columnName = (index: number) => `${columnLetter(index)} "${header[index]?.trim() ?? ''}"`;
  const at = (field: ImportField) => (fields[field] === undefined ? undefined : columnName(fields[field]));
  const place = (row: number, field?: ImportField) => ({ row, ...(field && at(field) ? { column: at(field)! } : {}) });

  const headerKeys = new Set(header.map(headerKey));
  for (const [key, field] of extra) {
    if (!headerKeys.has(key)) build.problem(`--map names a header "${key}" (for ${field}) that the header row does not have`, { row: headerIndex + 1 });
  }
  // A column nothing reads: lost when any row fills it (the import then refuses without
  // --allow-unmapped: a column a person filled is never dropped in silence).
  const filledRows = (index: number) => table.rows.slice(headerIndex + 1).filter((row) => (row[index] ?? '').trim() !== '').length;
  for (const column of ignored) {
    const filled = filledRows(column.index);
    if (column.reason === 'blank' && filled === 0) continue;
    const why =
      column.reason === 'repeated'
        ? `a second column for ${column.field}; column ${columnName(column.usedIndex!)} is used`
        : column.reason === 'blank'
          ? 'a column without a header'
          : `unknown column${column.suggestion ? `; did you mean "${column.suggestion}"?` : ''}`;
    const where = { row: headerIndex + 1, column: columnName(column.index) };
    if (filled > 0) {
      const hint = column.reason === 'unknown' ? ` (name its field with --map '${header[column.index]!.trim()}=FIELD')` : '';
      build.lost(`${why}: its ${filled} filled ${filled === 1 ? 'cell is' : 'cells are'} not imported${hint}`, where);
    } else build.problem(`${why}, ignored`, where);
  }
  for (const field of ['title', 'stride', 'target'] as const) {
    if (fields[field] === undefined) {
      build.problem(
        `no ${HEADER_SPELLINGS[field][0]} column (${HEADER_SPELLINGS[field].map((s) => `"${s}"`).join(', ')}): every threat needs \`${field === 'target' ? 'targets' : field}\`; lint lists them`,
        { row: headerIndex + 1 },
      );
    }
  }

  const cell = (row: readonly string[], field: ImportField): string => {
    const index = fields[field];
    return index === undefined ? '' : unguard((row[index] ?? '').trim());
  };
  const dataRows: { row: readonly string[]; number: number }[] = [];
  for (let i = headerIndex + 1; i < table.rows.length; i++) {
    const row = table.rows[i]!;
    if (row.every((c) => c.trim() === '')) continue;
    dataRows.push({ row, number: i + 1 });
  }
  if (dataRows.length === 0) return { ok: false, message: `no threats: the sheet has a header on row ${headerIndex + 1} but no rows below it`, row: headerIndex + 1 };

  // Pass 1: every component the sheet names, so flow ends can be matched against all of them.
  for (const { row, number } of dataRows) {
    for (const target of splitTargets(cell(row, 'target'))) {
      const flow = parseFlowTarget(target);
      if ((flow !== undefined && !('error' in flow)) || boundaryNameOf(target) !== undefined) continue;
      build.component({ name: target }, place(number, 'target'));
    }
  }

  const readAs = new Set<string>();
  const flowEnd = (name: string, row: number): string => {
    const exact = build.findComponent(name);
    if (exact) return exact;
    const abbreviated = build.findComponentByAbbreviation(name);
    if (abbreviated && abbreviated !== 'ambiguous') {
      // Once per spelling: the first row that uses it.
      if (!readAs.has(name)) {
        readAs.add(name);
        build.review(`flow end "${name}" read as component ${abbreviated} ("${build.componentName(abbreviated)}")`, place(row, 'target'));
      }
      return abbreviated;
    }
    return build.component({ name, flowEndOnly: true, how: `, a flow end${abbreviated === 'ambiguous' ? ' that abbreviates several components' : ''}` }, place(row, 'target'));
  };

  const boundaries = new Set<string>();
  const resolveTarget = (target: string, row: number): string => {
    const boundaryName = boundaryNameOf(target);
    if (boundaryName !== undefined) {
      const id = build.findBoundary(boundaryName) ?? build.boundary({ name: boundaryName, trust: 'untrusted', trustComment: 'trust not in the sheet: review' });
      if (!boundaries.has(id)) {
        boundaries.add(id);
        build.review(`"${target}" names trust boundary ${id} (trust untrusted, a guess): target the components or flows inside it instead; lint points at it`, place(row, 'target'));
      }
      return id;
    }
    // A flow the merge target defines, named by its id (as `threatloop export --format csv` writes it).
    const knownFlow = build.findFlow(target);
    if (knownFlow !== undefined) return knownFlow;
    const flow = parseFlowTarget(target);
    if (flow === undefined || 'error' in flow) {
      if (flow) build.problem(`${flow.error}; read as a component`, place(row, 'target'));
      const id = build.findComponent(target)!;
      const name = build.componentName(id)!;
      if (name !== target && !readAs.has(target)) {
        readAs.add(target);
        build.review(`"${target}" read as component ${id} ("${name}")`, place(row, 'target'));
      }
      return id;
    }
    let from = flowEnd(flow.left, row);
    let to = flowEnd(flow.right, row);
    if (flow.direction === 'backward') [from, to] = [to, from];
    const bidirectional = flow.direction === 'both';
    const name = flow.direction === 'backward' ? `${flow.right} → ${flow.left}` : `${flow.left} ${bidirectional ? '↔' : '→'} ${flow.right}`;
    return build.flow({ from, to, bidirectional, name });
  };

  // Rows of one threat that differ only in the target (one row per threat and target, as an
  // export writes them) are one threat with several targets.
  const threatRows = new Map<string, { threat: ImportedThreat; rest: string }>();
  const targetIndex = fields.target;
  for (const { row, number } of dataRows) {
    const problem = (field: ImportField | undefined, message: string) => build.problem(message, place(number, field));
    const rowId = cell(row, 'id');
    const rest = JSON.stringify(row.map((c, i) => (i === targetIndex ? '' : c.trim())));
    const same = rowId === '' || targetIndex === undefined ? undefined : threatRows.get(rowId);
    if (same && same.rest === rest) {
      const more = splitTargets(cell(row, 'target')).map((t) => resolveTarget(t, number));
      const before = same.threat.targets === undefined ? [] : Array.isArray(same.threat.targets) ? same.threat.targets : [same.threat.targets];
      same.threat.targets = single([...new Set([...before, ...more])]);
      continue;
    }
    const comments: string[] = [];

    let id = cell(row, 'id');
    if (id === '') {
      id = `row-${number}`;
      problem('id', `no ID: imported as "${id}"; give it a real id`);
    }
    if (options.existing?.threatIds.includes(id)) {
      build.threat({ id }, place(number, 'id'));
      continue;
    }

    const threat: ImportedThreat = { id: /^(0|[1-9]\d{0,14})$/.test(id) ? Number(id) : id };
    if (!ID_PATTERN.test(id)) problem('id', `id "${id}" has characters an id cannot (letters, digits, ".", "_", ":" or "-"); kept as written for you to rename`);

    const title = cell(row, 'title');
    if (title !== '') threat.title = title;
    else if (fields.title !== undefined) problem('title', 'no threat title');

    const strideCell = cell(row, 'stride');
    if (strideCell !== '') {
      const stride = readStride(strideCell);
      if (stride.ok) threat.stride = single(stride.value);
      else {
        threat.stride = strideCell;
        problem('stride', `${stride.message}; kept as written`);
      }
    } else if (fields.stride !== undefined) problem('stride', 'no STRIDE category');

    const targets = splitTargets(cell(row, 'target')).map((t) => resolveTarget(t, number));
    if (targets.length > 0) threat.targets = single([...new Set(targets)]);
    else if (fields.target !== undefined) problem('target', 'no component or data flow');

    const description = cell(row, 'description');
    if (description !== '') threat.description = description;

    // CVSS: a vector (with the stated score, for lint to compare), or a score without one.
    const vector = cell(row, 'vector').replace(/\s+/g, '');
    const scoreCell = cell(row, 'score');
    const score = scoreCell === '' ? undefined : readScore(scoreCell);
    if (score && !score.ok) {
      problem('score', `${score.message}; noted on the threat`);
      comments.push(`The sheet's score "${scoreCell}" could not be read.`);
    }
    const stated = score?.ok ? score.value : undefined;
    if (vector !== '') threat.cvss = { vector, ...(stated ? { score: stated.score } : {}) };
    const severityCell = cell(row, 'severity');
    let severity: Severity | undefined;
    if (severityCell !== '') {
      const read = readSeverity(severityCell);
      if (read.ok) severity = read.value;
      else {
        threat.severity = severityCell;
        problem('severity', `${read.message}; kept as written`);
      }
    }
    if (stated && vector === '') {
      severity ??= stated.severity ?? severityOf(stated.score);
      comments.push(`CVSS base score ${stated.score.toFixed(1)} stated without a vector: add the vector (\`threatloop cvss\` scores it).`);
      build.review(`score ${stated.score.toFixed(1)} has no vector: kept as severity ${severity}; add the vector`, place(number, 'score'));
    }
    if (severity === undefined && stated?.severity !== undefined) severity = stated.severity;
    if (severity !== undefined) threat.severity = severity;

    const strategyCell = cell(row, 'strategy');
    if (strategyCell !== '') {
      const { strategies, rest } = readStrategy(strategyCell);
      if (strategies.length > 0) threat.strategy = single(strategies);
      if (rest !== '') {
        comments.push(`Strategy in the sheet: "${strategyCell}" ("${rest}" is not one of eliminate, mitigate, accept, transfer).`);
        build.review(`strategy "${strategyCell}": ${strategies.length > 0 ? `read as ${strategies.join(' + ')}; ` : ''}"${rest}" kept as a comment on the threat`, place(number, 'strategy'));
      }
    }

    const mitigation = cell(row, 'mitigation');
    if (mitigation !== '') threat.mitigation = mitigation;

    const ownerNames = splitOwners(cell(row, 'owner'));
    if (ownerNames.length > 0) threat.owner = single([...new Set(ownerNames.map((o) => build.owner(o)))]);

    const statusCell = cell(row, 'status');
    if (statusCell !== '') {
      const status = readStatus(statusCell);
      if (status.ok) {
        if (status.value !== 'open') threat.status = status.value;
      } else {
        threat.status = statusCell;
        problem('status', `${status.message}; kept as written`);
      }
    }

    const dueCell = cell(row, 'due');
    if (dueCell !== '') {
      const due = readDate(dueCell);
      if (due.ok) threat.due = due.value;
      else {
        threat.due = dueCell;
        problem('due', `${due.message}; kept as written`);
      }
    }

    for (const field of ['verification', 'residual_risk', 'rationale'] as const) {
      const text = cell(row, field);
      if (text !== '') threat[field] = text;
    }
    const refs = splitRefs(cell(row, 'refs'));
    if (refs.length > 0) threat.refs = refs;

    build.threat(threat, place(number, 'id'), comments);
    if (!threatRows.has(id)) threatRows.set(id, { threat, rest });
  }

  return {
    ok: true,
    result: build.build('csv', {
      headerRow: headerIndex + 1,
      rows: dataRows.length,
      advice: CSV_ADVICE,
      sectionComments: {
        boundaries: ' A spreadsheet has no trust boundaries: add them here (id, name, trust: untrusted | partner | restricted | trusted).',
        components: ' Components and flows are the targets the sheet names; flow ends were matched to components by name.',
      },
    }),
  };
}

/** `Internet boundary`, `Trust boundary: DMZ` -> the boundary's name; undefined for anything else (a flow included). */
export function boundaryNameOf(target: string): string | undefined {
  if (parseFlowTarget(target) !== undefined) return undefined;
  const match = /^\s*(?:trust\s+boundary\s*[:\-–]\s*(.+)|(.+?)\s+(?:trust\s+)?boundary)\s*$/i.exec(target);
  return match ? (match[1] ?? match[2])!.trim() : undefined;
}

/**
 * `'=SUM(1)` -> `=SUM(1)`: the quote a CSV export puts before a cell a spreadsheet would run as a formula
 * (and before one that already starts with such a quote, so `''-` reads back as `'-`).
 */
function unguard(text: string): string {
  return /^'+[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}

const CSV_ADVICE = [
  ' - component types are guessed from their names (comments on each `type`);',
  ' - a spreadsheet has no trust boundaries: add them under `boundaries` and set each component’s `boundary`;',
  ' - add `paths` (globs of the code) to components so pull requests get threat context;',
  ' - owners are names from the sheet: add their GitHub logins (`github:`) to assign issues.',
];

function noHeaderMessage(table: CsvTable): string {
  const first = table.rows.find((r) => r.some((c) => c.trim() !== ''));
  if (!first) return 'the file has no rows';
  const map = mapHeader(first);
  const shown = first
    .slice(0, 8)
    .map((c) => `"${c.trim().slice(0, 30)}"`)
    .join(', ');
  const row = table.rows.indexOf(first) + 1;
  if (map.fields.id === undefined) {
    return `no ID column in the first ${HEADER_SEARCH_ROWS} rows (row ${row} reads ${shown}${first.length > 8 ? ', ...' : ''}); name the column of threat ids ${HEADER_SPELLINGS.id
      .slice(0, 3)
      .map((s) => `"${s}"`)
      .join(', ')} or "#"`;
  }
  return `no header row: row ${row} has an ID column but no other known column (e.g. "Threat", "STRIDE", "Component")`;
}
