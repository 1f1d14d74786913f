/**
 * Ids that stay stable: a threat removed from the model leaves its id
 * retired, so a later threat cannot take over its issue and history.
 */
import type { ThreatModel } from './schema.ts';

export interface RetiredIdSuggestion {
  id: string;
  /** `removed`: the previous model had a threat with this id; `dropped`: it was in the previous `retired` list. */
  why: 'removed' | 'dropped';
}

/**
 * Ids to add to `retired` in `current`: threats the previous model had that
 * are gone (and whose id no current threat uses), and retired ids the
 * current model dropped from its list. In the previous model's order.
 */
export function suggestRetiredIds(previous: ThreatModel, current: ThreatModel): RetiredIdSuggestion[] {
  const inUse = new Set(current.threats.map((t) => t.id));
  const retired = new Set(current.retired);
  const suggestions: RetiredIdSuggestion[] = [];
  const seen = new Set<string>();
  const suggest = (id: string, why: RetiredIdSuggestion['why']) => {
    if (seen.has(id) || retired.has(id)) return;
    seen.add(id);
    suggestions.push({ id, why });
  };
  // A removed id that a current threat reuses is not suggested: lint `id-reused` cannot help there, a person must decide.
  for (const threat of previous.threats) if (!inUse.has(threat.id)) suggest(threat.id, 'removed');
  for (const id of previous.retired) suggest(id, 'dropped');
  return suggestions;
}

/**
 * Of the ids of threats known to have left the model (e.g. their issues remain), those `current` neither
 * uses nor lists under `retired`, in the order given, each once: what the sync suggests retiring.
 */
export function unretiredIds(removedIds: Iterable<string>, current: ThreatModel): string[] {
  const taken = new Set([...current.threats.map((t) => t.id), ...current.retired]);
  return [...new Set(removedIds)].filter((id) => !taken.has(id));
}
