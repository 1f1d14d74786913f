/** `threatloop export`: the model in other tools' formats. Pure renderers; the command writes the file. */
export { exportCsv } from './csv.ts';
export { exportOtm, otmRisk } from './otm.ts';
export { exportTmBom, TMBOM_DRAFT } from './tmbom.ts';
export const EXPORT_FORMATS = ['otm', 'tmbom', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
