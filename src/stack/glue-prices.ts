import type { GlueVersion } from '../core/glue.js';

/**
 * AWS Glue on-demand list prices, USD per DPU-hour, for the estimates `plan`, `up` and `status`
 * show. A copy, not a live lookup: prices change rarely, and a region missing here is shown as
 * "no price", never guessed from another region.
 *
 * Sources, copied 2026-11:
 * - Spark jobs (STANDARD): the per-region table PerfKitBenchmarker generates from the AWS Price List
 *   (GoogleCloudPlatform/PerfKitBenchmarker, perfkitbenchmarker/providers/aws/aws_dpb_glue_prices.py
 *   at commit 441d2f97131c9b6baf6f9664a9860d9a6bd4b204); its us-east-1 rate, $0.44, is the one in
 *   the examples of https://aws.amazon.com/glue/pricing/.
 * - Flex jobs: $0.29, price list usage type USE1-ETL-Flex-DPU-Hour (US East, N. Virginia), as the
 *   AWS Glue pricing page lists it. Only that region is sourced.
 * - Crawlers: $0.44, usage types USE1-Crawler-DPU-Hour (pricing page) and APS1-Crawler-DPU-Hour
 *   (price list, Asia Pacific Singapore), the same as those regions' job rate. Only those regions.
 * These are the rates of Glue 5.x and earlier. Glue 6.0 is priced apart (its own usage types, such
 * as ETL-DPU-Hour-Gen2; AWS's announcement, "AWS Glue 6.0 now available with 30% lower price",
 * https://aws.amazon.com/blogs/aws/aws-glue-6-0-now-available-with-30-lower-price-and-full-apache-iceberg-v3-support/,
 * gives no per-region table), and no sourced copy of its rates is here: a Glue 6.0 job is shown
 * with "no Glue 6.0 price for REGION", never with 5.x's rate or a rate derived from it.
 */
/** The Glue versions the job rates below are for. */
export const GLUE_VERSIONS_PRICED: readonly GlueVersion[] = ['5.0', '5.1'];

export const PRICE_TABLE = 'AWS Glue on-demand list prices per DPU-hour as copied 2026-11 (see src/stack/glue-prices.ts)';

export const JOB_PRICE_PER_DPU_HOUR: Readonly<Record<string, number>> = {
  'af-south-1': 0.524,
  'ap-east-1': 0.44,
  'ap-northeast-1': 0.44,
  'ap-northeast-2': 0.44,
  'ap-northeast-3': 0.44,
  'ap-south-1': 0.44,
  'ap-southeast-1': 0.44,
  'ap-southeast-2': 0.44,
  'ap-southeast-3': 0.44,
  'ca-central-1': 0.44,
  'eu-central-1': 0.44,
  'eu-north-1': 0.44,
  'eu-south-1': 0.52,
  'eu-west-1': 0.44,
  'eu-west-2': 0.44,
  'eu-west-3': 0.44,
  'me-south-1': 0.59,
  'sa-east-1': 0.69,
  'us-east-1': 0.44,
  'us-east-2': 0.44,
  'us-gov-east-1': 0.44,
  'us-gov-west-1': 0.44,
  'us-west-1': 0.44,
  'us-west-2': 0.44,
};

export const FLEX_PRICE_PER_DPU_HOUR: Readonly<Record<string, number>> = {
  'us-east-1': 0.29,
};

export const CRAWLER_PRICE_PER_DPU_HOUR: Readonly<Record<string, number>> = {
  'ap-southeast-1': 0.44,
  'us-east-1': 0.44,
};
