import {
  CreateWorkGroupCommand,
  DeleteWorkGroupCommand,
  GetWorkGroupCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UpdateWorkGroupCommand,
  type WorkGroup,
} from '@aws-sdk/client-athena';
import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../../src/config/settings.js';
import { applyStep, planStep } from '../../../src/stack/plan.js';
import { configurationUpdates, workgroupArn, workgroupConfiguration, workgroupDrift, workgroupResource } from '../../../src/resources/workgroup.js';
import { athenaInvalidRequest, athenaNotFound } from '../support/errors.js';
import { KMS_KEY_ID, mockedStack, mutatingCommands, updateStep, type MockedStack } from '../support/stack.js';

const TAGS = { ManagedBy: 'glue-provisioner', Stack: 'flight-delays' };
const BUCKET = 'flight-delays-123456789012-eu-west-1';
const ARN = 'arn:aws:athena:eu-west-1:123456789012:workgroup/flight-delays';
const DESCRIPTION = 'Queries of the tables of stack flight-delays (database flight_delays)';

/** The workgroup as Athena answers for one `up` made, with what Athena adds of its own. */
function asCreated(t: MockedStack, changes: Partial<WorkGroup> = {}): WorkGroup {
  const configuration = workgroupConfiguration(t.ctx);
  return {
    Name: 'flight-delays',
    State: 'ENABLED',
    Description: DESCRIPTION,
    CreationTime: new Date(),
    ...changes,
    Configuration: {
      ...configuration,
      RequesterPaysEnabled: false,
      EngineVersion: { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' },
      ...changes.Configuration,
    },
  };
}

function mockFound(t: MockedStack, group: WorkGroup, tags: Record<string, string> = TAGS): void {
  t.athena.on(GetWorkGroupCommand, { WorkGroup: 'flight-delays' }).resolves({ WorkGroup: group });
  t.athena.on(ListTagsForResourceCommand, { ResourceARN: ARN }).resolves({ Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) });
}

describe('workgroupConfiguration', () => {
  it('writes results under the stack bucket, SSE-S3 by default, enforced, with metrics and the scan limit in bytes of 10^6 per MB', () => {
    const { ctx } = mockedStack();
    expect(workgroupConfiguration(ctx)).toEqual({
      ResultConfiguration: {
        OutputLocation: `s3://${BUCKET}/athena-results/`,
        EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        ExpectedBucketOwner: '123456789012',
      },
      EnforceWorkGroupConfiguration: true,
      PublishCloudWatchMetricsEnabled: true,
      // The default, 10,240 MB.
      BytesScannedCutoffPerQuery: 10_240_000_000,
    });
  });

  it('encrypts with the bucket key by the key ARN up resolved, however --kms-key named it', () => {
    const { ctx } = mockedStack({ raw: { kmsKey: 'alias/data-key' } });
    expect(workgroupConfiguration(ctx).ResultConfiguration?.EncryptionConfiguration).toEqual({
      EncryptionOption: 'SSE_KMS',
      KmsKey: `arn:aws:kms:eu-west-1:123456789012:key/${KMS_KEY_ID}`,
    });
  });

  it.each([
    [10, 10_000_000],
    [1, undefined],
    [9, undefined],
    [123_456, 123_456_000_000],
  ])('--athena-scan-limit-mb %d is %s bytes, or refused below Athena least 10 MB in one line naming it', (mb, bytes) => {
    if (bytes === undefined) {
      expect(() => resolveSettings({ athenaScanLimitMb: mb }, {}, '/work')).toThrow(
        new RegExp(`^invalid --athena-scan-limit-mb ${mb}: expected a whole number from 10 to 1000000000 MB; Athena's least per-query limit is 10 MB$`),
      );
      return;
    }
    // Athena's own minimum (botocore's model: BytesScannedCutoffValue min 10000000) is the least we send.
    expect(workgroupConfiguration(mockedStack({ raw: { athenaScanLimitMb: mb } }).ctx).BytesScannedCutoffPerQuery).toBe(bytes);
    expect(bytes).toBeGreaterThanOrEqual(10_000_000);
  });

  it('refuses a scan limit that is not a whole number', () => {
    expect(() => resolveSettings({ athenaScanLimitMb: '10.5' }, {}, '/work')).toThrow(/^invalid --athena-scan-limit-mb "10.5"/);
    expect(() => resolveSettings({ athenaScanLimitMb: 'lots' }, {}, '/work')).toThrow(/^invalid --athena-scan-limit-mb "lots"/);
  });
});

describe('workgroupDrift', () => {
  it('finds nothing in a workgroup as up made it, whatever Athena added', () => {
    const t = mockedStack();
    expect(workgroupDrift(asCreated(t), workgroupConfiguration(t.ctx), DESCRIPTION)).toEqual([]);
  });

  it('finds each setting changed outside, by its key', () => {
    const t = mockedStack();
    const wanted = workgroupConfiguration(t.ctx);
    const drift = (changes: Partial<WorkGroup>) => workgroupDrift(asCreated(t, changes), wanted, DESCRIPTION);
    expect(drift({ Configuration: { ResultConfiguration: { ...wanted.ResultConfiguration, OutputLocation: 's3://elsewhere/' } } })).toEqual(['results']);
    expect(drift({ Configuration: { ResultConfiguration: { ...wanted.ResultConfiguration, EncryptionConfiguration: undefined } } })).toEqual(['encryption']);
    expect(drift({ Configuration: { BytesScannedCutoffPerQuery: 20_000_000 } })).toEqual(['scanLimit']);
    expect(drift({ Configuration: { BytesScannedCutoffPerQuery: undefined } })).toEqual(['scanLimit']);
    expect(drift({ Configuration: { EnforceWorkGroupConfiguration: false } })).toEqual(['enforced']);
    expect(drift({ Configuration: { PublishCloudWatchMetricsEnabled: false } })).toEqual(['metrics']);
    expect(drift({ State: 'DISABLED' })).toEqual(['state']);
    expect(drift({ Description: 'mine' })).toEqual(['description']);
  });

  it('finds the results encrypted with another key, or without the bucket key', () => {
    const withKey = mockedStack({ raw: { kmsKey: 'alias/data-key' } });
    const wanted = workgroupConfiguration(withKey.ctx);
    const sseS3 = asCreated(withKey, { Configuration: { ResultConfiguration: { ...wanted.ResultConfiguration, EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } } } });
    const otherKey = asCreated(withKey, {
      Configuration: { ResultConfiguration: { ...wanted.ResultConfiguration, EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: 'arn:aws:kms:eu-west-1:123456789012:key/other' } } },
    });
    expect(workgroupDrift(sseS3, wanted, DESCRIPTION)).toEqual(['encryption']);
    expect(workgroupDrift(otherKey, wanted, DESCRIPTION)).toEqual(['encryption']);
    expect(workgroupDrift(asCreated(withKey), wanted, DESCRIPTION)).toEqual([]);
  });
});

describe('configurationUpdates', () => {
  it('sends only what drifted', () => {
    const { ctx } = mockedStack({ raw: { athenaScanLimitMb: 50 } });
    const wanted = workgroupConfiguration(ctx);
    expect(configurationUpdates(wanted, ['scanLimit'])).toEqual({ BytesScannedCutoffPerQuery: 50_000_000 });
    expect(configurationUpdates(wanted, ['encryption', 'metrics'])).toEqual({
      ResultConfigurationUpdates: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } },
      PublishCloudWatchMetricsEnabled: true,
    });
    expect(configurationUpdates(wanted, ['results', 'enforced'])).toEqual({
      ResultConfigurationUpdates: { OutputLocation: `s3://${BUCKET}/athena-results/`, ExpectedBucketOwner: '123456789012' },
      EnforceWorkGroupConfiguration: true,
    });
    expect(configurationUpdates(wanted, ['state', 'description'])).toBeUndefined();
  });
});

describe('workgroupResource', () => {
  it('is missing when Athena says it is not found, or (as moto does) answers with none', async () => {
    const t = mockedStack();
    t.athena.on(GetWorkGroupCommand).rejects(athenaNotFound());
    await expect(workgroupResource(t.ctx).find()).resolves.toBeUndefined();
    const moto = mockedStack();
    moto.athena.on(GetWorkGroupCommand).resolves({});
    await expect(workgroupResource(moto.ctx).find()).resolves.toBeUndefined();
  });

  it('fails on any other bad request rather than taking the workgroup for missing', async () => {
    const t = mockedStack();
    t.athena.on(GetWorkGroupCommand).rejects(athenaInvalidRequest('Rate exceeded for this account'));
    await expect(workgroupResource(t.ctx).find()).rejects.toThrow('Rate exceeded');
  });

  it('finds the workgroup with its tags, across pages of tags', async () => {
    const t = mockedStack();
    t.athena.on(GetWorkGroupCommand).resolves({ WorkGroup: asCreated(t) });
    t.athena
      .on(ListTagsForResourceCommand, { ResourceARN: ARN })
      .resolvesOnce({ Tags: [{ Key: 'ManagedBy', Value: 'glue-provisioner' }], NextToken: 'more' })
      .resolvesOnce({ Tags: [{ Key: 'Stack', Value: 'flight-delays' }] });
    const found = await workgroupResource(t.ctx).find();
    expect(found?.tags).toEqual(TAGS);
    expect(t.athena.commandCalls(ListTagsForResourceCommand)[1]!.args[0].input).toEqual({ ResourceARN: ARN, NextToken: 'more' });
    expect(workgroupArn(t.ctx)).toBe(ARN);
  });

  it('plans a create with where the results go and the scan limit, and creates it tagged', async () => {
    const t = mockedStack();
    t.athena.on(GetWorkGroupCommand).rejects(athenaNotFound());
    const resource = workgroupResource(t.ctx);
    const step = await planStep(t.ctx, resource);
    expect(step.change).toEqual({
      kind: 'workgroup',
      name: 'flight-delays',
      action: 'create',
      details: [`results in s3://${BUCKET}/athena-results/ (SSE-S3)`, 'at most 10,240 MB scanned per query'],
    });
    await applyStep(t.ctx, step);
    expect(t.athena.commandCalls(CreateWorkGroupCommand)[0]!.args[0].input).toEqual({
      Name: 'flight-delays',
      Description: DESCRIPTION,
      Configuration: workgroupConfiguration(t.ctx),
      Tags: [
        { Key: 'ManagedBy', Value: 'glue-provisioner' },
        { Key: 'Stack', Value: 'flight-delays' },
      ],
    });
  });

  it('finishes a create whose answer was lost as an update, when the workgroup Athena says is already created is ours', async () => {
    const t = mockedStack();
    t.athena.on(GetWorkGroupCommand).rejectsOnce(athenaNotFound()).resolves({ WorkGroup: asCreated(t) });
    t.athena.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'ManagedBy', Value: 'glue-provisioner' }, { Key: 'Stack', Value: 'flight-delays' }] });
    t.athena.on(CreateWorkGroupCommand).rejects(athenaInvalidRequest('WorkGroup is already created'));
    const step = await planStep(t.ctx, workgroupResource(t.ctx));
    await expect(applyStep(t.ctx, step)).resolves.toBeUndefined();
    expect(mutatingCommands(t)).toEqual(['CreateWorkGroupCommand']);
  });

  it('is in sync as created: plan and up send nothing', async () => {
    const t = mockedStack();
    mockFound(t, asCreated(t));
    const step = await planStep(t.ctx, workgroupResource(t.ctx));
    expect(step.change.action).toBe('no-op');
    await applyStep(t.ctx, step);
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('updates a changed scan limit in place, sending only the limit', async () => {
    const t = mockedStack({ raw: { athenaScanLimitMb: 20 } });
    mockFound(t, asCreated(mockedStack()));
    const step = await planStep(t.ctx, workgroupResource(t.ctx));
    expect(step.change).toMatchObject({ action: 'update', details: ['scan limit per query'] });
    await applyStep(t.ctx, step);
    expect(mutatingCommands(t)).toEqual(['UpdateWorkGroupCommand']);
    expect(t.athena.commandCalls(UpdateWorkGroupCommand)[0]!.args[0].input).toEqual({
      WorkGroup: 'flight-delays',
      ConfigurationUpdates: { BytesScannedCutoffPerQuery: 20_000_000 },
    });
  });

  it('enables a disabled workgroup and puts its description back', async () => {
    const t = mockedStack();
    const resource = workgroupResource(t.ctx);
    await resource.update(asCreated(t, { State: 'DISABLED', Description: 'x' }), ['state', 'description']);
    expect(t.athena.commandCalls(UpdateWorkGroupCommand)[0]!.args[0].input).toEqual({ WorkGroup: 'flight-delays', Description: DESCRIPTION, State: 'ENABLED' });
  });

  it('refuses, when planning, to adopt a workgroup of the same name that this stack did not create', async () => {
    const t = mockedStack();
    mockFound(t, asCreated(t), { Team: 'analytics' });
    await expect(planStep(t.ctx, workgroupResource(t.ctx))).rejects.toThrow(/workgroup flight-delays/);
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('repairs missing stack tags by its ARN before any other update', async () => {
    const t = mockedStack();
    const resource = workgroupResource(t.ctx);
    const found = { state: asCreated(t, { State: 'DISABLED' }), tags: { ManagedBy: 'glue-provisioner' } };
    await applyStep(t.ctx, updateStep(t.ctx, resource, found));
    expect(mutatingCommands(t)).toEqual(['TagResourceCommand', 'UpdateWorkGroupCommand']);
    expect(t.athena.commandCalls(TagResourceCommand)[0]!.args[0].input).toEqual({ ResourceARN: ARN, Tags: [{ Key: 'Stack', Value: 'flight-delays' }] });
  });

  it('is deleted with its named queries and history', async () => {
    const t = mockedStack();
    await workgroupResource(t.ctx).destroy!();
    expect(t.athena.commandCalls(DeleteWorkGroupCommand)[0]!.args[0].input).toEqual({ WorkGroup: 'flight-delays', RecursiveDeleteOption: true });
  });

  it('shows its state in status', () => {
    const t = mockedStack();
    expect(workgroupResource(t.ctx).summarize!(asCreated(t, { State: 'DISABLED' }))).toEqual({ state: 'DISABLED' });
  });
});
