import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/import/registry.ts';
import { fixture } from './run.ts';

describe('detection by content tells the five tool formats apart, and from OTM and CSV', () => {
  const files: [string, string][] = [
    ['threat-dragon/clinic-portal.json', 'threat-dragon'],
    ['tm7/clinic-scheduling.tm7', 'tm7'],
    ['threat-composer/clinic-messaging.tc.json', 'threat-composer'],
    ['threagile/threagile.yaml', 'threagile'],
    ['threagile/risks.json', 'threagile'],
    ['pytm/comment-board.json', 'pytm'],
  ];
  it.each(files)('%s is %s, and no other detector comes close', (path, format) => {
    const detection = detectFormat(fixture(path));
    expect(detection.ok).toBe(true);
    if (!detection.ok) return;
    expect(detection.format.id).toBe(format);
    expect(detection.runnerUp?.confidence ?? 0).toBeLessThan(detection.confidence);
  });

  it('OTM and CSV are not claimed by the tool formats', () => {
    const otm = detectFormat('{"otmVersion": "0.2.0", "project": {"name": "x", "id": "x"}, "components": []}');
    expect(otm.ok && otm.format.id).toBe('otm');
    const csv = detectFormat('ID,Threat,STRIDE,Component\n1,Phishing,S,Customer\n');
    expect(csv.ok && csv.format.id).toBe('csv');
    // A spreadsheet that mentions a tool's words is still a spreadsheet.
    const sheet = detectFormat('ID,Threat,STRIDE,Component\n1,"technical_assets: leaked, summary and diagrams",I,ThreatModel\n');
    expect(sheet.ok && sheet.format.id).toBe('csv');
  });
});
