import { describe, expect, it } from 'vitest';
import { DRIFT_ALERT_PREFIX, driftAlertPattern, driftAlertSpec } from '../../../src/resources/drift-rule.js';
import { failureRuleResource } from '../../../src/resources/failure-rule.js';
import { matchesWithMoto, objectCreatedEvent } from '../../support/event-pattern.js';
import { mockedStack } from '../support/stack.js';

const BUCKET = 'flight-delays-123456789012-eu-west-1';

describe('the drift rule', () => {
  it("matches the arrival of the job's drift alert in the stack's bucket, and nothing else (moto's own matcher)", () => {
    const alert = `${DRIFT_ALERT_PREFIX}20270101T060500Z.json`;
    expect(alert).toBe('processed/reports/drift_alert-20270101T060500Z.json');
    const events = [
      objectCreatedEvent(BUCKET, alert),
      objectCreatedEvent(BUCKET, 'processed/reports/run_report-20270101T060500Z.json'),
      objectCreatedEvent(BUCKET, 'processed/reports/run_report.json'),
      objectCreatedEvent(BUCKET, 'processed/drift/year=2027/quarter=1/part-0.parquet'),
      objectCreatedEvent(BUCKET, 'raw/reports/drift_alert-x.json'),
      objectCreatedEvent('another-bucket', alert),
      objectCreatedEvent(BUCKET, alert, 'Object Deleted'),
    ];
    expect(matchesWithMoto(driftAlertPattern(BUCKET), events)).toEqual([true, false, false, false, false, false, false]);
  });

  it('says what drifted beyond which threshold, where the features are named and what shows them', () => {
    const t = mockedStack({ region: 'eu-west-1', raw: { notify: ['ops@example.com'], driftThreshold: 0.25 } });
    const spec = driftAlertSpec(t.ctx);
    expect(spec.name).toBe('flight-delays-drift');
    const lines = spec.transformer.InputTemplate.split('\n').map((line) => JSON.parse(line) as string);
    expect(lines[0]).toBe(
      'Stack flight-delays: a run of the Glue job flight-delays-features ended with features drifted above PSI 0.25 (--drift-threshold) from the quarter before.',
    );
    expect(lines).toContain(`Features: s3://${BUCKET}/<key> names each, with its quarter and PSI`);
    expect(lines).toContain('Status:   provisioner status --name flight-delays --region eu-west-1');
    expect(new Set([...spec.transformer.InputTemplate.matchAll(/<([A-Za-z0-9_-]+)>/g)].map((m) => m[1]))).toEqual(new Set(Object.keys(spec.transformer.InputPathsMap)));
    expect(failureRuleResource(t.ctx, spec).wanted).toBe(true);
    expect(failureRuleResource(mockedStack().ctx, driftAlertSpec(mockedStack().ctx)).wanted).toBe(false);
  });
});
