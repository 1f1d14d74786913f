/**
 * One CSV cell (RFC 4180), safe to open in a spreadsheet. Every cell comes from a repository file, so a
 * cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab or CR first) gets a leading `'`,
 * which spreadsheets show as text, as OWASP advises; `threatloop import` removes it again. So does a cell
 * that already starts with such quotes (`'-`), or the import would take its own quote off. Written by
 * hand: no CSV library neutralises formulas, and quoting is the two lines below.
 */
export function csvCell(value: string): string {
  const safe = /^'*[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n;\t]/.test(safe) || safe !== safe.trim() ? `"${safe.replace(/"/g, '""')}"` : safe;
}
