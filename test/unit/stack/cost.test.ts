import { GetJobRunsCommand, ListCrawlsCommand } from '@aws-sdk/client-glue';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  crawlCost,
  estimateCrawl,
  estimateJobRun,
  estimatePipelineRun,
  estimatePipelineRunCost,
  jobRunCost,
  recentCrawls,
  type JobShape,
} from '../../../src/stack/cost.js';
import { glueNotFound } from '../support/errors.js';
import { mockedStack, mutatingCommands, type MockedStack } from '../support/stack.js';

// Every figure below is worked out by hand: DPUs x hours x USD per DPU-hour.
const job = (
  workerType: JobShape['workerType'],
  workers: number,
  executionClass: JobShape['executionClass'] = 'STANDARD',
  glueVersion: JobShape['glueVersion'] = '5.0',
): JobShape => ({
  glueVersion,
  workerType,
  workers,
  executionClass,
});

describe('estimateJobRun', () => {
  it.each<[JobShape, number, number, number, number]>([
    // shape, minutes, DPUs, DPU-hours, USD in us-east-1 at $0.44
    [job('G.1X', 2), 15, 2, 0.5, 0.22], // 2 x 1 DPU x 0.25 h = 0.5 DPU-h
    [job('G.2X', 10), 30, 20, 10, 4.4], // 10 x 2 DPU x 0.5 h = 10 DPU-h
    [job('G.4X', 5), 12, 20, 4, 1.76], // 5 x 4 DPU x 0.2 h = 4 DPU-h
    [job('G.8X', 3), 6, 24, 2.4, 1.056], // 3 x 8 DPU x 0.1 h = 2.4 DPU-h
  ])('%j for %d minutes: %d DPU, %d DPU-hours, $%d', (shape, minutes, dpus, dpuHours, usd) => {
    const estimate = estimateJobRun(shape, minutes, 'setting', 'us-east-1');
    expect(estimate).toMatchObject({ dpus, dpuHours, usdPerDpuHour: 0.44, usd, billedSeconds: minutes * 60 });
    expect(estimate.noPrice).toBeUndefined();
  });

  it('prices Flex at its own rate: 10 x G.2X for 30 minutes is 10 DPU-hours x $0.29 = $2.90', () => {
    expect(estimateJobRun(job('G.2X', 10, 'FLEX'), 30, 'setting', 'us-east-1')).toMatchObject({ dpuHours: 10, usdPerDpuHour: 0.29, usd: 2.9 });
  });

  it('bills at least one minute: 15 seconds on 2 x G.1X is billed as 60 s, 2/60 DPU-hours x $0.44 = $0.014667', () => {
    expect(estimateJobRun(job('G.1X', 2), 0.25, 'setting', 'us-east-1')).toMatchObject({
      billedSeconds: 60,
      dpuHours: 0.033333,
      usd: 0.014667,
    });
  });

  it('bills whole seconds, rounding up: 1.01 minutes is 61 s', () => {
    expect(estimateJobRun(job('G.1X', 2), 1.01, 'setting', 'us-east-1').billedSeconds).toBe(61);
  });

  it("uses the region's rate: 0.5 DPU-hours in sa-east-1 at $0.69 is $0.345", () => {
    expect(estimateJobRun(job('G.1X', 2), 15, 'setting', 'sa-east-1')).toMatchObject({ usdPerDpuHour: 0.69, usd: 0.345 });
  });

  it('says there is no price rather than guessing one', () => {
    expect(estimateJobRun(job('G.1X', 2), 15, 'setting', 'eu-south-2')).toMatchObject({ dpuHours: 0.5, usdPerDpuHour: null, usd: null, noPrice: 'no price for eu-south-2' });
    expect(estimateJobRun(job('G.1X', 2, 'FLEX'), 15, 'setting', 'eu-west-1')).toMatchObject({ usd: null, noPrice: 'no Flex price for eu-west-1' });
  });

  it("prices Glue 5.1 as 5.0, and gives Glue 6.0 no price in any region rather than 5.x's rate", () => {
    expect(estimateJobRun(job('G.1X', 2, 'STANDARD', '5.1'), 15, 'setting', 'us-east-1')).toMatchObject({ glueVersion: '5.1', usd: 0.22 });
    for (const region of ['us-east-1', 'sa-east-1']) {
      for (const executionClass of ['STANDARD', 'FLEX'] as const) {
        const estimate = estimateJobRun(job('G.1X', 2, executionClass, '6.0'), 15, 'setting', region);
        // The DPU-hours do not depend on the price: 2 x 1 DPU x 0.25 h.
        expect(estimate).toMatchObject({ glueVersion: '6.0', dpuHours: 0.5, usdPerDpuHour: null, usd: null, noPrice: `no Glue 6.0 price for ${region}` });
      }
    }
  });
});

describe('estimateCrawl', () => {
  it('assumes 2 DPUs for the 10-minute minimum without a past crawl: 1/3 DPU-hour x $0.44 = $0.146667', () => {
    expect(estimateCrawl(undefined, 'us-east-1')).toEqual({ dpuHours: 0.333333, dpuHoursFrom: 'assumed', usdPerDpuHour: 0.44, usd: 0.146667 });
  });

  it("takes a past crawl's DPU-hours as Glue reported them: 0.5 x $0.44 = $0.22", () => {
    expect(estimateCrawl(0.5, 'us-east-1')).toEqual({ dpuHours: 0.5, dpuHoursFrom: 'last-crawl', usdPerDpuHour: 0.44, usd: 0.22 });
  });

  it('has no crawler price outside the sourced regions', () => {
    expect(estimateCrawl(undefined, 'eu-west-1')).toMatchObject({ usd: null, noPrice: 'no crawler price for eu-west-1' });
  });
});

describe('estimatePipelineRun', () => {
  const settings = { glueVersion: '5.0', workerType: 'G.1X', workers: 2, executionClass: 'STANDARD', expectedMinutes: undefined } as const;

  it('adds the job and the crawl: $0.22 + $0.146667 = $0.366667 in us-east-1, marked an estimate', () => {
    const cost = estimatePipelineRun(settings, 'us-east-1');
    expect(cost).toMatchObject({ estimate: true, currency: 'USD', region: 'us-east-1', totalUsd: 0.366667, complete: true });
    expect(cost.job).toMatchObject({ minutes: 15, minutesFrom: 'assumed' });
    expect(cost.priceTable).toMatch(/AWS Glue on-demand list prices/);
  });

  it('takes --expected-minutes over the last run, and the last run over the default', () => {
    expect(estimatePipelineRun({ ...settings, expectedMinutes: 30 }, 'us-east-1', { lastJobSeconds: 600 }).job).toMatchObject({ minutes: 30, minutesFrom: 'setting' });
    expect(estimatePipelineRun(settings, 'us-east-1', { lastJobSeconds: 600 }).job).toMatchObject({ minutes: 10, minutesFrom: 'last-run', usd: 0.146667 });
    expect(estimatePipelineRun(settings, 'us-east-1', { lastCrawlDpuHours: 0.25 }).crawler).toMatchObject({ dpuHoursFrom: 'last-crawl', usd: 0.11 });
  });

  it('totals only what has a price, and says the total is partial', () => {
    expect(estimatePipelineRun(settings, 'eu-west-1')).toMatchObject({ totalUsd: 0.22, complete: false });
    expect(estimatePipelineRun(settings, 'eu-south-2')).toMatchObject({ totalUsd: null, complete: false });
  });
});

describe('jobRunCost', () => {
  it('multiplies execution time by the workers\' DPUs: 512 s x 10 x G.1X = 5120 DPU-s, 1.422222 DPU-h x $0.44 = $0.625778', () => {
    expect(jobRunCost({ ExecutionTime: 512, WorkerType: 'G.1X', NumberOfWorkers: 10 }, 'us-east-1')).toEqual({ dpuSeconds: 5120, usd: 0.625778 });
  });

  it('takes DPUSeconds as Glue reports them for a Flex or auto-scaling run, at the Flex rate: 3000/3600 x $0.29 = $0.241667', () => {
    const run = { ExecutionTime: 900, WorkerType: 'G.2X' as const, NumberOfWorkers: 10, DPUSeconds: 3000, ExecutionClass: 'FLEX' as const };
    expect(jobRunCost(run, 'us-east-1')).toEqual({ dpuSeconds: 3000, usd: 0.241667 });
  });

  it('bills a 20-second run as a minute: 40 DPU-s used, 120 billed, $0.014667', () => {
    expect(jobRunCost({ ExecutionTime: 20, WorkerType: 'G.1X', NumberOfWorkers: 2 }, 'us-east-1')).toEqual({ dpuSeconds: 40, usd: 0.014667 });
  });

  it('counts the DPU-seconds of a Glue 6.0 run but gives it no price', () => {
    expect(jobRunCost({ ExecutionTime: 512, WorkerType: 'G.1X', NumberOfWorkers: 10, GlueVersion: '6.0' }, 'us-east-1')).toEqual({ dpuSeconds: 5120, usd: null });
    expect(jobRunCost({ ExecutionTime: 512, WorkerType: 'G.1X', NumberOfWorkers: 10, GlueVersion: '5.1' }, 'us-east-1')).toEqual({ dpuSeconds: 5120, usd: 0.625778 });
    // Versions before 6.0 bill the 5.x rate, whatever the run reports.
    for (const GlueVersion of ['4.0', '0.9', undefined]) {
      expect(jobRunCost({ ExecutionTime: 512, WorkerType: 'G.1X', NumberOfWorkers: 10, GlueVersion }, 'us-east-1')).toEqual({ dpuSeconds: 5120, usd: 0.625778 });
    }
  });

  it('falls back to MaxCapacity for a worker type it does not know: 360 s x 10 DPU = 3600 DPU-s, $0.44', () => {
    expect(jobRunCost({ ExecutionTime: 360, WorkerType: 'Standard', MaxCapacity: 10 }, 'us-east-1')).toEqual({ dpuSeconds: 3600, usd: 0.44 });
  });

  it('has nothing to say of a run still running, and no price where none is sourced', () => {
    expect(jobRunCost({ WorkerType: 'G.1X', NumberOfWorkers: 2 }, 'us-east-1')).toEqual({ dpuSeconds: null, usd: null });
    expect(jobRunCost({ ExecutionTime: 512, WorkerType: 'G.1X', NumberOfWorkers: 10 }, 'eu-south-2')).toEqual({ dpuSeconds: 5120, usd: null });
  });
});

describe('crawlCost', () => {
  it('turns DPUHour into DPU-seconds and dollars: 0.25 DPU-h = 900 DPU-s, $0.11', () => {
    expect(crawlCost({ DPUHour: 0.25 }, 'us-east-1')).toEqual({ dpuSeconds: 900, usd: 0.11 });
    expect(crawlCost({}, 'us-east-1')).toEqual({ dpuSeconds: null, usd: null });
  });
});

describe('reading past runs', () => {
  let t: MockedStack;
  beforeEach(() => {
    t = mockedStack({ region: 'us-east-1' });
  });

  it('keeps the newest crawls across pages, whatever order ListCrawls answers in', async () => {
    t.glue
      .on(ListCrawlsCommand)
      .resolvesOnce({ Crawls: [{ CrawlId: 'old', StartTime: new Date('2025-01-01T06:00:00Z') }], NextToken: 'p2' })
      .resolvesOnce({ Crawls: [{ CrawlId: 'new', StartTime: new Date('2025-07-01T06:00:00Z') }, { CrawlId: 'mid', StartTime: new Date('2025-04-01T06:00:00Z') }] });
    const crawls = await recentCrawls(t.ctx, 2);
    expect(crawls.map((c) => c.CrawlId)).toEqual(['new', 'mid']);
    expect(t.glue.commandCalls(ListCrawlsCommand).map((c) => c.args[0].input)).toEqual([
      { CrawlerName: 'flight-delays-raw-crawler', MaxResults: 100, NextToken: undefined },
      { CrawlerName: 'flight-delays-raw-crawler', MaxResults: 100, NextToken: 'p2' },
    ]);
  });

  it("estimates from the last successful job run and crawl, skipping failed ones", async () => {
    t.glue.on(GetJobRunsCommand).resolves({
      JobRuns: [
        { Id: 'jr_3', JobRunState: 'FAILED', ExecutionTime: 30 },
        { Id: 'jr_2', JobRunState: 'SUCCEEDED', ExecutionTime: 1200 },
      ],
    });
    t.glue.on(ListCrawlsCommand).resolves({
      Crawls: [
        { CrawlId: 'c2', State: 'FAILED', DPUHour: 0.1, StartTime: new Date('2025-04-02T00:00:00Z') },
        { CrawlId: 'c1', State: 'COMPLETED', DPUHour: 0.5, StartTime: new Date('2025-04-01T00:00:00Z') },
      ],
    });
    const cost = await estimatePipelineRunCost(t.ctx);
    expect(cost.job).toMatchObject({ minutes: 20, minutesFrom: 'last-run', dpuHours: 0.666667, usd: 0.293333 });
    expect(cost.crawler).toMatchObject({ dpuHours: 0.5, dpuHoursFrom: 'last-crawl', usd: 0.22 });
    expect(mutatingCommands(t)).toEqual([]);
  });

  it('prices the worker count it is given (the one chosen for the data), and only the documented figures', async () => {
    t.glue.on(GetJobRunsCommand).rejects(glueNotFound());
    t.glue.on(ListCrawlsCommand).resolves({ Crawls: [] });
    const cost = await estimatePipelineRunCost(t.ctx, 4);
    // 4 x G.1X x 15 min = 1 DPU-hour.
    expect(cost.job).toMatchObject({ workers: 4, dpus: 4, dpuHours: 1 });
    // What --json documents of the job's estimate, and none of the other settings.
    const documented = new Set(['glueVersion', 'workerType', 'workers', 'dpus', 'executionClass', 'minutes', 'minutesFrom', 'billedSeconds', 'dpuHours', 'usdPerDpuHour', 'usd', 'noPrice']);
    expect(Object.keys(cost.job).filter((key) => !documented.has(key))).toEqual([]);
    expect((await estimatePipelineRunCost(t.ctx)).job.workers).toBe(2);
  });

  it('estimates from the settings alone for a stack not made yet, or without permission to read crawls', async () => {
    t.glue.on(GetJobRunsCommand).rejects(glueNotFound());
    t.glue.on(ListCrawlsCommand).rejects(Object.assign(new Error('not authorized to perform: glue:ListCrawls'), { name: 'AccessDeniedException' }));
    const cost = await estimatePipelineRunCost(t.ctx);
    expect(cost.job.minutesFrom).toBe('assumed');
    expect(cost.crawler.dpuHoursFrom).toBe('assumed');
    expect(cost.totalUsd).toBe(0.366667);
  });
});
